package dev.sweep.board.state;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Wave;

/**
 * The coverage the campaign's plan expects at a moment: the target coverage, reached by the deadline at the pace of
 * the scenario's waves. Each wave brings its share of the people the waves plan for (its {@code persons}), evenly
 * over its open hours; only what is planned before the deadline counts. So at the end of Neixiang's first wave
 * (100,828 of the 478,609 people planned) the plan expects 0.85 × 100,828 / 478,609 = 17.9%, and 85% at the
 * deadline. An area's lag is this less its coverage: the same plan for every area, since the target is.
 */
final class Plan {
    private final double target;
    private final long deadline;
    private final long[] opens;
    private final long[] ends;
    private final double[] share;

    Plan(Scenario scenario) {
        target = scenario.targetCoverage();
        deadline = scenario.deadline().toEpochMilli();
        int n = scenario.waves().size();
        opens = new long[n];
        ends = new long[n];
        share = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            Wave w = scenario.waves().get(i);
            opens[i] = w.opens().toEpochMilli();
            long closes = w.closes().toEpochMilli();
            ends[i] = Math.min(closes, deadline);
            // A wave the deadline cuts short plans only its part before the deadline.
            share[i] = ends[i] <= opens[i] ? 0 : w.persons() * (double) (ends[i] - opens[i]) / Math.max(1, closes - opens[i]);
            total += share[i];
        }
        for (int i = 0; i < n; i++) {
            share[i] = total > 0 ? share[i] / total : 0;
        }
    }

    /** Coverage expected by {@code clock} (0..target); 0 before the first wave, the target from the deadline on. */
    double expected(Long clock) {
        if (clock == null) {
            return 0;
        }
        if (clock >= deadline) {
            return target;
        }
        double done = 0;
        for (int i = 0; i < opens.length; i++) {
            if (share[i] == 0 || clock <= opens[i]) {
                continue;
            }
            done += share[i] * Math.min(1.0, (double) (clock - opens[i]) / (ends[i] - opens[i]));
        }
        return target * done;
    }
}
