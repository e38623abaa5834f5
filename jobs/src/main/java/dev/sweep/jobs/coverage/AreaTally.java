package dev.sweep.jobs.coverage;

import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.records.AreaCount;
import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.Tally;

/**
 * Right after the person register, in its task: the people counted in (and taken back) per township and
 * minute ({@link MinuteSums}). Coverage then takes a record per area and minute, not one per person: the
 * county, which every person counts into, no longer funnels every scan through one key.
 * State: the sums not yet sent (none across checkpoints).
 */
public final class AreaTally extends MinuteSums<Counted, String, AreaCount> {
    private final Scenario campaign;

    public AreaTally(Scenario campaign) {
        this.campaign = campaign;
    }

    @Override
    String keyOf(Counted c) {
        return c.persons == 0 ? null : campaign.sites().get(c.site).townshipId() + "@" + Tally.minuteOf(c.at);
    }

    @Override
    AreaCount start(String key, Counted first) {
        return new AreaCount(campaign.sites().get(first.site).townshipId(), Tally.minuteOf(first.at), 0);
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
