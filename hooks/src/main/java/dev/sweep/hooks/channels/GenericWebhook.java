package dev.sweep.hooks.channels;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
import dev.sweep.events.Alert;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.page.PageText;
import dev.sweep.hooks.page.PagedAlert;
import dev.sweep.hooks.routes.ChannelSpec;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * A generic JSON webhook: POST of the page as JSON (every alert with its idempotency key, and the
 * text a person reads), signed the way GitHub signs its webhooks: {@code X-Sweep-Signature-256:
 * sha256=<hex HMAC-SHA256(secret, raw body)>}. The body carries {@code sentAt}, under the signature,
 * so a receiver can refuse a replayed request; a retry is signed again with a new {@code sentAt} and
 * the same idempotency keys. Success on any 2xx.
 */
final class GenericWebhook extends Channel {
    public static final String SIGNATURE = "X-Sweep-Signature-256";

    GenericWebhook(ChannelSpec spec, Scenario scenario) {
        super(spec, scenario);
    }

    @Override
    public HttpRequest request(Page page, Instant now, Duration timeout) {
        byte[] body = body(page, now);
        String signature = "sha256=" + HexFormat.of().formatHex(Hmac.sha256(spec.secret(), body));
        return post(spec.url(), page, body, timeout).header(SIGNATURE, signature).build();
    }

    byte[] body(Page page, Instant now) {
        ObjectNode root = JSON.createObjectNode();
        root.put("idempotencyKey", page.idempotencyKey());
        root.put("sentAt", time(now.truncatedTo(ChronoUnit.MILLIS)));
        root.put("channel", spec.id());
        root.put("scenario", scenario.name());
        root.put("text", new PageText(page.alertList(), scenario, page.idempotencyKey()).render(PageText.Markup.PLAIN));
        ArrayNode alerts = root.putArray("alerts");
        for (PagedAlert p : page.alerts()) {
            Alert a = p.alert();
            ObjectNode n = alerts.addObject();
            n.put("idempotencyKey", p.idempotencyKey());
            n.put("alertId", a.getAlertId());
            n.put("kind", a.getKind().toString());
            n.put("state", a.getState().toString());
            n.put("townshipId", a.getTownshipId());
            Township t = a.getTownshipId() == null ? null : scenario.township(a.getTownshipId());
            n.put("township", t == null ? null : t.name());
            n.put("townshipZh", t == null ? null : t.nameZh());
            n.put("siteId", a.getSiteId());
            Site s = a.getSiteId() == null ? null : scenario.site(a.getSiteId());
            n.put("site", s == null ? null : s.name());
            n.put("since", time(a.getSince()));
            n.put("at", time(a.getAt()));
            n.put("value", a.getValue());
            n.put("threshold", a.getThreshold());
            n.put("message", a.getMessage());
            n.put("messageEn", a.getMessageEn());
        }
        return json(root);
    }

    /** ISO-8601 with the scenario's offset: 2022-05-04T08:32:00+08:00. */
    private String time(Instant t) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(OffsetDateTime.ofInstant(t, scenario.zone()));
    }
}
