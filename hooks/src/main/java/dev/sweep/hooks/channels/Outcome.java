package dev.sweep.hooks.channels;

import java.time.Duration;

/** What one attempt to deliver a page came to. */
public sealed interface Outcome {
    /** A short description for the logs and the dead-letter headers (never a secret). */
    String detail();

    /** The service took the message. */
    record Delivered(String detail) implements Outcome {}

    /**
     * A failure that may pass (no connection, a timeout, 408, 429, 5xx, a rate limit in the reply):
     * try again, not before {@code retryAfter} when the service said so (null otherwise).
     */
    record Retry(String detail, Duration retryAfter) implements Outcome {}

    /** The service refused the message for good (other 4xx, a wrong signature or key): no retry helps. */
    record Refused(String detail) implements Outcome {}
}
