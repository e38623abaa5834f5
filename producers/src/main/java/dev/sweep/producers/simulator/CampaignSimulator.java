package dev.sweep.producers.simulator;

import dev.sweep.campaign.Allocation;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
import dev.sweep.campaign.Wave;
import dev.sweep.events.AlertKind;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Replays a campaign as the stations would have sent it: every scan and heartbeat of every
 * site, in event-time order, with the drills asked for, and the ledger of what really
 * happened. The same scenario, seed, drills and shift always give the same records and ledger.
 */
public final class CampaignSimulator {
    /** The stations' hash key in drills; a real campaign gives its stations a secret of its own. */
    public static final String DRILL_STATION_KEY = "sweep-drill-station-key";

    static final long MINUTE = SiteWave.MINUTE;
    static final int QUEUE_CONGESTED = 50;
    static final int QUEUE_BUSY = 25;

    private final Scenario scenario;
    private final long seed;
    private final Set<Drill> drills;
    private final long shift;
    private final String stationKey;

    /** @param shiftMillis added to every event time (0 replays the campaign on its own dates) */
    public CampaignSimulator(Scenario scenario, long seed, Set<Drill> drills, long shiftMillis, String stationKey) {
        this.scenario = scenario;
        this.seed = seed;
        this.drills = Set.copyOf(drills);
        this.shift = shiftMillis;
        this.stationKey = stationKey;
    }

    /** The records in send order, and the truth about them. */
    public record Replay(List<Emission> emissions, Ledger ledger) {}

