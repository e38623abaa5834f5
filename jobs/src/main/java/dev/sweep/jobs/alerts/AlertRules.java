package dev.sweep.jobs.alerts;

import static dev.sweep.schemas.Durations.requireNotNegative;
import static dev.sweep.schemas.Durations.requirePositive;

import java.io.Serializable;
import java.time.Duration;

/**
 * The alert rules' thresholds and delays (docs/design.md, "Alerts"). Each rule is a condition and a raise
 * delay: the incident is RAISED once the condition has held that long and RESOLVED once it has been clear
 * for {@code clearAfter}, with one alert id for both. Refused values name the flag of {@code sweep job}.
 *
 * @param silentAfter      SITE_SILENT: an open site with people queueing and no scan for this long (event time)
 * @param slowBelow        SITE_SLOW: throughput over {@code slowWindow} under this share of the site's capacity...
 * @param slowQueue        ... while at least this many people queue
 * @param slowWindow       SITE_SLOW: the throughput window
 * @param slowFor          SITE_SLOW: raise delay
 * @param congestedQueue   SITE_CONGESTED: a line of this many people (heartbeats)...
 * @param busyQueue        ... which clears only once the line is under this again
 * @param congestedFor     SITE_CONGESTED: raise delay
 * @param offlineAfter     STATION_OFFLINE: an open site with no heartbeat for this long (event time)
 * @param behindPlanFor    TOWNSHIP_BEHIND_PLAN: raise delay
 * @param feedStalledAfter FEED_STALLED: no input at all for this long (wall clock) during a wave; it clears
 *                         once data has flowed again for a sixth of it
 * @param clearAfter       how long a site or township condition stays clear before its incident is RESOLVED
 */
public record AlertRules(Duration silentAfter, double slowBelow, int slowQueue, Duration slowWindow, Duration slowFor,
                         int congestedQueue, int busyQueue, Duration congestedFor, Duration offlineAfter,
                         Duration behindPlanFor, Duration feedStalledAfter, Duration clearAfter) implements Serializable {
    public AlertRules {
        requirePositive("--silent-after", silentAfter);
        requirePositive("--slow-window", slowWindow);
        requirePositive("--offline-after", offlineAfter);
        requirePositive("--feed-stalled-after", feedStalledAfter);
        requireNotNegative("--slow-for", slowFor);
        requireNotNegative("--congested-for", congestedFor);
        requireNotNegative("--behind-plan-for", behindPlanFor);
        requireNotNegative("--clear-after", clearAfter);
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

    /** The defaults: the thresholds the command centers of 2022 worked with (docs/design.md). */
    public static AlertRules defaults() {
        return new AlertRules(Duration.ofMinutes(10), 0.5, 10, Duration.ofMinutes(15), Duration.ofMinutes(5), 50, 25,
                Duration.ofMinutes(5), Duration.ofMinutes(3), Duration.ofMinutes(15), Duration.ofSeconds(60),
                Duration.ofMinutes(5));
    }
}
