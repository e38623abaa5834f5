package dev.sweep.jobs.inbound;

import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.Inbound;
import dev.sweep.jobs.records.Scan;
import dev.sweep.jobs.records.Tally;
import dev.sweep.schemas.Rejection;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Sends scans on, heartbeats and dead letters to their own outputs, and counts events and dead
 * letters (Flink metrics, and {@link Tally}s per event-time minute emitted every second and
 * before each checkpoint barrier, so no count is lost or doubled on recovery).
 * State: the tallies not yet emitted (none across checkpoints).
 */
public final class RouteInbound extends AbstractStreamOperator<Scan>
        implements OneInputStreamOperator<Inbound, Scan>, ProcessingTimeCallback {
    public static final OutputTag<Heartbeat> HEARTBEATS = new OutputTag<>("heartbeats") {};
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<Tally> TALLIES = new OutputTag<>("tallies") {};
    private static final long EMIT_EVERY_MS = 1_000;

    private transient Map<Long, Tally> pending;
    private transient Tally last;
    private transient Counter events;
    private transient Map<String, Counter> deadLetters;

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
        events = getMetricGroup().counter("events");
        deadLetters = new HashMap<>();
        for (Rejection r : Rejection.values()) {
            deadLetters.put(r.code(), getMetricGroup().addGroup("dead_letters").counter(r.code()));
        }
        scheduleEmit();
    }

    @Override
    public void processElement(StreamRecord<Inbound> element) {
        Inbound in = element.getValue();
        long minute = Tally.minuteOf(in.eventTime());
        Tally tally = last != null && last.minute == minute ? last : pending.computeIfAbsent(minute, Tally::new);
        last = tally; // most records fall in the minute of the one before
        if (in.scan != null) {
            tally.events++;
            events.inc();
            output.collect(element.replace(in.scan));
        } else if (in.heartbeat != null) {
            tally.events++;
            events.inc();
            output.collect(HEARTBEATS, new StreamRecord<>(in.heartbeat, element.getTimestamp()));
        } else {
            tally.countDeadLetter(in.deadLetter.reason);
            deadLetters.get(in.deadLetter.reason).inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(in.deadLetter, element.getTimestamp()));
        }
    }

    @Override
    public void onProcessingTime(long time) {
        emitTallies();
        scheduleEmit();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitTallies();
    }

    /** Before the end-of-input watermark: downstream emits its last figures on it. */
    @Override
    public void processWatermark(org.apache.flink.streaming.api.watermark.Watermark mark) throws Exception {
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            emitTallies();
        }
        super.processWatermark(mark);
    }

    @Override
    public void finish() throws Exception {
        emitTallies();
        super.finish();
    }

    private void emitTallies() {
        for (Tally t : pending.values()) {
            output.collect(TALLIES, new StreamRecord<>(t, t.minute));
        }
        pending.clear();
        last = null;
    }

    private void scheduleEmit() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + EMIT_EVERY_MS, this);
    }
}
