package dev.sweep.jobs.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.records.Tally;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link PipelineHealth} keyed by job, as in {@link CoverageJob}: minute totals of the operators' partial tallies. */
class PipelineHealthHarnessTest {
    static final long T0 = Instant.parse("2022-05-04T00:10:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, Tally, Tally> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new PipelineHealth(1_000),
                t -> CoverageJob.NAME, Types.STRING);
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static Tally tally(long minute, long events, long duplicates, long late, long deadCorrupt) {
        Tally t = new Tally(minute);
        t.events = events;
        t.duplicates = duplicates;
        t.late = late;
        t.deadCorrupt = deadCorrupt;
        return t;
    }

    /** Emitted totals since the last call, as "minute: events dup late dead lag" (read at once: they are state objects). */
    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (Tally t : harness.extractOutputValues()) {
            out.add((t.minute - T0) / MINUTE + ": " + t.events + " " + t.duplicates + " " + t.late + " "
                    + t.deadLetters() + " " + t.watermarkLagMs);
        }
        harness.getOutput().clear();
        return out;
    }

    @Test
    void addsUpPartialTalliesPerMinuteAndEmitsChangedMinutes() throws Exception {
        harness.processElement(tally(T0, 2, 0, 0, 1), 0);
        harness.processElement(tally(T0, 0, 1, 0, 0), 0);
        harness.processElement(tally(T0 + MINUTE, 0, 0, 1, 0), 0);
        assertEquals(List.of(), drain());
        harness.setProcessingTime(999);
        assertEquals(List.of(), drain());
        harness.setProcessingTime(1_000);
        assertEquals(List.of("0: 2 1 0 1 NaN", "1: 0 0 1 0 NaN"), drain(), "no watermark yet: lag unknown");

        harness.processWatermark(T0 + MINUTE);
        harness.setProcessingTime(T0 + MINUTE + 5_000);
        assertEquals(List.of(), drain(), "nothing changed");

        harness.processElement(tally(T0, 3, 0, 0, 0), 0);
        harness.setProcessingTime(T0 + MINUTE + 6_000);
        assertEquals(List.of("0: 5 1 0 1 6000.0"), drain(), "running totals of the changed minute, with the lag");

        harness.processElement(tally(T0 + 2 * MINUTE, 1, 0, 0, 0), 0);
        harness.processWatermark(Long.MAX_VALUE);
        assertEquals(List.of("2: 1 0 0 0 NaN"), drain(), "the end of input emits what changed");
        harness.setProcessingTime(T0 + 10 * MINUTE);
        assertEquals(List.of(), drain(), "and nothing twice");
    }
}
