package dev.sweep.jobs.coverage;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.jobs.records.AreaCount;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by area (any level of the campaign's tree, the root included), fed the people counted in per minute (or taken back: a
 * person whose first scan turned out to be elsewhere, see {@link PersonRegister}), summed by {@link AreaTally}: one
 * coverage point per minute of event time, with the people sampled up to that minute's end
 * against the population, the rate over the 15 minutes up to it, and the ETA to the target.
 * <p>
 * A minute's point is final when the watermark passes its end, so a replay writes the same
 * points. Before that, the open minute is sent live within {@code emitEvery} of wall time. A
 * late person rewrites the minutes from theirs on; one later than the kept minutes still counts
 * from the oldest kept minute on. No person is ever lost from coverage.
 * State per area: people sampled before the kept minutes, new people per kept minute, the last
 * final minute, the earliest minute to rewrite, the latest minute with people.
 */
public final class AreaCoverage extends KeyedProcessFunction<String, AreaCount, Coverage> {
    /** The root's key on the coverage and alerts topics, whatever its id: what their readers have always used. */
    public static final String COUNTY = "county";
    static final long MINUTE = 60_000L;
    static final long RATE_MINUTES = 15;

    private final Scenario campaign;
    private final double target;
    private final long emitEveryMillis;
    private final long keepMillis;
    private transient Map<String, Area> areas;
    private transient ValueState<Long> before;
    private transient MapState<Long, Long> newPerMinute;
    private transient ValueState<Long> finalUpTo;
    private transient ValueState<Long> rewriteFrom;
    private transient ValueState<Long> lastActive;

    /** @param lateness how long minutes stay correctable (at least the rate's 15 minutes are kept) */
    public AreaCoverage(Scenario campaign, double target, Duration emitEvery, Duration lateness) {
        this.campaign = campaign;
        this.target = target;
        this.emitEveryMillis = emitEvery.toMillis();
        this.keepMillis = Math.max(lateness.toMillis(), RATE_MINUTES * MINUTE);
    }

