package dev.sweep.board.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The views a browser is sent: the area tree drilled level by level, the most lagging first (areas by their lag
 * behind the plan, sites by their alert state then their throughput shortfall), pages of sites, alerts of the
 * area only, coverage points of every version of the job, and the plan itself.
 */
class AreaViewTest {
    static final Scenario NEIXIANG = Scenario.load("neixiang");
    static final long T0 = Instant.parse("2022-05-04T00:00:00Z").toEpochMilli(); // 08:00, the county-wide wave opens
    static final long MIN = 60_000L;

    final BoardState state = new BoardState(NEIXIANG);

    static Coverage v2(String areaId, long minute, long sampled) {
        Area a = NEIXIANG.area(areaId);
        int depth = NEIXIANG.depthOf(a.level());
        CoverageScope scope = depth == 0 ? CoverageScope.COUNTY : depth == 1 ? CoverageScope.TOWNSHIP : CoverageScope.AREA;
        String township = depth == 0 ? null : depth == 1 ? areaId : a.parentId();
        return new Coverage(scope, township, a.level(), areaId, Instant.ofEpochMilli(minute), sampled, a.population(),
                (double) sampled / a.population(), 600.0, 30.0);
    }

    static StationStatus heartbeat(String site, long at, int queue) {
        return new StationStatus(site, NEIXIANG.site(site).townshipId(), Instant.ofEpochMilli(at), SiteState.OPEN, queue, 3, 6);
    }

