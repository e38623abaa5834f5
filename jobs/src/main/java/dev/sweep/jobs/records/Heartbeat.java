package dev.sweep.jobs.records;

import dev.sweep.events.StationStatus;

/** A decoded station heartbeat inside the job (a Flink POJO). */
public class Heartbeat {
    /** The site's index in the campaign: the key of the site alerts. */
    public int site;
    public String siteId;
    public String townshipId;
    public long reportedAt;
    public String state;
    public int queueLength;
    public int lanesOpen;
    public int samplersOnDuty;

    public Heartbeat() {}

    public static Heartbeat of(StationStatus s, dev.sweep.campaign.Scenario campaign) {
        Heartbeat h = new Heartbeat();
        h.site = campaign.siteIndex(s.getSiteId());
        h.siteId = s.getSiteId();
        h.townshipId = s.getTownshipId();
        h.reportedAt = s.getReportedAt().toEpochMilli();
        h.state = s.getState().name();
        h.queueLength = s.getQueueLength();
        h.lanesOpen = s.getLanesOpen();
        h.samplersOnDuty = s.getSamplersOnDuty();
        return h;
    }
}
