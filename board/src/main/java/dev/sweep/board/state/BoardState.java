package dev.sweep.board.state;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.StationStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board's picture folded from the job's outputs and the stations' heartbeats, the same whatever the order of
 * the partitions: the latest coverage of each area of the tree (newest minute wins) and the five-minute throughput
 * of the root and the areas one level below it, a track per site, the alert book, the pipeline's health, the
 * campaign clock (newest event time seen), and the records that did not decode. {@link #frame} turns it into an
 * immutable {@link BoardFrame}, rebuilt only when something was folded since.
 * Not thread-safe: the feed folds and the publisher reads under one lock.
 */
public final class BoardState {
    private static final Logger LOG = LoggerFactory.getLogger(BoardState.class);
    static final String COUNTY = "county";

    private final Scenario scenario;
    private final AreaTree tree;
    private final Plan plan;
    private final Coverage[] coverage; // by area index
    private final SiteTrack[] sites;   // by site index
    private final String[] sitesEn;
    private final int[] sitesUnder;    // by area index: sites standing in it or below
    private final Throughput throughput = new Throughput();
    private final AlertBook alerts = new AlertBook();
    private final DataHealth health = new DataHealth();
    private final BoardView.Campaign campaign;
    private long clock = Long.MIN_VALUE;
    private long unreadable;
    private final Map<String, Long> refused = new TreeMap<>(); // rejection code -> records skipped
    private long unknownSites;
    private long unknownAreas;
    private long version;
    private BoardFrame.Core core;

    public BoardState(Scenario scenario) {
        this.scenario = scenario;
        this.tree = new AreaTree(scenario);
        this.plan = new Plan(scenario);
        this.coverage = new Coverage[tree.size];
        List<Site> list = scenario.sites();
        this.sites = new SiteTrack[list.size()];
        this.sitesEn = new String[list.size()];
        this.sitesUnder = new int[tree.size];
        for (int i = 0; i < list.size(); i++) {
            sites[i] = new SiteTrack(list.get(i));
            sitesEn[i] = nameEn(scenario, list.get(i));
            for (int a : scenario.lineage(tree.siteArea[i])) {
                sitesUnder[a]++;
            }
        }
        Area root = scenario.root();
        List<BoardView.TownshipName> names = scenario.townships().stream()
                .map(t -> new BoardView.TownshipName(t.id(), t.nameZh(), t.name())).toList();
        campaign = new BoardView.Campaign(scenario.name(), scenario.title(), scenario.zone().getId(),
                scenario.targetCoverage(), scenario.deadline().toEpochMilli(), scenario.population(), scenario.levels(),
                scenario.planLevel(), new BoardView.Crumb(root.id(), root.level(), root.nameZh(), root.name()), names,
                tree.size, list.size());
    }

    public Scenario scenario() {
        return scenario;
    }

    /**
     * A coverage point: of the area it names (v2), or from a job older than v2 (no area), of the root (scope COUNTY)
     * or of its township (scope TOWNSHIP). A point of an area the campaign does not have is counted and skipped.
     */
    public void onCoverage(Coverage c) {
        version++;
        int area = areaOf(c);
        if (area < 0) {
            if (unknownAreas++ == 0) {
                LOG.warn("board: a coverage point of area {} (scope {}), which scenario {} does not have; further ones are only counted",
                        c.getAreaId() != null ? c.getAreaId() : c.getTownshipId(), c.getScope(), scenario.name());
            }
            return;
        }
        if (tree.depth[area] <= 1) { // the chart stacks the areas one level below the root
            throughput.add(area == 0 ? COUNTY : scenario.areas().get(area).id(), c);
        }
        Coverage before = coverage[area];
        // Points are cumulative: the newest minute tells the most; a re-send of it replaces it.
        if (before == null || !c.getMinute().isBefore(before.getMinute())) {
            coverage[area] = c;
        }
        advanceClock(c.getMinute().toEpochMilli());
    }

    private int areaOf(Coverage c) {
        if (c.getAreaId() != null) {
            return scenario.areaIndex(c.getAreaId().toString());
        }
        if (c.getScope() == CoverageScope.COUNTY) {
            return 0;
        }
        return c.getTownshipId() == null ? -1 : scenario.areaIndex(c.getTownshipId().toString());
    }

    public void onSiteMinute(SiteMinute m) {
        version++;
        int i = scenario.siteIndex(m.getSiteId().toString());
        if (i < 0) {
            unknownSite(m.getSiteId());
            return;
        }
        sites[i].apply(m);
        advanceClock(m.getWindowStart().toEpochMilli());
    }

    public void onStatus(StationStatus s) {
        version++;
        int i = scenario.siteIndex(s.getSiteId().toString());
        if (i < 0) {
            unknownSite(s.getSiteId());
            return;
        }
        sites[i].apply(s);
        advanceClock(s.getReportedAt().toEpochMilli());
    }

    public void onAlert(Alert a) {
        version++;
        alerts.apply(a);
    }

    /** @param writtenAt when the job wrote it (the record's timestamp, wall clock) */
    public void onPipelineMinute(PipelineMinute p, long writtenAt) {
        version++;
        health.apply(p, writtenAt);
    }

    /**
     * A record on one of the board's topics that the board cannot use (it does not decode, or a heartbeat fails
     * the campaign's checks): counted by reason and skipped; the first of each reason is logged.
     */
    public void onRefused(String topic, dev.sweep.schemas.RejectedRecordException e) {
        version++;
        unreadable++;
        if (refused.merge(e.reason().code(), 1L, Long::sum) == 1) {
            LOG.warn("board: skipped a record on {} ({}); further ones of this kind are only counted", topic, e.getMessage());
        }
    }

    /** A wall-clock sample for the rate of events in (the publisher takes one per push). */
    public void sampleRate(long nanoTime) {
        health.sample(nanoTime);
    }

    /** A site this scenario does not have: the board was most likely started with another campaign. */
    private void unknownSite(CharSequence siteId) {
        if (unknownSites++ == 0) {
            LOG.warn("board: site {} is not in scenario {}; was the board started with the campaign's --scenario?",
                    siteId, scenario.name());
        }
    }

    private void advanceClock(long eventTime) {
        clock = Math.max(clock, eventTime);
    }

    /** The campaign clock: the newest event time seen, or null before any. */
    public Long clock() {
        return clock == Long.MIN_VALUE ? null : clock;
    }

    public long unknownSites() {
        return unknownSites;
    }

    /** Coverage points of areas the scenario does not have. */
    public long unknownAreas() {
        return unknownAreas;
    }

    /** How many site minutes are held (bounded: sites x the campaign's span, at most two weeks). */
    public int siteMinutesKept() {
        int n = 0;
        for (SiteTrack t : sites) {
            n += t.minutesKept();
        }
        return n;
    }

    public int bucketsKept() {
        return throughput.size();
    }

    public BoardView.Campaign campaign() {
        return campaign;
    }

    /** The whole picture ({@code /api/board}): every area and site. */
    public BoardView view(String status) {
        return frame(status).whole();
    }

    /**
     * The picture as it stands, for the page and the JSON: rebuilt only when a record was folded since the last
     * one (the health's rate and the status are taken fresh each time).
     */
    public BoardFrame frame(String status) {
        if (core == null || core.version != version) {
            core = buildCore();
        }
        BoardView.Health h = new BoardView.Health(health.eventsPerSecond(), health.events(), health.duplicates(),
                health.late(), health.deadLetters(), health.watermarkLagMs(clock()), unreadable, Map.copyOf(refused));
        return new BoardFrame(core, status, h);
    }

    private BoardFrame.Core buildCore() {
        Long now = clock();
        double planned = plan.expected(now);
        Map<String, Set<AlertKind>> alertsBySite = alerts.activeBySite();
        int n = sites.length;
        BoardView.SiteRow[] siteRows = new BoardView.SiteRow[n];
        SiteCondition[] conditions = new SiteCondition[n];
        int[] tier = new int[n];
        double[] shortfall = new double[n];
        int[] lagging = new int[tree.size];
        int[] silent = new int[tree.size];
        for (int i = 0; i < n; i++) {
            SiteTrack t = sites[i];
            Set<AlertKind> kinds = alertsBySite.getOrDefault(t.site.id(), EnumSet.noneOf(AlertKind.class));
            StationStatus hb = t.heartbeat();
            SiteCondition condition = SiteCondition.of(hb, kinds);
            boolean isLagging = condition != SiteCondition.CLOSED && condition != SiteCondition.SILENT
                    && (kinds.contains(AlertKind.SITE_SLOW) || kinds.contains(AlertKind.SITE_CONGESTED));
            for (int a : scenario.lineage(tree.siteArea[i])) {
                silent[a] += condition == SiteCondition.SILENT ? 1 : 0;
                lagging[a] += isLagging ? 1 : 0;
            }
            double rate = now == null ? 0 : t.ratePerHour(now);
            Area area = tree.area(tree.siteArea[i]);
            siteRows[i] = new BoardView.SiteRow(t.site.id(), t.site.townshipId(), area.id(), t.site.name(), sitesEn[i], t.site.capacityPerHour(), t.lastScanMinute(), rate,
                    hb == null ? null : hb.getQueueLength(), hb == null ? null : hb.getLanesOpen(),
                    hb == null ? null : hb.getSamplersOnDuty(), hb == null ? null : hb.getState().name(),
                    condition.code(), kinds.isEmpty() ? List.of() : kinds.stream().map(Enum::name).toList(),
                    t.persons(), t.scans());
            conditions[i] = condition;
            tier[i] = tier(condition, kinds);
            shortfall[i] = Math.max(0, t.site.capacityPerHour() - rate);
        }

        boolean[] behind = new boolean[tree.size];
        List<Alert> active = new ArrayList<>(alerts.active());
        active.sort(URGENT_FIRST);
        int[] activeArea = new int[active.size()];
        List<BoardView.AlertRow> activeRows = new ArrayList<>(active.size());
        for (int i = 0; i < active.size(); i++) {
            Alert a = active.get(i);
            activeArea[i] = alertArea(a);
            if (a.getKind() == AlertKind.TOWNSHIP_BEHIND_PLAN) {
                behind[activeArea[i]] = true;
            }
            activeRows.add(row(a, activeArea[i]));
        }
        List<Alert> resolved = alerts.resolved();
        int[] resolvedArea = new int[resolved.size()];
        List<BoardView.AlertRow> resolvedRows = new ArrayList<>(resolved.size());
        for (int i = 0; i < resolved.size(); i++) {
            resolvedArea[i] = alertArea(resolved.get(i));
            resolvedRows.add(row(resolved.get(i), resolvedArea[i]));
        }

        BoardView.AreaRow[] areaRows = new BoardView.AreaRow[tree.size];
        long deadline = scenario.deadline().toEpochMilli();
        for (int i = 0; i < tree.size; i++) {
            Area a = tree.area(i);
            Coverage c = coverage[i];
            double cov = c == null ? 0 : c.getCoverage();
            Double eta = c == null ? null : c.getEtaMinutes();
            boolean late = cov < scenario.targetCoverage() && eta != null && now != null
                    && now + eta * 60_000 > deadline;
            areaRows[i] = new BoardView.AreaRow(a.id(), a.level(), a.nameZh(), a.name(), c == null ? 0 : c.getSampled(),
                    a.population(), cov, c == null ? 0 : c.getRatePerHour(), eta, late, behind[i],
                    sitesUnder[i], lagging[i], silent[i], tree.children[i].length);
        }

        Coverage root = coverage[0];
        BoardView.County county = root == null
                ? new BoardView.County(0, scenario.population(), 0, 0, null, null)
                : new BoardView.County(root.getSampled(), scenario.population(), root.getCoverage(),
                        root.getRatePerHour(), root.getEtaMinutes(), root.getMinute().toEpochMilli());
        return new BoardFrame.Core(version, tree, campaign, now, planned, county, areaRows, siteRows, conditions, tier, shortfall,
                activeRows, activeArea, resolvedRows, resolvedArea, buckets());
    }

    private List<BoardView.Bucket> buckets() {
        NavigableMap<Long, Long> countyBuckets = throughput.perBucket(COUNTY);
        Map<String, NavigableMap<Long, Long>> townshipBuckets = new LinkedHashMap<>();
        TreeSet<Long> starts = new TreeSet<>(countyBuckets.keySet());
        for (var t : scenario.townships()) {
            NavigableMap<Long, Long> b = throughput.perBucket(t.id());
            townshipBuckets.put(t.id(), b);
            starts.addAll(b.keySet());
        }
        List<BoardView.Bucket> buckets = new ArrayList<>();
        for (long start : starts) {
            Map<String, Long> byTownship = new LinkedHashMap<>();
            townshipBuckets.forEach((id, b) -> byTownship.put(id, b.getOrDefault(start, 0L)));
            buckets.add(new BoardView.Bucket(start, countyBuckets.getOrDefault(start, 0L), byTownship));
        }
        return buckets;
    }

    /**
     * Where a site ranks among the worst: a silent or offline one first, then an alert for its line, then a slow one,
     * then by its line alone (congested, busy, clear), then paused, not open yet, and closed for the day last.
     */
    static int tier(SiteCondition condition, Set<AlertKind> kinds) {
        if (condition == SiteCondition.CLOSED) {
            return 8;
        }
        if (condition == SiteCondition.SILENT) {
            return 0;
        }
        if (kinds.contains(AlertKind.SITE_CONGESTED)) {
            return 1;
        }
        if (kinds.contains(AlertKind.SITE_SLOW)) {
            return 2;
        }
        return switch (condition) {
            case CONGESTED -> 3;
            case BUSY -> 4;
            case CLEAR -> 5;
            case PAUSED -> 6;
            default -> 7;
        };
    }

    /** Most urgent first: the whole feed, a station nobody hears, a site nobody scans at, a line, an area, a slow site. */
    static final List<AlertKind> URGENCY = List.of(AlertKind.FEED_STALLED, AlertKind.STATION_OFFLINE,
            AlertKind.SITE_SILENT, AlertKind.SITE_CONGESTED, AlertKind.TOWNSHIP_BEHIND_PLAN, AlertKind.SITE_SLOW);
    static final Comparator<Alert> URGENT_FIRST = Comparator.<Alert>comparingInt(a -> {
        int i = URGENCY.indexOf(a.getKind());
        return i < 0 ? URGENCY.size() : i;
    }).thenComparing(Alert::getSince).thenComparing(a -> a.getAlertId().toString());

    /**
     * The area an alert is about, by index: the one it names (v2), else its site's, else its township, else the root
     * (the feed's, or one the scenario does not know).
     */
    private int alertArea(Alert a) {
        if (a.getAreaId() != null) {
            int i = scenario.areaIndex(a.getAreaId().toString());
            if (i >= 0) {
                return i;
            }
        }
        if (a.getSiteId() != null) {
            int s = scenario.siteIndex(a.getSiteId().toString());
            if (s >= 0) {
                return tree.siteArea[s];
            }
        }
        if (a.getTownshipId() != null) {
            int i = scenario.areaIndex(a.getTownshipId().toString());
            if (i >= 0) {
                return i;
            }
        }
        return 0;
    }

    private BoardView.AlertRow row(Alert a, int area) {
        String site = a.getSiteId() == null ? null : a.getSiteId().toString();
        int s = site == null ? -1 : scenario.siteIndex(site);
        Area place = tree.area(area);
        String placeZh = s >= 0 ? sites[s].site.name() : site != null ? site : place.nameZh();
        String placeEn = s >= 0 ? sitesEn[s] : site != null ? site : place.name();
        return new BoardView.AlertRow(a.getAlertId().toString(), a.getKind().name(), a.getState().name(),
                a.getTownshipId() == null ? null : a.getTownshipId().toString(), site, place.id(), placeZh, placeEn,
                a.getSince().toEpochMilli(), a.getAt().toEpochMilli(), a.getValue(), a.getThreshold(),
                a.getMessage().toString(), a.getMessageEn().toString());
    }

    /**
     * The site's name in English: the name of the area it stands in and its number (NX-CG-007, standing in
     * Chengguan, is "Chengguan 7").
     */
    static String nameEn(Scenario scenario, Site site) {
        Area a = scenario.area(site.areaId());
        String digits = site.id().replaceAll("^.*?(\\d+)$", "$1");
        if (a == null || digits.equals(site.id())) {
            return site.id();
        }
        return a.name() + " " + digits.replaceFirst("^0+(?=\\d)", "");
    }
}
