package dev.sweep.jobs.coverage;

import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.Scan;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by person: drops a scan whose scanId was already seen (a station's retry) and decides which scan
 * is the person's first of the campaign, by event time, whatever order the scans come in: a scan earlier
 * than the one counted so far takes the person over, and the one before gives the person back
 * ({@link Counted#takenBack}), so a backlog read and a live run count each person in the same place. Ties
 * go to the lower scanId. A scan behind the watermark is counted late (it still counts everywhere it can).
 * State per person: the first scan (when, which, where, toward which home area) and the scans seen within the dedup TTL of event
 * time (a person has one or two: a small array, no TTL machinery to run on every access). The person is
 * forgotten {@code forgetAfter} of wall time after their last scan: long enough for the whole campaign, so
 * a job left running after it does not keep every resident for good (20 million keys in a city).
 */
public final class PersonRegister extends KeyedProcessFunction<String, Scan, Counted> {
    public static final OutputTag<Tally> TALLIES = new OutputTag<>("register-tallies") {};

    private final long dedupTtlMillis;
    private final Duration forgetAfter;
    private transient ValueState<Person> people;
    private transient Counter duplicates;
    private transient Counter late;

    /** One person's record in the register (a Flink POJO). */
    public static class Person {
        public long firstAt;
        public long firstScan;
        public int firstSite = -1;
        /** The home area the first scan gave, which the person counts toward. */
        public int firstHome = -1;
        /** The scans seen: scanId hash and scannedAt, in pairs. */
        public long[] seen = new long[0];

        public Person() {}
    }

    public PersonRegister(Duration dedupTtl, Duration forgetAfter) {
        this.dedupTtlMillis = dedupTtl.toMillis();
        this.forgetAfter = forgetAfter;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Person> person = new ValueStateDescriptor<>("person", TypeInformation.of(Person.class));
        // Written on every new scan of the person, never returned once expired; cleaned in the background
        // (RocksDB: by its compaction filter).
        person.enableTimeToLive(StateTtlConfig.newBuilder(forgetAfter).build());
        people = getRuntimeContext().getState(person);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
        late = getRuntimeContext().getMetricGroup().counter("late");
    }

    @Override
    public void processElement(Scan scan, Context ctx, Collector<Counted> out) throws Exception {
        Person p = people.value();
        if (p == null) {
            p = new Person();
        } else if (seen(p, scan)) {
            duplicates.inc();
            Tally t = new Tally(Tally.minuteOf(scan.scannedAt));
            t.duplicates = 1;
            ctx.output(TALLIES, t);
            return;
        }
        remember(p, scan);
        if (scan.scannedAt < ctx.timerService().currentWatermark()) {
            late.inc();
            Tally t = new Tally(Tally.minuteOf(scan.scannedAt));
            t.late = 1;
            ctx.output(TALLIES, t);
        }
        if (p.firstSite < 0) {
            takeOver(p, scan);
            out.collect(Counted.scan(scan, 1));
        } else if (scan.scannedAt < p.firstAt || (scan.scannedAt == p.firstAt && scan.scanId < p.firstScan)) {
            out.collect(Counted.takenBack(p.firstSite, p.firstHome, p.firstAt));
            takeOver(p, scan);
            out.collect(Counted.scan(scan, 1));
        } else {
            out.collect(Counted.scan(scan, 0));
        }
        people.update(p);
    }

    private static void takeOver(Person p, Scan scan) {
        p.firstAt = scan.scannedAt;
        p.firstScan = scan.scanId;
        p.firstSite = scan.site;
        p.firstHome = scan.home;
    }

    private static boolean seen(Person p, Scan scan) {
        for (int i = 0; i < p.seen.length; i += 2) {
            if (p.seen[i] == scan.scanId) {
                return true;
            }
        }
        return false;
    }

    /** Adds the scan, and forgets scans more than the TTL of event time before the newest one. */
    private void remember(Person p, Scan scan) {
        long newest = scan.scannedAt;
        for (int i = 1; i < p.seen.length; i += 2) {
            newest = Math.max(newest, p.seen[i]);
        }
        long forgetBefore = newest - dedupTtlMillis;
        long[] kept = new long[p.seen.length + 2];
        int n = 0;
        for (int i = 0; i < p.seen.length; i += 2) {
            if (p.seen[i + 1] >= forgetBefore) {
                kept[n++] = p.seen[i];
                kept[n++] = p.seen[i + 1];
            }
        }
        if (scan.scannedAt >= forgetBefore) {
            kept[n++] = scan.scanId;
            kept[n++] = scan.scannedAt;
        }
        p.seen = n == kept.length ? kept : Arrays.copyOf(kept, n);
    }
}
