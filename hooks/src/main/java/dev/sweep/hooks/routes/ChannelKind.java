package dev.sweep.hooks.routes;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The services a lead can be paged through, by the name the routes file uses. */
public enum ChannelKind {
    /** A generic JSON webhook, signed as Standard Webhooks 1.0 signs. */
    WEBHOOK("webhook"),
    /** A WeCom (企业微信) group robot. */
    WECOM("wecom"),
    /** A DingTalk (钉钉) group robot with the signing secret ("加签"). */
    DINGTALK("dingtalk"),
    /** A Slack-compatible incoming webhook. */
    SLACK("slack");

    private final String word;

    ChannelKind(String word) {
        this.word = word;
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
