package dev.sweep.hooks.delivery;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets of each partition a destination may commit. State: per partition, the next offset to
 * read and the offsets of alerts held (batched or being delivered). The commit point is the lowest held
 * offset, or the next offset when nothing is held: everything before it was delivered, dead-lettered, or
 * is not this destination's.
 */
final class ReadOffsets {
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, TreeSet<Long>> held = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    void read(TopicPartition tp, long offset) {
        next.merge(tp, offset + 1, Math::max);
    }

    void hold(TopicPartition tp, long offset) {
        held.computeIfAbsent(tp, k -> new TreeSet<>()).add(offset);
    }

    void release(TopicPartition tp, long offset) {
        TreeSet<Long> s = held.get(tp);
        if (s != null) {
            s.remove(offset);
        }
    }

    /** Commit points that moved since the last {@link #committed}, for these partitions. */
    Map<TopicPartition, Long> toCommit(Iterable<TopicPartition> partitions) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long n = next.get(tp);
            if (n == null) {
                continue;
            }
            TreeSet<Long> h = held.get(tp);
            long point = h == null || h.isEmpty() ? n : h.first();
            Long done = committed.get(tp);
            if (done == null || point > done) {
                out.put(tp, point);
            }
        }
        return out;
    }

    void committed(Map<TopicPartition, Long> points) {
        committed.putAll(points);
    }

    /** Forgets a partition (revoked, or read again from its committed offset). */
    void forget(TopicPartition tp) {
        next.remove(tp);
        held.remove(tp);
        committed.remove(tp);
    }
}
