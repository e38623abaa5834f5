package dev.sweep.board.state;

import dev.sweep.events.AlertKind;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import java.util.Set;

/**
 * How a site is doing, in the operators' colours: clear (green), busy (amber), congested (red),
 * silent (grey); closed and paused are the station's own word, and waiting means no heartbeat yet.
 */
public enum SiteCondition {
    SILENT, CONGESTED, BUSY, CLEAR, PAUSED, WAITING, CLOSED;

    /** A line this long makes a site busy. */
    public static final int QUEUE_BUSY = 25;
    /** A line this long makes a site congested. */
    public static final int QUEUE_CONGESTED = 50;

    /**
     * @param heartbeat the site's latest heartbeat, or null before the first
     * @param alerts    kinds of the site's active alerts
     */
    public static SiteCondition of(StationStatus heartbeat, Set<AlertKind> alerts) {
        if (heartbeat != null && heartbeat.getState() == SiteState.CLOSED) {
            return CLOSED; // done for the day: not lagging, whatever an old alert says
        }
        if (alerts.contains(AlertKind.SITE_SILENT) || alerts.contains(AlertKind.STATION_OFFLINE)) {
            return SILENT;
        }
        if (alerts.contains(AlertKind.SITE_CONGESTED)) {
            return CONGESTED;
        }
        if (heartbeat == null) {
            return WAITING;
        }
        if (heartbeat.getState() == SiteState.PAUSED) {
            return PAUSED;
        }
        int queue = heartbeat.getQueueLength();
        return queue >= QUEUE_CONGESTED ? CONGESTED : queue >= QUEUE_BUSY ? BUSY : CLEAR;
    }

    public String code() {
        return name().toLowerCase();
    }
}
