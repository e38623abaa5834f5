package dev.sweep.board.state;

import dev.sweep.campaign.Site;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.StationStatus;

/**
 * One site as the board sees it. State: its latest heartbeat, and the latest record of each of
 * its minutes (scans and people) over the span it has been active, at most {@link #MAX_SPAN}
 * minutes, with their totals. Every minute is kept because the job re-sends a window whenever it
 * fills, on time and late, and under a backlog a window's last record may come long after
 * records of much later minutes: only the minute's own previous value tells what a re-send adds.
 */
final class SiteTrack {
    static final long MINUTE = 60_000L;
    /** Two weeks of minutes: a campaign is days; 381 sites x 2 ints x this is under 70 MB. */
    static final int MAX_SPAN = 14 * 24 * 60;
    static final int RATE_MINUTES = 15;

    final Site site;
    private long first = Long.MIN_VALUE; // minute number (epoch minutes) of index 0
    private int[] scans = new int[0];
    private int[] persons = new int[0];
    private long totalScans;
    private long totalPersons;
    private long lastScanMinute = Long.MIN_VALUE;
    private StationStatus heartbeat;

    SiteTrack(Site site) {
        this.site = site;
    }

    void apply(SiteMinute m) {
        long minute = Math.floorDiv(m.getWindowStart().toEpochMilli(), MINUTE);
        if (!cover(minute)) {
            return; // more than two weeks from the site's other minutes: not counted
        }
        int i = (int) (minute - first);
        totalScans += m.getScans() - scans[i];
        totalPersons += m.getPersons() - persons[i];
        scans[i] = m.getScans();
        persons[i] = m.getPersons();
        if (m.getScans() > 0) {
            lastScanMinute = Math.max(lastScanMinute, minute * MINUTE);
        }
    }

    /** Grows the arrays to hold this minute; false if that would span more than {@link #MAX_SPAN}. */
    private boolean cover(long minute) {
        if (first == Long.MIN_VALUE) {
            first = minute;
        }
        long lo = Math.min(first, minute);
        long hi = Math.max(first + scans.length - 1, minute);
        long need = hi - lo + 1;
        if (need > MAX_SPAN) {
            return false;
        }
        if (lo == first && hi < first + scans.length) {
            return true;
        }
        // Room to grow on the side that grew, so a live site does not copy its arrays every minute.
        int length = (int) Math.min(MAX_SPAN, need + Math.max(60, need / 2));
        long newFirst = minute < first ? hi - length + 1 : first;
        int shift = (int) (first - newFirst);
        int[] s = new int[length];
        int[] p = new int[length];
        System.arraycopy(scans, 0, s, shift, scans.length);
        System.arraycopy(persons, 0, p, shift, persons.length);
        scans = s;
        persons = p;
        first = newFirst;
        return true;
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
        return totalScans;
    }

    long persons() {
        return totalPersons;
    }

    /** Start of the last minute with a scan, or null before the first. */
    Long lastScanMinute() {
        return lastScanMinute == Long.MIN_VALUE ? null : lastScanMinute;
    }

    /** Swabs per hour over the 15 whole minutes before the campaign clock's minute. */
    double ratePerHour(long clock) {
        long current = Math.floorDiv(clock, MINUTE);
        int total = 0;
        for (long m = current - RATE_MINUTES; m < current; m++) {
            long i = m - first;
            if (i >= 0 && i < scans.length) {
                total += scans[(int) i];
            }
        }
        return total * 60.0 / RATE_MINUTES;
    }

    /** Minutes held (the arrays' length). */
    int minutesKept() {
        return scans.length;
    }
}
