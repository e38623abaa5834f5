package dev.sweep.jobs.coverage;

import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Fires an event-time window when the watermark passes its end, and also early: within
 * {@code every} of wall time after new scans arrive, so the live minute (and late corrections)
 * show up while the feed is quiet. Never purges: each firing carries the whole minute so far.
 * State per window: when the pending early firing is due.
 */
public final class EarlyFiringTrigger extends Trigger<Object, TimeWindow> {
    private final long everyMillis;
    private final ValueStateDescriptor<Long> due = new ValueStateDescriptor<>("early-firing-due", Types.LONG);

    public EarlyFiringTrigger(Duration every) {
        this.everyMillis = every.toMillis();
    }

    @Override
    public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx)
            throws Exception {
        if (window.maxTimestamp() > ctx.getCurrentWatermark()) {
            ctx.registerEventTimeTimer(window.maxTimestamp());
        }
        ValueState<Long> pending = ctx.getPartitionedState(due);
        if (pending.value() == null) {
            long at = ctx.getCurrentProcessingTime() + everyMillis;
            ctx.registerProcessingTimeTimer(at);
            pending.update(at);
        }
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) throws Exception {
        ctx.getPartitionedState(due).clear();
        return TriggerResult.FIRE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) throws Exception {
        // The on-time firing supersedes a pending early one. At the window's cleanup (end +
        // lateness) a pending late correction fires now: processing-time timers do not fire
        // once a bounded input has ended, and a fast replay passes the lateness in a blink.
        ValueState<Long> pending = ctx.getPartitionedState(due);
        boolean wasPending = pending.value() != null;
        if (wasPending) {
            ctx.deleteProcessingTimeTimer(pending.value());
            pending.clear();
        }
        return time == window.maxTimestamp() || wasPending ? TriggerResult.FIRE : TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) throws Exception {
        ctx.deleteEventTimeTimer(window.maxTimestamp());
        ValueState<Long> pending = ctx.getPartitionedState(due);
        if (pending.value() != null) {
            ctx.deleteProcessingTimeTimer(pending.value());
            pending.clear();
        }
    }

    @Override
    public String toString() {
        return "EarlyFiringTrigger(" + everyMillis + " ms)";
    }
}