    public Replay run() {
        List<Township> townships = scenario.townships();
        List<Site> sites = scenario.sites();
        List<Wave> waves = scenario.waves();
        Residents residents = new Residents(scenario.areaCode(), stationKey);
        Map<String, Integer> townshipNumber = new HashMap<>();
        for (int t = 0; t < townships.size(); t++) {
            townshipNumber.put(townships.get(t).id(), t);
        }

        // Each wave's newcomers: to townships by population, then to their sites by capacity.
        int[][] newcomers = new int[waves.size()][sites.size()];
        for (int w = 0; w < waves.size(); w++) {
            int[] byTownship = Allocation.split(waves.get(w).persons(),
                    townships.stream().mapToDouble(Township::population).toArray());
            for (int t = 0; t < townships.size(); t++) {
                String id = townships.get(t).id();
                List<Integer> idx = new ArrayList<>();
                for (int s = 0; s < sites.size(); s++) {
                    if (sites.get(s).townshipId().equals(id)) {
                        idx.add(s);
                    }
                }
                int[] bySite = Allocation.split(byTownship[t],
                        idx.stream().mapToDouble(s -> sites.get(s).capacityPerHour()).toArray());
                for (int k = 0; k < idx.size(); k++) {
                    newcomers[w][idx.get(k)] = bySite[k];
                }
            }
        }

        DrillPlan plan = DrillPlan.choose(scenario, drills, seed);
        List<Emission> emissions = new ArrayList<>(1 << 20);
        List<ScanEvent> allScans = new ArrayList<>(1 << 19);
        int[] nextResident = new int[townships.size()];
        long[][] siteTotals = new long[sites.size()][4]; // scans, persons, tubes, retests
        int[] maxQueue = new int[sites.size()];
        long[] firstScan = new long[sites.size()];
        long[] lastScan = new long[sites.size()];
        long[][] waveTotals = new long[waves.size()][3]; // scans, persons, personsInWindow
        List<Ledger.Fault> faults = new ArrayList<>();

        for (int s = 0; s < sites.size(); s++) {
            Site site = sites.get(s);
            int t = townshipNumber.get(site.townshipId());
            SiteWave.SiteMemory memory = new SiteWave.SiteMemory();
            firstScan[s] = Long.MAX_VALUE;
            for (int w = 0; w < waves.size(); w++) {
                Wave wave = waves.get(w);
                SplittableRandom rng = new SplittableRandom(mix(seed, s, w));
                int n = newcomers[w][s];
                double share = n * scenario.retestShare();
                int retests = (int) share + (rng.nextDouble() < share - (int) share ? 1 : 0);
                SiteWave.Effects fx = plan.effects(site.id(), w);
                SiteWave.Result r = SiteWave.run(site, s, t, wave.opens().toEpochMilli(), wave.closes().toEpochMilli(),
                        n, retests, nextResident[t], memory, fx, residents, scenario.poolSize(), shift, rng);
                nextResident[t] += n;
                for (int i = 0; i < r.scans.size(); i++) {
                    ScanEvent e = r.scans.get(i);
                    long at = e.getScannedAt().toEpochMilli();
                    emissions.add(new Emission(Topics.SCANS, site.id(), EventCodec.SCANS.encode(e), at, at,
                            r.firstTime.get(i) ? 1 : 0));
                    allScans.add(e);
                    firstScan[s] = Math.min(firstScan[s], at);
                    lastScan[s] = Math.max(lastScan[s], at);
                }
                for (StationStatus h : r.heartbeats) {
                    long at = h.getReportedAt().toEpochMilli();
                    emissions.add(new Emission(Topics.STATION_STATUS, site.id(), EventCodec.STATUSES.encode(h), at, at, 0));
                }
                siteTotals[s][0] += r.scans.size();
                siteTotals[s][1] += r.persons;
                siteTotals[s][2] += r.tubes;
                siteTotals[s][3] += r.retests;
                maxQueue[s] = Math.max(maxQueue[s], r.maxQueue);
                waveTotals[w][0] += r.scans.size();
                waveTotals[w][1] += r.persons;
                waveTotals[w][2] += r.personsInWindow;
                faults.addAll(plan.faults(site, w, r, shift));
            }
        }

        SplittableRandom drillRng = new SplittableRandom(mix(seed, -1, -1));
        long duplicates = 0;
        if (drills.contains(Drill.DUPLICATES)) {
            // A station that timed out waiting for an acknowledgement sends the same scan again.
            List<Emission> again = new ArrayList<>();
            for (Emission e : emissions) {
                if (e.topic().equals(Topics.SCANS) && drillRng.nextDouble() < 0.05) {
                    long later = e.sendAt() + 1_000 + drillRng.nextLong(19_000);
                    again.add(e.sentAgainAt(later));
                }
            }
            duplicates = again.size();
            emissions.addAll(again);
        }
        Map<String, Long> bad = new TreeMap<>();
        if (drills.contains(Drill.BAD_DATA)) {
            emissions.addAll(BadRecords.make(allScans, residents, drillRng, bad));
        }
        if (plan.partitionTownship != null) {
            long from = plan.partitionFrom + shift;
            long until = plan.partitionUntil + shift;
            Set<String> held = new HashSet<>();
            scenario.sitesOf(plan.partitionTownship).forEach(site -> held.add(site.id()));
            for (int i = 0; i < emissions.size(); i++) {
                Emission e = emissions.get(i);
                if (held.contains(e.key()) && e.sendAt() >= from && e.sendAt() < until) {
                    emissions.set(i, e.heldUntil(until));
                }
            }
            Township t = scenario.township(plan.partitionTownship);
            faults.add(new Ledger.Fault(Drill.PARTITION.label(), null, t.id(), iso(from), iso(until), null,
                    t.name() + "'s stations held 10 min of events and sent them in one burst"));
        }
        emissions.sort(Comparator.comparingLong(Emission::sendAt)); // stable: ties keep generation order
        faults.sort(Comparator.comparing(Ledger.Fault::start).thenComparing(Ledger.Fault::kind)
                .thenComparing(f -> f.site() == null ? "" : f.site()));

        return new Replay(emissions, ledger(newcomers, siteTotals, maxQueue, firstScan, lastScan, waveTotals,
                duplicates, faults, bad, emissions));
    }

