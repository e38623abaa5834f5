package dev.sweep.hooks.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.hooks.routes.RateLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The rate limiter on a clock the test moves by hand (no sleeping, no wall clock): the fake service records
 * each message's arrival on that same clock, so "at most N in any window" is checked exactly.
 */
class RateLimiterTest {
    /** The limiter's clock, moved by the test. Starts near the end of the long range: nanoTime may wrap. */
    static final class Ticker implements LongSupplier {
        long nanos = Long.MAX_VALUE - Duration.ofHours(1).toNanos();

        @Override
        public long getAsLong() {
            return nanos;
        }

        void advance(Duration d) {
            nanos += d.toNanos();
        }
    }

    /**
     * Three destinations sharing one target send whenever they can, each coming back when told to (or a little
     * later): whatever the demand, no window holds more than N messages, and the target gets its N per window.
     */
    @Test
    void neverMoreThanNInAnyWindowWhateverTheDemand() {
        for (RateLimit limit : List.of(RateLimit.parse("20/1m"), RateLimit.parse("1/1s"), RateLimit.parse("60/1m"),
                RateLimit.parse("3/250ms"))) {
            Ticker clock = new Ticker();
            long start = clock.nanos;
            RateLimiter limiter = new RateLimiter(limit, clock);
            long window = limit.per().toNanos();
            List<Long> arrivals = new ArrayList<>(); // the fake service's log, on the limiter's clock
            Random random = new Random(13);
            long[] nextTry = {clock.nanos, clock.nanos, clock.nanos};
            for (int step = 0; step < 20_000; step++) {
                int who = 0;
                for (int i = 1; i < nextTry.length; i++) {
                    if (nextTry[i] - nextTry[who] < 0) {
                        who = i;
                    }
                }
                if (nextTry[who] - clock.nanos > 0) {
                    clock.nanos = nextTry[who];
                }
                long wait = limiter.tryAcquire();
                if (wait == 0) {
                    arrivals.add(clock.nanos);
                    nextTry[who] = clock.nanos + (random.nextInt(4) == 0 ? random.nextLong(window / 3) : 0);
                } else {
                    assertTrue(wait <= window, "never told to wait longer than a window: " + wait);
                    nextTry[who] = clock.nanos + wait + (random.nextBoolean() ? 0 : random.nextLong(window / 20));
                }
            }
            int n = limit.messages();
            for (int i = 0; i + n < arrivals.size(); i++) {
                long span = arrivals.get(i + n) - arrivals.get(i);
                assertTrue(span >= window, limit + ": messages " + i + " to " + (i + n) + " within " + span + " ns");
            }
            long windows = (arrivals.get(arrivals.size() - 1) - start) / window;
            assertTrue(arrivals.size() >= n * windows * 3 / 4, limit + ": " + arrivals.size() + " messages in " + windows
                    + " windows: the limiter lets the target use its allowance");
        }
    }

    /** WeCom's 20 a minute: twenty at once, then the 21st waits exactly until the first leaves the minute. */
    @Test
    void aBurstGoesAtOnceThenEachWaitsForTheOldestToLeaveTheWindow() {
        Ticker clock = new Ticker();
        RateLimiter robot = new RateLimiter(RateLimit.parse("20/1m"), clock);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, robot.tryAcquire(), "message " + i);
        }
        clock.advance(Duration.ofSeconds(20));
        for (int i = 10; i < 20; i++) {
            assertEquals(0, robot.tryAcquire(), "message " + i);
        }
        assertEquals(Duration.ofSeconds(40).toNanos(), robot.tryAcquire(), "the 21st: when the first ten leave the minute");
        assertEquals(Duration.ofSeconds(40).toNanos(), robot.waitNanos());
        clock.advance(Duration.ofSeconds(40));
        for (int i = 0; i < 10; i++) {
            assertEquals(0, robot.tryAcquire(), "the first ten's slots");
        }
        assertEquals(Duration.ofSeconds(20).toNanos(), robot.tryAcquire(), "then the second ten's, 20 s later");
        assertEquals(1, RateLimiter.toMillis(1), "a wait under a millisecond is still a wait");
    }

    /** "Too fast" from the service: nothing goes to the target until the advised delay is over; a shorter one does not cut it. */
    @Test
    void aHoldOffStopsTheTargetForTheAdvisedDelay() {
        Ticker clock = new Ticker();
        RateLimiter robot = new RateLimiter(RateLimit.parse("20/1m"), clock);
        assertEquals(0, robot.tryAcquire());
        robot.holdOff(Duration.ofMinutes(10)); // DingTalk's 130101: the robot is throttled for 10 minutes
        clock.advance(Duration.ofSeconds(30));
        robot.holdOff(Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(570).toNanos(), robot.tryAcquire());
        clock.advance(Duration.ofSeconds(569));
        assertTrue(robot.tryAcquire() > 0, "not a second early");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0, robot.tryAcquire());
        assertEquals(0, robot.tryAcquire(), "then the limit alone again");
    }
}
