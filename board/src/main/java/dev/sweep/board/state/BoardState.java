package dev.sweep.board.state;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board's picture folded from the job's outputs and the stations' heartbeats, the same
 * whatever the order of the partitions: the latest coverage of each area (newest minute wins)
 * and its five-minute throughput, a track per site, the alert book, the pipeline's health, the campaign
 * clock (newest event time seen), and the records that did not decode.
 * Not thread-safe: the feed folds and the publisher reads under one lock.
 */
public final class BoardState {
    private static final Logger LOG = LoggerFactory.getLogger(BoardState.class);
    private final Scenario scenario;
    private final Map<String, Coverage> coverage = new HashMap<>(); // township id, or COUNTY
    private final Map<String, SiteTrack> sites = new LinkedHashMap<>();
    private final Throughput throughput = new Throughput();
    private final AlertBook alerts = new AlertBook();
    private final DataHealth health = new DataHealth();
    private long clock = Long.MIN_VALUE;
    private long unreadable;
    private final Map<String, Long> refused = new java.util.TreeMap<>(); // rejection code -> records skipped
    private long unknownSites;

    static final String COUNTY = "county";

    public BoardState(Scenario scenario) {
        this.scenario = scenario;
        for (Site s : scenario.sites()) {
            sites.put(s.id(), new SiteTrack(s));
        }
    }

    public Scenario scenario() {
        return scenario;
    }

    public void onCoverage(Coverage c) {
        String area = c.getScope() == CoverageScope.COUNTY ? COUNTY : String.valueOf(c.getTownshipId());
        throughput.add(area, c);
        Coverage before = coverage.get(area);
        // Points are cumulative: the newest minute tells the most; a re-send of it replaces it.
        if (before == null || !c.getMinute().isBefore(before.getMinute())) {
            coverage.put(area, c);
        }
        advanceClock(c.getMinute().toEpochMilli());
    }

    public void onSiteMinute(SiteMinute m) {
        SiteTrack track = sites.get(m.getSiteId().toString());
        if (track == null) {
            unknownSite(m.getSiteId());
            return;
        }
        track.apply(m);
        advanceClock(m.getWindowStart().toEpochMilli());
    }

    public void onStatus(StationStatus s) {
        SiteTrack track = sites.get(s.getSiteId().toString());
        if (track == null) {
            unknownSite(s.getSiteId());
            return;
        }
        track.apply(s);
        advanceClock(s.getReportedAt().toEpochMilli());
    }

    public void onAlert(Alert a) {
        alerts.apply(a);
    }

    /** @param writtenAt when the job wrote it (the record's timestamp, wall clock) */
    public void onPipelineMinute(PipelineMinute p, long writtenAt) {
        health.apply(p, writtenAt);
    }

