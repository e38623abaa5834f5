package dev.sweep.jobs.coverage;

import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.producers.scenario.Scenario;
import dev.sweep.producers.scenario.Township;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by township, fed the first scan of each person: people sampled so far against the
 * population, the rate over the last 15 minutes of event time, and the ETA to the target.
 * Updates go out within a second of wall time after a change, again as the county's clock
 * (the watermark) moves on while the rate decays, and once more at the end of input.
 * State per township: sampled, new persons per minute of the last 15, latest event time, dirty.
 */
public final class TownshipCoverage extends KeyedProcessFunction<String, Scan, Coverage> {
    static final long MINUTE = 60_000L;
    static final long RATE_WINDOW = 15 * MINUTE;

    private final String scenario;
    private final double target;
    private final long emitEveryMillis;
    private transient Map<String, Integer> population;
    private transient ValueState<Long> sampled;
    private transient MapState<Long, Integer> newPerMinute;
    private transient ValueState<Long> latest;
    private transient ValueState<Boolean> dirty;

    public TownshipCoverage(String scenario, double target, long emitEveryMillis) {
        this.scenario = scenario;
        this.target = target;
        this.emitEveryMillis = emitEveryMillis;
    }

    @Override
    public void open(OpenContext context) {
        population = new HashMap<>();
        for (Township t : Scenario.load(scenario).townships()) {
            population.put(t.id(), t.population());
        }
        sampled = getRuntimeContext().getState(new ValueStateDescriptor<>("sampled", Types.LONG));
        newPerMinute = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("new-per-minute", Types.LONG, Types.INT));
        latest = getRuntimeContext().getState(new ValueStateDescriptor<>("latest-event", Types.LONG));
        dirty = getRuntimeContext().getState(new ValueStateDescriptor<>("dirty", Types.BOOLEAN));
    }

    @Override
    public void processElement(Scan scan, Context ctx, Collector<Coverage> out) throws Exception {
        sampled.update(sampled.value() == null ? 1 : sampled.value() + 1);
        long minute = Tally.minuteOf(scan.scannedAt);
        Integer n = newPerMinute.get(minute);
        newPerMinute.put(minute, n == null ? 1 : n + 1);
        if (latest.value() == null || scan.scannedAt > latest.value()) {
            latest.update(scan.scannedAt);
        }
        markDirty(ctx.timerService());
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE); // the final update at end of input
    }

    private void markDirty(org.apache.flink.streaming.api.TimerService timers) throws Exception {
        if (dirty.value() == null) {
            dirty.update(Boolean.TRUE);
            timers.registerProcessingTimeTimer(timers.currentProcessingTime() + emitEveryMillis);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Coverage> out) throws Exception {
        long clock = clock(ctx.timerService().currentWatermark());
        double rate = ratePerHour(clock);
        if (dirty.value() != null || ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.EVENT_TIME) {
            dirty.clear();
            String township = ctx.getCurrentKey();
            out.collect(CoverageFigures.of(CoverageScope.TOWNSHIP, township, Tally.minuteOf(clock), sampled.value(),
                    population.getOrDefault(township, 0), rate, target));
        }
        // While people were sampled in the last 15 min, the rate changes as the clock moves on
        // (at the end of input the clock stops: the watermark is final).
        long nextMinute = Tally.minuteOf(clock) + MINUTE;
        long watermark = ctx.timerService().currentWatermark();
        if (rate > 0 && watermark != Long.MAX_VALUE && nextMinute > watermark) {
            ctx.timerService().registerEventTimeTimer(nextMinute);
        }
    }

    /** The township's event-time clock: its latest scan, or the county's watermark if later. */
    private long clock(long watermark) throws Exception {
        long own = latest.value();
        return watermark == Long.MAX_VALUE ? own : Math.max(own, watermark);
    }

    /** People newly sampled per hour over the 15 minutes up to {@code clock}; drops older minutes. */
    private double ratePerHour(long clock) throws Exception {
        long fromMinute = Tally.minuteOf(clock) - RATE_WINDOW + MINUTE;
        long count = 0;
        for (Iterator<Map.Entry<Long, Integer>> it = newPerMinute.iterator(); it.hasNext(); ) {
            Map.Entry<Long, Integer> e = it.next();
            if (e.getKey() < fromMinute) {
                it.remove();
            } else if (e.getKey() <= clock) {
                count += e.getValue();
            }
        }
        double hours = (clock - fromMinute + 1) / 3_600_000.0;
        return count / hours;
    }
}
