package dev.sweep.jobs.alerts;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Wave;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.jobs.records.Tally;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by job, fed the tallies of what came in: raises FEED_STALLED when nothing at all has come
 * in for a while of wall-clock time during a wave (event time cannot see a silence: the clock
 * stops with the data). Between waves, silence is expected. It clears once data has flowed again
 * for a sixth of the stall threshold.
 * State: wall time of the last input, the newest event minute seen, the incident.
 */
public final class FeedAlerts extends KeyedProcessFunction<String, Tally, Alert> {
    private final Scenario campaign;
    private final AlertRules rules;
    private transient List<Wave> waves;
    private transient AlertText text;
    private transient ValueState<Long> lastInput;
    private transient ValueState<Long> newestMinute;
    private transient ValueState<Incident> incident;

    public FeedAlerts(Scenario campaign, AlertRules rules) {
        this.campaign = campaign;
        this.rules = rules;
    }

    @Override
    public void open(OpenContext context) {
        Scenario sc = campaign;
        waves = sc.waves();
        text = new AlertText(sc);
        lastInput = getRuntimeContext().getState(new ValueStateDescriptor<>("last-input", Types.LONG));
        newestMinute = getRuntimeContext().getState(new ValueStateDescriptor<>("newest-minute", Types.LONG));
        incident = getRuntimeContext().getState(new ValueStateDescriptor<>("incident", TypeInformation.of(Incident.class)));
    }

    @Override
    public void processElement(Tally t, Context ctx, Collector<Alert> out) throws Exception {
        if (t.events == 0) {
            return;
        }
        long now = ctx.timerService().currentProcessingTime();
        Long before = lastInput.value();
        lastInput.update(now);
        Long newest = newestMinute.value();
        newestMinute.update(newest == null ? t.minute : Math.max(newest, t.minute));
        if (before == null) {
            ctx.timerService().registerProcessingTimeTimer(now + checkEvery());
        }
        judge(ctx.getCurrentKey(), now, out);
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        judge(ctx.getCurrentKey(), now, out);
        ctx.timerService().registerProcessingTimeTimer(now + checkEvery());
    }

    private void judge(String job, long now, Collector<Alert> out) throws Exception {
        long last = lastInput.value();
        long silence = now - last;
        long after = rules.feedStalledAfter().toMillis();
        boolean stalled = inWave(newestMinute.value()) && silence >= after;
        Incident i = incident.value() == null ? new Incident() : incident.value();
        switch (i.observe(stalled, last, now, 0, after / 6)) {
            case RAISE -> {
                i.alertId = Incident.idOf(AlertKind.FEED_STALLED.name(), job, i.since);
                out.collect(text.alert(AlertKind.FEED_STALLED, AlertState.RAISED, i.alertId, null, null, i.since, now,
                        silence / 1000.0, after / 1000.0));
            }
            case RESOLVE -> {
                out.collect(text.alert(AlertKind.FEED_STALLED, AlertState.RESOLVED, i.alertId, null, null, i.since,
                        now, silence / 1000.0, after / 1000.0));
                i = new Incident();
            }
            case NONE -> { }
        }
        incident.update(i.idle() ? null : i);
    }

    private boolean inWave(long minute) {
        for (Wave w : waves) {
            if (minute >= w.opens().toEpochMilli() && minute < w.closes().toEpochMilli()) {
                return true;
            }
        }
        return false;
    }

    private long checkEvery() {
        return Math.max(1_000, rules.feedStalledAfter().toMillis() / 6);
    }
}
