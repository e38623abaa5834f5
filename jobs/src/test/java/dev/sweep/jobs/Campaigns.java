package dev.sweep.jobs;

import dev.sweep.campaign.Scenario;

/** The campaigns the job's tests run on, loaded once. */
public final class Campaigns {
    /** The shipped Neixiang campaign: 16 townships, 381 sites. */
    public static final Scenario NEIXIANG = Scenario.load("neixiang");
    /** A small test campaign (src/test/resources/scenarios/tiny): two townships, a two-hour wave. */
    public static final String TINY_DIR = Campaigns.class.getResource("/scenarios/tiny").getPath();
    public static final Scenario TINY = Scenario.load(TINY_DIR);

    private Campaigns() {}
}
