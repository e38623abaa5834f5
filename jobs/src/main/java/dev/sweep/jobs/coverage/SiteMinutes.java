package dev.sweep.jobs.coverage;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.MinuteScans;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by site: each minute of event time's scans, first-time persons, distinct tubes and samplers. A
 * minute goes out early, within {@code emitEvery} of wall time after it changes (the live board), again
 * when the watermark passes its end (final), and again for a late scan until the watermark passes its end
 * plus the allowed lateness, when it is forgotten; a scan later than that no longer changes it. A person
 * taken back ({@link Counted#takenBack}) lowers the minute's persons. Every emission carries the whole
 * minute so far: the latest for (site, minute) wins downstream.
 * State per site: the minutes still open to corrections, and when the next early emission is due.
 */
public final class SiteMinutes extends KeyedProcessFunction<Integer, Counted, SiteMinute> {
    /** Each minute's scans as it goes out, for the site alerts (a compact record, not the Avro one). */
    public static final OutputTag<MinuteScans> SCANS = new OutputTag<>("minute-scans") {};
    static final long MINUTE = 60_000L;

    private final Scenario campaign;
    private final long everyMillis;
    private final long latenessMillis;
    private transient MapState<Long, Minute> minutes;
    private transient ValueState<Long> emitDue;

    /** One site's minute so far (a Flink POJO); the sets are small: a minute's tubes and samplers. */
    public static class Minute {
        public int scans;
        public int persons;
        public long[] tubes = new long[0];
        public long[] samplers = new long[0];
        /** Changed since it last went out. */
        public boolean changed;

        public Minute() {}
    }

    public SiteMinutes(Scenario campaign, Duration emitEvery, Duration lateness) {
        this.campaign = campaign;
        this.everyMillis = emitEvery.toMillis();
        this.latenessMillis = lateness.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        minutes = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("minutes", Types.LONG, TypeInformation.of(Minute.class)));
        emitDue = getRuntimeContext().getState(new ValueStateDescriptor<>("emit-due", Types.LONG));
    }

    @Override
    public void processElement(Counted c, Context ctx, Collector<SiteMinute> out) throws Exception {
        long minute = Tally.minuteOf(c.at);
        long end = minute + MINUTE - 1;
        long watermark = ctx.timerService().currentWatermark();
        if (end + latenessMillis <= watermark) {
            return; // beyond the allowed lateness: the minute is final and forgotten
        }
        Minute m = minutes.get(minute);
        if (m == null) {
            m = new Minute();
            if (end > watermark) {
                ctx.timerService().registerEventTimeTimer(end);
            }
            if (latenessMillis > 0) {
                ctx.timerService().registerEventTimeTimer(end + latenessMillis);
            }
        }
        m.scans += c.scans;
        m.persons += c.persons;
        if (c.scans > 0) {
            m.tubes = with(m.tubes, c.tube);
            m.samplers = with(m.samplers, c.sampler);
        }
        m.changed = true;
        minutes.put(minute, m);
        if (emitDue.value() == null) {
            long due = ctx.timerService().currentProcessingTime() + everyMillis;
            ctx.timerService().registerProcessingTimeTimer(due);
            emitDue.update(due);
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<SiteMinute> out) throws Exception {
        int site = ctx.getCurrentKey();
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            emitDue.clear();
            for (Map.Entry<Long, Minute> e : minutes.entries()) {
                if (e.getValue().changed) {
                    emit(site, e.getKey(), e.getValue(), ctx, out);
                }
            }
            return;
        }
        // The minute that ends now goes out final; the one whose lateness ends now goes out if a late
        // correction is still waiting, and is forgotten.
        long ending = time + 1 - MINUTE;
        Minute m = minutes.get(ending);
        if (m != null) {
            emit(site, ending, m, ctx, out);
            if (latenessMillis == 0) {
                minutes.remove(ending);
            }
        }
        if (latenessMillis > 0) {
            long expiring = ending - latenessMillis;
            Minute gone = minutes.get(expiring);
            if (gone != null) {
                if (gone.changed) {
                    emit(site, expiring, gone, ctx, out);
                }
                minutes.remove(expiring);
            }
        }
        Long due = emitDue.value();
        if (due != null && !anyChanged()) {
            ctx.timerService().deleteProcessingTimeTimer(due);
            emitDue.clear();
        }
    }

    private boolean anyChanged() throws Exception {
        for (Minute m : minutes.values()) {
            if (m.changed) {
                return true;
            }
        }
        return false;
    }

    private void emit(int siteIndex, long minute, Minute m, OnTimerContext ctx, Collector<SiteMinute> out) throws Exception {
        Site site = campaign.sites().get(siteIndex);
        out.collect(SiteMinute.newBuilder()
                .setSiteId(site.id())
                .setTownshipId(site.townshipId())
                .setWindowStart(Instant.ofEpochMilli(minute))
                .setScans(m.scans)
                .setPersons(m.persons)
                .setTubes(m.tubes.length)
                .setSamplers(m.samplers.length)
                .build());
        ctx.output(SCANS, new MinuteScans(siteIndex, minute, m.scans));
        if (m.changed) {
            m.changed = false;
            minutes.put(minute, m);
        }
    }

    private static long[] with(long[] set, long id) {
        for (long v : set) {
            if (v == id) {
                return set;
            }
        }
        long[] more = Arrays.copyOf(set, set.length + 1);
        more[set.length] = id;
        return more;
    }
}
