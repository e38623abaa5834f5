package dev.sweep.producers.simulator;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.ScanEvent;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a replay's records say, counted from the records alone as a correct pipeline would: scans decoded
 * (dead letters and unknown sites left out), repeated scanIds dropped, every person counted at the home area
 * of their first scan by event time (ties: the lower scanId) and at every area above it; a site's persons are
 * those first sampled there. The ledger must say the same, exactly.
 */
final class Recount {
    /** Persons at home, per area id (every level). */
    final Map<String, Long> atHome = new TreeMap<>();
    /** Per site id: scans, persons (first sampled there), from other townships, distinct tubes. */
    final Map<String, long[]> bySite = new TreeMap<>();
    long scans;
    long persons;
    long sampledOutsideHomeTownship;
    /** A person seen with two home areas (must stay 0). */
    long homeChanges;
    /** Scans without a home area, or with one that is not a leaf of the tree (must stay 0). */
    long withoutLeafHome;

    private record First(long at, String scanId, String site, String home) {}

    Recount(Scenario s, Iterator<Emission> records) {
        Set<String> leaves = new HashSet<>();
        Set<String> parents = new HashSet<>();
        s.areas().forEach(a -> {
            if (a.parentId() != null) {
                parents.add(a.parentId());
            }
        });
        s.areas().forEach(a -> {
            if (!parents.contains(a.id())) {
                leaves.add(a.id());
            }
        });
        Set<String> scanIds = new HashSet<>();
        Map<String, First> first = new HashMap<>();
        Map<String, Set<String>> tubes = new HashMap<>();
        while (records.hasNext()) {
            Emission e = records.next();
            if (!e.topic().equals(Topics.SCANS)) {
                continue;
            }
            ScanEvent scan;
            try {
                scan = EventCodec.SCANS.decode(e.value());
            } catch (RejectedRecordException refused) {
                continue;
            }
            String siteId = scan.getSiteId().toString();
            if (s.site(siteId) == null || !scanIds.add(scan.getScanId().toString())) {
                continue;
            }
            scans++;
            String home = scan.getHomeAreaId() == null ? null : scan.getHomeAreaId().toString();
            if (home == null || !leaves.contains(home)) {
                withoutLeafHome++;
                continue;
            }
            bySite.computeIfAbsent(siteId, k -> new long[4])[0]++;
            tubes.computeIfAbsent(siteId, k -> new HashSet<>()).add(scan.getTubeId().toString());
            String key = scan.getPersonKey().toString();
            long at = scan.getScannedAt().toEpochMilli();
            First was = first.get(key);
            if (was != null && !was.home().equals(home)) {
                homeChanges++;
            }
            if (was == null || at < was.at() || (at == was.at() && scan.getScanId().toString().compareTo(was.scanId()) < 0)) {
                first.put(key, new First(at, scan.getScanId().toString(), siteId, home));
            }
        }
        tubes.forEach((site, t) -> bySite.get(site)[3] = t.size());
        for (First f : first.values()) {
            persons++;
            for (int a : s.lineage(s.areaIndex(f.home()))) {
                atHome.merge(s.areas().get(a).id(), 1L, Long::sum);
            }
            Site site = s.site(f.site());
            long[] v = bySite.get(f.site());
            v[1]++;
            if (!site.townshipId().equals(townshipOf(s, f.home()))) {
                v[2]++;
                sampledOutsideHomeTownship++;
            }
        }
    }

    static String townshipOf(Scenario s, String area) {
        int[] up = s.lineage(s.areaIndex(area));
        return s.areas().get(up[Math.max(0, up.length - 2)]).id();
    }
}
