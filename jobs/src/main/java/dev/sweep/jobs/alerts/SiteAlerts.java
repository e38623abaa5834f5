package dev.sweep.jobs.alerts;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.MinuteScans;
import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by site, fed its minutes of scans and its heartbeats: judges the site once a minute of event time,
 * while it is open, against SITE_SILENT, SITE_SLOW, SITE_CONGESTED and STATION_OFFLINE. A station that
 * stopped reporting is judged offline only: what it cannot report (scans, its line) is unknown, not lagging.
 * A closed site, or one with nobody queueing, is not lagging; a close resolves the site's incidents.
 * <p>
 * Read from a backlog, a site's records run ahead of the event clock: each waits, filed under the minute
 * whose judgement it belongs to, so the site is judged on what was true at each minute, and every record
 * costs the same however far ahead it runs (a minute's judgement looks up its own minute, never the whole
 * backlog). When the event clock stops (the feed has ended) a site's last close still resolves its
 * incidents, once the clock has not moved for {@code stalledAfter} of wall time.
 * State per site: its view as of the last judged minute (last heartbeat, opening, last scan, its four
 * incidents), the heartbeats waiting for their minute, and scans per minute over the slow window.
 */
public final class SiteAlerts extends KeyedCoProcessFunction<Integer, MinuteScans, Heartbeat, Alert> {
    static final long MINUTE = 60_000L;

    private final Scenario campaign;
    private final AlertRules rules;
    private final long stalledAfterMillis;
    private transient AlertText text;
    private transient ValueState<SiteView> view;
    private transient MapState<Long, Heartbeats> waiting;
    private transient MapState<Long, Integer> scansPerMinute;

    /** What the job knows of one site as of its last judged minute (a Flink POJO). */
    public static class SiteView {
        /** Start of the current opening (first OPEN heartbeat after a close); -1 while closed. */
        public long openedAt = -1;
        public long lastHeartbeat = -1;
        /** First heartbeat after a gap of {@code --offline-after} or more: what came before is not comparable. */
        public long onlineSince = -1;
        public int queue;
        /** End of the last minute with a scan; -1 if none. */
        public long lastScanEnd = -1;
        /** The last minute judged (or caught up to); Long.MIN_VALUE before the first. */
        public long lastTick = Long.MIN_VALUE;
        /** Before the first judgement: the earliest minute with records waiting; after it, they wait from lastTick on. */
        public long waitingFrom = Long.MAX_VALUE;
        /** The minute of a close waiting ahead of the event clock, or -1; and the clock when it was noticed. */
        public long closeAhead = -1;
        public long clockAtClose = Long.MIN_VALUE;
        /**
         * Scans in the slow window before the last judged minute ([lastTick - slowWindow, lastTick)), kept as the
         * minutes pass (one entering, one leaving): a judgement no longer reads the window minute by minute.
         */
        public long windowScans;
        /** Whether {@link #windowScans} is kept (false in a view from before it was: it is summed once). */
        public boolean windowKept;
        public Incident offline;
        public Incident silent;
        public Incident slow;
        public Incident congested;

        public SiteView() {}
    }

    /** The heartbeats filed under one minute, in time order (a Flink POJO). */
    public static class Heartbeats {
        public long[] at = new long[0];
        public int[] queue = new int[0];
        public boolean[] closed = new boolean[0];

        public Heartbeats() {}

        void add(Heartbeat h) {
            int n = at.length;
            int i = n;
            while (i > 0 && at[i - 1] > h.reportedAt) {
                i--;
            }
            at = insert(at, i, h.reportedAt);
            int[] q = Arrays.copyOf(queue, n + 1);
            System.arraycopy(queue, i, q, i + 1, n - i);
            q[i] = h.queueLength;
            queue = q;
            boolean[] c = Arrays.copyOf(closed, n + 1);
            System.arraycopy(closed, i, c, i + 1, n - i);
            c[i] = h.closed();
            closed = c;
        }

        private static long[] insert(long[] a, int i, long v) {
            long[] out = Arrays.copyOf(a, a.length + 1);
            System.arraycopy(a, i, out, i + 1, a.length - i);
            out[i] = v;
            return out;
        }
    }

