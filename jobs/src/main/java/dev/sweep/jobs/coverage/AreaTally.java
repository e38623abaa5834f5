package dev.sweep.jobs.coverage;

import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.records.AreaCount;
import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.Tally;

/**
 * Right after the person register, in its task: the people counted in (and taken back) per area and minute
 * ({@link MinuteSums}), each person into their home area and every area above it up to the root. Coverage
 * then takes a record per area and minute, not one per person: the root, which every person counts into,
 * no longer funnels every scan through one key.
 * State: the sums not yet sent (none across checkpoints).
 */
public final class AreaTally extends MinuteSums<Counted, Long, AreaCount> {
    private final Scenario campaign;
    private transient String[] areaIds;

    public AreaTally(Scenario campaign) {
        this.campaign = campaign;
    }

    @Override
    public void open() throws Exception {
        super.open();
        areaIds = campaign.areas().stream().map(a -> a.id()).toArray(String[]::new);
    }

    @Override
    void sumUp(Counted c) {
        if (c.persons == 0) {
            return;
        }
        long minute = Tally.minuteOf(c.at) / AreaCoverage.MINUTE;
        for (int area : campaign.lineage(c.home)) {
            sum((long) area << 32 | (minute & 0xffff_ffffL), c);
        }
    }

    @Override
    AreaCount start(Long key, Counted first) {
        return new AreaCount(areaIds[(int) (key >>> 32)], Tally.minuteOf(first.at), 0);
    }

    @Override
    void add(AreaCount sum, Counted c) {
        sum.persons += c.persons;
    }

    @Override
    long timeOf(AreaCount sum) {
        return sum.minute;
    }
}
