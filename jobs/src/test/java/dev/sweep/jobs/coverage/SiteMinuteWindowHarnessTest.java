package dev.sweep.jobs.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.records.Scan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-site minute window exactly as {@link CoverageJob} builds it (tumbling 1 min event-time
 * windows, allowed lateness, {@link EarlyFiringTrigger}, {@link SiteMinuteTally} + {@link StampSiteMinute}),
 * taken out of a real (never executed) pipeline and driven by a keyed operator harness: processing
 * time and watermarks are set by hand, so nothing depends on the wall clock.
 */
class SiteMinuteWindowHarnessTest {
    /** 2022-05-04 00:10 UTC, on a minute boundary. */
    static final long T0 = Instant.parse("2022-05-04T00:10:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;
    static final long END = T0 + MINUTE - 1; // the window's maxTimestamp
    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration LATENESS = Duration.ofMinutes(10);
    static final long CLEANUP = END + LATENESS.toMillis();

    private KeyedOneInputStreamOperatorTestHarness<String, Scan, SiteMinute> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /**
     * The window operator of CoverageJob's "site minutes", built on a real environment. With
     * {@code late} non-null the test pipeline also sends late scans to that side output
     * (CoverageJob does not).
     */
    @SuppressWarnings("unchecked")
    static KeyedOneInputStreamOperatorTestHarness<String, Scan, SiteMinute> siteMinutes(OutputTag<Scan> late)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        WindowedStream<Scan, String, TimeWindow> windowed = env
                .fromData(List.of(new Scan()), TypeInformation.of(Scan.class))
                .keyBy(s -> s.siteId)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .allowedLateness(LATENESS)
                .trigger(new EarlyFiringTrigger(EVERY));
        if (late != null) {
            windowed = windowed.sideOutputLateData(late);
        }
        SingleOutputStreamOperator<SiteMinute> minutes =
                windowed.aggregate(new SiteMinuteTally(), new StampSiteMinute());
        OneInputTransformation<Scan, SiteMinute> t =
                (OneInputTransformation<Scan, SiteMinute>) minutes.getTransformation();
        KeySelector<Scan, String> key = (KeySelector<Scan, String>) t.getStateKeySelector();
        KeyedOneInputStreamOperatorTestHarness<String, Scan, SiteMinute> h =
                new KeyedOneInputStreamOperatorTestHarness<>(t.getOperatorFactory(), key, Types.STRING);
        h.setProcessingTime(0);
        h.open();
        return h;
    }

    static Scan scan(String scanId, String siteId, String samplerId, String tubeId, String person, long at,
                     boolean firstTime) {
        Scan s = new Scan();
        s.scanId = scanId;
        s.siteId = siteId;
        s.townshipId = siteId.substring(3, 5);
        s.samplerId = samplerId;
        s.tubeId = tubeId;
        s.personKey = person;
        s.scannedAt = at;
        s.poolSize = 10;
        s.firstTime = firstTime;
        return s;
    }

    static SiteMinute minute(String siteId, long windowStart, int scans, int persons, int tubes, int samplers) {
        return SiteMinute.newBuilder().setSiteId(siteId).setTownshipId(siteId.substring(3, 5))
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setScans(scans).setPersons(persons).setTubes(tubes).setSamplers(samplers).build();
    }

    private void send(Scan s) throws Exception {
        harness.processElement(s, s.scannedAt);
    }

    /** Everything emitted since the last call. */
    private List<SiteMinute> drain() {
        List<SiteMinute> out = new ArrayList<>(harness.extractOutputValues());
        harness.getOutput().clear();
        return out;
    }

    @Test
    void firesEarlyOnProcessingTimeThenOnTimeAndCancelsThePendingEarlyFiring() throws Exception {
        harness = siteMinutes(null);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        send(scan("s2", "NX-QL-001", "sa1", "tu1", "p2", T0 + 10_000, true));
        send(scan("s3", "NX-QL-001", "sa2", "tu2", "p0", T0 + 20_000, false)); // a re-test
        send(scan("s4", "NX-CG-001", "sb1", "tv1", "p9", T0 + 25_000, true));  // another site, same minute
        assertEquals(List.of(), drain(), "nothing before the emit interval");

        harness.setProcessingTime(999);
        assertEquals(List.of(), drain(), "still nothing 1 ms before the emit interval");

        harness.setProcessingTime(1_000);
        List<SiteMinute> early = drain();
        assertEquals(2, early.size(), "one early firing per site: " + early);
        assertTrue(early.contains(minute("NX-QL-001", T0, 3, 2, 2, 2)), early.toString());
        assertTrue(early.contains(minute("NX-CG-001", T0, 1, 1, 1, 1)), early.toString());

        harness.setProcessingTime(5_000);
        assertEquals(List.of(), drain(), "no change, no firing");

        // More scans into the same open minute: another early firing one interval later, whole minute so far.
        send(scan("s5", "NX-QL-001", "sa3", "tu2", "p3", T0 + 30_000, true));
        harness.setProcessingTime(5_999);
        assertEquals(List.of(), drain());
        harness.setProcessingTime(6_000);
        assertEquals(List.of(minute("NX-QL-001", T0, 4, 3, 2, 3)), drain());

        // A scan whose early firing is pending when the watermark passes the window's end:
        // the on-time firing carries it and the early one is cancelled.
        send(scan("s6", "NX-QL-001", "sa3", "tu3", "p4", T0 + 59_000, true));
        assertEquals(1, harness.numProcessingTimeTimers(), "the pending early firing");
        harness.processWatermark(END - 1);
        assertEquals(List.of(), drain(), "the watermark has not reached the window's end");
        harness.processWatermark(END);
        List<SiteMinute> onTime = drain();
        assertEquals(2, onTime.size(), "on-time firing of both sites' windows: " + onTime);
        assertTrue(onTime.contains(minute("NX-QL-001", T0, 5, 4, 3, 3)), onTime.toString());
        assertTrue(onTime.contains(minute("NX-CG-001", T0, 1, 1, 1, 1)), onTime.toString());
        assertEquals(0, harness.numProcessingTimeTimers(), "the early firing was cancelled");

        harness.setProcessingTime(60_000);
        assertEquals(List.of(), drain(), "no duplicate emission after the on-time firing");
    }

