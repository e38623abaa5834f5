package dev.sweep.jobs.coverage;

import dev.sweep.jobs.records.Tally;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by job: adds up the operators' tallies per event-time minute and emits the minutes that
 * changed, with the watermark's lag behind the wall clock, every second and at end of input.
 * State: the totals of every minute so far, and which minutes changed since the last emit.
 */
public final class PipelineHealth extends KeyedProcessFunction<String, Tally, Tally> {
    private final long emitEveryMillis;
    private transient MapState<Long, Tally> minutes;
    private transient MapState<Long, Boolean> changed;

    public PipelineHealth(long emitEveryMillis) {
        this.emitEveryMillis = emitEveryMillis;
    }

    @Override
    public void open(OpenContext context) {
        minutes = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("minutes", Types.LONG, TypeInformation.of(Tally.class)));
        changed = getRuntimeContext().getMapState(new MapStateDescriptor<>("changed", Types.LONG, Types.BOOLEAN));
    }

    @Override
    public void processElement(Tally part, Context ctx, Collector<Tally> out) throws Exception {
        Tally total = minutes.get(part.minute);
        if (total == null) {
            total = new Tally(part.minute);
        }
        total.add(part);
        minutes.put(part.minute, total);
        if (changed.isEmpty()) {
            ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + emitEveryMillis);
        }
        changed.put(part.minute, Boolean.TRUE);
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
            total.watermarkLagMs = Double.NaN; // after the end of input no timer fires any more
            out.collect(total);
            changed.remove(part.minute);
            return;
        }
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Tally> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        double lag = watermark == Long.MIN_VALUE || watermark == Long.MAX_VALUE
                ? Double.NaN : ctx.timerService().currentProcessingTime() - watermark;
        List<Long> emitted = new ArrayList<>();
        for (Long minute : changed.keys()) {
            Tally total = minutes.get(minute);
            total.watermarkLagMs = lag;
            out.collect(total);
            emitted.add(minute);
        }
        for (Long minute : emitted) {
            changed.remove(minute);
        }
    }
}
