package dev.sweep.schemas;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations as every Sweep setting writes them (500ms, 30s, 10m, 2h, 1d, or ISO-8601 such as PT2H), and
 * the range checks that name the setting at fault.
 */
public final class Durations {
    private Durations() {}

    /** @throws IllegalArgumentException naming the text when it is not a duration */
    public static Duration parse(String text) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default: break;
            }
        } catch (RuntimeException e) {
            // fall through to the one message
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 10m or 2h");
    }

    /** 30s, 1h, 1h30m, 0.25s: a duration as the flags write it. */
    public static String text(Duration d) {
        return d.isZero() ? "0s" : d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException "{@code setting}: must be positive" */
    public static Duration requirePositive(String setting, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(setting + ": must be positive");
        }
        return d;
    }

    /** @throws IllegalArgumentException "{@code setting}: must not be negative" */
    public static Duration requireNotNegative(String setting, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(setting + ": must not be negative");
        }
        return d;
    }
}
