package dev.sweep.jobs.records;

import dev.sweep.schemas.EventChecks;
import dev.sweep.schemas.RejectedRecordException;
import java.util.Arrays;

/**
 * A refused record: a copy of its bytes and where it came from, with the reason (a Flink POJO). The copy is
 * bounded ({@link #MAX_VALUE_BYTES}: the rest is cut, and {@code originalLength} says how long it was) so a
 * dead letter can always be written, and every resident ID number in it is masked, in the value, the key
 * and the detail: a dead letter is kept for weeks and read by whoever debugs the feed.
 */
public class DeadLetter {
    /** Far under Kafka's default 1 MB per record, with room for the headers. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    public static final int MAX_KEY_BYTES = 256;
    public static final int MAX_DETAIL_CHARS = 500;

    public byte[] key;
    public byte[] value;
    /** The length of the value as it came: more than {@code value.length} when the copy was cut. */
    public int originalLength;
    public String reason;
    public String detail;
    public String topic;
    public int partition;
    public long offset;
    /** The record's Kafka timestamp: the only time a record we cannot read still has. */
    public long timestamp;

    public DeadLetter() {}

    public static DeadLetter of(RejectedRecordException why, String topic, int partition, long offset, long timestamp,
                                byte[] key, byte[] value) {
        DeadLetter d = new DeadLetter();
        d.key = key == null ? null : EventChecks.maskIdNumbers(Arrays.copyOf(key, Math.min(key.length, MAX_KEY_BYTES)));
        d.originalLength = value == null ? 0 : value.length;
        d.value = value == null ? null
                : EventChecks.maskIdNumbers(Arrays.copyOf(value, Math.min(value.length, MAX_VALUE_BYTES)));
        d.reason = why.reason().code();
        String detail = EventChecks.maskIdNumbers(why.getMessage());
        d.detail = detail.length() > MAX_DETAIL_CHARS ? detail.substring(0, MAX_DETAIL_CHARS) + "…" : detail;
        d.topic = topic;
        d.partition = partition;
        d.offset = offset;
        d.timestamp = timestamp;
        return d;
    }

    /** Whether the value is cut short of the original. */
    public boolean truncated() {
        return value != null && originalLength > value.length;
    }
}
