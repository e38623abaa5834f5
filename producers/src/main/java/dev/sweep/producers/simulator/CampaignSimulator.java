package dev.sweep.producers.simulator;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
import dev.sweep.campaign.Wave;
import dev.sweep.events.AlertKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Replays a campaign as the stations would have sent it: every scan and heartbeat of every
 * site, in the order they are sent, with the drills asked for, and the ledger of what really
 * happened. The same scenario, seed, drills and shift always give the same records and ledger.
 * {@link #stream()} generates the records as they are sent and holds only the sites' current state
 * (any size of campaign); {@link #run()} collects the same records in a list, for a campaign that fits.
 */
public final class CampaignSimulator {
    /** The stations' hash key in drills; a real campaign gives its stations a secret of its own. */
    public static final String DRILL_STATION_KEY = "sweep-drill-station-key";

    static final long MINUTE = SiteWave.MINUTE;
    static final int QUEUE_CONGESTED = 50;
    static final int QUEUE_BUSY = 25;
    /** behind-plan: the share of the area's people due in the last wave who still come. */
    static final double BEHIND_PLAN_KEEP = 0.5;
    /**
     * alert-storm: how long the stations are cut off. Longer than the offline threshold (3 min), so every
     * station is judged offline; shorter than the behind-plan rule's raise delay (15 min), so the township's
     * scans, held and counted late, never make it look behind plan in a live run.
     */
    static final long STORM = 10 * MINUTE;

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

    /** The whole replay in memory: for a campaign the size of a county. */
    public Replay run() {
        CampaignStream stream = stream();
        List<Emission> emissions = new ArrayList<>(1 << 16);
        while (stream.hasNext()) {
            emissions.add(stream.next());
        }
        return new Replay(emissions, stream.ledger());
    }

    /** The records one by one, in send order; the ledger once the last is taken. */
    public CampaignStream stream() {
        DrillPlan plan = DrillPlan.choose(scenario, drills, seed);
        Residence residence = new Residence(scenario, seed, plan.shortfall);
        return new CampaignStream(scenario, seed, drills, shift, new Residents(scenario.areaCode(), stationKey),
                residence, plan);
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

    /** Which areas, sites and times the drills hit; chosen from the seed, in the last wave. */
    static final class DrillPlan {
        final Map<String, SiteWave.Effects> effects = new HashMap<>();
        final Map<String, String> kindBySite = new HashMap<>();
        int wave;
        String partitionTownship;
        long partitionFrom;
        long partitionUntil;
        Residence.Shortfall shortfall;
        String stormTownship;
        long stormFrom;
        long stormUntil;

        static DrillPlan choose(Scenario scenario, Set<Drill> drills, long seed) {
            DrillPlan plan = new DrillPlan();
            SplittableRandom rng = new SplittableRandom(mix(seed, -2, -2));
            List<Wave> waves = scenario.waves();
            plan.wave = waves.size() - 1;
            long opens = waves.get(plan.wave).opens().toEpochMilli();
            long closes = waves.get(plan.wave).closes().toEpochMilli();
            // Each drill takes sites in townships no other drill touches, so its alerts are its own.
            List<Township> pool = new ArrayList<>(scenario.townships());
            int needed = (drills.contains(Drill.PARTITION) ? 1 : 0) + (drills.contains(Drill.SITE_OUTAGE) ? 3 : 0)
                    + (drills.contains(Drill.SLOW_SITE) ? 1 : 0) + (drills.contains(Drill.CONGESTION) ? 2 : 0)
                    + (drills.contains(Drill.BEHIND_PLAN) ? 1 : 0) + (drills.contains(Drill.ALERT_STORM) ? 1 : 0);
            if (needed > pool.size()) {
                throw new IllegalArgumentException("the drills " + drills.stream().sorted().map(Drill::label)
                        .collect(Collectors.joining(", ")) + " take " + needed + " townships of their own; scenario "
                        + scenario.name() + " has " + pool.size());
            }
            if (drills.contains(Drill.PARTITION)) {
                plan.partitionTownship = takeTownship(pool, rng).id();
                plan.partitionFrom = opens + (90 + rng.nextInt(60)) * MINUTE;
                plan.partitionUntil = plan.partitionFrom + 10 * MINUTE;
                for (Site site : scenario.sitesOf(plan.partitionTownship)) {
                    SiteWave.Effects fx = plan.effects.computeIfAbsent(site.id(), k -> new SiteWave.Effects());
                    fx.heldFrom = plan.partitionFrom;
                    fx.heldUntil = plan.partitionUntil;
                }
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
            if (drills.contains(Drill.BEHIND_PLAN)) {
                Township t = takeTownship(pool, rng);
                int planDepth = scenario.depthOf(scenario.planLevel());
                List<Area> candidates = new ArrayList<>();
                for (Area a : scenario.areas()) {
                    int[] up = scenario.lineage(scenario.areaIndex(a.id()));
                    if (up.length - 1 == planDepth && (planDepth < 1 || scenario.areas().get(up[up.length - 2]).id()
                            .equals(t.id()))) {
                        candidates.add(a);
                    }
                }
                Area area = candidates.isEmpty() ? scenario.area(t.id()) : candidates.get(rng.nextInt(candidates.size()));
                plan.shortfall = new Residence.Shortfall(scenario.areaIndex(area.id()), judgedWave(scenario),
                        BEHIND_PLAN_KEEP);
            }
            if (drills.contains(Drill.ALERT_STORM)) {
                plan.stormTownship = takeTownship(pool, rng).id();
                long quarter = (closes - opens) / 4 / MINUTE;
                plan.stormFrom = opens + (quarter + rng.nextLong(Math.max(1, quarter))) * MINUTE;
                plan.stormUntil = plan.stormFrom + STORM;
                for (Site site : scenario.sitesOf(plan.stormTownship)) {
                    SiteWave.Effects fx = plan.effects.computeIfAbsent(site.id(), k -> new SiteWave.Effects());
                    fx.heldFrom = plan.stormFrom;
                    fx.heldUntil = plan.stormUntil;
                    fx.heartbeatsLost = true;
                }
            }
            return plan;
        }

        /** The wave the behind-plan rule judges: the last to open before the deadline. */
        static int judgedWave(Scenario scenario) {
            int judged = scenario.waves().size() - 1;
            for (int w = 0; w < scenario.waves().size(); w++) {
                if (scenario.waves().get(w).opens().isBefore(scenario.deadline())) {
                    judged = w;
                }
            }
            return judged;
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

        /** The ledger's record of what a drill did to this site in this wave, once the site has closed. */
        List<Ledger.Fault> faults(Site site, int w, SiteWave r, long shift) {
            if (w != wave) {
                return List.of();
            }
            List<Ledger.Fault> out = new ArrayList<>();
            String kind = kindBySite.get(site.id());
            SiteWave.Effects fx = effects.get(site.id());
            if (kind != null) {
                switch (kind) {
                    case "site-outage" -> out.add(new Ledger.Fault(kind, site.id(), site.townshipId(), site.areaId(),
                            iso(fx.outageFrom + shift), iso(fx.outageUntil + shift), AlertKind.STATION_OFFLINE.name(),
                            "no scans and no heartbeats for 30 min; the line kept growing (peak "
                                    + peakQueue(r, fx.outageFrom, fx.outageUntil + 30 * MINUTE) + ")"));
                    case "slow-site" -> out.add(new Ledger.Fault(kind, site.id(), site.townshipId(), site.areaId(),
                            iso(fx.slowFrom + shift), iso(fx.slowUntil + shift), AlertKind.SITE_SLOW.name(),
                            "samplers at 30% speed for an hour (line peaked at "
                                    + peakQueue(r, fx.slowFrom, fx.slowUntil + 30 * MINUTE) + ")"));
                    case "congestion" -> {
                        long end = congestionEnd(r, fx.surgeFrom);
                        out.add(new Ledger.Fault(kind, site.id(), site.townshipId(), site.areaId(),
                                iso(fx.surgeFrom + shift), iso(end + shift), AlertKind.SITE_CONGESTED.name(),
                                "20% of the wave's arrivals in 10 min; the line peaked at " + peakQueue(r, fx.surgeFrom, end)
                                        + " and was under " + QUEUE_BUSY + " again at the end"));
                    }
                    default -> { }
                }
            }
            if (site.townshipId().equals(stormTownship)) {
                out.add(new Ledger.Fault(Drill.ALERT_STORM.label(), site.id(), site.townshipId(), site.areaId(),
                        iso(stormFrom + shift), iso(stormUntil + shift), AlertKind.STATION_OFFLINE.name(),
                        "the township's mobile network was down for " + STORM / MINUTE + " min: no heartbeat sent, "
                                + "scans recorded offline and sent when it came back"));
            }
            return out;
        }

        private static int peakQueue(SiteWave r, long from, long until) {
            long[] times = r.heartbeatTimes();
            int[] queues = r.heartbeatQueues();
            int peak = 0;
            for (int k = 0; k < times.length; k++) {
                if (times[k] >= from && times[k] <= until) {
                    peak = Math.max(peak, queues[k]);
                }
            }
            return peak;
        }

        /** When the line, having reached congestion after the surge, is back under busy. */
        private static long congestionEnd(SiteWave r, long surgeFrom) {
            long[] times = r.heartbeatTimes();
            int[] queues = r.heartbeatQueues();
            boolean congested = false;
            for (int k = 0; k < times.length; k++) {
                long t = times[k];
                if (t < surgeFrom) {
                    continue;
                }
                if (queues[k] >= QUEUE_CONGESTED) {
                    congested = true;
                } else if (congested && queues[k] < QUEUE_BUSY) {
                    return t;
                }
            }
            return surgeFrom + 10 * MINUTE;
        }
    }
}
