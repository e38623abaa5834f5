package dev.sweep.board.web;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * What the event stream has cost so far, for the sizing figures ({@code BoardFigures}) and the tests' bounds:
 * events queued to browsers and their bytes (all browsers together), the largest single event, and the pushes with
 * the CPU time they took on the pushing thread (building the picture and every browser's delta).
 */
public final class Stats {
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final LongAccumulator largest = new LongAccumulator(Math::max, 0);
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong pushCpuNanos = new AtomicLong();

    /** A snapshot of the figures. */
    public record Figures(long messages, long bytes, long largestMessage, long pushes, long pushCpuNanos) {}

    void sent(int length) {
        messages.incrementAndGet();
        bytes.addAndGet(length);
        largest.accumulate(length);
    }

    public void pushed(long cpuNanos) {
        pushes.incrementAndGet();
        pushCpuNanos.addAndGet(cpuNanos);
    }

    public Figures figures() {
        return new Figures(messages.get(), bytes.get(), largest.get(), pushes.get(), pushCpuNanos.get());
    }
}
