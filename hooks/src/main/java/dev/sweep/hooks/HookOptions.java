package dev.sweep.hooks;

import dev.sweep.schemas.Durations;
import dev.sweep.schemas.Topics;
import java.time.Duration;
import java.util.Objects;

/**
 * How the dispatcher runs. Immutable; start from {@link #defaults()} and use the {@code with...} methods.
 *
 * @param group           prefix of the Kafka consumer groups: each destination commits its own offsets in
 *                        {@code <group>.<channel id>}
 * @param topic           the alerts topic
 * @param undeliveredTopic where alerts go that could not be delivered
 * @param batchWindow     alerts for one destination within this window (from the first) go out as one message
 * @param maxAlertsPerPage a page carries at most this many alerts; more go out as further pages. A storm's page
 *                        counts what it cannot name, so this bounds the generic webhook's body (every alert in
 *                        full, about 0.6 KB each) and what a destination holds in memory, not what a lead reads
 * @param initialBackoff  the first retry's delay; each retry doubles it (with jitter), up to {@code maxBackoff}
 * @param maxBackoff      the longest delay between two attempts (a longer Retry-After is still honoured)
 * @param giveUpAfter     how long a page is retried before its alerts go to the undelivered topic
 * @param requestTimeout  how long one HTTP attempt may take, the whole exchange: connect, request, answer and
 *                        its body (an attempt after one that got no answer in time may take up to 8 times as long)
 * @param listener        told of every delivery, failed attempt and give-up
 */
public record HookOptions(String group, String topic, String undeliveredTopic, Duration batchWindow, int maxAlertsPerPage,
                          Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter, Duration requestTimeout,
                          DeliveryListener listener) {
    public HookOptions {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(undeliveredTopic, "undeliveredTopic");
        Objects.requireNonNull(listener, "listener");
        if (group.isBlank()) {
            throw new IllegalArgumentException("group: must not be empty");
        }
        Durations.requireNotNegative("batch window", batchWindow);
        if (maxAlertsPerPage < 1) {
            throw new IllegalArgumentException("max alerts per page: must be at least 1, got " + maxAlertsPerPage);
        }
        Durations.requirePositive("initial backoff", initialBackoff);
        Durations.requirePositive("max backoff", maxBackoff);
        Durations.requirePositive("give up after", giveUpAfter);
        Durations.requirePositive("request timeout", requestTimeout);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("max backoff: must not be shorter than the initial backoff");
        }
    }

    /**
     * Group sweep-hooks, sweep.alerts to sweep.undelivered-alerts, 30 s window, 500 alerts a page, backoff 1 s
     * doubling to 5 min, give up after 1 h, 10 s per request.
     */
    public static HookOptions defaults() {
        return new HookOptions("sweep-hooks", Topics.ALERTS, Topics.UNDELIVERED_ALERTS, Duration.ofSeconds(30), 500,
                Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(10), DeliveryListener.NONE);
    }

    public HookOptions withGroup(String group) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withTopic(String topic) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withUndeliveredTopic(String undeliveredTopic) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withBatchWindow(Duration batchWindow) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withMaxAlertsPerPage(int maxAlertsPerPage) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withBackoff(Duration initialBackoff, Duration maxBackoff) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withGiveUpAfter(Duration giveUpAfter) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withRequestTimeout(Duration requestTimeout) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    public HookOptions withListener(DeliveryListener listener) {
        return new HookOptions(group, topic, undeliveredTopic, batchWindow, maxAlertsPerPage, initialBackoff, maxBackoff, giveUpAfter, requestTimeout, listener);
    }

    /** The consumer group of one destination. */
    public String groupOf(String channelId) {
        return group + "." + channelId;
    }
}
