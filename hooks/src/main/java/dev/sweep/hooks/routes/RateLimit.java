package dev.sweep.hooks.routes;

import dev.sweep.schemas.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast one destination may be sent to: at most {@code messages} in any {@code per} (a sliding window, as
 * the services count). Written {@code 20/1m} in the routes file.
 */
public record RateLimit(int messages, Duration per) {
    /** The most a routes file may allow in one window: above it the limit no longer bounds a storm. */
    public static final int MAX_MESSAGES = 1_000;
    /** The shortest window: finer than that, the dispatcher's own pace (one attempt at a time) is the limit. */
    public static final Duration MIN_PER = Duration.ofMillis(100);
    public static final Duration MAX_PER = Duration.ofHours(1);

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\S+)\\s*");

    public RateLimit {
        Objects.requireNonNull(per, "per");
        if (messages < 1 || messages > MAX_MESSAGES) {
            throw new IllegalArgumentException("messages: 1 to " + MAX_MESSAGES + ", got " + messages);
        }
        if (per.compareTo(MIN_PER) < 0 || per.compareTo(MAX_PER) > 0) {
            throw new IllegalArgumentException("per: " + Durations.text(MIN_PER) + " to " + Durations.text(MAX_PER)
                    + ", got " + Durations.text(per));
        }
    }

    /**
     * {@code 20/1m}, {@code 1/1s}, {@code 120/1h}.
     *
     * @throws IllegalArgumentException saying what is wrong with the text
     */
    public static RateLimit parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate limit: messages/window, such as 20/1m or 1/1s");
        }
        Duration per;
        try {
            per = Durations.parse(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': the window " + e.getMessage());
        }
        try {
            return new RateLimit(Integer.parseInt(m.group(1)), per);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage());
        }
    }

    /** Whether this lets more through than {@code other} over a long run (messages per unit of time). */
    public boolean fasterThan(RateLimit other) {
        return (double) messages / per.toNanos() > (double) other.messages / other.per.toNanos();
    }

    /** {@code 20/1m}: as the routes file writes it. */
    @Override
    public String toString() {
        return messages + "/" + Durations.text(per);
    }
}
