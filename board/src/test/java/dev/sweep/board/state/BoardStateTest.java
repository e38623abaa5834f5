package dev.sweep.board.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The fold: which record wins, what each panel shows, and that memory stays bounded. */
class BoardStateTest {
    static final Scenario NEIXIANG = Scenario.load("neixiang");
    static final long T0 = Instant.parse("2022-05-04T00:00:00Z").toEpochMilli(); // 08:00 in Neixiang
    static final long MIN = 60_000L;
    static final String SITE = "NX-CG-001";
    static final String OTHER = "NX-CG-002";

    final BoardState state = new BoardState(NEIXIANG);

    static Coverage coverage(String township, long minute, long sampled, double rate, Double eta) {
        long population = township == null ? NEIXIANG.population() : NEIXIANG.township(township).population();
        return new Coverage(township == null ? CoverageScope.COUNTY : CoverageScope.TOWNSHIP, township,
                township == null ? "county" : "township", township == null ? NEIXIANG.root().id() : township,
                Instant.ofEpochMilli(minute), sampled, population, (double) sampled / population, rate, eta);
    }

    static SiteMinute minute(String site, long start, int scans, int persons) {
        return new SiteMinute(NEIXIANG.site(site).townshipId(), site, Instant.ofEpochMilli(start), scans, persons,
                scans / 10 + 1, 2);
    }

    static StationStatus heartbeat(String site, long at, SiteState s, int queue) {
        return new StationStatus(site, NEIXIANG.site(site).townshipId(), Instant.ofEpochMilli(at), s, queue, 3, 6);
    }

    static Alert alert(String id, AlertKind kind, AlertState s, String site, long since, long at) {
        String township = site == null ? "CG" : NEIXIANG.site(site).townshipId();
        return new Alert(id, kind, s, township, site, site == null ? township : NEIXIANG.site(site).areaId(), Instant.ofEpochMilli(since), Instant.ofEpochMilli(at), 12.0, 10.0,
                "采样点静默", "site silent");
    }

