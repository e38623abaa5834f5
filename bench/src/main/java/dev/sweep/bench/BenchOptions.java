package dev.sweep.bench;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.schemas.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a bench run is asked to do, typed and checked. Immutable. A refused value names the flag of
 * {@code sweep bench} that sets it, so a user and a caller in code read the same message.
 *
 * @param launcher      how the parts are started, each in a JVM of its own
 * @param scenario      the campaign (a shipped name or a directory), replayed by the simulator
 * @param seed          the simulator's seed
 * @param runs          how many times each figure is measured (median, min and max)
 * @param parallelism   the job's parallelism
 * @param stateBackend  the job's state backend; null: the job's own default on a local MiniCluster (heap)
 * @param latencyRates  the steady live rates (scans/s) at which scan-to-InfluxDB latency is measured
 * @param latencyFor    how long each latency is measured, after a warm-up of {@link #LATENCY_WARMUP}
 * @param comparisons   whether each round also runs the job with Kafka outputs only and on the 1-hour backlog
 *                      (false: a city's campaign, where each extra read of it costs half an hour)
 * @param live          whether the live runs follow (each catches up with the whole campaign, then latency,
 *                      heap, checkpoint and a killed task manager; false: a city's day, where that read costs as
 *                      much as the bounded one)
 * @param soak          null: the bench; else the soak's length (the bench's figures are not measured then)
 * @param soakRate      the soak's steady rate, scans/s
 */
public record BenchOptions(Launcher launcher, String scenario, long seed, int runs, int parallelism,
                           CoverageOptions.StateBackend stateBackend, List<Integer> latencyRates, Duration latencyFor,
                           boolean comparisons, boolean live, Duration soak, int soakRate) {
    public static final Duration LATENCY_WARMUP = Duration.ofSeconds(5);
    public static final Duration SOAK_DEFAULT = Duration.ofMinutes(30);
    /** The soak runs inside the moved campaign's last wave and its window's margin. */
    public static final Duration SOAK_MIN = Duration.ofMinutes(1);
    public static final Duration SOAK_MAX = Duration.ofHours(6);
    public static final int MAX_RATE = 200_000;

    /** @throws IllegalArgumentException naming the flag at fault */
    public BenchOptions {
        Objects.requireNonNull(launcher, "launcher");
        latencyRates = latencyRates == null ? List.of() : List.copyOf(latencyRates);
        try {
            Scenario.load(scenario);
        } catch (ScenarioException | NullPointerException e) {
            throw new IllegalArgumentException("--scenario: " + e.getMessage());
        }
        if (runs < 1 || runs > 20) {
            throw new IllegalArgumentException("--runs: " + runs + " is outside 1..20");
        }
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("--parallelism: " + parallelism + " is outside 1..64");
        }
        if (latencyRates.isEmpty()) {
            throw new IllegalArgumentException("--latency-rates: at least one rate is needed");
        }
        for (int rate : latencyRates) {
            if (rate < 1 || rate > MAX_RATE) {
                throw new IllegalArgumentException("--latency-rates: " + rate + " is outside 1.." + MAX_RATE);
            }
        }
        Durations.requirePositive("--latency-for", latencyFor);
        if (latencyFor.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--latency-for: " + Durations.text(latencyFor) + " is longer than 1h");
        }
        if (soak != null && (soak.compareTo(SOAK_MIN) < 0 || soak.compareTo(SOAK_MAX) > 0)) {
            throw new IllegalArgumentException("--soak: " + Durations.text(soak) + " is outside "
                    + Durations.text(SOAK_MIN) + ".." + Durations.text(SOAK_MAX));
        }
        if (soakRate < 1 || soakRate > MAX_RATE) {
            throw new IllegalArgumentException("--soak-rate: " + soakRate + " is outside 1.." + MAX_RATE);
        }
    }

    /** The bench's defaults: Neixiang, seed 7, 3 runs, parallelism 2, latency at 5,000 and 20,000 scans/s for 30 s. */
    public static BenchOptions defaults(Launcher launcher) {
        return new BenchOptions(launcher, "neixiang", 7, 3, 2, null, List.of(5_000, 20_000), Duration.ofSeconds(30),
                true, true, null, 5_000);
    }

    public BenchOptions withSoak(Duration length) {
        return new BenchOptions(launcher, scenario, seed, runs, parallelism, stateBackend, latencyRates, latencyFor,
                comparisons, live, length, soakRate);
    }

    /** The campaign as shipped (its own dates); the bench moves it in time. */
    public Scenario campaign() {
        return Scenario.load(scenario);
    }
}
