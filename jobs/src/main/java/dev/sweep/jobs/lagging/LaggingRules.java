package dev.sweep.jobs.lagging;

import dev.sweep.jobs.coverage.CoverageOptions.DurationConverter;
import java.io.Serializable;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The lagging-site rules' thresholds and delays (DESIGN.md, "Lagging sites"). Each rule is a
 * condition and a raise delay: the incident is RAISED once the condition has held that long and
 * RESOLVED once it has been clear for the clear delay, with one alert id for both.
 */
public class LaggingRules implements Serializable {

    @Option(names = "--silent-after", defaultValue = "10m", converter = DurationConverter.class,
            description = "SITE_SILENT: an open site with people queueing and no scan for this long (event time). Default: ${DEFAULT-VALUE}.")
    public Duration silentAfter;

    @Option(names = "--slow-below", defaultValue = "0.5",
            description = "SITE_SLOW: throughput over the slow window under this share of the site's capacity... Default: ${DEFAULT-VALUE}.")
    public double slowBelow;

    @Option(names = "--slow-queue", defaultValue = "10",
            description = "... while at least this many people queue (a site with a short line is idle, not slow). Default: ${DEFAULT-VALUE}.")
    public int slowQueue;

    @Option(names = "--slow-window", defaultValue = "15m", converter = DurationConverter.class,
            description = "SITE_SLOW: the throughput window. Default: ${DEFAULT-VALUE}.")
    public Duration slowWindow;

    @Option(names = "--slow-for", defaultValue = "5m", converter = DurationConverter.class,
            description = "SITE_SLOW: raise delay. Default: ${DEFAULT-VALUE}.")
    public Duration slowFor;

    @Option(names = "--congested-queue", defaultValue = "50",
            description = "SITE_CONGESTED: a line of this many people (heartbeats)... Default: ${DEFAULT-VALUE}.")
    public int congestedQueue;

    @Option(names = "--busy-queue", defaultValue = "25",
            description = "... clears only once the line is under this again (busy). Default: ${DEFAULT-VALUE}.")
    public int busyQueue;

    @Option(names = "--congested-for", defaultValue = "5m", converter = DurationConverter.class,
            description = "SITE_CONGESTED: raise delay. Default: ${DEFAULT-VALUE}.")
    public Duration congestedFor;

    @Option(names = "--offline-after", defaultValue = "3m", converter = DurationConverter.class,
            description = "STATION_OFFLINE: an open site with no heartbeat for this long (event time). Default: ${DEFAULT-VALUE}.")
    public Duration offlineAfter;

    @Option(names = "--behind-plan-for", defaultValue = "15m", converter = DurationConverter.class,
            description = "TOWNSHIP_BEHIND_PLAN: raise delay of 'at the current rate the township misses the target by the deadline'. Default: ${DEFAULT-VALUE}.")
    public Duration behindPlanFor;

    @Option(names = "--feed-stalled-after", defaultValue = "60s", converter = DurationConverter.class,
            description = "FEED_STALLED: no input at all for this long (wall clock) while sites are open. Default: ${DEFAULT-VALUE}.")
    public Duration feedStalledAfter;

    @Option(names = "--clear-after", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long a site or township condition must stay clear before its incident is RESOLVED (event time; FEED_STALLED: a tenth of it, wall clock). Default: ${DEFAULT-VALUE}.")
    public Duration clearAfter;

    /** Names the flag at fault. */
    public void validate() {
        positive("--silent-after", silentAfter);
        positive("--slow-window", slowWindow);
        positive("--offline-after", offlineAfter);
        positive("--feed-stalled-after", feedStalledAfter);
        notNegative("--slow-for", slowFor);
        notNegative("--congested-for", congestedFor);
        notNegative("--behind-plan-for", behindPlanFor);
        notNegative("--clear-after", clearAfter);
        if (!(slowBelow > 0 && slowBelow <= 1)) {
            throw new IllegalArgumentException("--slow-below: " + slowBelow + " is outside (0, 1]");
        }
        if (slowQueue < 1) {
            throw new IllegalArgumentException("--slow-queue: must be at least 1, got " + slowQueue);
        }
        if (busyQueue < 1) {
            throw new IllegalArgumentException("--busy-queue: must be at least 1, got " + busyQueue);
        }
        if (congestedQueue <= busyQueue) {
            throw new IllegalArgumentException("--congested-queue: " + congestedQueue
                    + " must be above --busy-queue " + busyQueue);
        }
    }

    private static void positive(String flag, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(flag + ": must be positive");
        }
    }

    private static void notNegative(String flag, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(flag + ": must not be negative");
        }
    }
}