    BoardView.SiteRow site(String id) {
        return state.view("live").sites().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    BoardView.TownshipRow township(String id) {
        return state.view("live").townships().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void theNewestCoverageMinuteWinsAndAReSentMinuteReplacesIt() {
        state.onCoverage(coverage(null, T0 + 5 * MIN, 1_000, 12_000, 300.0));
        state.onCoverage(coverage(null, T0 + 5 * MIN, 1_200, 14_400, 250.0)); // the same minute, re-sent fuller
        state.onCoverage(coverage(null, T0 + 3 * MIN, 900, 10_000, 400.0)); // a late rewrite of an older minute
        BoardView.County c = state.view("live").county();
        assertEquals(1_200, c.sampled());
        assertEquals(NEIXIANG.population(), c.population());
        assertEquals(14_400, c.ratePerHour());
        assertEquals(250.0, c.etaMinutes());
        assertEquals(T0 + 5 * MIN, c.minute());

        state.onCoverage(coverage("CG", T0 + 5 * MIN, 300, 3_600, null));
        assertEquals(300, township("CG").sampled());
        assertNull(township("CG").etaMinutes(), "no rate, no ETA");
        assertEquals(0, township("XG").sampled(), "a township with no record yet shows nothing sampled");
        assertEquals(18_500, township("XG").population());
    }

    @Test
    void townshipsComeWorstFirst() {
        state.onCoverage(coverage("CG", T0, 100_000, 0, null));
        state.onCoverage(coverage("XG", T0, 1_000, 0, null));
        List<BoardView.TownshipRow> rows = state.view("live").townships();
        assertEquals(NEIXIANG.townships().size(), rows.size());
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i - 1).coverage() <= rows.get(i).coverage(), "worst first at " + i);
        }
        assertEquals("CG", rows.get(rows.size() - 1).id());
    }

    @Test
    void theLatestRecordOfEachSiteMinuteWinsEvenLongAfterLaterMinutes() {
        state.onSiteMinute(minute(SITE, T0, 3, 3));
        state.onSiteMinute(minute(SITE, T0, 7, 6)); // the same window, re-sent as it filled
        state.onSiteMinute(minute(SITE, T0 + MIN, 5, 5));
        state.onSiteMinute(minute(SITE, T0 + 13 * 60 * MIN, 4, 4)); // the next morning's first minute
        state.onSiteMinute(minute(SITE, T0, 8, 7)); // then the on-time firing of the first, under a backlog
        state.onSiteMinute(minute(SITE, T0 - 3 * 60 * MIN, 2, 2)); // an earlier minute than any so far
        BoardView.SiteRow row = site(SITE);
        assertEquals(8 + 5 + 4 + 2, row.scans());
        assertEquals(7 + 5 + 4 + 2, row.sampled());
        assertEquals(T0 + 13 * 60 * MIN, row.lastScan());
        assertEquals(0, site(OTHER).scans());

        state.onSiteMinute(new SiteMinute("XX", "NX-XX-001", Instant.ofEpochMilli(T0), 5, 5, 1, 1));
        assertEquals(1, state.unknownSites(), "a site of another campaign is counted, not shown");
        assertEquals(NEIXIANG.sites().size(), state.view("live").sites().size());
    }

    @Test
    void throughputIsThePeopleSampledInEachFiveMinutesFromTheCoveragePoints() {
        state.onCoverage(coverage(null, T0, 10, 0, null));
        state.onCoverage(coverage(null, T0 + 3 * MIN, 40, 0, null));
        state.onCoverage(coverage(null, T0 + 7 * MIN, 70, 0, null));
        state.onCoverage(coverage(null, T0 + 3 * MIN, 45, 0, null)); // a late person rewrites from minute 3 on
        state.onCoverage(coverage(null, T0 + 7 * MIN, 75, 0, null));
        state.onCoverage(coverage(null, T0 + 13 * 60 * MIN, 90, 0, null)); // the next wave
        state.onCoverage(coverage("CG", T0 + 2 * MIN, 12, 0, null));
        List<BoardView.Bucket> buckets = state.view("live").throughput();
        assertEquals(List.of(T0, T0 + 5 * MIN, T0 + 13 * 60 * MIN), buckets.stream().map(BoardView.Bucket::start).toList());
        assertEquals(List.of(45L, 30L, 15L), buckets.stream().map(BoardView.Bucket::county).toList());
        assertEquals(90, buckets.stream().mapToLong(BoardView.Bucket::county).sum(), "adds up to the county figure");
        assertEquals(12L, buckets.get(0).townships().get("CG"));
        assertEquals(0L, buckets.get(1).townships().get("CG"));
        assertEquals(NEIXIANG.townships().size(), buckets.get(0).townships().size());
    }

    @Test
    void aSiteRateCountsTheFifteenWholeMinutesBeforeTheClock() {
        for (int m = 0; m < 20; m++) {
            state.onSiteMinute(minute(SITE, T0 + m * MIN, 5, 5));
        }
        state.onStatus(heartbeat(SITE, T0 + 20 * MIN + 30_000, SiteState.OPEN, 3)); // clock 08:20:30
        assertEquals(T0 + 20 * MIN + 30_000, state.clock());
        assertEquals(5 * 15 * 4, site(SITE).rate15(), 1e-9, "minutes 08:05..08:19, per hour");
        assertEquals(330, site(SITE).capacity());
    }

    @Test
    void sitesTakeTheOperatorsColours() {
        state.onStatus(heartbeat(SITE, T0, SiteState.OPEN, 24));
        assertEquals("clear", site(SITE).condition());
        state.onStatus(heartbeat(SITE, T0 + 30_000, SiteState.OPEN, 25));
        assertEquals("busy", site(SITE).condition());
        state.onStatus(heartbeat(SITE, T0 + 60_000, SiteState.OPEN, 50));
        assertEquals("congested", site(SITE).condition());
        assertEquals(50, site(SITE).queue());
        state.onStatus(heartbeat(SITE, T0 + 45_000, SiteState.OPEN, 0)); // delayed in the network: older
        assertEquals(50, site(SITE).queue(), "an older heartbeat does not win");

        assertEquals("waiting", site(OTHER).condition(), "no heartbeat yet");
        state.onStatus(heartbeat(OTHER, T0, SiteState.OPEN, 10));
        state.onAlert(alert("a1", AlertKind.SITE_CONGESTED, AlertState.RAISED, OTHER, T0, T0 + 5 * MIN));
        assertEquals("congested", site(OTHER).condition(), "an active SITE_CONGESTED alert");
        state.onAlert(alert("a2", AlertKind.STATION_OFFLINE, AlertState.RAISED, OTHER, T0, T0 + 3 * MIN));
        assertEquals("silent", site(OTHER).condition(), "silent wins over congested");
        assertEquals(List.of("SITE_CONGESTED", "STATION_OFFLINE"), site(OTHER).alerts());
        assertEquals(1, township("CG").silent());
        assertEquals(0, township("CG").lagging(), "a silent site counts once, as silent");

        state.onAlert(alert("a2", AlertKind.STATION_OFFLINE, AlertState.RESOLVED, OTHER, T0, T0 + 30 * MIN));
        state.onAlert(alert("a1", AlertKind.SITE_CONGESTED, AlertState.RESOLVED, OTHER, T0, T0 + 31 * MIN));
        assertEquals("clear", site(OTHER).condition());

        state.onAlert(alert("a3", AlertKind.SITE_SLOW, AlertState.RAISED, SITE, T0, T0 + 15 * MIN));
        assertEquals(1, township("CG").lagging());
        state.onStatus(heartbeat(SITE, T0 + 4 * 60 * MIN, SiteState.CLOSED, 0));
        assertEquals("closed", site(SITE).condition(), "a closed site is closed, not lagging");
        assertEquals(0, township("CG").lagging());
        assertEquals("CLOSED", site(SITE).station());
    }

    @Test
    void alertsAreActiveUntilResolvedAndTheRecentlyResolvedAreKeptNewestFirst() {
        state.onAlert(alert("s1", AlertKind.SITE_SILENT, AlertState.RAISED, SITE, T0, T0 + 10 * MIN));
        state.onAlert(alert("s1", AlertKind.SITE_SILENT, AlertState.RAISED, SITE, T0, T0 + 10 * MIN)); // re-sent
        state.onAlert(alert("t1", AlertKind.TOWNSHIP_BEHIND_PLAN, AlertState.RAISED, null, T0, T0 + 20 * MIN));
        BoardView.Alerts a = state.view("live").alerts();
        assertEquals(List.of("s1", "t1"), a.active().stream().map(BoardView.AlertRow::id).toList());
        assertTrue(township("CG").behindPlan());

        state.onAlert(alert("s1", AlertKind.SITE_SILENT, AlertState.RESOLVED, SITE, T0, T0 + 40 * MIN));
        state.onAlert(alert("s1", AlertKind.SITE_SILENT, AlertState.RAISED, SITE, T0, T0 + 10 * MIN)); // late re-send
        a = state.view("live").alerts();
        assertEquals(List.of("t1"), a.active().stream().map(BoardView.AlertRow::id).toList());
        assertEquals(List.of("s1"), a.resolved().stream().map(BoardView.AlertRow::id).toList());
        assertEquals(T0 + 40 * MIN, a.resolved().get(0).at());

        for (int i = 0; i < AlertBook.RESOLVED_KEPT + 5; i++) {
            state.onAlert(alert("r" + i, AlertKind.SITE_SLOW, AlertState.RAISED, OTHER, T0, T0 + i * MIN));
            state.onAlert(alert("r" + i, AlertKind.SITE_SLOW, AlertState.RESOLVED, OTHER, T0, T0 + 60 * MIN + i * MIN));
        }
        a = state.view("live").alerts();
        assertEquals(AlertBook.RESOLVED_KEPT, a.resolved().size());
        assertEquals("r" + (AlertBook.RESOLVED_KEPT + 4), a.resolved().get(0).id(), "newest first");
    }

    @Test
    void dataHealthKeepsTheLatestOfEachMinute() {
        state.onPipelineMinute(new PipelineMinute("coverage", Instant.ofEpochMilli(T0), 100L, 2L, 0L, 1L, 1_500.0), T0);
        state.onPipelineMinute(new PipelineMinute("coverage", Instant.ofEpochMilli(T0), 180L, 4L, 1L, 1L, 900.0), T0);
        state.onPipelineMinute(new PipelineMinute("coverage", Instant.ofEpochMilli(T0 + MIN), 50L, 0L, 0L, 2L, null), T0);
        state.onRefused("sweep.coverage", new dev.sweep.schemas.RejectedRecordException(dev.sweep.schemas.Rejection.CORRUPT, "test"));
        BoardView.Health h = state.view("live").health();
        assertEquals(230, h.events());
        assertEquals(4, h.duplicates());
        assertEquals(1, h.late());
        assertEquals(3, h.deadLetters());
        assertNull(h.watermarkLagMs(), "unknown after the end of input, not zero");
        assertEquals(1, h.unreadable());
        assertEquals(java.util.Map.of("corrupt", 1L), h.refused());
    }

    /**
     * A replay of 2022 written today: the job reports its lag behind the wall clock (years); the board shows
     * it behind its own campaign clock, the newest event time it has seen.
     */
    @Test
    void theWatermarkLagIsMeasuredAgainstTheCampaignClock() {
        long now = Instant.parse("2026-10-20T08:00:00Z").toEpochMilli();
        long watermark = T0 + 10 * MIN;
        state.onCoverage(coverage(null, T0 + 11 * MIN, 1_000, 0, null)); // the campaign clock: a minute past the watermark
        state.onPipelineMinute(new PipelineMinute("coverage", Instant.ofEpochMilli(T0 + 10 * MIN), 10L, 0L, 0L, 0L,
                (double) (now - watermark)), now);
        assertEquals(60_000.0, state.view("live").health().watermarkLagMs());
    }

    @Test
    void memoryStaysBoundedOverAWholeCampaign() {
        // Two days of every minute at every site, each minute re-sent, and the county's points.
        long days = 2;
        for (long m = 0; m < days * 24 * 60; m += 1) {
            for (var site : NEIXIANG.sites()) {
                state.onSiteMinute(minute(site.id(), T0 + m * MIN, 1, 1));
                state.onSiteMinute(minute(site.id(), T0 + m * MIN, 2, 1));
            }
            state.onCoverage(coverage(null, T0 + m * MIN, m + 1, 0, null));
        }
        assertTrue(state.siteMinutesKept() <= NEIXIANG.sites().size() * 2 * days * 24 * 60,
                "site minutes held: " + state.siteMinutesKept());
        assertEquals(days * 24 * 12, state.bucketsKept());
        assertEquals(2 * days * 24 * 60, site(SITE).scans(), "every minute counted once, re-sends or not");
        assertEquals(days * 24 * 60, state.view("live").throughput().stream().mapToLong(BoardView.Bucket::county).sum());
        // Beyond two weeks from the rest of a site's minutes, a minute is not held (nor counted).
        state.onSiteMinute(minute(SITE, T0 + (SiteTrack.MAX_SPAN + 1) * MIN, 9, 9));
        assertEquals(2 * days * 24 * 60, site(SITE).scans());
        assertTrue(state.siteMinutesKept() <= NEIXIANG.sites().size() * SiteTrack.MAX_SPAN);
    }

    @Test
    void theSamePictureWhateverTheInterleavingOfPartitions() {
        List<Consumer<BoardState>> cg = new ArrayList<>();
        List<Consumer<BoardState>> xg = new ArrayList<>();
        for (int m = 0; m < 30; m++) {
            long t = T0 + m * MIN;
            int n = m;
            cg.add(s -> s.onSiteMinute(minute(SITE, t, n, n)));
            cg.add(s -> s.onStatus(heartbeat(SITE, t, SiteState.OPEN, n)));
            cg.add(s -> s.onCoverage(coverage("CG", t, n * 10L, n, null)));
            xg.add(s -> s.onSiteMinute(minute("NX-XG-001", t, 1, 1)));
            xg.add(s -> s.onStatus(heartbeat("NX-XG-001", t + 1, SiteState.OPEN, 60)));
        }
        BoardState one = new BoardState(NEIXIANG);
        cg.forEach(f -> f.accept(one));
        xg.forEach(f -> f.accept(one));
        BoardState other = new BoardState(NEIXIANG);
        for (int i = 0; i < Math.max(cg.size(), xg.size()); i++) {
            if (i < xg.size()) {
                xg.get(i).accept(other);
            }
            if (i < cg.size()) {
                cg.get(i).accept(other);
            }
        }
        assertEquals(one.view("live"), other.view("live"));
    }
}
