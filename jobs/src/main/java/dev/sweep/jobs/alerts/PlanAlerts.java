package dev.sweep.jobs.alerts;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Wave;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.jobs.coverage.AreaCoverage;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by an area at the plan level (a township by default, a street in a city: {@link Scenario#planLevel}),
 * fed its coverage points: once a minute of event time during the wave that
 * ends the campaign, projects the area's coverage at the deadline at its current rate (over
 * the last 15 minutes) and raises TOWNSHIP_BEHIND_PLAN when the projection misses the target.
 * Earlier waves are judged by their own schedule, not by this rule: their pace says nothing of
 * the final wave's. At the deadline the plan is settled: a raised incident is resolved.
 * State: the newest point of a past minute, points waiting for their minute, the incident.
 */
public final class PlanAlerts extends KeyedProcessFunction<String, Coverage, Alert> {
    static final long MINUTE = 60_000L;
    /** The rate is over 15 minutes (AreaCoverage): judge once a full window lies inside the wave. */
    static final long RATE_WINDOW = 15 * MINUTE;

    private final Scenario campaign;
    private final double target;
    private final AlertRules rules;
    private transient AlertText text;
    private transient long judgedFrom;
    private transient long deadline;
    private transient MapState<Long, Coverage> minutes;
    private transient ValueState<Plan> plan;

    /** One area's standing against the plan as of its last judged minute (a Flink POJO). */
    public static class Plan {
        /** The newest point of a minute that had ended by the last judgement. */
        public Coverage latest;
        public long lastTick = Long.MIN_VALUE;
        public Incident incident;

        public Plan() {}
    }

    public PlanAlerts(Scenario campaign, double target, AlertRules rules) {
        this.campaign = campaign;
        this.target = target;
        this.rules = rules;
    }

    @Override
    public void open(OpenContext context) {
        Scenario sc = campaign;
        text = new AlertText(sc);
        deadline = sc.deadline().toEpochMilli();
        Wave last = null;
        for (Wave w : sc.waves()) {
            if (w.opens().toEpochMilli() < deadline) {
                last = w;
            }
        }
        judgedFrom = last == null ? Long.MAX_VALUE : last.opens().toEpochMilli() + RATE_WINDOW;
        minutes = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("minutes", Types.LONG, TypeInformation.of(Coverage.class)));
        plan = getRuntimeContext().getState(new ValueStateDescriptor<>("plan", TypeInformation.of(Plan.class)));
    }

    @Override
    public void processElement(Coverage c, Context ctx, Collector<Alert> out) throws Exception {
        long minute = c.getMinute().toEpochMilli();
        Plan p = planOf();
        if (minute + MINUTE <= p.lastTick) {
            // A minute already past (a late person rewrote it): the newest such point counts from the next tick.
            if (p.latest == null || minute >= p.latest.getMinute().toEpochMilli()) {
                p.latest = c;
            }
        } else {
            // Read from a backlog, points run ahead of the event clock: each waits for its minute.
            minutes.put(minute, c);
        }
        plan.update(p);
        if (minute < deadline) {
            SiteAlerts.tickAfter(ctx.timerService(), Math.max(judgedFrom - MINUTE, minute));
        }
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Plan p = planOf();
        if (now <= p.lastTick) {
            return;
        }
        for (long minute = p.lastTick == Long.MIN_VALUE ? now - MINUTE : p.lastTick; minute + MINUTE <= now; minute += MINUTE) {
            Coverage c = minutes.get(minute);
            if (c != null) {
                minutes.remove(minute);
                p.latest = c;
            }
        }
        p.lastTick = now;
        String area = ctx.getCurrentKey();
        Incident i = p.incident == null ? new Incident() : p.incident;
        if (now >= deadline) {
            // The campaign's deadline: the plan is settled, and what was behind it is no longer news.
            if (i.raised()) {
                out.collect(text.alert(AlertKind.TOWNSHIP_BEHIND_PLAN, AlertState.RESOLVED, i.alertId, area, null,
                        i.since, now, p.latest == null ? 0 : p.latest.getCoverage(), target));
            }
            p.incident = null;
            plan.update(p);
            return;
        }
        if (now < judgedFrom || p.latest == null) {
            plan.update(p);
            scheduleNext(now, ctx);
            return;
        }
        Coverage c = p.latest;
        double hoursLeft = (deadline - now) / 3_600_000.0;
        double projected = (c.getSampled() + c.getRatePerHour() * hoursLeft) / c.getPopulation();
        switch (i.observe(projected < target, now, now, rules.behindPlanFor().toMillis(), rules.clearAfter().toMillis())) {
            case RAISE -> {
                i.alertId = Incident.idOf(AlertKind.TOWNSHIP_BEHIND_PLAN.name(), area, i.since);
                out.collect(text.alert(AlertKind.TOWNSHIP_BEHIND_PLAN, AlertState.RAISED, i.alertId, area, null,
                        i.since, now, projected, target));
            }
            case RESOLVE -> {
                out.collect(text.alert(AlertKind.TOWNSHIP_BEHIND_PLAN, AlertState.RESOLVED, i.alertId, area,
                        null, i.since, now, projected, target));
                i = new Incident();
            }
            case NONE -> { }
        }
        p.incident = i.idle() ? null : i;
        plan.update(p);
        scheduleNext(now, ctx);
    }

    /** Once a minute until the deadline, which is judged too (it settles the plan). */
    private void scheduleNext(long now, OnTimerContext ctx) {
        if (now < deadline) { // also at the end of input: the clock's jump runs the minutes in order
            ctx.timerService().registerEventTimeTimer(Math.min(now + MINUTE, deadline));
        }
    }

    private Plan planOf() throws Exception {
        Plan p = plan.value();
        return p == null ? new Plan() : p;
    }
}