    static Alert alert(String id, AlertKind kind, AlertState s, String township, String site, String area) {
        return new Alert(id, kind, s, township, site, area, Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 20 * MIN),
                12.0, 10.0, "消息", "message");
    }

    static ViewKey key(String area) {
        return new ViewKey(area, null, "worst", false, 0, 40);
    }

    AreaView view(String area) {
        return state.frame("live").view(key(area));
    }

    @Test
    void everyLevelOfTheTreeTakesItsCoveragePointsOfEveryVersion() {
        state.onCoverage(v2("NX", T0 + MIN, 50_000));
        state.onCoverage(v2("CG", T0 + MIN, 20_000));
        state.onCoverage(v2("CG-02", T0 + MIN, 900));
        // From a job older than v2: no area, the scope says which.
        state.onCoverage(new Coverage(CoverageScope.TOWNSHIP, "XG", null, null, Instant.ofEpochMilli(T0 + MIN), 1_234L,
                18_500L, 1_234 / 18_500.0, 0.0, null));
        state.onCoverage(new Coverage(CoverageScope.COUNTY, null, null, null, Instant.ofEpochMilli(T0), 49_000L,
                NEIXIANG.population(), 0.09, 0.0, null)); // an older minute of the root: the newer v2 point stays
        state.onCoverage(v2("NX", T0 + MIN, 50_000));
        state.onCoverage(new Coverage(CoverageScope.AREA, "CG", "village", "ATLANTIS", Instant.ofEpochMilli(T0 + 2 * MIN),
                5L, 10L, 0.5, 0.0, null));
        BoardFrame f = state.frame("live");
        assertEquals(50_000, f.county().sampled());
        assertEquals(20_000, f.area("CG").sampled());
        assertEquals(1_234, f.area("XG").sampled());
        assertEquals(900, f.area("CG-02").sampled());
        assertEquals("village", f.area("CG-02").level());
        assertEquals(NEIXIANG.area("CG-02").population(), f.area("CG-02").population());
        assertEquals(1, state.unknownAreas(), "an area the campaign does not have is counted, not shown");
        assertEquals(T0 + MIN, state.clock(), "nor does it move the clock");
        assertEquals(50_000, f.buckets().stream().mapToLong(BoardView.Bucket::county).sum(), "the chart: the root");
        assertEquals(20_000, f.buckets().stream().mapToLong(b -> b.townships().get("CG")).sum(), "and its townships");
    }

    @Test
    void thePlanExpectsTheTargetAtTheDeadlineAtThePaceOfTheWaves() {
        Plan plan = new Plan(NEIXIANG);
        long firstOpens = NEIXIANG.waves().get(0).opens().toEpochMilli();
        long firstCloses = NEIXIANG.waves().get(0).closes().toEpochMilli();
        assertEquals(0, plan.expected(null));
        assertEquals(0, plan.expected(firstOpens - MIN));
        double afterFirst = 0.85 * 100_828 / 478_609;
        assertEquals(afterFirst, plan.expected(firstCloses), 1e-12);
        assertEquals(afterFirst, plan.expected(T0 - MIN), 1e-12, "the night between waves: no more is planned");
        assertEquals(afterFirst / 2, plan.expected((firstOpens + firstCloses) / 2), 1e-12, "evenly over the wave's hours");
        assertEquals(afterFirst + 0.85 * 377_781 / 478_609 / 4, plan.expected(T0 + 60 * MIN), 1e-12);
        assertEquals(0.85, plan.expected(NEIXIANG.deadline().toEpochMilli()), 1e-12);
        assertEquals(0.85, plan.expected(NEIXIANG.deadline().toEpochMilli() + 86_400_000L), 1e-12);
    }

    @Test
    void theRootShowsItsTownshipsMostLaggingFirstAndTheWorstVillagesOfTheCounty() {
        long at = T0 + 60 * MIN;
        state.onStatus(heartbeat("NX-CG-001", at, 3)); // the campaign clock
        double planned = new Plan(NEIXIANG).expected(at);
        for (Area t : NEIXIANG.childrenOf("NX")) {
            state.onCoverage(v2(t.id(), at, Math.round(t.population() * 0.3)));
        }
        for (Area v : NEIXIANG.areasAt("village")) {
            state.onCoverage(v2(v.id(), at, Math.round(v.population() * 0.3)));
        }
        state.onCoverage(v2("XG", at, 100)); // far behind
        state.onCoverage(v2("CG-05", at, 2)); // a village far behind
        state.onCoverage(v2("SG", at, Math.round(NEIXIANG.area("SG").population() * 0.9))); // past the target
        AreaView root = view("NX");
        assertEquals(List.of("NX"), root.path().stream().map(BoardView.Crumb::id).toList());
        assertEquals("township", root.children().level());
        assertEquals(16, root.children().total());
        assertEquals("XG", root.children().rows().get(0).id(), "the most lagging first");
        assertEquals("SG", root.children().rows().get(15).id(), "the furthest ahead last");
        BoardFrame f = state.frame("live");
        assertEquals(planned, f.planned(), 1e-12);
        for (int i = 1; i < 16; i++) {
            assertTrue(planned - root.children().rows().get(i - 1).coverage() >= planned - root.children().rows().get(i).coverage(),
                    "by lag at " + i);
        }
        assertTrue(planned - root.children().rows().get(0).coverage() > 0.3, "XG: far behind plan");
        assertTrue(planned - root.children().rows().get(15).coverage() < 0, "SG: ahead of plan");

        assertEquals("village", root.worst().level());
        assertEquals(290, root.worst().total(), "every village of the county is ranked");
        assertEquals(AreaView.WORST_SHOWN, root.worst().rows().size());
        assertEquals("CG-05", root.worst().rows().get(0).id(), "2 people: the most lagging village");
        assertEquals(381, root.sites().total(), "every site of the county, worst first");
        assertEquals(40, root.sites().rows().size());
    }

    @Test
    void aTownshipShowsItsVillagesAndTheSitesStandingInItAVillageItsOwnFigures() {
        AreaView cg = view("CG");
        assertEquals(List.of("NX", "CG"), cg.path().stream().map(BoardView.Crumb::id).toList());
        assertEquals("village", cg.children().level());
        assertEquals(NEIXIANG.childrenOf("CG").size(), cg.children().total());
        assertTrue(cg.children().rows().stream().allMatch(r -> r.id().startsWith("CG-")));
        assertNull(cg.worst(), "its villages are the deepest level: no second list of them");
        assertEquals(91, cg.sites().total(), "the sites standing in Chengguan");
        assertTrue(cg.sites().rows().stream().allMatch(s -> s.area().equals("CG")));
        assertEquals(91, cg.area().sites());

        AreaView village = view("CG-02");
        assertEquals(List.of("NX", "CG", "CG-02"), village.path().stream().map(BoardView.Crumb::id).toList());
        assertEquals(0, village.children().total());
        assertNull(village.children().level(), "nothing below the deepest level");
        assertEquals(0, village.sites().total(), "in Neixiang sites stand in townships, not villages");
    }

    @Test
    void sitesComeByAlertStateThenThroughputShortfall() {
        long at = T0 + 30 * MIN;
        // Every CG site open and clear, with some scans; a few made worse.
        for (Site s : NEIXIANG.sitesOf("CG")) {
            state.onStatus(heartbeat(s.id(), at, 5));
            for (int m = 1; m <= 15; m++) {
                state.onSiteMinute(new SiteMinute("CG", s.id(), Instant.ofEpochMilli(at - m * MIN), 5, 5, 1, 2));
            }
        }
        state.onStatus(heartbeat("NX-CG-010", at + 1, 30)); // busy
        state.onStatus(heartbeat("NX-CG-011", at + 1, 60)); // congested by its line, no alert yet
        state.onAlert(alert("slow", AlertKind.SITE_SLOW, AlertState.RAISED, "CG", "NX-CG-012", "CG"));
        state.onAlert(alert("line", AlertKind.SITE_CONGESTED, AlertState.RAISED, "CG", "NX-CG-013", "CG"));
        state.onAlert(alert("off", AlertKind.STATION_OFFLINE, AlertState.RAISED, "CG", "NX-CG-014", "CG"));
        for (int m = 1; m <= 15; m++) { // a clear site doing half the others' work
            state.onSiteMinute(new SiteMinute("CG", "NX-CG-020", Instant.ofEpochMilli(at - m * MIN), 1, 1, 1, 2));
        }
        state.onStatus(new StationStatus("NX-CG-021", "CG", Instant.ofEpochMilli(at), SiteState.CLOSED, 0, 0, 0));
        AreaView cg = view("CG");
        List<String> first = cg.sites().rows().stream().limit(6).map(BoardView.SiteRow::id).toList();
        assertEquals(List.of("NX-CG-014", "NX-CG-013", "NX-CG-012", "NX-CG-011", "NX-CG-010", "NX-CG-020"), first,
                "silent, congested (alert), slow (alert), congested (line), busy, then the largest shortfall");
        BoardView.SiteRow last = cg.sites().rows().get(cg.sites().rows().size() - 1);
        assertEquals(40, cg.sites().rows().size());
        AreaView lastPage = state.frame("live").view(new ViewKey("CG", null, "worst", false, 80, 40));
        assertEquals(80, lastPage.sites().offset());
        assertEquals(11, lastPage.sites().rows().size());
        assertEquals("NX-CG-021", lastPage.sites().rows().get(10).id(), "closed for the day: last");
        AreaView pastTheEnd = state.frame("live").view(new ViewKey("CG", null, "worst", false, 500, 40));
        assertEquals(80, pastTheEnd.sites().offset(), "a page past the end shows the last page");
        assertFalse(last.id().equals("NX-CG-021"));
        assertEquals(Map.of("silent", 1, "congested", 2, "busy", 1, "clear", 86, "paused", 0, "waiting", 0, "closed", 1),
                cg.sites().counts());
        assertEquals(1, cg.area().silent());
        assertEquals(2, cg.area().lagging(), "a slow site and a congested one with alerts");
        assertEquals(1, view("NX").area().silent(), "counted up the tree");
    }

    @Test
    void sitesInTheOrderAskedWithMissingFiguresLast() {
        state.onStatus(heartbeat("NX-XG-003", T0, 7));
        state.onStatus(heartbeat("NX-XG-001", T0, 40));
        BoardFrame f = state.frame("live");
        AreaView byQueue = f.view(new ViewKey("XG", null, "queue", false, 0, 3));
        assertEquals(List.of("NX-XG-003", "NX-XG-001", "NX-XG-002"),
                byQueue.sites().rows().stream().map(BoardView.SiteRow::id).toList(), "no heartbeat: no queue, last");
        AreaView longest = f.view(new ViewKey("XG", null, "queue", true, 0, 3));
        assertEquals(List.of("NX-XG-001", "NX-XG-003", "NX-XG-002"),
                longest.sites().rows().stream().map(BoardView.SiteRow::id).toList(), "reversed, still last");
        AreaView byName = f.view(new ViewKey("XG", null, "name", true, 0, 1));
        assertEquals(NEIXIANG.sitesOf("XG").get(NEIXIANG.sitesOf("XG").size() - 1).id(), byName.sites().rows().get(0).id());
        assertSame(byQueue, f.view(new ViewKey("XG", null, "queue", false, 0, 3)), "built once per frame");
    }

    @Test
    void anAreaShowsItsOwnAlertsAndTheSiteLookedFor() {
        state.onAlert(alert("plan-cg", AlertKind.TOWNSHIP_BEHIND_PLAN, AlertState.RAISED, "CG", null, "CG"));
        state.onAlert(alert("site-xg", AlertKind.SITE_SILENT, AlertState.RAISED, "XG", "NX-XG-001", null)); // v1: no area
        state.onAlert(alert("feed", AlertKind.FEED_STALLED, AlertState.RAISED, null, null, null));
        state.onAlert(alert("gone", AlertKind.SITE_SLOW, AlertState.RAISED, "CG", "NX-CG-003", "CG"));
        state.onAlert(alert("gone", AlertKind.SITE_SLOW, AlertState.RESOLVED, "CG", "NX-CG-003", "CG"));
        AreaView root = view("NX");
        assertEquals(3, root.alerts().total());
        assertEquals(List.of("feed", "site-xg", "plan-cg"), root.alerts().active().stream().map(BoardView.AlertRow::id).toList(),
                "most urgent first");
        AreaView cg = view("CG");
        assertEquals(List.of("plan-cg"), cg.alerts().active().stream().map(BoardView.AlertRow::id).toList());
        assertEquals(List.of("gone"), cg.alerts().resolved().stream().map(BoardView.AlertRow::id).toList());
        assertTrue(cg.area().behindPlan());
        assertFalse(state.frame("live").area("XG").behindPlan());
        AreaView xg = view("XG");
        assertEquals(List.of("site-xg"), xg.alerts().active().stream().map(BoardView.AlertRow::id).toList(),
                "an alert without an area is its site's");
        BoardView.AlertRow silent = xg.alerts().active().get(0);
        assertEquals(NEIXIANG.site("NX-XG-001").name(), silent.placeZh());
        assertEquals("Xiaguan 1", silent.place());

        AreaView found = state.frame("live").view(new ViewKey("CG", "NX-XG-001", "worst", false, 0, 5));
        assertEquals("NX-XG-001", found.site().id(), "the site looked for, wherever it stands");
        assertEquals("silent", found.site().condition());
    }

    @Test
    void aViewKeyIsCheckedAndBounded() {
        Map<String, String> p = new HashMap<>();
        assertEquals(ViewKey.root(NEIXIANG), ViewKey.of(p, NEIXIANG));
        p.put("site", "NX-CG-007");
        assertEquals("CG", ViewKey.of(p, NEIXIANG).area(), "a site opens the area it stands in");
        p.put("rows", "100000");
        p.put("offset", "-5");
        assertThrows(IllegalArgumentException.class, () -> ViewKey.of(p, NEIXIANG), "not a number");
        p.put("offset", "999999999");
        assertEquals(ViewKey.MAX_ROWS, ViewKey.of(p, NEIXIANG).rows());
        assertEquals(ViewKey.MAX_OFFSET, ViewKey.of(p, NEIXIANG).offset());
        p.put("area", "<script>".repeat(20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ViewKey.of(p, NEIXIANG));
        assertTrue(e.getMessage().startsWith("area: no area"), e.getMessage());
        assertTrue(e.getMessage().length() < 100, "a hostile value is not echoed whole: " + e.getMessage());
        p.put("area", "CG");
        p.put("sort", "drop table");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ViewKey.of(p, NEIXIANG)).getMessage().startsWith("sort"));
    }
}
