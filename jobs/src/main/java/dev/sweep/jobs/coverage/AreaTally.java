package dev.sweep.jobs.coverage;

import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.records.AreaCount;
import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Right after the person register, in the same task: adds up the people counted in (and taken back) per
 * township and minute, and sends the sums on every {@code every} of wall time, before each watermark (so
 * coverage sees them before its minute is final) and before each checkpoint barrier (nothing is held across
 * a checkpoint). Coverage then takes a record per area and minute, not one per person: the county, which
 * every person counts into, no longer funnels every scan through one key.
 * State: the sums not yet sent (none across checkpoints).
 */
public final class AreaTally extends AbstractStreamOperator<AreaCount>
        implements OneInputStreamOperator<Counted, AreaCount>, ProcessingTimeCallback {
    private final Scenario campaign;
    private final long everyMillis;
    private transient Map<String, Map<Long, int[]>> pending;
    private transient boolean scheduled;

    public AreaTally(Scenario campaign, Duration every) {
        this.campaign = campaign;
        this.everyMillis = every.toMillis();
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<Counted> element) {
        Counted c = element.getValue();
        if (c.persons == 0) {
            return;
        }
        String township = campaign.sites().get(c.site).townshipId();
        pending.computeIfAbsent(township, t -> new HashMap<>())
                .computeIfAbsent(Tally.minuteOf(c.at), m -> new int[1])[0] += c.persons;
        if (!scheduled) {
            scheduled = true;
            getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + everyMillis, this);
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
        for (Map.Entry<String, Map<Long, int[]>> area : pending.entrySet()) {
            for (Map.Entry<Long, int[]> minute : area.getValue().entrySet()) {
                if (minute.getValue()[0] != 0) {
                    output.collect(new StreamRecord<>(new AreaCount(area.getKey(), minute.getKey(), minute.getValue()[0]),
                            minute.getKey()));
                }
            }
        }
        pending.clear();
    }
}
