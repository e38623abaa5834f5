package dev.sweep.board.state;

import dev.sweep.events.Coverage;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * People first sampled per five minutes of event time, for the county and each township, from
 * the coverage points: the people sampled by the end of a bucket (its newest point) less those
 * by the end of the bucket before. Points are cumulative and a late person's correction re-sends
 * every minute from theirs on, so the newest point of each bucket is always right, whatever the
 * order in which re-sends come. State per area: the newest point (minute, sampled) of each bucket,
 * at most {@link #MAX_BUCKETS} (two weeks; older ones fold into a baseline).
 */
final class Throughput {
    static final long BUCKET = 5 * 60_000L;
    static final int MAX_BUCKETS = 14 * 24 * 12;

    private final Map<String, TreeMap<Long, long[]>> areas = new HashMap<>(); // bucket -> {minute, sampled}
    private final Map<String, Long> baseline = new HashMap<>();

    void add(String area, Coverage c) {
        long minute = c.getMinute().toEpochMilli();
        long bucket = Math.floorDiv(minute, BUCKET) * BUCKET;
        TreeMap<Long, long[]> buckets = areas.computeIfAbsent(area, a -> new TreeMap<>());
        if (buckets.size() >= MAX_BUCKETS && !buckets.containsKey(bucket)) {
            if (bucket < buckets.firstKey()) {
                return; // older than everything kept: the campaign has moved on
            }
            baseline.put(area, buckets.pollFirstEntry().getValue()[1]);
        }
        long[] newest = buckets.get(bucket);
        if (newest == null || minute >= newest[0]) {
            buckets.put(bucket, new long[] {minute, c.getSampled()});
        }
    }

    /** Bucket start to the people first sampled in it, for one area (empty if none). */
    NavigableMap<Long, Long> perBucket(String area) {
        TreeMap<Long, Long> out = new TreeMap<>();
        long before = baseline.getOrDefault(area, 0L);
        for (Map.Entry<Long, long[]> e : areas.getOrDefault(area, new TreeMap<>()).entrySet()) {
            long sampled = e.getValue()[1];
            out.put(e.getKey(), Math.max(0, sampled - before));
            before = sampled;
        }
        return out;
    }

    int size() {
        return areas.values().stream().mapToInt(Map::size).max().orElse(0);
    }
}
