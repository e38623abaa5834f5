package dev.sweep.board.state;

import dev.sweep.events.PipelineMinute;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The job's data health from {@code sweep.pipeline}. State: the latest record per (job, minute)
 * with their running totals, the job's event clock as it last reported it (the record's wall-clock time less
 * the lag it reported), and a few wall-clock samples of the total events for the rate in.
 *
 * <p>The job reports its lag behind the wall clock, which in a replay of a past campaign is years; the
 * board shows the lag behind its own campaign clock (the newest event time it has seen), which is the same
 * thing live and a readable figure in a replay.
 */
final class DataHealth {
    /** Two weeks of minutes per job; a campaign is days. */
    static final int MAX_MINUTES = 14 * 24 * 60;
    private static final long RATE_WINDOW_NANOS = 10_000_000_000L;

    private final Map<String, PipelineMinute> minutes = new HashMap<>();
    private long events;
    private long duplicates;
    private long late;
    private long deadLetters;
    private Long jobClock; // the job's event clock when it last reported one
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanoTime, events}
    private double eventsPerSecond;

    void apply(PipelineMinute p, long writtenAt) {
        String key = p.getJob() + "@" + p.getMinute().toEpochMilli();
        PipelineMinute before = minutes.get(key);
        if (before == null && minutes.size() >= MAX_MINUTES) {
            return; // the totals stop growing rather than the memory
        }
        minutes.put(key, p);
        events += p.getEvents() - (before == null ? 0 : before.getEvents());
        duplicates += p.getDuplicates() - (before == null ? 0 : before.getDuplicates());
        late += p.getLate() - (before == null ? 0 : before.getLate());
        deadLetters += p.getDeadLetters() - (before == null ? 0 : before.getDeadLetters());
        // Null after the end of input: unknown, not zero.
        jobClock = p.getWatermarkLagMs() == null ? null : writtenAt - Math.round(p.getWatermarkLagMs());
    }

    /** Takes a wall-clock sample of the events read so far; the rate is over the last ten seconds. */
    void sample(long nanoTime) {
        samples.addLast(new long[] {nanoTime, events});
        while (samples.size() > 2 && nanoTime - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
            samples.pollFirst();
        }
        long[] first = samples.peekFirst();
        long span = nanoTime - first[0];
        eventsPerSecond = span <= 0 ? 0 : (events - first[1]) * 1e9 / span;
    }

    long events() { return events; }
    long duplicates() { return duplicates; }
    long late() { return late; }
    long deadLetters() { return deadLetters; }
    /** How far the job's event clock is behind {@code clock} (the board's campaign clock); null when unknown. */
    Double watermarkLagMs(Long clock) {
        return jobClock == null || clock == null ? null : (double) Math.max(0, clock - jobClock);
    }
    double eventsPerSecond() { return eventsPerSecond; }
}