    private Ledger ledger(int[][] newcomers, long[][] siteTotals, int[] maxQueue, long[] firstScan, long[] lastScan,
                          long[][] waveTotals, long duplicates, List<Ledger.Fault> faults, Map<String, Long> bad,
                          List<Emission> emissions) {
        List<Site> sites = scenario.sites();
        Map<String, Ledger.SiteTally> siteTallies = new LinkedHashMap<>();
        Map<String, long[]> byTownship = new LinkedHashMap<>();
        scenario.townships().forEach(t -> byTownship.put(t.id(), new long[4]));
        long[] county = new long[4];
        for (int s = 0; s < sites.size(); s++) {
            Site site = sites.get(s);
            long[] v = siteTotals[s];
            siteTallies.put(site.id(), new Ledger.SiteTally(site.townshipId(), v[0], v[1], v[2], v[3],
                    site.samplers(), site.capacityPerHour(), maxQueue[s],
                    v[0] == 0 ? null : iso(firstScan[s]), v[0] == 0 ? null : iso(lastScan[s])));
            long[] tt = byTownship.get(site.townshipId());
            for (int k = 0; k < 4; k++) {
                tt[k] += v[k];
                county[k] += v[k];
            }
        }
        Map<String, Ledger.TownshipTally> townshipTallies = new LinkedHashMap<>();
        for (Township t : scenario.townships()) {
            long[] v = byTownship.get(t.id());
            List<Site> own = scenario.sitesOf(t.id());
            townshipTallies.put(t.id(), new Ledger.TownshipTally(t.nameZh(), t.name(), v[0], v[1], v[2], v[3],
                    t.population(), round4((double) v[1] / t.population()), own.size(),
                    own.stream().mapToInt(Site::samplers).sum()));
        }
        List<Ledger.WaveTally> waveTallies = new ArrayList<>();
        for (int w = 0; w < scenario.waves().size(); w++) {
            Wave wave = scenario.waves().get(w);
            waveTallies.add(new Ledger.WaveTally(wave.name(), iso(wave.opens().toEpochMilli() + shift),
                    iso(wave.closes().toEpochMilli() + shift), waveTotals[w][0], waveTotals[w][1], waveTotals[w][2]));
        }
        long population = scenario.population();
        Ledger.County c = new Ledger.County(county[0], county[1], county[2], county[3], population,
                round4((double) county[1] / population), scenario.townships().size(), sites.size(),
                scenario.samplers(), waveTallies);
        Map<String, Long> records = new TreeMap<>();
        for (Emission e : emissions) {
            records.merge(e.topic(), 1L, Long::sum);
        }
        long start = emissions.isEmpty() ? 0 : emissions.get(0).sendAt();
        long end = emissions.isEmpty() ? 0 : emissions.get(emissions.size() - 1).sendAt();
        return new Ledger(scenario.name(), seed, drills.stream().sorted().map(Drill::label).toList(), iso(start),
                iso(end), c, townshipTallies, siteTallies, duplicates, faults, bad, records);
    }

