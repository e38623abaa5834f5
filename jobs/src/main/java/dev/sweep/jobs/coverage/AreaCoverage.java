package dev.sweep.jobs.coverage;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.jobs.records.AreaCount;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by area (any level of the campaign's tree, the root included), fed the people counted in per minute (or taken back: a
 * person whose first scan turned out to be elsewhere, see {@link PersonRegister}), summed by {@link AreaTally}: one
 * coverage point per minute of event time, with the people sampled up to that minute's end
 * against the population, the rate over the 15 minutes up to it, and the ETA to the target.
 * <p>
 * A minute's point is final when the watermark passes its end, so a replay writes the same
 * points. Before that, the open minute is sent live within {@code emitEvery} of wall time. A
 * late person rewrites the minutes from theirs on; one later than the kept minutes still counts
 * from the oldest kept minute on. No person is ever lost from coverage.
 * State per area: one {@link Minutes} (the people before the kept minutes, the people per kept minute, the last
 * final minute, the earliest minute to rewrite, the latest minute with people, the earliest minute not yet sent
 * live, the event clock last seen), read and written once per record
 * or timer: on RocksDB one get and one put, where a map of minutes cost a seek and a decode per minute per point.
 */
public final class AreaCoverage extends KeyedProcessFunction<String, AreaCount, Coverage> {
    /** The root's key on the coverage and alerts topics, whatever its id: what their readers have always used. */
    public static final String COUNTY = "county";
    static final long MINUTE = 60_000L;
    static final long RATE_MINUTES = 15;

    private final Scenario campaign;
    private final double target;
    private final long emitEveryMillis;
    private final long keepMillis;
    private transient Map<String, Area> areas;
    private transient ValueState<Minutes> minutes;

    /** @param lateness how long minutes stay correctable (at least the rate's 15 minutes are kept) */
    public AreaCoverage(Scenario campaign, double target, Duration emitEvery, Duration lateness) {
        this.campaign = campaign;
        this.target = target;
        this.emitEveryMillis = emitEvery.toMillis();
        this.keepMillis = Math.max(lateness.toMillis(), RATE_MINUTES * MINUTE);
    }

    @Override
    public void open(OpenContext context) {
        areas = new HashMap<>();
        for (Area a : campaign.areas()) {
            areas.put(a.id(), a);
        }
        minutes = getRuntimeContext().getState(new ValueStateDescriptor<>("minutes", TypeInformation.of(Minutes.class)));
    }

    @Override
    public void processElement(AreaCount people, Context ctx, Collector<Coverage> out) throws Exception {
        Minutes area = minutes.value();
        if (area == null) {
            area = new Minutes();
        }
        long minute = people.minute;
        long counted = Math.max(minute, oldestKept(area));
        area.add(counted, people.persons);
        area.lastActive = Math.max(area.lastActive, minute);
        area.liveFrom = area.liveFrom == NONE ? counted : Math.min(area.liveFrom, counted);
        TimerService timers = ctx.timerService();
        if (area.finalUpTo != NONE && counted <= area.finalUpTo) {
            // A minute already final changes, and so does every final minute after it.
            area.rewriteFrom = area.rewriteFrom == NONE ? counted : Math.min(area.rewriteFrom, counted);
            // The rewrite also goes out when the clock next moves (processing-time timers stop at
            // the end of input), and the rate may now decay past the last final minute.
            timers.registerEventTimeTimer(area.finalUpTo + 2 * MINUTE - 1);
        } else {
            timers.registerEventTimeTimer(counted + MINUTE - 1);
        }
        minutes.update(area);
        // Live: the open minute (or the rewrite) goes out within emitEvery of wall time.
        long due = (timers.currentProcessingTime() / emitEveryMillis + 1) * emitEveryMillis;
        timers.registerProcessingTimeTimer(due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Coverage> out) throws Exception {
        Minutes state = minutes.value();
        if (state == null) {
            return; // timers of an area whose state a restore did not bring (never: state and timers go together)
        }
        // First, final minutes a late person changed.
        String area = ctx.getCurrentKey();
        long done = state.finalUpTo;
        long quietAt = state.lastActive + RATE_MINUTES * MINUTE; // the first minute whose rate window is empty
        boolean changed = false;
        if (state.rewriteFrom != NONE && done != NONE) {
            for (long m = state.rewriteFrom; m <= done; m += MINUTE) {
                emit(state, area, m, out);
            }
            state.rewriteFrom = NONE;
            changed = true;
        }
        if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
            // Minutes up to the watermark are final. At the end of input every minute up to the
            // rate's decay is, so a bounded replay and a live run write the same points.
            boolean endOfInput = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
            long upTo = endOfInput ? quietAt : Tally.minuteOf(timestamp);
            long from = done == NONE ? state.first() : done + MINUTE;
            long last = Math.min(upTo, quietAt);
            for (long m = from; m <= last; m += MINUTE) {
                emit(state, area, m, out);
            }
            if (last >= from) {
                state.finalUpTo = last;
                changed = true;
            }
            if (!endOfInput && upTo < quietAt) {
                ctx.timerService().registerEventTimeTimer(upTo + 2 * MINUTE - 1); // the rate decays minute by minute
            }
            changed |= state.forgetBefore(oldestKept(state));
        } else if (state.liveFrom != NONE) {
            // Processing time: send the open minutes live, those a person changed since the last time (a point
            // counts everyone up to its minute, so from the earliest change on). Read from a backlog, the minutes
            // between the event clock and the newest can be many: sent again every second, they were most of the
            // job's InfluxDB points. As in SiteMinutes, minutes far ahead of a moving event clock are a backlog:
            // their final points come soon; a clock that has stopped may never reach them, so they go out then.
            long clock = ctx.timerService().currentWatermark();
            boolean clockStopped = clock == state.clock;
            state.clock = clock;
            long upTo = clock == Long.MIN_VALUE || clock == Long.MAX_VALUE || clockStopped ? state.lastActive
                    : Math.min(state.lastActive, Tally.minuteOf(clock) + SiteMinutes.AHEAD);
            long open = done == NONE ? state.first() : done + MINUTE;
            for (long m = Math.max(open, state.liveFrom); m <= upTo; m += MINUTE) {
                if (state.has(m) || m == state.lastActive) {
                    out.collect(point(state, area, m));
                }
            }
            if (upTo >= state.lastActive) {
                state.liveFrom = NONE;
            } else {
                state.liveFrom = Math.max(state.liveFrom, upTo + MINUTE); // held for the clock: look again
                ctx.timerService().registerProcessingTimeTimer((timestamp / emitEveryMillis + 1) * emitEveryMillis);
            }
            changed = true;
        }
        if (changed) {
            minutes.update(state);
        }
    }

