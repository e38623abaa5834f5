package dev.sweep.producers.simulator;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Wave;
import dev.sweep.events.ScanEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job's behind-plan rule (jobs: TownshipPlanAlerts on AreaCoverage's points) applied to a replay as it
 * happened, every record on time: a person counts at the home area of their first scan (by event time, ties
 * the lower scanId), summed up to the plan level; from 15 minutes into the last wave before the deadline,
 * once a minute, the area's coverage at the deadline is projected at its rate over the last 15 minutes, and an
 * incident is raised once the projection has missed the target for 15 minutes, resolved after 5 clear minutes
 * or at the deadline. A mirror for the simulator's tests: that the replay gives the rule what the drills say.
 */
final class PlanRule {
    static final long MINUTE = 60_000L;
    static final long RATE_WINDOW = 15 * MINUTE;
    static final long RAISE_AFTER = 15 * MINUTE;
    static final long CLEAR_AFTER = 5 * MINUTE;

    /** One incident: the area, when its condition began, when it was raised. */
    record Raised(String area, long since, long at) {}

    /** The incidents, and each area's lowest projection minus the target over the judged minutes. */
    record Verdict(List<Raised> raised, Map<String, Double> lowestMargin) {}

    private PlanRule() {}

    static Verdict judge(Scenario s, List<Emission> emissions) {
        Map<String, Object[]> first = new HashMap<>(); // personKey -> {time, scanId, home}
        for (Emission e : emissions) {
            if (!e.topic().equals(dev.sweep.schemas.Topics.SCANS)) {
                continue;
            }
            ScanEvent scan;
            try {
                scan = dev.sweep.schemas.EventCodec.SCANS.decode(e.value());
            } catch (dev.sweep.schemas.RejectedRecordException bad) {
                continue; // the bad-data drill's records are dead letters
            }
            if (s.site(scan.getSiteId().toString()) == null) {
                continue;
            }
            String key = scan.getPersonKey().toString();
            long at = scan.getScannedAt().toEpochMilli();
            Object[] was = first.get(key);
            if (was == null || at < (long) was[0] || (at == (long) was[0] && scan.getScanId().toString()
                    .compareTo((String) was[1]) < 0)) {
                first.put(key, new Object[] {at, scan.getScanId().toString(), scan.getHomeAreaId().toString()});
            }
        }
        int planDepth = s.depthOf(s.planLevel());
        Map<String, TreeMap<Long, Long>> perMinute = new TreeMap<>();
        for (Object[] p : first.values()) {
            int[] up = s.lineage(s.areaIndex((String) p[2]));
            String plan = s.areas().get(up[up.length - 1 - planDepth]).id();
            perMinute.computeIfAbsent(plan, k -> new TreeMap<>())
                    .merge(Math.floorDiv((long) p[0], MINUTE) * MINUTE, 1L, Long::sum);
        }
        long deadline = s.deadline().toEpochMilli();
        Wave last = null;
        for (Wave w : s.waves()) {
            if (w.opens().toEpochMilli() < deadline) {
                last = w;
            }
        }
        long judgedFrom = last.opens().toEpochMilli() + RATE_WINDOW;
        List<Raised> raised = new ArrayList<>();
        Map<String, Double> lowest = new TreeMap<>();
        for (var area : s.areasAt(s.planLevel())) {
            TreeMap<Long, Long> minutes = perMinute.getOrDefault(area.id(), new TreeMap<>());
            long since = -1;
            long clearSince = -1;
            boolean up = false;
            double low = Double.MAX_VALUE;
            for (long now = judgedFrom; now < deadline; now += MINUTE) {
                long minute = now - MINUTE;
                long sampled = minutes.headMap(minute, true).values().stream().mapToLong(Long::longValue).sum();
                long recent = minutes.subMap(minute - RATE_WINDOW + MINUTE, true, minute, true).values().stream()
                        .mapToLong(Long::longValue).sum();
                double rate = recent * 60.0 / 15;
                double projected = (sampled + rate * (deadline - now) / 3_600_000.0) / area.population();
                low = Math.min(low, projected - s.targetCoverage());
                boolean holds = projected < s.targetCoverage();
                if (holds) {
                    clearSince = -1;
                    if (since < 0) {
                        since = now;
                    }
                    if (!up && now - since >= RAISE_AFTER) {
                        up = true;
                        raised.add(new Raised(area.id(), since, now));
                    }
                } else if (!up) {
                    since = -1;
                } else {
                    if (clearSince < 0) {
                        clearSince = now;
                    }
                    if (now - clearSince >= CLEAR_AFTER) {
                        up = false;
                        since = -1;
                        clearSince = -1;
                    }
                }
            }
            lowest.put(area.id(), low);
        }
        return new Verdict(raised, lowest);
    }
}
