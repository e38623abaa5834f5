package dev.sweep.jobs.coverage;

import dev.sweep.jobs.records.Scan;
import java.util.HashSet;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Adds up one site's minute: scans, first-time persons, distinct tubes and samplers.
 * State per window: the accumulator (the sets are small: a minute's tubes and samplers).
 */
public final class SiteMinuteTally implements AggregateFunction<Scan, SiteMinuteTally.Acc, SiteMinuteTally.Acc> {

    /** The running tally of one site-minute (a Flink POJO). */
    public static class Acc {
        public String townshipId;
        public int scans;
        public int persons;
        public HashSet<String> tubes = new HashSet<>();
        public HashSet<String> samplers = new HashSet<>();
    }

    @Override
    public Acc createAccumulator() {
        return new Acc();
    }

    @Override
    public Acc add(Scan scan, Acc acc) {
        acc.townshipId = scan.townshipId;
        acc.scans++;
        if (scan.firstTime) {
            acc.persons++;
        }
        acc.tubes.add(scan.tubeId);
        acc.samplers.add(scan.samplerId);
        return acc;
    }

    @Override
    public Acc getResult(Acc acc) {
        return acc;
    }

    @Override
    public Acc merge(Acc a, Acc b) {
        a.townshipId = a.townshipId != null ? a.townshipId : b.townshipId;
        a.scans += b.scans;
        a.persons += b.persons;
        a.tubes.addAll(b.tubes);
        a.samplers.addAll(b.samplers);
        return a;
    }
}
