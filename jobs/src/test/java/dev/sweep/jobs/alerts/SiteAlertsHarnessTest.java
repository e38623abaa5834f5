package dev.sweep.jobs.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.Alert;
import dev.sweep.events.SiteState;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.MinuteScans;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SiteAlerts} keyed by site, as in the job, on the tiny test campaign (NX-CG-001: 300 people an hour). */
class SiteAlertsHarnessTest {
    static final String SITE = "NX-CG-001";
    static final int SITE_INDEX = Campaigns.TINY.siteIndex(SITE);
    static final long OPENS = Instant.parse("2022-05-04T00:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    private KeyedTwoInputStreamOperatorTestHarness<Integer, MinuteScans, Heartbeat, Alert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new SiteAlerts(Campaigns.TINY, AlertRules.defaults(), Duration.ofMinutes(1)),
                m -> m.site, h -> h.site, Types.INT);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void heartbeats(long fromMinute, long untilMinute, int queue) throws Exception {
        for (long t = OPENS + fromMinute * MINUTE; t < OPENS + untilMinute * MINUTE; t += 30_000) {
            heartbeat(t, "OPEN", queue);
        }
    }

    private void heartbeat(long at, String state, int queue) throws Exception {
        Heartbeat h = new Heartbeat();
        h.site = SITE_INDEX;
        h.reportedAt = at;
        h.state = SiteState.valueOf(state);
        h.queueLength = queue;
        h.lanesOpen = 3;
        h.samplersOnDuty = 6;
        harness.processElement2(h, at);
    }

    private void scans(long fromMinute, long untilMinute, int perMinute) throws Exception {
        for (long m = fromMinute; m < untilMinute; m++) {
            long start = OPENS + m * MINUTE;
            harness.processElement1(new MinuteScans(SITE_INDEX, start, perMinute), start + MINUTE - 1);
        }
    }

