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
import java.util.Base64;
import java.util.Set;

/**
 * A DingTalk (钉钉) group robot with its signing secret ("加签"): POST
 * {@code <base>/robot/send?access_token=TOKEN&timestamp=T&sign=S}, where T is the time in
 * milliseconds and S = URL-encoded Base64(HmacSHA256(key = secret, data = T + "\n" + secret)); DingTalk
 * refuses a T more than an hour from its clock. The body is {@code {"msgtype":"markdown","markdown":
 * {"title":...,"text":...}}}. Delivered only when the reply's {@code errcode} is 0; -1 (busy) is tried
 * again, 130101 (more than 20 messages a minute: "send too fast") and 410100 (rate limited) are tried again
 * once the robot's minute allows (see ChannelWorker); any other code (310000: wrong signature, missing
 * keyword or IP; 300001: no such token) is refused.
 */
final class DingTalkRobot extends Channel {
    static final int MAX_TEXT_BYTES = 20_000;
    private static final Set<Integer> RETRIED = Set.of(-1);
    private static final Set<Integer> RATE_LIMITED = Set.of(130101, 410100);

    DingTalkRobot(ChannelSpec spec, Scenario scenario) {
        super(spec, scenario);
    }

    @Override
    public HttpRequest request(Page page, Instant now, Duration timeout) {
        long timestamp = now.toEpochMilli();
        URI uri = URI.create(spec.url() + "/robot/send?access_token=" + URLEncoder.encode(spec.token(), StandardCharsets.UTF_8)
                + "&timestamp=" + timestamp + "&sign=" + sign(timestamp, spec.secret()));
        PageText text = new PageText(page.alertList(), scenario, page.idempotencyKey());
        ObjectNode root = JSON.createObjectNode();
        root.put("msgtype", "markdown");
        ObjectNode markdown = root.putObject("markdown");
        markdown.put("title", text.title(PageText.Markup.DINGTALK));
        markdown.put("text", text.render(PageText.Markup.DINGTALK, MAX_TEXT_BYTES));
        return post(uri, page, json(root), timeout).build();
    }

    /** DingTalk's signature, URL-encoded for the query. */
    static String sign(long timestamp, String secret) {
        byte[] mac = Hmac.sha256(secret, (timestamp + "\n" + secret).getBytes(StandardCharsets.UTF_8));
        return URLEncoder.encode(Base64.getEncoder().encodeToString(mac), StandardCharsets.UTF_8);
    }

    @Override
    public Outcome outcome(int status, HttpHeaders headers, String body) {
        return robotOutcome(status, headers, body, RETRIED, RATE_LIMITED);
    }
}
