package dev.sweep.hooks.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sweep.campaign.Scenario;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.page.PageText;
import dev.sweep.hooks.routes.ChannelSpec;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;

/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, ...): POST {@code {"text":...}} in
 * mrkdwn to the webhook URL, whose path is the only credential (so the URL comes from the environment).
 * Delivered on 2xx; 429 (with Retry-After) and 5xx are tried again; other statuses (400 invalid_payload,
 * 403, 404 no_service, 410 channel_is_archived) are refused.
 */
final class SlackWebhook extends Channel {
    /** Slack cuts text at 40,000 characters; bytes are a safe bound for that. */
    static final int MAX_TEXT_BYTES = 40_000;

    SlackWebhook(ChannelSpec spec, Scenario scenario) {
        super(spec, scenario);
    }

    @Override
    public HttpRequest request(Page page, Instant now, Duration timeout) {
        ObjectNode root = JSON.createObjectNode();
        root.put("text", new PageText(page.alertList(), scenario, page.idempotencyKey())
                .render(PageText.Markup.SLACK, MAX_TEXT_BYTES));
        return post(spec.url(), page, json(root), timeout).build();
    }
}