    private void clockAt(long minute) throws Exception {
        harness.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(OPENS + minute * MINUTE));
    }

    /** Transitions since the last call, as "STATE KIND since+min at+min value". */
    private List<String> alerts() {
        List<String> out = new ArrayList<>();
        for (Alert a : harness.extractOutputValues()) {
            out.add(a.getState() + " " + a.getKind() + " since+" + (a.getSince().toEpochMilli() - OPENS) / MINUTE
                    + " at+" + (a.getAt().toEpochMilli() - OPENS) / MINUTE + " " + Math.round(a.getValue() * 100) / 100.0);
        }
        harness.getOutput().clear();
        return out;
    }

    @Test
    void aStationThatStopsReportingIsOfflineOnceAndBackOnceItHasReportedForTheClearDelay() throws Exception {
        heartbeats(0, 10, 3);
        scans(0, 10, 4);
        clockAt(12);
        assertEquals(List.of(), alerts());
        clockAt(13);
        List<String> raised = alerts();
        assertEquals(List.of("RAISED STATION_OFFLINE since+9 at+13 3.5"), raised, "last heartbeat 09:30 into the wave");
        clockAt(30);
        assertEquals(List.of(), alerts(), "raised once, not again every minute");
        heartbeats(30, 40, 3);
        scans(30, 40, 4);
        clockAt(35);
        assertEquals(List.of(), alerts(), "back at 30, seen at the 31st minute: clear for less than 5 minutes");
        clockAt(36);
        assertEquals(List.of("RESOLVED STATION_OFFLINE since+9 at+36 0.0"), alerts());
        List<Alert> none = harness.extractOutputValues();
        assertTrue(none.isEmpty());
    }

    @Test
    void aSiteWithPeopleQueueingAndNoScanIsSilentButOnlyWhilePeopleQueue() throws Exception {
        heartbeats(0, 30, 4);
        scans(0, 5, 4);
        clockAt(14);
        assertEquals(List.of(), alerts(), "nine minutes without a scan");
        clockAt(15);
        assertEquals(List.of("RAISED SITE_SILENT since+5 at+15 10.0"), alerts());
        scans(16, 30, 4);
        clockAt(30);
        assertEquals(List.of("RESOLVED SITE_SILENT since+5 at+22 0.0"), alerts(), "scans again from 16, clear for 5 min");

        heartbeats(30, 60, 0);
        clockAt(60);
        assertEquals(List.of(), alerts(), "nobody queueing and nobody scanned: idle, not silent");
    }

    @Test
    void congestionRaisesAtFiftyForFiveMinutesAndClearsOnlyUnderBusy() throws Exception {
        scans(0, 60, 5);
        heartbeats(0, 10, 20);
        heartbeats(10, 20, 60);
        heartbeats(20, 30, 30);
        heartbeats(30, 40, 10);
        clockAt(14);
        assertEquals(List.of(), alerts());
        clockAt(15);
        assertEquals(List.of("RAISED SITE_CONGESTED since+10 at+15 60.0"), alerts());
        clockAt(34);
        assertEquals(List.of(), alerts(), "30 people is still busy: the incident holds");
        clockAt(35);
        assertEquals(List.of("RESOLVED SITE_CONGESTED since+10 at+35 10.0"), alerts());
    }

    @Test
    void aSiteSlowerThanHalfItsCapacityWithALineIsSlowButNotWhenItsLineIsShort() throws Exception {
        heartbeats(0, 40, 15);
        scans(0, 40, 2); // 30 in 15 minutes against a capacity of 75
        clockAt(19);
        assertEquals(List.of(), alerts(), "judged after a full window and 5 minutes of raise delay");
        clockAt(20);
        assertEquals(List.of("RAISED SITE_SLOW since+15 at+20 0.4"), alerts());
        heartbeats(40, 60, 5);
        scans(40, 60, 2);
        clockAt(60);
        assertEquals(List.of("RESOLVED SITE_SLOW since+15 at+45 0.4"), alerts(), "a short line: idle, not slow");
    }

    @Test
    void aJudgedMinuteSentAgainWithMoreScansCountsInTheSlowWindow() throws Exception {
        heartbeats(0, 60, 15);
        scans(0, 60, 2); // 30 in 15 minutes against a capacity of 75: slow
        clockAt(20);
        assertEquals(List.of("RAISED SITE_SLOW since+15 at+20 0.4"), alerts());
        // Late scans fill the judged minutes 10..19 again (a site minute is re-sent as it fills): 6 each.
        for (long m = 10; m < 20; m++) {
            long start = OPENS + m * MINUTE;
            harness.processElement1(new MinuteScans(SITE_INDEX, start, 6), start + MINUTE - 1);
        }
        clockAt(60);
        // From 21 the window holds 70 of 75; cleared after 5 minutes, at 26 (minutes 11..25: 54 + 12 = 66).
        // Minutes 10..19 leave it one by one: at 33 it holds 18..32 (12 + 26 = 38, 0.51), at 34 19..33 (6 + 28 =
        // 34, 0.45): slow again, raised 5 minutes later, when the window is 2 a minute again (30 of 75).
        assertEquals(List.of("RESOLVED SITE_SLOW since+15 at+26 0.88", "RAISED SITE_SLOW since+34 at+39 0.4"),
                alerts(), "the window's sum takes a judged minute's new count, and lets it go a window later");
    }

    @Test
    void aSiteThatClosesIsNotLaggingAndItsIncidentsEnd() throws Exception {
        heartbeats(0, 10, 60);
        scans(0, 10, 5);
        clockAt(9);
        assertEquals(List.of("RAISED SITE_CONGESTED since+1 at+6 60.0"), alerts(), "judged from the first minute's end");
        heartbeat(OPENS + 10 * MINUTE, "CLOSED", 0);
        clockAt(120);
        assertEquals(List.of("RESOLVED SITE_CONGESTED since+1 at+10 0.0"), alerts(), "and no STATION_OFFLINE after");
    }

    @Test
    void dataAheadOfTheEventClockWaitsForItsMinute() throws Exception {
        // Read from a backlog: the whole hour arrives before the clock moves.
        heartbeats(0, 10, 3);
        heartbeats(10, 60, 80);
        scans(0, 60, 5);
        clockAt(10);
        assertEquals(List.of(), alerts(), "at 10 the line was 3, whatever came later");
        clockAt(15);
        assertEquals(List.of("RAISED SITE_CONGESTED since+10 at+15 80.0"), alerts());
    }

    @Test
    void whenTheFeedEndsAndTheClockStopsACloseStillResolvesTheSitesIncidents() throws Exception {
        harness.setProcessingTime(0);
        heartbeats(0, 20, 60);
        scans(0, 20, 5);
        clockAt(15);
        assertEquals(List.of("RAISED SITE_CONGESTED since+1 at+6 60.0"), alerts());
        // The last records: the close at 20, ahead of the clock, which never moves again (the feed is over).
        heartbeat(OPENS + 20 * MINUTE, "CLOSED", 0);
        harness.setProcessingTime(59_999);
        assertEquals(List.of(), alerts(), "the clock may still move: wait");
        harness.setProcessingTime(60_000);
        assertEquals(List.of("RESOLVED SITE_CONGESTED since+1 at+20 0.0"), alerts(), "a minute of a stopped clock: closed");
        clockAt(30);
        assertEquals(List.of(), alerts(), "and nothing again when the clock moves after all");
    }

    @Test
    void aCloseAheadOfAMovingClockWaitsForItsMinute() throws Exception {
        harness.setProcessingTime(0);
        heartbeats(0, 20, 60);
        scans(0, 20, 5);
        clockAt(10);
        assertEquals(List.of("RAISED SITE_CONGESTED since+1 at+6 60.0"), alerts());
        heartbeat(OPENS + 20 * MINUTE, "CLOSED", 0);
        clockAt(12); // the clock moves (a backlog being read): the close is judged in its own minute
        harness.setProcessingTime(60_000);
        assertEquals(List.of(), alerts());
        clockAt(20);
        assertEquals(List.of("RESOLVED SITE_CONGESTED since+1 at+20 0.0"), alerts());
    }
}