    /**
     * A record on one of the board's topics that the board cannot use (it does not decode, or a heartbeat fails
     * the campaign's checks): counted by reason and skipped; the first of each reason is logged.
     */
    public void onRefused(String topic, dev.sweep.schemas.RejectedRecordException e) {
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
    private void unknownSite(String siteId) {
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

    /** How many site minutes are held (bounded: sites x the campaign's span, at most two weeks). */
    public int siteMinutesKept() {
        return sites.values().stream().mapToInt(SiteTrack::minutesKept).sum();
    }

    public int bucketsKept() {
        return throughput.size();
    }

    public BoardView.Campaign campaign() {
        List<BoardView.TownshipName> names = scenario.townships().stream()
                .map(t -> new BoardView.TownshipName(t.id(), t.nameZh(), t.name())).toList();
        return new BoardView.Campaign(scenario.name(), scenario.title(), scenario.zone().getId(),
                scenario.targetCoverage(), scenario.deadline().toEpochMilli(), scenario.population(), names,
                scenario.sites().size());
    }

    public BoardView view(String status) {
        Map<String, Set<AlertKind>> alertsBySite = alerts.activeBySite();
        List<BoardView.SiteRow> siteRows = new ArrayList<>(sites.size());
        Map<String, int[]> lagging = new HashMap<>(); // township -> {lagging, silent}
        for (SiteTrack t : sites.values()) {
            Set<AlertKind> kinds = alertsBySite.getOrDefault(t.site.id(), EnumSet.noneOf(AlertKind.class));
            StationStatus hb = t.heartbeat();
            SiteCondition condition = SiteCondition.of(hb, kinds);
            int[] counts = lagging.computeIfAbsent(t.site.townshipId(), k -> new int[2]);
            if (condition == SiteCondition.SILENT) {
                counts[1]++;
            } else if (condition != SiteCondition.CLOSED
                    && (kinds.contains(AlertKind.SITE_SLOW) || kinds.contains(AlertKind.SITE_CONGESTED))) {
                counts[0]++;
            }
            siteRows.add(new BoardView.SiteRow(t.site.id(), t.site.townshipId(), t.site.name(), nameEn(t.site),
                    t.site.capacityPerHour(), t.lastScanMinute(), clock == Long.MIN_VALUE ? 0 : t.ratePerHour(clock),
                    hb == null ? null : hb.getQueueLength(), hb == null ? null : hb.getLanesOpen(),
                    hb == null ? null : hb.getSamplersOnDuty(), hb == null ? null : hb.getState().name(),
                    condition.code(), kinds.stream().map(Enum::name).toList(), t.persons(), t.scans()));
        }

        List<BoardView.TownshipRow> townships = new ArrayList<>();
        for (Township t : scenario.townships()) {
            Coverage c = coverage.get(t.id());
            int[] counts = lagging.getOrDefault(t.id(), new int[2]);
            townships.add(new BoardView.TownshipRow(t.id(), t.nameZh(), t.name(),
                    c == null ? 0 : c.getSampled(), t.population(), c == null ? 0 : c.getCoverage(),
                    c == null ? 0 : c.getRatePerHour(), c == null ? null : c.getEtaMinutes(),
                    scenario.sitesOf(t.id()).size(), counts[0], counts[1],
                    alerts.activeFor(t.id(), AlertKind.TOWNSHIP_BEHIND_PLAN)));
        }
        // Worst first: furthest from the target, then the scenario's order.
        townships.sort(Comparator.comparingDouble(BoardView.TownshipRow::coverage));

        Coverage county = coverage.get(COUNTY);
        BoardView.County countyView = county == null
                ? new BoardView.County(0, scenario.population(), 0, 0, null, null)
                : new BoardView.County(county.getSampled(), county.getPopulation(), county.getCoverage(),
                        county.getRatePerHour(), county.getEtaMinutes(), county.getMinute().toEpochMilli());

        NavigableMap<Long, Long> countyBuckets = throughput.perBucket(COUNTY);
        Map<String, NavigableMap<Long, Long>> townshipBuckets = new LinkedHashMap<>();
        TreeSet<Long> starts = new TreeSet<>(countyBuckets.keySet());
        for (Township t : scenario.townships()) {
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

        BoardView.Alerts alertView = new BoardView.Alerts(
                alerts.active().stream().map(BoardState::row).toList(),
                alerts.resolved().stream().map(BoardState::row).toList());
        BoardView.Health healthView = new BoardView.Health(health.eventsPerSecond(), health.events(),
                health.duplicates(), health.late(), health.deadLetters(), health.watermarkLagMs(clock()), unreadable,
                Map.copyOf(refused));
        return new BoardView(status, clock(), countyView, townships, siteRows, buckets, alertView, healthView);
    }

    /** The site's name in English: its township's and its number (NX-CG-007 is "Chengguan 7"). */
    private String nameEn(Site site) {
        Township t = scenario.township(site.townshipId());
        String digits = site.id().replaceAll("^.*?(\\d+)$", "$1");
        if (t == null || digits.equals(site.id())) {
            return site.id();
        }
        return t.name() + " " + Integer.parseInt(digits);
    }

    private static BoardView.AlertRow row(Alert a) {
        return new BoardView.AlertRow(a.getAlertId().toString(), a.getKind().name(), a.getState().name(),
                a.getTownshipId() == null ? null : a.getTownshipId().toString(),
                a.getSiteId() == null ? null : a.getSiteId().toString(), a.getSince().toEpochMilli(),
                a.getAt().toEpochMilli(), a.getValue(), a.getThreshold(), a.getMessage().toString(),
                a.getMessageEn().toString());
    }
}
