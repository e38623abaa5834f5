package dev.sweep.hooks.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The delay before the next attempt: the initial backoff doubled after each failure, capped, with
 * "equal jitter" (half fixed, half random) so that destinations failing together do not retry in step.
 * A Retry-After from the service wins when it is longer. Stateless.
 */
final class Backoff {
    private final Duration initial;
    private final Duration max;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The delay after the {@code failures}-th failed attempt (1 for the first). */
    Duration after(int failures, Duration retryAfter) {
        long cap = max.toMillis();
        long d = initial.toMillis();
        for (int i = 1; i < failures && d < cap; i++) {
            d *= 2;
        }
        d = Math.min(d, cap);
        long jittered = d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
        Duration delay = Duration.ofMillis(Math.max(jittered, 1));
        return retryAfter != null && retryAfter.compareTo(delay) > 0 ? retryAfter : delay;
    }
}
