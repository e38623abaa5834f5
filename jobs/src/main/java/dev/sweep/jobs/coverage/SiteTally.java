package dev.sweep.jobs.coverage;

import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.SiteCount;
import dev.sweep.jobs.records.Tally;

/**
 * Right after the person register, in its task: scans, people, tubes and samplers per site and minute
 * ({@link MinuteSums}), so {@link SiteMinutes} takes a partial minute per site instead of every scan.
 * State: the sums not yet sent (none across checkpoints).
 */
public final class SiteTally extends MinuteSums<Counted, Long, SiteCount> {
    @Override
    void sumUp(Counted c) {
        sum((Tally.minuteOf(c.at) / 60_000L) << 32 | c.site, c);
    }

    @Override
    SiteCount start(Long key, Counted first) {
        return new SiteCount(first.site, Tally.minuteOf(first.at));
    }

    @Override
    void add(SiteCount sum, Counted c) {
        sum.add(c);
    }

    @Override
    long timeOf(SiteCount sum) {
        return sum.minute;
    }
}
