package dev.sweep.jobs.records;

/** One record from the input topics, decoded: exactly one of the three is set (a Flink POJO). */
public class Inbound {
    public Scan scan;
    public Heartbeat heartbeat;
    public DeadLetter deadLetter;

    public Inbound() {}

    /** Event time; a dead letter has none of its own and uses its Kafka timestamp. */
    public long eventTime() {
        if (scan != null) {
            return scan.scannedAt;
        }
        if (heartbeat != null) {
            return heartbeat.reportedAt;
        }
        return deadLetter.timestamp;
    }
}
