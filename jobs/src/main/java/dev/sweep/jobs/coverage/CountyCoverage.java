package dev.sweep.jobs.coverage;

import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.producers.scenario.Scenario;
import java.util.Map;
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
 * The county from its townships' latest updates: people sampled, rate and ETA for the whole
 * county, emitted within a second of wall time after any township changes, and at end of input.
 * State: the latest update of each township; dirty.
 */
public final class CountyCoverage extends KeyedProcessFunction<String, Coverage, Coverage> {
    public static final String KEY = "county";

    private final String scenario;
    private final double target;
    private final long emitEveryMillis;
    private transient long population;
    private transient MapState<String, Coverage> townships;
    private transient ValueState<Boolean> dirty;

    public CountyCoverage(String scenario, double target, long emitEveryMillis) {
        this.scenario = scenario;
        this.target = target;
        this.emitEveryMillis = emitEveryMillis;
    }

    @Override
    public void open(OpenContext context) {
        population = Scenario.load(scenario).population();
        townships = getRuntimeContext().getMapState(new MapStateDescriptor<>("townships", Types.STRING,
                TypeInformation.of(Coverage.class)));
        dirty = getRuntimeContext().getState(new ValueStateDescriptor<>("dirty", Types.BOOLEAN));
    }

    @Override
    public void processElement(Coverage update, Context ctx, Collector<Coverage> out) throws Exception {
        townships.put(update.getTownshipId(), update);
        if (dirty.value() == null) {
            dirty.update(Boolean.TRUE);
            ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + emitEveryMillis);
        }
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Coverage> out) throws Exception {
        if (dirty.value() == null) {
            return;
        }
        dirty.clear();
        long sampled = 0;
        double rate = 0;
        long minute = Long.MIN_VALUE;
        for (Map.Entry<String, Coverage> e : townships.entries()) {
            sampled += e.getValue().getSampled();
            rate += e.getValue().getRatePerHour();
            minute = Math.max(minute, e.getValue().getMinute().toEpochMilli());
        }
        out.collect(CoverageFigures.of(CoverageScope.COUNTY, null, minute, sampled, population, rate, target));
    }
}
