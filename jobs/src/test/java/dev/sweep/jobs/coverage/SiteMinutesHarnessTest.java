package dev.sweep.jobs.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.Ids;
import dev.sweep.jobs.records.SiteCount;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-site minutes exactly as {@link CoverageJob} builds them ({@link SiteMinutes} keyed by site: early
 * emission, final on the watermark, late corrections within the allowed lateness), driven by a keyed
 * operator harness: processing time and watermarks are set by hand, so nothing depends on the wall clock.
 */
class SiteMinutesHarnessTest {
    /** 2022-05-04 00:10 UTC, on a minute boundary. */
    static final long T0 = Instant.parse("2022-05-04T00:10:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;
    static final long END = T0 + MINUTE - 1; // the minute's last millisecond
    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration LATENESS = Duration.ofMinutes(10);
    static final long CLEANUP = END + LATENESS.toMillis();

    private KeyedOneInputStreamOperatorTestHarness<Integer, SiteCount, SiteMinute> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<Integer, SiteCount, SiteMinute> siteMinutes() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Integer, SiteCount, SiteMinute> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new SiteMinutes(Campaigns.NEIXIANG, EVERY, LATENESS), c -> c.site, Types.INT);
        h.setProcessingTime(0);
        return h;
    }

    /** One scan as the register lets it through, summed on its own (the scanId and person no longer matter here). */
    static SiteCount scan(String scanId, String siteId, String samplerId, String tubeId, String person, long at,
                          boolean firstTime) {
        Counted c = new Counted();
        c.site = Campaigns.NEIXIANG.siteIndex(siteId);
        c.at = at;
        c.scans = 1;
        c.persons = firstTime ? 1 : 0;
        c.tube = Ids.hash(tubeId);
        c.sampler = Ids.hash(samplerId);
        SiteCount part = new SiteCount(c.site, Tally.minuteOf(at));
        part.add(c);
        return part;
    }

    static SiteMinute minute(String siteId, long windowStart, int scans, int persons, int tubes, int samplers) {
        return SiteMinute.newBuilder().setSiteId(siteId).setTownshipId(siteId.substring(3, 5))
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setScans(scans).setPersons(persons).setTubes(tubes).setSamplers(samplers).build();
    }

    private void send(SiteCount part) throws Exception {
        harness.processElement(part, part.minute);
    }

    /** Everything emitted since the last call. */
    private List<SiteMinute> drain() {
        List<SiteMinute> out = new ArrayList<>(harness.extractOutputValues());
        harness.getOutput().clear();
        return out;
    }

    @Test
    void firesEarlyOnProcessingTimeThenOnTimeAndCancelsThePendingEarlyFiring() throws Exception {
        harness = siteMinutes();
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
        harness = siteMinutes();
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
        harness = siteMinutes();
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
    void beyondTheAllowedLatenessTheMinuteIsGoneAndNoLongerUpdates() throws Exception {
        harness = siteMinutes();
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        harness.processWatermark(END);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain());
        assertTrue(harness.numKeyedStateEntries() > 0, "the minute is kept for late scans");

        harness.processWatermark(CLEANUP);
        assertEquals(List.of(), drain(), "cleanup emits nothing when no correction is pending");
        assertEquals(0, harness.numKeyedStateEntries(), "the minute and its emission state are gone");
        assertEquals(0, harness.numEventTimeTimers());
        assertEquals(0, harness.numProcessingTimeTimers());

        send(scan("s2", "NX-QL-001", "sa2", "tu2", "p2", T0 + 40_000, true));
        harness.setProcessingTime(100_000);
        assertEquals(List.of(), drain(), "a scan beyond the lateness no longer updates the minute");
        assertEquals(0, harness.numKeyedStateEntries(), "and creates no state");
    }

    @Test
    void aTooLateScanIsDroppedSilently() throws Exception {
        harness = siteMinutes();
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        harness.processWatermark(CLEANUP);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain());
        send(scan("s2", "NX-QL-001", "sa2", "tu2", "p2", T0 + 40_000, true));
        harness.setProcessingTime(100_000);
        assertEquals(List.of(), drain());
        assertEquals(0, harness.numKeyedStateEntries());
    }

    /**
     * A late correction whose early emission is still pending when the watermark reaches the minute's
     * cleanup goes out then: at the end of a bounded run the watermark jumps to Long.MAX_VALUE and Flink
     * quiesces processing-time timers when a task finishes, so they never fire, and in a fast replay the
     * lateness of event time passes in under a second. (A window with an early-firing trigger lost it.)
     */
    @Test
    void bugALateCorrectionPendingAtTheEndOfInputIsNotLost() throws Exception {
        harness = siteMinutes();
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));
        harness.processWatermark(END);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain());

        send(scan("s2", "NX-QL-001", "sa2", "tu2", "p2", T0 + 40_000, true)); // late, within the lateness
        harness.processWatermark(Long.MAX_VALUE); // end of input, before the emit interval has passed
        assertEquals(List.of(minute("NX-QL-001", T0, 2, 2, 2, 2)), drain(),
                "the late scan's correction must go out when the minute is cleaned up");
    }

    @Test
    void aMinuteFarAheadOfTheClockGoesOutOnTimeNotEarly() throws Exception {
        harness = siteMinutes();
        harness.processWatermark(T0 - 1);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 5_000, true));              // the minute being lived
        send(scan("s2", "NX-QL-001", "sa1", "tu2", "p2", T0 + 30 * MINUTE + 5_000, true)); // a backlog, half an hour ahead
        harness.setProcessingTime(1_000);
        assertEquals(List.of(minute("NX-QL-001", T0, 1, 1, 1, 1)), drain(), "early: the minute being lived only");
        harness.processWatermark(T0 + 31 * MINUTE - 1);
        List<SiteMinute> onTime = drain();
        assertTrue(onTime.contains(minute("NX-QL-001", T0 + 30 * MINUTE, 1, 1, 1, 1)), "on time: " + onTime);
    }

    /**
     * A minute held back as a backlog goes out early once the event clock stops short of it: at the end of a
     * read the inputs go idle and the watermark stays behind the last minutes of the busiest partition, so
     * their on-time emission never comes. (A site's last scan of the campaign was missing from the board.)
     */
    @Test
    void bugAMinuteAheadOfAStoppedClockStillGoesOut() throws Exception {
        harness = siteMinutes();
        harness.processWatermark(T0 - 1);
        send(scan("s1", "NX-QL-001", "sa1", "tu1", "p1", T0 + 30 * MINUTE + 5_000, true)); // ahead of the clock
        harness.setProcessingTime(1_000);
        assertEquals(List.of(), drain(), "held back while the clock may still be moving");
        harness.setProcessingTime(2_000);
        assertEquals(List.of(minute("NX-QL-001", T0 + 30 * MINUTE, 1, 1, 1, 1)), drain(),
                "the clock has not moved for an emit interval: the minute goes out");
        harness.setProcessingTime(10_000);
        assertEquals(List.of(), drain(), "once");
        assertEquals(0, harness.numProcessingTimeTimers(), "nothing left pending");
    }
}
