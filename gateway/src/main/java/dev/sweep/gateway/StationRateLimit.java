package dev.sweep.gateway;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per station: {@code rate} requests a second on average, {@code burst} at once after a quiet
 * spell. State: each station's tokens and when they were last counted (stations are few thousand at most).
 */
final class StationRateLimit {
    private final double rate;
    private final int burst;
    private final ConcurrentHashMap<String, double[]> buckets = new ConcurrentHashMap<>();

    StationRateLimit(double rate, int burst) {
        this.rate = rate;
        this.burst = burst;
    }

    /** 0 when the station may go on; otherwise how many milliseconds until it may (for Retry-After). */
    long take(String station, long nowNanos) {
        double[] b = buckets.computeIfAbsent(station, s -> new double[] {burst, nowNanos});
        synchronized (b) {
            double tokens = Math.min(burst, b[0] + (nowNanos - b[1]) / 1e9 * rate);
            b[1] = nowNanos;
            if (tokens >= 1) {
                b[0] = tokens - 1;
                return 0;
            }
            b[0] = tokens;
            return (long) Math.ceil((1 - tokens) / rate * 1000);
        }
    }
}