    @Override
    public void open(OpenContext context) {
        areas = new HashMap<>();
        for (Area a : campaign.areas()) {
            areas.put(a.id(), a);
        }
        before = getRuntimeContext().getState(new ValueStateDescriptor<>("sampled-before", Types.LONG));
        newPerMinute = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("new-per-minute", Types.LONG, Types.LONG));
        finalUpTo = getRuntimeContext().getState(new ValueStateDescriptor<>("final-up-to", Types.LONG));
        rewriteFrom = getRuntimeContext().getState(new ValueStateDescriptor<>("rewrite-from", Types.LONG));
        lastActive = getRuntimeContext().getState(new ValueStateDescriptor<>("last-active", Types.LONG));
    }

    @Override
    public void processElement(AreaCount people, Context ctx, Collector<Coverage> out) throws Exception {
        long minute = people.minute;
        long oldestKept = oldestKept();
        long counted = Math.max(minute, oldestKept);
        Long n = newPerMinute.get(counted);
        newPerMinute.put(counted, (n == null ? 0 : n) + people.persons);
        if (lastActive.value() == null || minute > lastActive.value()) {
            lastActive.update(minute);
        }
        TimerService timers = ctx.timerService();
        Long done = finalUpTo.value();
        if (done != null && counted <= done) {
            // A minute already final changes, and so does every final minute after it.
            if (rewriteFrom.value() == null || counted < rewriteFrom.value()) {
                rewriteFrom.update(counted);
            }
            // The rewrite also goes out when the clock next moves (processing-time timers stop at
            // the end of input), and the rate may now decay past the last final minute.
            timers.registerEventTimeTimer(done + 2 * MINUTE - 1);
        } else {
            timers.registerEventTimeTimer(counted + MINUTE - 1);
        }
        // Live: the open minute (or the rewrite) goes out within emitEvery of wall time.
        long due = (timers.currentProcessingTime() / emitEveryMillis + 1) * emitEveryMillis;
        timers.registerProcessingTimeTimer(due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Coverage> out) throws Exception {
        // First, final minutes a late person changed.
        String area = ctx.getCurrentKey();
        Long done = finalUpTo.value();
        long active = lastActive.value();
        long quietAt = active + RATE_MINUTES * MINUTE; // the first minute whose rate window is empty
        Long rewrite = rewriteFrom.value();
        if (rewrite != null && done != null) {
            for (long m = rewrite; m <= done; m += MINUTE) {
                emit(area, m, out);
            }
            rewriteFrom.clear();
        }
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            // Minutes up to the watermark are final. At the end of input every minute up to the
            // rate's decay is, so a bounded replay and a live run write the same points.
            boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
            long upTo = endOfInput ? quietAt : Tally.minuteOf(timestamp);
            long from = done == null ? firstMinute() : done + MINUTE;
            long last = Math.min(upTo, quietAt);
            for (long m = from; m <= last; m += MINUTE) {
                emit(area, m, out);
            }
            if (last >= from) {
                finalUpTo.update(last);
            }
            if (!endOfInput && upTo < quietAt) {
                ctx.timerService().registerEventTimeTimer(upTo + 2 * MINUTE - 1); // the rate decays minute by minute
            }
            forgetBefore(oldestKept());
            return;
        }
        // Processing time: send the open minutes live.
        for (long m = done == null ? firstMinute() : done + MINUTE; m <= active; m += MINUTE) {
            if (newPerMinute.contains(m) || m == active) {
                out.collect(point(area, m));
            }
        }
    }

    /**
     * A final minute's point, if anyone was counted in its rate window or the one before (the drop to 0).
     * "Counted" includes a person taken back again: the minute had a point then, and the point must be
     * rewritten, or a stale figure would stay in InfluxDB.
     */
    private void emit(String area, long minute, Collector<Coverage> out) throws Exception {
        long from = minute - RATE_MINUTES * MINUTE;
        for (Long m : newPerMinute.keys()) {
            if (m >= from && m <= minute) {
                out.collect(point(area, minute));
                return;
            }
        }
    }

    /** New people in the 15 minutes up to and including {@code minute}. */
    private long recent(long minute) throws Exception {
        long from = minute - (RATE_MINUTES - 1) * MINUTE;
        long n = 0;
        for (Map.Entry<Long, Long> e : newPerMinute.entries()) {
            if (e.getKey() >= from && e.getKey() <= minute) {
                n += e.getValue();
            }
        }
        return n;
    }

    /** The coverage point of one minute: everything known up to its end. */
    private Coverage point(String area, long minute) throws Exception {
        long sampled = before.value() == null ? 0 : before.value();
        for (Map.Entry<Long, Long> e : newPerMinute.entries()) {
            if (e.getKey() <= minute) {
                sampled += e.getValue();
            }
        }
        double ratePerHour = recent(minute) * 60.0 / RATE_MINUTES;
        Area a = areas.get(area);
        Area township = campaign.townshipOf(area);
        CoverageScope scope = a.isRoot() ? CoverageScope.COUNTY
                : township.id().equals(area) ? CoverageScope.TOWNSHIP : CoverageScope.AREA;
        return CoverageFigures.of(scope, township == null ? null : township.id(), a.level(), area, minute, sampled,
                a.population(), ratePerHour, target);
    }

    private long firstMinute() throws Exception {
        long first = Long.MAX_VALUE;
        for (Long m : newPerMinute.keys()) {
            first = Math.min(first, m);
        }
        return first;
    }

    private long oldestKept() throws Exception {
        Long done = finalUpTo.value();
        return done == null ? Long.MIN_VALUE : Tally.minuteOf(done - keepMillis + MINUTE);
    }

    /** Folds minutes too old to be corrected into the count before them. */
    private void forgetBefore(long limit) throws Exception {
        long folded = 0;
        for (Iterator<Map.Entry<Long, Long>> it = newPerMinute.iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> e = it.next();
            if (e.getKey() < limit) {
                folded += e.getValue();
                it.remove();
            }
        }
        if (folded > 0) {
            before.update((before.value() == null ? 0 : before.value()) + folded);
        }
    }
}
