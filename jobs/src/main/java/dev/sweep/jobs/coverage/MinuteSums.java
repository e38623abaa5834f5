package dev.sweep.jobs.coverage;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sums records per key (a site or an area, and a minute) in the task that produces them, and sends the sums
 * on every {@link #SEND_EVERY_MS} of wall time, before each watermark (the next operator sees them before
 * their minute is final) and before each checkpoint barrier (nothing is held across a checkpoint), so the
 * keyed operator after it takes one record per key and minute instead of one per scan.
 * State: the sums not yet sent (none across checkpoints).
 */
abstract class MinuteSums<IN, K, S> extends AbstractStreamOperator<S>
        implements OneInputStreamOperator<IN, S>, ProcessingTimeCallback {
    /** Short next to the early emission of minutes and coverage: summing adds at most this to their latency. */
    static final long SEND_EVERY_MS = 100;

    private transient Map<K, S> pending;
    private transient boolean scheduled;

    /** Sums {@code in} under its key or keys ({@link #sum}), or leaves it out. */
    abstract void sumUp(IN in);

    /** A new, empty sum for {@code key}. */
    abstract S start(K key, IN first);

    /** Adds {@code in} to {@code sum}. */
    abstract void add(S sum, IN in);

    /** The event time the sum belongs to (its minute). */
    abstract long timeOf(S sum);

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<IN> element) {
        sumUp(element.getValue());
    }

    /** Adds {@code in} to the sum of {@code key}. */
    final void sum(K key, IN in) {
        S sum = pending.get(key);
        if (sum == null) {
            sum = start(key, in);
            pending.put(key, sum);
        }
        add(sum, in);
        if (!scheduled) {
            scheduled = true;
            getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + SEND_EVERY_MS, this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        scheduled = false;
        send();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        send();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        send();
    }

    @Override
    public void finish() throws Exception {
        send();
        super.finish();
    }

    private void send() {
        if (pending.isEmpty()) {
            return;
        }
        for (S sum : pending.values()) {
            output.collect(new StreamRecord<>(sum, timeOf(sum)));
        }
        pending.clear();
    }
}
