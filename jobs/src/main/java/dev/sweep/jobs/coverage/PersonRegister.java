package dev.sweep.jobs.coverage;

import dev.sweep.jobs.records.Scan;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by person: drops a scan whose scanId was already seen (a station's retry), and marks the
 * person's first scan of the campaign, so coverage counts people, not swabs. A scan behind the
 * watermark is counted late (it still counts everywhere it can).
 * State per person: the scanIds seen (expire after the dedup TTL; a person has one or two, so a
 * small array snapshots far faster than a map) and whether they were sampled.
 */
public final class PersonRegister extends KeyedProcessFunction<String, Scan, Scan> {
    public static final OutputTag<Tally> TALLIES = new OutputTag<>("register-tallies") {};

    private final Duration dedupTtl;
    private transient ValueState<String[]> scanIds;
    private transient ValueState<Boolean> sampled;
    private transient Counter duplicates;
    private transient Counter late;

    public PersonRegister(Duration dedupTtl) {
        this.dedupTtl = dedupTtl;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<String[]> seen = new ValueStateDescriptor<>("scan-ids", Types.OBJECT_ARRAY(Types.STRING));
        seen.enableTimeToLive(StateTtlConfig.newBuilder(dedupTtl)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        scanIds = getRuntimeContext().getState(seen);
        sampled = getRuntimeContext().getState(new ValueStateDescriptor<>("sampled", Types.BOOLEAN));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
        late = getRuntimeContext().getMetricGroup().counter("late");
    }

    @Override
    public void processElement(Scan scan, Context ctx, Collector<Scan> out) throws Exception {
        String[] seen = scanIds.value();
        if (seen != null && Arrays.asList(seen).contains(scan.scanId)) {
            duplicates.inc();
            Tally t = new Tally(Tally.minuteOf(scan.scannedAt));
            t.duplicates = 1;
            ctx.output(TALLIES, t);
            return;
        }
        String[] more = seen == null ? new String[1] : Arrays.copyOf(seen, seen.length + 1);
        more[more.length - 1] = scan.scanId;
        scanIds.update(more);
        if (scan.scannedAt < ctx.timerService().currentWatermark()) {
            late.inc();
            Tally t = new Tally(Tally.minuteOf(scan.scannedAt));
            t.late = 1;
            ctx.output(TALLIES, t);
        }
        scan.firstTime = sampled.value() == null;
        if (scan.firstTime) {
            sampled.update(Boolean.TRUE);
        }
        out.collect(scan);
    }
}