    @Test
    void aScanInTheNextMinuteOpensItsOwnWindow() throws Exception {
        harness = siteMinutes(null);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 59_999, true));
        send(scan("s2", "NX-QL-001", "sa1", "tu1", "p2", T0 + MINUTE, true));
        harness.setProcessingTime(1_000);
        List<SiteMinute> out = drain();
        assertEquals(2, out.size(), out.toString());
        assertTrue(out.contains(minute("NX-QL-001", T0, 1, 1, 1, 1)), out.toString());
        assertTrue(out.contains(minute("NX-QL-001", T0 + MINUTE, 1, 1, 1, 1)), out.toString());
    }

    @Test
    void aLateScanWithinTheAllowedLatenessRefiresTheSameWindow() throws Exception {
        harness = siteMinutes(null);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        harness.processWatermark(END);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain(), "on-time firing");

        // Late, well within the lateness: the same window fires again, one emit interval later.
        harness.setProcessingTime(10_000);
        send(scan("s2", "NX-QL-001", "sa2", "tu2", "p2", T0 + 40_000, true));
        assertEquals(List.of(), drain(), "a late correction also waits for the emit interval");
        harness.setProcessingTime(10_999);
        assertEquals(List.of(), drain());
        harness.setProcessingTime(11_000);
        assertEquals(List.of(minute("NX-QL-001", T0, 2, 2, 2, 2)), drain(), "same windowStart, updated counts");

        // Still accepted 1 ms before the window's cleanup time.
        harness.processWatermark(CLEANUP - 1);
        assertEquals(List.of(), drain());
        send(scan("s3", "NX-QL-001", "sa2", "tu2", "p0", T0 + 45_000, false));
        harness.setProcessingTime(12_000);
        assertEquals(List.of(minute("NX-QL-001", T0, 3, 2, 2, 2)), drain());
    }

    @Test
    void beyondTheAllowedLatenessTheWindowIsGoneAndNoLongerUpdates() throws Exception {
        OutputTag<Scan> lateTag = new OutputTag<>("late-scans") {};
        harness = siteMinutes(lateTag);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        harness.processWatermark(END);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain());
        assertTrue(harness.numKeyedStateEntries() > 0, "the window's contents are kept for late scans");

        harness.processWatermark(CLEANUP);
        assertEquals(List.of(), drain(), "cleanup emits nothing when no correction is pending");
        assertEquals(0, harness.numKeyedStateEntries(), "window contents and trigger state are gone");
        assertEquals(0, harness.numEventTimeTimers());
        assertEquals(0, harness.numProcessingTimeTimers());

        Scan tooLate = scan("s2", "NX-QL-001", "sa2", "tu2", "p2", T0 + 40_000, true);
        send(tooLate);
        harness.setProcessingTime(100_000);
        assertEquals(List.of(), drain(), "a scan beyond the lateness no longer updates the window");
        List<String> late = new ArrayList<>();
        for (StreamRecord<Scan> r : harness.getSideOutput(lateTag)) {
            late.add(r.getValue().scanId + "@" + r.getTimestamp());
        }
        assertEquals(List.of(tooLate.scanId + "@" + tooLate.scannedAt), late,
                "it goes to the late side output when one is configured");
        assertEquals(0, harness.numKeyedStateEntries(), "and creates no state");
    }

    @Test
    void withoutALateSideOutputAsInCoverageJobATooLateScanIsDroppedSilently() throws Exception {
        harness = siteMinutes(null);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        harness.processWatermark(CLEANUP);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain());
        send(scan("s2", "NX-QL-001", "sa2", "tu2", "p2", T0 + 40_000, true));
        harness.setProcessingTime(100_000);
        assertEquals(List.of(), drain());
        assertEquals(0, harness.numKeyedStateEntries());
    }

    /**
     * BUG (EarlyFiringTrigger.onEventTime): a late correction whose early firing is still pending
     * when the watermark reaches the window's cleanup time is lost. WindowOperator calls
     * onEventTime(cleanupTime) - which returns CONTINUE because time != maxTimestamp - and then
     * clear(), which deletes the pending processing-time timer. The watermark reaches the cleanup
     * time within one emit interval at the end of a bounded run (the watermark jumps to
     * Long.MAX_VALUE and Flink quiesces processing-time timers when a task finishes, so they never
     * fire) and in a fast replay (the lateness of event time passes in under a second).
     */
    @Test
    void bugALateCorrectionPendingAtTheEndOfInputIsNotLost() throws Exception {
        harness = siteMinutes(null);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        harness.processWatermark(END);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain());

        send(scan("s2", "NX-QL-001", "sa2", "tu2", "p2", T0 + 40_000, true)); // late, within the lateness
        harness.processWatermark(Long.MAX_VALUE); // end of input, before the emit interval has passed
        assertEquals(List.of(minute("NX-QL-001", T0, 2, 2, 2, 2)), drain(),
                "the late scan's correction must go out when the window is cleaned up");
    }
}