    /**
     * A final minute's point, if anyone was counted in its rate window or the one before (the drop to 0).
     * "Counted" includes a person taken back again: the minute had a point then, and the point must be
     * rewritten, or a stale figure would stay in InfluxDB.
     */
    private void emit(Minutes state, String area, long minute, Collector<Coverage> out) {
        if (state.anyIn(minute - RATE_MINUTES * MINUTE, minute)) {
            out.collect(point(state, area, minute));
        }
    }

    /** The coverage point of one minute: everything known up to its end. */
    private Coverage point(Minutes state, String area, long minute) {
        long sampled = state.before + state.sum(Long.MIN_VALUE, minute);
        long recent = state.sum(minute - (RATE_MINUTES - 1) * MINUTE, minute); // the 15 minutes up to it
        double ratePerHour = recent * 60.0 / RATE_MINUTES;
        Area a = areas.get(area);
        Area township = campaign.townshipOf(area);
        CoverageScope scope = a.isRoot() ? CoverageScope.COUNTY
                : township.id().equals(area) ? CoverageScope.TOWNSHIP : CoverageScope.AREA;
        return CoverageFigures.of(scope, township == null ? null : township.id(), a.level(), area, minute, sampled,
                a.population(), ratePerHour, target);
    }

    private long oldestKept(Minutes state) {
        return state.finalUpTo == NONE ? Long.MIN_VALUE : Tally.minuteOf(state.finalUpTo - keepMillis + MINUTE);
    }

    /** "Not yet" for the minutes of {@link Minutes}. */
    static final long NONE = Long.MIN_VALUE;

    /**
     * An area's state (a Flink POJO: its long arrays serialize as such). The kept minutes are those a late person
     * may still change, about {@code lateness} of them; older ones are folded into {@link #before}.
     */
    public static final class Minutes {
        /** People counted in minutes no longer kept. */
        public long before;
        /** The kept minutes anyone was counted in (or taken back from), ascending. */
        public long[] minute = new long[0];
        /** The people of each kept minute (a person taken back is -1; a minute may sum to 0 and is still kept). */
        public long[] people = new long[0];
        /** The last minute whose point is final, or {@link #NONE}. */
        public long finalUpTo = NONE;
        /** The earliest final minute a late person changed, or {@link #NONE}. */
        public long rewriteFrom = NONE;
        /** The latest minute anyone was counted in, or {@link #NONE}. */
        public long lastActive = NONE;
        /** The earliest minute changed since the open minutes were last sent live, or {@link #NONE}. */
        public long liveFrom = NONE;
        /** The event clock when the open minutes were last looked at (one that has not moved since has stopped). */
        public long clock = Long.MIN_VALUE;

        public Minutes() {}

        void add(long m, long n) {
            int i = Arrays.binarySearch(minute, m);
            if (i >= 0) {
                people[i] += n;
                return;
            }
            int at = -i - 1;
            minute = insert(minute, at, m);
            people = insert(people, at, n);
        }

        private static long[] insert(long[] a, int at, long v) {
            long[] b = new long[a.length + 1];
            System.arraycopy(a, 0, b, 0, at);
            b[at] = v;
            System.arraycopy(a, at, b, at + 1, a.length - at);
            return b;
        }

        boolean has(long m) {
            return Arrays.binarySearch(minute, m) >= 0;
        }

        /** The first kept minute, or Long.MAX_VALUE if none. */
        long first() {
            return minute.length == 0 ? Long.MAX_VALUE : minute[0];
        }

        /** Whether a kept minute lies in [from, to]. */
        boolean anyIn(long from, long to) {
            int i = Arrays.binarySearch(minute, from);
            int at = i >= 0 ? i : -i - 1;
            return at < minute.length && minute[at] <= to;
        }

        /** The people of the kept minutes in [from, to]. */
        long sum(long from, long to) {
            long n = 0;
            for (int i = 0; i < minute.length && minute[i] <= to; i++) {
                if (minute[i] >= from) {
                    n += people[i];
                }
            }
            return n;
        }

        /** Folds the minutes before {@code limit} into {@link #before}; whether any were. */
        boolean forgetBefore(long limit) {
            int k = 0;
            while (k < minute.length && minute[k] < limit) {
                before += people[k];
                k++;
            }
            if (k == 0) {
                return false;
            }
            minute = Arrays.copyOfRange(minute, k, minute.length);
            people = Arrays.copyOfRange(people, k, people.length);
            return true;
        }
    }
}
