package dev.sweep.hooks;

import java.time.Duration;
import java.util.List;

/**
 * Told what each destination does with its pages (for a console, a board, or a test that waits for
 * a retry). Called on the destination's own thread: keep it quick, and do not throw.
 */
public interface DeliveryListener {
    DeliveryListener NONE = new DeliveryListener() {};

    /** An alert was read and is waiting in the destination's batch window. */
    default void received(String channelId, String idempotencyKey) {}

    /** An attempt failed and will be tried again in {@code retryIn}. */
    default void attemptFailed(String channelId, List<String> keys, int attempt, String detail, Duration retryIn) {}

    /**
     * The service said the destination sends too fast (HTTP 429, WeCom 45009, DingTalk 130101): not a failure;
     * the page is sent again in {@code retryIn}, the delay the service advised, and its target holds off till then.
     */
    default void rateLimited(String channelId, List<String> keys, int attempt, String detail, Duration retryIn) {}

    /** The service took the page after {@code attempts} attempts. */
    default void delivered(String channelId, String pageKey, List<String> keys, int attempts) {}

    /**
     * The page's alerts went to the undelivered topic: {@code reason} is {@code refused}, {@code gave-up}
     * or {@code corrupt}.
     */
    default void undelivered(String channelId, List<String> keys, String reason, String detail) {}
}
