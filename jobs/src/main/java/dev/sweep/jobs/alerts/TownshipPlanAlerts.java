package dev.sweep.jobs.alerts;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Wave;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.jobs.coverage.AreaCoverage;
import java.util.ArrayList;
import java.util.List;
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
 * Keyed by township, fed its coverage points: once a minute of event time during the wave that
 * ends the campaign, projects the township's coverage at the deadline at its current rate (over
 * the last 15 minutes) and raises TOWNSHIP_BEHIND_PLAN when the projection misses the target.
 * Earlier waves are judged by their own schedule, not by this rule: their pace says nothing of
 * the final wave's. State: the latest figures of the newest minute, and the incident.
 */
public final class TownshipPlanAlerts extends KeyedProcessFunction<String, Coverage, Alert> {
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
    private transient ValueState<Incident> incident;

    public TownshipPlanAlerts(Scenario campaign, double target, AlertRules rules) {
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
        incident = getRuntimeContext().getState(new ValueStateDescriptor<>("incident", TypeInformation.of(Incident.class)));
    }

    @Override
    public void processElement(Coverage c, Context ctx, Collector<Alert> out) throws Exception {
        // Read from a backlog, points run ahead of the event clock: each waits for its minute.
        minutes.put(c.getMinute().toEpochMilli(), c);
        if (c.getMinute().toEpochMilli() < deadline) {
            SiteAlerts.tickAfter(ctx.timerService(), Math.max(judgedFrom - MINUTE, c.getMinute().toEpochMilli()));
        }
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        if (now < judgedFrom) {
            return;
        }
        if (now > deadline) {
            return;
        }
        Coverage c = latestBefore(now);
        if (c == null) {
            return;
        }
        double hoursLeft = (deadline - now) / 3_600_000.0;
        double projected = (c.getSampled() + c.getRatePerHour() * hoursLeft) / c.getPopulation();
        Incident i = incident.value() == null ? new Incident() : incident.value();
        String township = ctx.getCurrentKey();
        switch (i.observe(projected < target, now, now, rules.behindPlanFor().toMillis(), rules.clearAfter().toMillis())) {
            case RAISE -> {
                i.alertId = Incident.idOf(AlertKind.TOWNSHIP_BEHIND_PLAN.name(), township, i.since);
                out.collect(text.alert(AlertKind.TOWNSHIP_BEHIND_PLAN, AlertState.RAISED, i.alertId, township, null,
                        i.since, now, projected, target));
            }
            case RESOLVE -> {
                out.collect(text.alert(AlertKind.TOWNSHIP_BEHIND_PLAN, AlertState.RESOLVED, i.alertId, township,
                        null, i.since, now, projected, target));
                i = new Incident();
            }
            case NONE -> { }
        }
        incident.update(i.idle() ? null : i);
        if (now + MINUTE < deadline && ctx.timerService().currentWatermark() < Long.MAX_VALUE) {
            ctx.timerService().registerEventTimeTimer(now + MINUTE);
        }
    }

    /** The newest point of a minute that has ended by {@code now}; older ones are forgotten. */
    private Coverage latestBefore(long now) throws Exception {
        Long newest = null;
        for (Long minute : minutes.keys()) {
            if (minute + MINUTE <= now && (newest == null || minute > newest)) {
                newest = minute;
            }
        }
        if (newest == null) {
            return null;
        }
        List<Long> old = new ArrayList<>();
        for (Long minute : minutes.keys()) {
            if (minute < newest) {
                old.add(minute);
            }
        }
        for (Long minute : old) {
            minutes.remove(minute);
        }
        return minutes.get(newest);
    }
}
