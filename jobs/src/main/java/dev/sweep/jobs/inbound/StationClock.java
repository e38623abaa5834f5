package dev.sweep.jobs.inbound;

import dev.sweep.jobs.records.Inbound;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Event time of one Kafka partition: the latest scan or heartbeat minus the allowed
 * out-of-orderness. Dead letters have no trustworthy time, so they never move the clock.
 * State: the latest event time seen.
 */
public final class StationClock implements WatermarkGenerator<Inbound> {
    private final long outOfOrdernessMillis;
    private long latest = Long.MIN_VALUE;

    public StationClock(long outOfOrdernessMillis) {
        this.outOfOrdernessMillis = outOfOrdernessMillis;
    }

    @Override
    public void onEvent(Inbound event, long timestamp, WatermarkOutput output) {
        if (event.deadLetter == null && timestamp > latest) {
            latest = timestamp;
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (latest != Long.MIN_VALUE) {
            output.emitWatermark(new Watermark(latest - outOfOrdernessMillis - 1));
        }
    }
}