    static long mix(long seed, int a, int b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    static double round4(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Which sites and times the drills hit; chosen from the seed, in the county-wide wave. */
    static final class DrillPlan {
        final Map<String, SiteWave.Effects> effects = new HashMap<>();
        final Map<String, String> kindBySite = new HashMap<>();
        int wave;
        String partitionTownship;
        long partitionFrom;
        long partitionUntil;

        static DrillPlan choose(Scenario scenario, Set<Drill> drills, long seed) {
            DrillPlan plan = new DrillPlan();
            SplittableRandom rng = new SplittableRandom(mix(seed, -2, -2));
            List<Wave> waves = scenario.waves();
            plan.wave = waves.size() - 1;
            long opens = waves.get(plan.wave).opens().toEpochMilli();
            // Each drill takes sites in townships no other drill touches, so its alerts are its own.
            List<Township> pool = new ArrayList<>(scenario.townships());
            if (drills.contains(Drill.PARTITION)) {
                plan.partitionTownship = takeTownship(pool, rng).id();
                plan.partitionFrom = opens + (90 + rng.nextInt(60)) * MINUTE;
                plan.partitionUntil = plan.partitionFrom + 10 * MINUTE;
            }
            if (drills.contains(Drill.SITE_OUTAGE)) {
                for (int i = 0; i < 3; i++) {
                    Site site = takeSite(scenario, pool, rng);
                    SiteWave.Effects fx = plan.effectsOf(site.id(), Drill.SITE_OUTAGE);
                    fx.outageFrom = opens + (60 + rng.nextInt(60)) * MINUTE;
                    fx.outageUntil = fx.outageFrom + 30 * MINUTE;
                }
            }
            if (drills.contains(Drill.SLOW_SITE)) {
                Site site = takeSite(scenario, pool, rng);
                SiteWave.Effects fx = plan.effectsOf(site.id(), Drill.SLOW_SITE);
                fx.slowFrom = opens + (45 + rng.nextInt(45)) * MINUTE;
                fx.slowUntil = fx.slowFrom + 60 * MINUTE;
                fx.slowFactor = 0.3;
            }
            if (drills.contains(Drill.CONGESTION)) {
                for (int i = 0; i < 2; i++) {
                    Site site = takeSite(scenario, pool, rng);
                    SiteWave.Effects fx = plan.effectsOf(site.id(), Drill.CONGESTION);
                    fx.surgeFrom = opens + (60 + rng.nextInt(90)) * MINUTE;
                    fx.surgeUntil = fx.surgeFrom + 10 * MINUTE;
                    fx.surgeShare = 0.2;
                }
            }
            return plan;
        }

        private SiteWave.Effects effectsOf(String siteId, Drill drill) {
            kindBySite.put(siteId, drill.label());
            return effects.computeIfAbsent(siteId, k -> new SiteWave.Effects());
        }

        private static Township takeTownship(List<Township> pool, SplittableRandom rng) {
            return pool.remove(rng.nextInt(pool.size()));
        }

        private static Site takeSite(Scenario scenario, List<Township> pool, SplittableRandom rng) {
            List<Site> candidates = scenario.sitesOf(takeTownship(pool, rng).id());
            return candidates.get(rng.nextInt(candidates.size()));
        }

        SiteWave.Effects effects(String siteId, int w) {
            SiteWave.Effects fx = w == wave ? effects.get(siteId) : null;
            return fx == null ? new SiteWave.Effects() : fx;
        }

        /** The ledger's record of what a drill did to this site in this wave. */
        List<Ledger.Fault> faults(Site site, int w, SiteWave.Result r, long shift) {
            String kind = kindBySite.get(site.id());
            if (kind == null || w != wave) {
                return List.of();
            }
            SiteWave.Effects fx = effects.get(site.id());
            return switch (kind) {
                case "site-outage" -> List.of(new Ledger.Fault(kind, site.id(), site.townshipId(),
                        iso(fx.outageFrom + shift), iso(fx.outageUntil + shift), AlertKind.STATION_OFFLINE.name(),
                        "no scans and no heartbeats for 30 min; the line kept growing (peak "
                                + peakQueue(r, fx.outageFrom, fx.outageUntil + 30 * MINUTE) + ")"));
                case "slow-site" -> List.of(new Ledger.Fault(kind, site.id(), site.townshipId(),
                        iso(fx.slowFrom + shift), iso(fx.slowUntil + shift), AlertKind.SITE_SLOW.name(),
                        "samplers at 30% speed for an hour (line peaked at "
                                + peakQueue(r, fx.slowFrom, fx.slowUntil + 30 * MINUTE) + ")"));
                case "congestion" -> {
                    long end = congestionEnd(r, fx.surgeFrom);
                    yield List.of(new Ledger.Fault(kind, site.id(), site.townshipId(), iso(fx.surgeFrom + shift),
                            iso(end + shift), AlertKind.SITE_CONGESTED.name(),
                            "20% of the wave's arrivals in 10 min; the line peaked at "
                                    + peakQueue(r, fx.surgeFrom, end) + " and was under " + QUEUE_BUSY + " again at the end"));
                }
                default -> List.of();
            };
        }

        private static int peakQueue(SiteWave.Result r, long from, long until) {
            int peak = 0;
            for (int k = 0; k < r.heartbeatTimes.length; k++) {
                if (r.heartbeatTimes[k] >= from && r.heartbeatTimes[k] <= until) {
                    peak = Math.max(peak, r.heartbeatQueues[k]);
                }
            }
            return peak;
        }

        /** When the line, having reached congestion after the surge, is back under busy. */
        private static long congestionEnd(SiteWave.Result r, long surgeFrom) {
            boolean congested = false;
            for (int k = 0; k < r.heartbeatTimes.length; k++) {
                long t = r.heartbeatTimes[k];
                if (t < surgeFrom) {
                    continue;
                }
                if (r.heartbeatQueues[k] >= QUEUE_CONGESTED) {
                    congested = true;
                } else if (congested && r.heartbeatQueues[k] < QUEUE_BUSY) {
                    return t;
                }
            }
            return surgeFrom + 10 * MINUTE;
        }
    }
}
