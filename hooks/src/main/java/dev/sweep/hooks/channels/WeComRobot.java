package dev.sweep.hooks.channels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sweep.campaign.Scenario;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.page.PageText;
import dev.sweep.hooks.routes.ChannelSpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A WeCom (企业微信) group robot: POST {@code <base>/cgi-bin/webhook/send?key=KEY} with
 * {@code {"msgtype":"markdown","markdown":{"content":...}}}; the content is at most 4,096 bytes.
 * The key in the URL is the robot's only credential (WeCom robots have no signature). Delivered only
 * when the reply's {@code errcode} is 0; -1 (busy) and 45033 (too many at once) are tried again, and
 * 45009 (rate limited: over 20 messages a minute per robot) is tried again once the robot's minute allows
 * (see ChannelWorker); any other code is refused.
 */
final class WeComRobot extends Channel {
    static final int MAX_CONTENT_BYTES = 4096;
    private static final Set<Integer> RETRIED = Set.of(-1, 45033);
    private static final Set<Integer> RATE_LIMITED = Set.of(45009);

    WeComRobot(ChannelSpec spec, Scenario scenario) {
        super(spec, scenario);
    }

    @Override
    public HttpRequest request(Page page, Instant now, Duration timeout) {
        URI uri = URI.create(spec.url() + "/cgi-bin/webhook/send?key=" + URLEncoder.encode(spec.token(), StandardCharsets.UTF_8));
        ObjectNode root = JSON.createObjectNode();
        root.put("msgtype", "markdown");
        root.putObject("markdown").put("content", new PageText(page.alertList(), scenario, page.idempotencyKey())
                .render(PageText.Markup.WECOM, MAX_CONTENT_BYTES));
        return post(uri, page, json(root), timeout).build();
    }

    @Override
    public Outcome outcome(int status, HttpHeaders headers, String body) {
        return robotOutcome(status, headers, body, RETRIED, RATE_LIMITED);
    }
}
