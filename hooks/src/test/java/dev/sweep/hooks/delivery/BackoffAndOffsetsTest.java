package dev.sweep.hooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The retry schedule, and which offsets a destination may commit. */
class BackoffAndOffsetsTest {

    @Test
    void backoffDoublesWithJitterUpToItsCapAndYieldsToALongerRetryAfter() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(300));
        for (int run = 0; run < 200; run++) {
            long first = b.after(1, null).toMillis();
            assertTrue(first >= 500 && first <= 1000, "first retry " + first);
            long fourth = b.after(4, null).toMillis();
            assertTrue(fourth >= 4000 && fourth <= 8000, "fourth retry " + fourth);
            long late = b.after(30, null).toMillis();
            assertTrue(late >= 150_000 && late <= 300_000, "capped " + late);
        }
        assertEquals(Duration.ofSeconds(120), b.after(1, Duration.ofSeconds(120)), "Retry-After wins when longer");
        assertTrue(b.after(12, Duration.ofSeconds(1)).toSeconds() >= 150, "and not when shorter");
    }

    @Test
    void theCommitPointStopsAtTheFirstAlertNotYetDelivered() {
        TopicPartition p0 = new TopicPartition("t", 0);
        TopicPartition p1 = new TopicPartition("t", 1);
        ReadOffsets o = new ReadOffsets();
        for (long off = 0; off < 5; off++) {
            o.read(p0, off);
        }
        o.hold(p0, 2);
        o.hold(p0, 4);
        o.read(p1, 7);
        assertEquals(Map.of(p0, 2L, p1, 8L), o.toCommit(List.of(p0, p1)), "p0 up to the held 2; p1 past what it read");
        o.committed(Map.of(p0, 2L, p1, 8L));
        assertEquals(Map.of(), o.toCommit(List.of(p0, p1)), "nothing moved");
        o.release(p0, 4);
        assertEquals(Map.of(), o.toCommit(List.of(p0, p1)), "2 still holds p0 back");
        o.release(p0, 2);
        assertEquals(Map.of(p0, 5L), o.toCommit(List.of(p0, p1)));
        o.forget(p0);
        assertEquals(Map.of(), o.toCommit(List.of(p0)), "a forgotten partition commits nothing");
    }
}
