package dev.sweep.jobs;

import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Emission;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.utils.Utils;

/**
 * A simulator's replay as the job's source would read it from Kafka: each record on the partition Kafka's
 * default partitioner gives its key (the site), with its offset, and in any of the orders a reader could
 * meet them in: as sent (a live run), or the partitions of a backlog interleaved in other ways. Every order
 * keeps each partition's own order, as Kafka does.
 */
public final class Replays {
    /** As many partitions as the project's topics have (LocalKafka.DEFAULT_PARTITIONS). */
    public static final int PARTITIONS = 4;

    private Replays() {}

    /** In send order: what a job reading live meets. */
    public static List<ReplaySource.Raw> asSent(CampaignSimulator.Replay replay) {
        Map<String, long[]> nextOffset = new HashMap<>();
        List<ReplaySource.Raw> out = new ArrayList<>();
        for (Emission e : replay.emissions()) {
            byte[] key = e.key().getBytes(StandardCharsets.UTF_8);
            int partition = Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
            long offset = nextOffset.computeIfAbsent(e.topic() + "-" + partition, k -> new long[1])[0]++;
            out.add(new ReplaySource.Raw(e.topic(), partition, offset, e.sendAt(), key, e.value()));
        }
        return out;
    }

    /** The partitions read one after another, whole: the most lopsided backlog read. */
    public static List<ReplaySource.Raw> partitionAfterPartition(List<ReplaySource.Raw> asSent, boolean reversed) {
        List<List<ReplaySource.Raw>> parts = new ArrayList<>(ReplaySource.byPartition(asSent).values());
        if (reversed) {
            java.util.Collections.reverse(parts);
        }
        List<ReplaySource.Raw> out = new ArrayList<>();
        parts.forEach(out::addAll);
        return out;
    }

    /** Each next record from a partition drawn at random (seeded), weighted by what it has left. */
    public static List<ReplaySource.Raw> shuffledPartitions(List<ReplaySource.Raw> asSent, long seed) {
        List<List<ReplaySource.Raw>> parts = new ArrayList<>(ReplaySource.byPartition(asSent).values());
        int[] next = new int[parts.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        List<ReplaySource.Raw> out = new ArrayList<>(asSent.size());
        int left = asSent.size();
        while (left > 0) {
            int pick = rng.nextInt(left);
            for (int p = 0; p < parts.size(); p++) {
                int remaining = parts.get(p).size() - next[p];
                if (pick < remaining) {
                    // take a run of up to 500 records from it, as a fetch would
                    int run = Math.min(remaining, 1 + rng.nextInt(500));
                    for (int i = 0; i < run; i++) {
                        out.add(parts.get(p).get(next[p]++));
                    }
                    left -= run;
                    break;
                }
                pick -= remaining;
            }
        }
        return out;
    }
}
