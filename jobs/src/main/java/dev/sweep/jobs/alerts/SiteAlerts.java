package dev.sweep.jobs.alerts;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.records.Heartbeat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by site, fed its minutes of scans and its heartbeats: judges the site once a minute of
 * event time, while it is open, against SITE_SILENT, SITE_SLOW, SITE_CONGESTED and STATION_OFFLINE.
 * A station that stopped reporting is judged offline only: what it cannot report (scans, its line)
 * is unknown, not lagging. A closed site, or one with nobody queueing, is not lagging.
 * State: the site's view as of the event clock (last heartbeat, opening, last scan), heartbeats
 * not yet due, scans per minute over the slow window, its incidents.
 */
public final class SiteAlerts extends KeyedCoProcessFunction<String, SiteMinute, Heartbeat, Alert> {
    static final long MINUTE = 60_000L;
    private static final AlertKind[] SITE_RULES =
            {AlertKind.STATION_OFFLINE, AlertKind.SITE_SILENT, AlertKind.SITE_SLOW, AlertKind.SITE_CONGESTED};

    private final Scenario campaign;
    private final AlertRules rules;
    private transient Map<String, Site> sites;
    private transient AlertText text;
    private transient ValueState<SiteView> view;
    private transient MapState<Long, Heartbeat> pendingHeartbeats;
    private transient MapState<Long, Integer> scansPerMinute;
    private transient MapState<String, Incident> incidents;

    /** What the job knows of one site now (a Flink POJO). */
    public static class SiteView {
        /** Start of the current opening (first OPEN heartbeat after a close); -1 while closed. */
        public long openedAt = -1;
        public long lastHeartbeat = -1;
        /** First heartbeat after a gap of {@code --offline-after} or more: what came before is not comparable. */
        public long onlineSince = -1;
        public int queue;
        /** End of the last minute with a scan; -1 if none. */
        public long lastScanEnd = -1;

        public SiteView() {}
    }

    public SiteAlerts(Scenario campaign, AlertRules rules) {
        this.campaign = campaign;
        this.rules = rules;
    }

