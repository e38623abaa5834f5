package dev.sweep.board.state;

import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * People sampled per five minutes of event time, by township. State: one row of counts per
 * five-minute bucket that saw anyone, at most {@link #MAX_BUCKETS} (two weeks), oldest dropped.
 */
final class Throughput {
    static final long BUCKET = 5 * 60_000L;
    static final int MAX_BUCKETS = 14 * 24 * 12;

    private final int townships;
    private final TreeMap<Long, long[]> buckets = new TreeMap<>();

    Throughput(int townships) {
        this.townships = townships;
    }

    void add(long minute, int township, long persons) {
        if (persons == 0) {
            return;
        }
        long bucket = Math.floorDiv(minute, BUCKET) * BUCKET;
        if (buckets.size() >= MAX_BUCKETS && !buckets.containsKey(bucket)) {
            if (bucket < buckets.firstKey()) {
                return; // older than everything kept: the campaign has moved on
            }
            buckets.pollFirstEntry();
        }
        buckets.computeIfAbsent(bucket, b -> new long[townships])[township] += persons;
    }

    /** Bucket start to people per township (in the scenario's order); a copy. */
    NavigableMap<Long, long[]> buckets() {
        TreeMap<Long, long[]> copy = new TreeMap<>();
        for (Map.Entry<Long, long[]> e : buckets.entrySet()) {
            copy.put(e.getKey(), Arrays.copyOf(e.getValue(), townships));
        }
        return copy;
    }

    int size() {
        return buckets.size();
    }
}
