package dev.sweep.jobs.records;

import dev.sweep.events.ScanEvent;

/** A decoded scan inside the job (a Flink POJO). {@code firstTime}: the person's first scan in the campaign. */
public class Scan {
    public String scanId;
    public String siteId;
    public String townshipId;
    public String samplerId;
    public String tubeId;
    public String personKey;
    public long scannedAt;
    public int poolSize;
    public long stationSeq;
    public boolean firstTime;

    public Scan() {}

    public static Scan of(ScanEvent e) {
        Scan s = new Scan();
        s.scanId = e.getScanId();
        s.siteId = e.getSiteId();
        s.townshipId = e.getTownshipId();
        s.samplerId = e.getSamplerId();
        s.tubeId = e.getTubeId();
        s.personKey = e.getPersonKey();
        s.scannedAt = e.getScannedAt().toEpochMilli();
        s.poolSize = e.getPoolSize();
        s.stationSeq = e.getStationSeq();
        return s;
    }
}