    @Override
    public void open(OpenContext context) {
        Scenario sc = campaign;
        sites = new HashMap<>();
        for (Site s : sc.sites()) {
            sites.put(s.id(), s);
        }
        text = new AlertText(sc);
        view = getRuntimeContext().getState(new ValueStateDescriptor<>("site", TypeInformation.of(SiteView.class)));
        pendingHeartbeats = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending-heartbeats", Types.LONG, TypeInformation.of(Heartbeat.class)));
        scansPerMinute = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("scans-per-minute", Types.LONG, Types.INT));
        incidents = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("incidents", Types.STRING, TypeInformation.of(Incident.class)));
    }

    @Override
    public void processElement1(SiteMinute minute, Context ctx, Collector<Alert> out) throws Exception {
        long start = minute.getWindowStart().toEpochMilli();
        // Site minutes are re-sent as they fill: the latest count of a minute wins.
        scansPerMinute.put(start, minute.getScans());
        tickAfter(ctx.timerService(), start + MINUTE - 1);
    }

    @Override
    public void processElement2(Heartbeat h, Context ctx, Collector<Alert> out) throws Exception {
        // Read from a backlog, a site's heartbeats run ahead of the event clock: they wait here
        // until the clock reaches them, so the site is judged on what was true at each minute.
        pendingHeartbeats.put(h.reportedAt, h);
        tickAfter(ctx.timerService(), h.reportedAt);
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Site site = sites.get(ctx.getCurrentKey());
        SiteView v = catchUp(site, now, out);
        if (v.openedAt < 0) {
            return; // closed for the day, or not open yet: nothing to judge, no more ticks
        }
        boolean offline = now - v.lastHeartbeat >= rules.offlineAfter().toMillis();
        boolean queueing = !offline && v.queue > 0;

        judge(AlertKind.STATION_OFFLINE, offline, v.lastHeartbeat, now, 0,
                (now - v.lastHeartbeat) / (double) MINUTE, minutes(rules.offlineAfter().toMillis()), site, out);

        // After an outage the site is judged afresh: its silence and its throughput count from its return.
        long judgedSince = Math.max(v.openedAt, v.onlineSince);
        long quietSince = Math.max(v.lastScanEnd, judgedSince);
        judge(AlertKind.SITE_SILENT, queueing && now - quietSince >= rules.silentAfter().toMillis(), quietSince, now,
                rules.silentAfter().toMillis(), (now - quietSince) / (double) MINUTE,
                minutes(rules.silentAfter().toMillis()), site, out);

        long window = rules.slowWindow().toMillis();
        double share = scansBetween(now - window, now) / (site.capacityPerHour() * (window / 3_600_000.0));
        boolean slow = !offline && v.queue >= rules.slowQueue() && now - judgedSince >= window
                && share < rules.slowBelow();
        judge(AlertKind.SITE_SLOW, slow, now, now, rules.slowFor().toMillis(), share, rules.slowBelow(), site, out);

        Incident congestion = incidents.get(AlertKind.SITE_CONGESTED.name());
        int line = congestion != null && congestion.raised() ? rules.busyQueue() : rules.congestedQueue();
        judge(AlertKind.SITE_CONGESTED, !offline && v.queue >= line, now, now, rules.congestedFor().toMillis(),
                v.queue, rules.congestedQueue(), site, out);

        if (ctx.timerService().currentWatermark() < Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(now + MINUTE);
        }
    }

    /**
     * Brings the site's view up to {@code now}: heartbeats up to it in time order (a close resolves
     * the site's incidents), and the last minute with scans before it. Forgets what the slow
     * window no longer needs.
     */
    private SiteView catchUp(Site site, long now, Collector<Alert> out) throws Exception {
        SiteView v = view.value() == null ? new SiteView() : view.value();
        TreeMap<Long, Heartbeat> due = new TreeMap<>();
        for (Map.Entry<Long, Heartbeat> e : pendingHeartbeats.entries()) {
            if (e.getKey() <= now) {
                due.put(e.getKey(), e.getValue());
            }
        }
        for (Heartbeat h : due.values()) {
            pendingHeartbeats.remove(h.reportedAt);
            if (h.reportedAt < v.lastHeartbeat) {
                continue; // late, and a newer one is already known
            }
            if (v.lastHeartbeat < 0 || h.reportedAt - v.lastHeartbeat >= rules.offlineAfter().toMillis()) {
                v.onlineSince = h.reportedAt;
            }
            v.lastHeartbeat = h.reportedAt;
            v.queue = h.queueLength;
            if (h.state.equals("CLOSED")) {
                v.openedAt = -1;
                closeIncidents(site, h.reportedAt, out);
            } else if (v.openedAt < 0) {
                v.openedAt = h.reportedAt;
            }
        }
        List<Long> old = new ArrayList<>();
        for (Map.Entry<Long, Integer> e : scansPerMinute.entries()) {
            long start = e.getKey();
            if (start + MINUTE <= now && e.getValue() > 0) {
                v.lastScanEnd = Math.max(v.lastScanEnd, start + MINUTE);
            }
            if (start < now - rules.slowWindow().toMillis()) {
                old.add(start);
            }
        }
        for (Long start : old) {
            scansPerMinute.remove(start);
        }
        view.update(v);
        return v;
    }

    /** Feeds one observation to the rule's incident and emits its transition, if any. */
    private void judge(AlertKind kind, boolean holds, long since, long now, long raiseDelay,
                       double value, double threshold, Site site, Collector<Alert> out) throws Exception {
        Incident incident = incidents.get(kind.name());
        if (incident == null) {
            if (!holds) {
                return;
            }
            incident = new Incident();
        }
        switch (incident.observe(holds, since, now, raiseDelay, rules.clearAfter().toMillis())) {
            case RAISE -> {
                incident.alertId = Incident.idOf(kind.name(), site.id(), incident.since);
                out.collect(text.alert(kind, AlertState.RAISED, incident.alertId, site.townshipId(), site.id(),
                        incident.since, now, value, threshold));
            }
            case RESOLVE -> {
                out.collect(text.alert(kind, AlertState.RESOLVED, incident.alertId, site.townshipId(), site.id(),
                        incident.since, now, value, threshold));
                incident = new Incident();
            }
            case NONE -> { }
        }
        if (incident.idle()) {
            incidents.remove(kind.name());
        } else {
            incidents.put(kind.name(), incident);
        }
    }

    /** A site that closes for the day is not lagging: its raised incidents are resolved. */
    private void closeIncidents(Site site, long at, Collector<Alert> out) throws Exception {
        for (AlertKind kind : SITE_RULES) {
            Incident incident = incidents.get(kind.name());
            if (incident != null && incident.raised()) {
                out.collect(text.alert(kind, AlertState.RESOLVED, incident.alertId, site.townshipId(), site.id(),
                        incident.since, at, 0, 0));
            }
        }
        incidents.clear();
    }

    private long scansBetween(long from, long until) throws Exception {
        long n = 0;
        for (Map.Entry<Long, Integer> e : scansPerMinute.entries()) {
            if (e.getKey() >= from && e.getKey() < until) {
                n += e.getValue();
            }
        }
        return n;
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

    private static double minutes(long millis) {
        return millis / (double) MINUTE;
    }
}
