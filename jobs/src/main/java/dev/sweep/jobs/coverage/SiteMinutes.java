package dev.sweep.jobs.coverage;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.records.MinuteScans;
import dev.sweep.jobs.records.SiteCount;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
 * Keyed by site, fed parts of its minutes ({@link SiteTally}): each minute of event time's scans, first-time
 * persons, distinct tubes and samplers. A minute goes out early, within {@code emitEvery} of wall time after
 * it changes (the live board), again when the watermark passes its end (final), and again for a late scan
 * until the watermark passes its end plus the allowed lateness, when it is forgotten; a scan later than that
 * no longer changes it. A person taken back lowers the minute's persons. Every emission carries the whole
 * minute so far: the latest for (site, minute) wins downstream.
 * State per site: the minutes still open to corrections, and when the next early emission is due.
 */
public final class SiteMinutes extends KeyedProcessFunction<Integer, SiteCount, SiteMinute> {
    /** Each minute's scans as it goes out, for the site alerts (a compact record, not the Avro one). */
    public static final OutputTag<MinuteScans> SCANS = new OutputTag<>("minute-scans") {};
    static final long MINUTE = 60_000L;
    /** Minutes this far ahead of the event clock are a backlog: they go out on time, not early. */
    static final long AHEAD = 2 * MINUTE;

    private final Scenario campaign;
    private final long everyMillis;
    private final long latenessMillis;
    private transient MapState<Long, Minute> minutes;
    private transient ValueState<Early> early;

    /** One site's minute so far (a Flink POJO). */
    public static class Minute extends SiteCount {
        /** Changed since it last went out. */
        public boolean changed;

        public Minute() {}
    }

    /**
     * The site's early emission (a Flink POJO): when it is due (-1: none pending), which minutes changed since they
     * last went out (so a timer reads those, not every minute kept for lateness: two hours of them, a seek and a
     * decode each on RocksDB), and the event clock when it last fired (a clock that has not moved since is not
     * reading a backlog).
     */
    public static class Early {
        public long due = -1;
        public long[] changed = new long[0];
        public long clock = Long.MIN_VALUE;

        public Early() {}

        void add(long minute) {
            changed = Arrays.copyOf(changed, changed.length + 1);
            changed[changed.length - 1] = minute;
        }

        void remove(long minute) {
            for (int i = 0; i < changed.length; i++) {
                if (changed[i] == minute) {
                    long[] rest = new long[changed.length - 1];
                    System.arraycopy(changed, 0, rest, 0, i);
                    System.arraycopy(changed, i + 1, rest, i, rest.length - i);
                    changed = rest;
                    return;
                }
            }
        }
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
        early = getRuntimeContext().getState(new ValueStateDescriptor<>("early", TypeInformation.of(Early.class)));
    }

    @Override
    public void processElement(SiteCount part, Context ctx, Collector<SiteMinute> out) throws Exception {
        long minute = part.minute;
        long end = minute + MINUTE - 1;
        long watermark = ctx.timerService().currentWatermark();
        if (end + latenessMillis <= watermark) {
            return; // beyond the allowed lateness: the minute is final and forgotten
        }
        Minute m = minutes.get(minute);
        if (m == null) {
            m = new Minute();
            m.site = part.site;
            m.minute = minute;
            if (end > watermark) {
                ctx.timerService().registerEventTimeTimer(end);
            }
            if (latenessMillis > 0) {
                ctx.timerService().registerEventTimeTimer(end + latenessMillis);
            }
        }
        m.add(part);
        Early e = early.value();
        if (e == null) {
            e = new Early();
        }
        if (!m.changed) {
            m.changed = true;
            e.add(minute);
        }
        if (e.due < 0) {
            e.due = ctx.timerService().currentProcessingTime() + everyMillis;
            ctx.timerService().registerProcessingTimeTimer(e.due);
        }
        minutes.put(minute, m);
        early.update(e);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<SiteMinute> out) throws Exception {
        Early e = early.value();
        long watermark = ctx.timerService().currentWatermark();
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            e.due = -1;
            // A minute far ahead of a moving event clock is a backlog being read: its on-time emission comes soon
            // and carries it; early emissions are for the minutes being lived now, and late corrections. A clock
            // that has stopped (the stations went quiet, the inputs idle) may never reach it: it goes out now.
            boolean clockStopped = watermark == e.clock;
            e.clock = watermark;
            for (long minute : e.changed.clone()) {
                Minute m = minutes.get(minute);
                if (m != null && m.changed
                        && (watermark == Long.MIN_VALUE || clockStopped || m.minute <= watermark + AHEAD)) {
                    emit(m, e, ctx, out);
                }
            }
            if (e.changed.length > 0) {
                // Minutes held back for the clock: look again, in case it stops short of them.
                e.due = ctx.timerService().currentProcessingTime() + everyMillis;
                ctx.timerService().registerProcessingTimeTimer(e.due);
            }
            keep(e);
            return;
        }
        // The minute that ends now goes out final; the one whose lateness ends now goes out if a late
        // correction is still waiting, and is forgotten.
        long ending = time + 1 - MINUTE;
        Minute m = minutes.get(ending);
        if (m != null) {
            emit(m, e, ctx, out);
            if (latenessMillis == 0) {
                minutes.remove(ending);
            }
        }
        if (latenessMillis > 0) {
            long expiring = ending - latenessMillis;
            Minute gone = minutes.get(expiring);
            if (gone != null) {
                if (gone.changed) {
                    emit(gone, e, ctx, out);
                }
                minutes.remove(expiring);
            }
        }
        if (e != null && e.changed.length == 0 && e.due >= 0) {
            // Nothing left to send early: the pending emission goes (the on-time one carried it).
            ctx.timerService().deleteProcessingTimeTimer(e.due);
        }
        keep(e);
    }

    /** Sends the minute as it stands (and its scans to the site alerts); it is no longer changed. */
    private void emit(Minute m, Early e, OnTimerContext ctx, Collector<SiteMinute> out) throws Exception {
        Site site = campaign.sites().get(m.site);
        out.collect(new SiteMinute(site.townshipId(), site.id(), Instant.ofEpochMilli(m.minute), m.scans, m.persons,
                m.tubes.length, m.samplers.length));
        ctx.output(SCANS, new MinuteScans(m.site, m.minute, m.scans));
        if (m.changed) {
            m.changed = false;
            e.remove(m.minute);
        }
        minutes.put(m.minute, m);
    }

    private void keep(Early e) throws Exception {
        if (e == null || e.changed.length == 0) {
            early.clear();
        } else {
            early.update(e);
        }
    }
}
