package dev.sweep.jobs.records;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;

/**
 * A decoded station heartbeat inside the job (a Flink POJO): the site by its index in the campaign (its id
 * and township come from the campaign where they are written out), so the record that crosses to the site
 * alerts carries no text.
 */
public class Heartbeat {
    /** The site's index in the campaign: the key of the site alerts. */
    public int site;
    public long reportedAt;
    public SiteState state;
    public int queueLength;
    public int lanesOpen;
    public int samplersOnDuty;

    public Heartbeat() {}

    public static Heartbeat of(StationStatus s, Scenario campaign) {
        Heartbeat h = new Heartbeat();
        h.site = campaign.siteIndex(s.getSiteId());
        h.reportedAt = s.getReportedAt().toEpochMilli();
        h.state = s.getState();
        h.queueLength = s.getQueueLength();
        h.lanesOpen = s.getLanesOpen();
        h.samplersOnDuty = s.getSamplersOnDuty();
        return h;
    }

    public boolean closed() {
        return state == SiteState.CLOSED;
    }
}
