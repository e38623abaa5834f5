package dev.sweep.hooks.routes;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The services a lead can be paged through, by the name the routes file uses. */
public enum ChannelKind {
    /** A generic JSON webhook, signed as Standard Webhooks 1.0 signs: a limit of ours, since receivers differ. */
    WEBHOOK("webhook", new RateLimit(60, Duration.ofMinutes(1)), null, 1),
    /** A WeCom (企业微信) group robot: at most 20 messages a minute per robot (errcode 45009 beyond). */
    WECOM("wecom", new RateLimit(20, Duration.ofMinutes(1)), "WeCom's 20 messages a minute per robot", 1),
    /**
     * A DingTalk (钉钉) group robot with the signing secret ("加签"): 20 a minute per robot; beyond, errcode 130101
     * and the robot is throttled for 10 minutes ("如果超过20条，会限流10分钟").
     */
    DINGTALK("dingtalk", new RateLimit(20, Duration.ofMinutes(1)), "DingTalk's 20 messages a minute per robot", 10),
    /** A Slack-compatible incoming webhook: about one message a second per webhook (HTTP 429 beyond). */
    SLACK("slack", new RateLimit(1, Duration.ofSeconds(1)), "Slack's one message a second per webhook", 1);

    private final String word;
    private final RateLimit serviceLimit;
    private final String serviceRule;
    private final int penaltyWindows;

    ChannelKind(String word, RateLimit serviceLimit, String serviceRule, int penaltyWindows) {
        this.word = word;
        this.serviceLimit = serviceLimit;
        this.serviceRule = serviceRule;
        this.penaltyWindows = penaltyWindows;
    }

    /**
     * How long to hold off a target whose service said "too fast" without a Retry-After: the window of its
     * limit (WeCom counts per minute), ten windows for DingTalk, which throttles such a robot for 10 minutes.
     */
    public Duration tooFastPause(RateLimit limit) {
        return limit.per().multipliedBy(penaltyWindows);
    }

    /**
     * The limit a destination of this kind keeps unless its {@code rateLimit} says otherwise: the service's own
     * published limit, or for the generic webhook one a receiver can be expected to take.
     */
    public RateLimit defaultRateLimit() {
        return serviceLimit;
    }

    /** The service's published limit in words, or null when the service publishes none (the generic webhook). */
    public String serviceRule() {
        return serviceRule;
    }

    /** The name in the routes file. */
    public String word() {
        return word;
    }

    /** The kind named {@code word}, or null. */
    public static ChannelKind of(String word) {
        for (ChannelKind k : values()) {
            if (k.word.equals(word)) {
                return k;
            }
        }
        return null;
    }

    /** "webhook, wecom, dingtalk, slack". */
    public static String words() {
        return Arrays.stream(values()).map(ChannelKind::word).collect(Collectors.joining(", "));
    }
}
