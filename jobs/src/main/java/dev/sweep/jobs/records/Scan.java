package dev.sweep.jobs.records;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;

/**
 * A decoded scan inside the job (a Flink POJO), cut down to what the job counts: whose, where, when, and
 * the ids it tells apart as 64-bit hashes ({@link Ids}), so the record that crosses the job's shuffles is
 * a fraction of the event.
 */
public class Scan {
    /** The station-side keyed hash of the person: the register's key. */
    public String personKey;
    /** The scanId's hash: a station's re-send of a scan has the same. */
    public long scanId;
    /** The site's index in the campaign ({@link Scenario#siteIndex}). */
    public int site;
    public long scannedAt;
    /**
     * The person's home area's index in the campaign ({@link Scenario#areaIndex}), which their coverage counts
     * toward wherever they were sampled; the site's area when the station did not say (a scan older than v3).
     */
    public int home;
    public long tube;
    public long sampler;

    public Scan() {}

    public static Scan of(ScanEvent e, Scenario campaign) {
        Scan s = new Scan();
        s.personKey = e.getPersonKey();
        s.scanId = Ids.hash(e.getScanId());
        s.site = campaign.siteIndex(e.getSiteId());
        String home = e.getHomeAreaId();
        s.home = campaign.areaIndex(home != null ? home : campaign.sites().get(s.site).areaId());
        s.scannedAt = e.getScannedAt().toEpochMilli();
        s.tube = Ids.hash(e.getTubeId());
        s.sampler = Ids.hash(e.getSamplerId());
        return s;
    }
}