    /**
     * @param stalledAfter how long the event clock may stand still (wall time) before a site's waiting close
     *                     is taken in anyway: the end of a live feed, when no later record moves the clock
     */
    public SiteAlerts(Scenario campaign, AlertRules rules, Duration stalledAfter) {
        this.campaign = campaign;
        this.rules = rules;
        this.stalledAfterMillis = stalledAfter.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        text = new AlertText(campaign);
        view = getRuntimeContext().getState(new ValueStateDescriptor<>("site", TypeInformation.of(SiteView.class)));
        waiting = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("waiting-heartbeats", Types.LONG, TypeInformation.of(Heartbeats.class)));
        scansPerMinute = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("scans-per-minute", Types.LONG, Types.INT));
    }

    @Override
    public void processElement1(MinuteScans minute, Context ctx, Collector<Alert> out) throws Exception {
        long start = minute.minute;
        long end = start + MINUTE;
        SiteView v = view.value();
        boolean changed = v == null;
        v = changed ? new SiteView() : v;
        if (end <= v.lastTick) {
            // A minute already judged: the scans it shows count from the next judgement on.
            if (minute.scans > 0 && end > v.lastScanEnd) {
                v.lastScanEnd = end;
                changed = true;
            }
            if (start >= v.lastTick - rules.slowWindow().toMillis()) {
                // Inside the judged window: its sum takes the difference.
                Integer before = scansPerMinute.get(start);
                scansPerMinute.put(start, minute.scans);
                v.windowScans += minute.scans - (before == null ? 0 : before);
                changed = true;
            }
        } else {
            // Site minutes are re-sent as they fill: the latest count of a minute wins.
            scansPerMinute.put(start, minute.scans);
            if (end < v.waitingFrom) {
                v.waitingFrom = end;
                changed = true;
            }
        }
        if (changed) {
            view.update(v); // most records change nothing in the view: on RocksDB a put saved per record
        }
        tickAfter(ctx.timerService(), end - 1);
    }

    @Override
    public void processElement2(Heartbeat h, Context ctx, Collector<Alert> out) throws Exception {
        SiteView v = view.value();
        boolean changed = v == null;
        v = changed ? new SiteView() : v;
        long due = Math.max(ceilMinute(h.reportedAt), v.lastTick == Long.MIN_VALUE ? Long.MIN_VALUE : v.lastTick + MINUTE);
        Heartbeats filed = waiting.get(due);
        if (filed == null) {
            filed = new Heartbeats();
        }
        filed.add(h);
        waiting.put(due, filed);
        if (due < v.waitingFrom) {
            v.waitingFrom = due;
            changed = true;
        }
        long clock = ctx.timerService().currentWatermark();
        if (h.closed() && due > clock && clock < Long.MAX_VALUE) {
            v.closeAhead = Math.max(v.closeAhead, due);
            v.clockAtClose = clock;
            changed = true;
            ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + stalledAfterMillis);
        }
        if (changed) {
            view.update(v);
        }
        tickAfter(ctx.timerService(), h.reportedAt);
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Site site = campaign.sites().get(ctx.getCurrentKey());
        SiteView v = viewOf();
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            takeInStalledClose(v, site, ctx.timerService(), out);
            view.update(v);
            return;
        }
        if (now <= v.lastTick) {
            return; // already caught up to here (a close taken in while the clock stood still)
        }
        catchUp(v, site, now, out);
        if (v.openedAt < 0) {
            view.update(v);
            return; // closed for the day, or not open yet: nothing to judge, no more ticks
        }
        boolean offline = now - v.lastHeartbeat >= rules.offlineAfter().toMillis();
        boolean queueing = !offline && v.queue > 0;

        v.offline = judge(AlertKind.STATION_OFFLINE, v.offline, offline, v.lastHeartbeat, now, 0,
                (now - v.lastHeartbeat) / (double) MINUTE, minutes(rules.offlineAfter().toMillis()), site, out);

        // After an outage the site is judged afresh: its silence and its throughput count from its return.
        long judgedSince = Math.max(v.openedAt, v.onlineSince);
        long quietSince = Math.max(v.lastScanEnd, judgedSince);
        v.silent = judge(AlertKind.SITE_SILENT, v.silent,
                queueing && now - quietSince >= rules.silentAfter().toMillis(), quietSince, now,
                rules.silentAfter().toMillis(), (now - quietSince) / (double) MINUTE,
                minutes(rules.silentAfter().toMillis()), site, out);

        long window = rules.slowWindow().toMillis();
        double share = v.windowScans / (site.capacityPerHour() * (window / 3_600_000.0));
        boolean slow = !offline && v.queue >= rules.slowQueue() && now - judgedSince >= window
                && share < rules.slowBelow();
        v.slow = judge(AlertKind.SITE_SLOW, v.slow, slow, now, now, rules.slowFor().toMillis(), share,
                rules.slowBelow(), site, out);

        int line = v.congested != null && v.congested.raised() ? rules.busyQueue() : rules.congestedQueue();
        v.congested = judge(AlertKind.SITE_CONGESTED, v.congested, !offline && v.queue >= line, now, now,
                rules.congestedFor().toMillis(), v.queue, rules.congestedQueue(), site, out);

        view.update(v);
        // Every minute while open, even at the end of input (the clock jumps to its end at once): the last
        // judgements run in order there too. Never past the campaign: a site that never closed stops there.
        if (now + MINUTE <= campaign.windowEnd().toEpochMilli()) {
            ctx.timerService().registerEventTimeTimer(now + MINUTE);
        }
    }

    /**
     * Brings the site's view up to {@code now}, minute by minute from the first one with records waiting:
     * its heartbeats in time order (a close resolves the site's incidents) and its minutes with scans.
     * Forgets the minutes the slow window no longer needs.
     */
    private void catchUp(SiteView v, Site site, long now, Collector<Alert> out) throws Exception {
        long window = rules.slowWindow().toMillis();
        long from = v.lastTick == Long.MIN_VALUE ? Math.min(v.waitingFrom, now) : v.lastTick + MINUTE;
        from = Math.min(from, v.waitingFrom);
        keepWindow(v, window);
        for (long tick = from; tick <= now; tick += MINUTE) {
            Heartbeats due = waiting.get(tick);
            if (due != null) {
                waiting.remove(tick);
                apply(v, site, due, out);
            }
            Integer scans = slide(v, tick, window);
            if (scans != null && scans > 0) {
                v.lastScanEnd = Math.max(v.lastScanEnd, tick);
            }
        }
        v.lastTick = now;
        v.waitingFrom = Long.MAX_VALUE;
    }

    private void apply(SiteView v, Site site, Heartbeats due, Collector<Alert> out) {
        for (int i = 0; i < due.at.length; i++) {
            long at = due.at[i];
            if (at < v.lastHeartbeat) {
                continue; // late, and a newer one is already known
            }
            if (v.lastHeartbeat < 0 || at - v.lastHeartbeat >= rules.offlineAfter().toMillis()) {
                v.onlineSince = at;
            }
            v.lastHeartbeat = at;
            v.queue = due.queue[i];
            if (due.closed[i]) {
                v.openedAt = -1;
                closeIncidents(v, site, at, out);
            } else if (v.openedAt < 0) {
                v.openedAt = at;
            }
        }
    }

    /**
     * The event clock has not moved since a close was filed ahead of it: the feed has ended. Takes in the
     * site's records up to that close (without judging the minutes between: their data may be partial),
     * so the close resolves what is still raised.
     */
    private void takeInStalledClose(SiteView v, Site site, TimerService timers, Collector<Alert> out) throws Exception {
        if (v.closeAhead < 0 || v.closeAhead <= v.lastTick) {
            v.closeAhead = -1;
            return;
        }
        long clock = timers.currentWatermark();
        if (clock != v.clockAtClose || clock == Long.MAX_VALUE) {
            v.clockAtClose = clock; // the clock moves: the close will be judged in its minute
            timers.registerProcessingTimeTimer(timers.currentProcessingTime() + stalledAfterMillis);
            return;
        }
        long upTo = v.closeAhead;
        long from = Math.min(v.waitingFrom, v.lastTick == Long.MIN_VALUE ? upTo : v.lastTick + MINUTE);
        long window = rules.slowWindow().toMillis();
        keepWindow(v, window);
        for (long tick = from; tick <= upTo; tick += MINUTE) {
            Heartbeats due = waiting.get(tick);
            if (due != null) {
                waiting.remove(tick);
                apply(v, site, due, out);
            }
            slide(v, tick, window); // the window's sum follows the clock it skips
        }
        v.lastTick = upTo; // what is filed beyond the close waits for its minute, from here on
        v.waitingFrom = Long.MAX_VALUE;
        v.closeAhead = -1;
    }

    /** Feeds one observation to the rule's incident and emits its transition, if any; returns the incident to keep. */
    private Incident judge(AlertKind kind, Incident incident, boolean holds, long since, long now, long raiseDelay,
                           double value, double threshold, Site site, Collector<Alert> out) {
        if (incident == null) {
            if (!holds) {
                return null;
            }
            incident = new Incident();
        }
        switch (incident.observe(holds, since, now, raiseDelay, rules.clearAfter().toMillis())) {
            case RAISE -> {
                incident.alertId = Incident.idOf(kind.name(), site.id(), incident.since);
                out.collect(text.alert(kind, AlertState.RAISED, incident.alertId, site.areaId(), site.id(),
                        incident.since, now, value, threshold));
            }
            case RESOLVE -> {
                out.collect(text.alert(kind, AlertState.RESOLVED, incident.alertId, site.areaId(), site.id(),
                        incident.since, now, value, threshold));
                incident = new Incident();
            }
            case NONE -> { }
        }
        return incident.idle() ? null : incident;
    }

    /** A site that closes for the day is not lagging: its raised incidents are resolved. */
    private void closeIncidents(SiteView v, Site site, long at, Collector<Alert> out) {
        resolve(AlertKind.STATION_OFFLINE, v.offline, site, at, out);
        resolve(AlertKind.SITE_SILENT, v.silent, site, at, out);
        resolve(AlertKind.SITE_SLOW, v.slow, site, at, out);
        resolve(AlertKind.SITE_CONGESTED, v.congested, site, at, out);
        v.offline = null;
        v.silent = null;
        v.slow = null;
        v.congested = null;
    }

    private void resolve(AlertKind kind, Incident incident, Site site, long at, Collector<Alert> out) {
        if (incident != null && incident.raised()) {
            out.collect(text.alert(kind, AlertState.RESOLVED, incident.alertId, site.areaId(), site.id(),
                    incident.since, at, 0, 0));
        }
    }

    /**
     * Moves the slow window's sum on to end at {@code tick}: the minute before it enters, the minute a window
     * earlier leaves and is forgotten (no later window reaches it). Each minute enters and leaves once, however
     * far ahead the input runs. Returns the entering minute's scans.
     */
    private Integer slide(SiteView v, long tick, long window) throws Exception {
        Integer entering = scansPerMinute.get(tick - MINUTE);
        long leaving = tick - MINUTE - window;
        if (tick > v.lastTick) {
            Integer left = scansPerMinute.get(leaving);
            v.windowScans += (entering == null ? 0 : entering) - (left == null ? 0 : left);
        }
        scansPerMinute.remove(leaving);
        return entering;
    }

    /** A view from before the window's sum was kept: summed once from the minutes kept. */
    private void keepWindow(SiteView v, long window) throws Exception {
        if (!v.windowKept) {
            v.windowScans = v.lastTick == Long.MIN_VALUE ? 0 : scansBetween(v.lastTick - window, v.lastTick);
            v.windowKept = true;
        }
    }

    /** Scans in the minutes starting in [from, until): one look-up a minute. */
    private long scansBetween(long from, long until) throws Exception {
        long n = 0;
        for (long m = from; m < until; m += MINUTE) {
            Integer scans = scansPerMinute.get(m);
            if (scans != null) {
                n += scans;
            }
        }
        return n;
    }

    private SiteView viewOf() throws Exception {
        SiteView v = view.value();
        return v == null ? new SiteView() : v;
    }

    /**
     * The site is judged at each minute's end of event time from its first record on. A late record
     * is judged at the next minute ahead of the event clock: judging the past again would run the
     * incidents' clocks backwards.
     */
    static void tickAfter(TimerService timers, long time) {
        long watermark = timers.currentWatermark();
        if (watermark < Long.MAX_VALUE) {
            timers.registerEventTimeTimer(Math.floorDiv(Math.max(time, watermark), MINUTE) * MINUTE + MINUTE);
        }
    }

    /** The first minute boundary at or after {@code time}: the judgement a record of that time belongs to. */
    private static long ceilMinute(long time) {
        return Math.floorDiv(time - 1, MINUTE) * MINUTE + MINUTE;
    }

    private static double minutes(long millis) {
        return millis / (double) MINUTE;
    }
}
