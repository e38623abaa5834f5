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
     * try again, not before {@code retryAfter} when the service said so (null otherwise). {@code rateLimited}:
     * the service said the destination sends too fast (HTTP 429, WeCom 45009, DingTalk 130101): not a
     * failure of the page, but a reason to hold off the whole target.
     */
    record Retry(String detail, Duration retryAfter, boolean rateLimited) implements Outcome {
        public Retry(String detail, Duration retryAfter) {
            this(detail, retryAfter, false);
        }
    }

    /** The service refused the message for good (other 4xx, a wrong signature or key): no retry helps. */
    record Refused(String detail) implements Outcome {}
}
