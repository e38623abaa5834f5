package dev.sweep.jobs.records;

/** A refused record: its original bytes and where it came from, with the reason (a Flink POJO). */
public class DeadLetter {
    public byte[] key;
    public byte[] value;
    public String reason;
    public String detail;
    public String topic;
    public int partition;
    public long offset;
    /** The record's Kafka timestamp: the only time a record we cannot read still has. */
    public long timestamp;

    public DeadLetter() {}
}
