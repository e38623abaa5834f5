package dev.sweep.board.state;

import dev.sweep.events.SiteMinute;
import dev.sweep.events.StationStatus;
import dev.sweep.producers.scenario.Site;
import java.util.Map;
import java.util.TreeMap;

/**
 * One site as the board sees it. State: its latest heartbeat, its totals, the minute of its
 * last scan, and its recent minutes (the latest record of each wins; older than
 * {@link #KEPT} behind its newest minute are dropped, past the job's lateness).
 */
final class SiteTrack {
    static final long MINUTE = 60_000L;
    /** Longer than the job's allowed lateness (2 h), so a late correction still finds its minute. */
    static final long KEPT = 3 * 60 * MINUTE;
    static final int RATE_MINUTES = 15;

    final Site site;
    private final TreeMap<Long, int[]> minutes = new TreeMap<>(); // windowStart -> {scans, persons}
    private StationStatus heartbeat;
    private long scans;
    private long persons;
    private long lastScanMinute = Long.MIN_VALUE;

    SiteTrack(Site site) {
        this.site = site;
    }

    /** Folds in a site minute; returns how many people it adds to what was known (0 for a re-send). */
    int apply(SiteMinute m) {
        long start = m.getWindowStart().toEpochMilli();
        int[] now = {m.getScans(), m.getPersons()};
        int[] before = minutes.put(start, now);
        int scansAdded = now[0] - (before == null ? 0 : before[0]);
        int personsAdded = now[1] - (before == null ? 0 : before[1]);
        scans += scansAdded;
        persons += personsAdded;
        if (now[0] > 0 && start > lastScanMinute) {
            lastScanMinute = start;
        }
        minutes.headMap(minutes.lastKey() - KEPT).clear();
        return personsAdded;
    }

    /** Keeps the newest heartbeat (a heartbeat delayed in the network must not turn the clock back). */
    void apply(StationStatus s) {
        if (heartbeat == null || !s.getReportedAt().isBefore(heartbeat.getReportedAt())) {
            heartbeat = s;
        }
    }

    StationStatus heartbeat() {
        return heartbeat;
    }

    long scans() {
        return scans;
    }

    long persons() {
        return persons;
    }

    /** Start of the last minute with a scan, or null before the first. */
    Long lastScanMinute() {
        return lastScanMinute == Long.MIN_VALUE ? null : lastScanMinute;
    }

    /** Swabs per hour over the 15 whole minutes before the campaign clock's minute. */
    double ratePerHour(long clock) {
        long current = Math.floorDiv(clock, MINUTE) * MINUTE;
        int total = 0;
        for (Map.Entry<Long, int[]> e : minutes.subMap(current - RATE_MINUTES * MINUTE, true, current, false).entrySet()) {
            total += e.getValue()[0];
        }
        return total * 60.0 / RATE_MINUTES;
    }

    int minutesKept() {
        return minutes.size();
    }
}
