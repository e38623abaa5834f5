package dev.sweep.hooks.delivery;

import dev.sweep.hooks.routes.RateLimit;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Keeps one target's messages (a robot, a Slack webhook, a webhook URL) within its {@link RateLimit}: at most N
 * in any window W. A sliding window, not a token bucket: the services count "20 a minute" over any minute, and a
 * bucket of 20 refilled at 20 a minute lets 20 go at once and then one every 3 s, 40 within the first minute.
 * Every attempt takes a slot, a retry too, since the service counts what it receives. When the service says
 * it is too fast, {@link #holdOff} stops all sending to the target for the delay it advised.
 *
 * <p>State: the times of the last N messages, and the end of a hold-off. Shared by the destinations of one
 * target (each on its own thread); thread-safe. The clock is monotonic nanoseconds ({@link System#nanoTime} in
 * the dispatcher, a hand-driven one in tests).
 */
public final class RateLimiter {
    private final RateLimit limit;
    private final long windowNanos;
    private final LongSupplier clock;
    /** When the last (at most N) messages went, oldest first. */
    private final ArrayDeque<Long> sent = new ArrayDeque<>();
    private boolean holding;
    private long holdUntil;

    public RateLimiter(RateLimit limit) {
        this(limit, System::nanoTime);
    }

    public RateLimiter(RateLimit limit, LongSupplier nanoClock) {
        this.limit = Objects.requireNonNull(limit, "limit");
        this.windowNanos = limit.per().toNanos();
        this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public RateLimit limit() {
        return limit;
    }

    /**
     * Takes a slot when one is free now and returns 0 (send now); otherwise takes nothing and returns the
     * nanoseconds until one is free.
     */
    public synchronized long tryAcquire() {
        long now = clock.getAsLong();
        long wait = waitAt(now);
        if (wait > 0) {
            return wait;
        }
        sent.addLast(now);
        if (sent.size() > limit.messages()) {
            sent.removeFirst();
        }
        return 0;
    }

    /** Nanoseconds until a message may go (0: now), without taking the slot. */
    public synchronized long waitNanos() {
        return waitAt(clock.getAsLong());
    }

    /** The service said too fast: nothing goes to this target for {@code advised} from now. */
    public synchronized void holdOff(Duration advised) {
        long until = clock.getAsLong() + advised.toNanos();
        if (!holding || until - holdUntil > 0) {
            holdUntil = until;
            holding = true;
        }
    }

    private long waitAt(long now) {
        long wait = 0;
        if (sent.size() >= limit.messages()) {
            wait = sent.peekFirst() + windowNanos - now; // until the oldest of the last N leaves the window
        }
        if (holding) {
            wait = Math.max(wait, holdUntil - now);
        }
        return Math.max(wait, 0);
    }

    /** Nanoseconds as whole milliseconds, rounded up: a wait of 0.2 ms is still a wait. */
    static long toMillis(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }
}
