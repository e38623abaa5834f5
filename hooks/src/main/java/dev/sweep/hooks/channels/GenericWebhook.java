package dev.sweep.hooks.channels;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sweep.campaign.Area;
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

/**
 * A generic JSON webhook: POST of the page as JSON (every alert of the page with its idempotency key,
 * however many: a machine consumer loses nothing; and the text a person reads, a digest for a storm's page),
 * signed as Standard Webhooks 1.0 signs ({@link StandardWebhooks}): the
 * {@code webhook-id} is the page's idempotency key, the same on every retry; each attempt is signed
 * again with its own {@code webhook-timestamp}, which the receiver's library holds to five minutes of its
 * clock, so a replayed request is refused. Success on any 2xx.
 */
final class GenericWebhook extends Channel {
    /** The {@code text} is for a person (the alerts list every detail): a storm's digest stays this short. */
    static final int MAX_TEXT_BYTES = 40_000;
    private final byte[] key;

    GenericWebhook(ChannelSpec spec, Scenario scenario) {
        super(spec, scenario);
        this.key = StandardWebhooks.key(spec.secret());
    }

    @Override
    public HttpRequest request(Page page, Instant now, Duration timeout) {
        byte[] body = body(page, now);
        long seconds = now.getEpochSecond();
        return post(spec.url(), page, body, timeout)
                .header(StandardWebhooks.ID, page.idempotencyKey())
                .header(StandardWebhooks.TIMESTAMP, Long.toString(seconds))
                .header(StandardWebhooks.SIGNATURE, StandardWebhooks.signature(key, page.idempotencyKey(), seconds, body))
                .build();
    }

    byte[] body(Page page, Instant now) {
        ObjectNode root = JSON.createObjectNode();
        root.put("idempotencyKey", page.idempotencyKey());
        root.put("sentAt", time(now.truncatedTo(ChronoUnit.MILLIS)));
        root.put("channel", spec.id());
        root.put("scenario", scenario.name());
        root.put("text", new PageText(page.alertList(), scenario, page.idempotencyKey())
                .render(PageText.Markup.PLAIN, MAX_TEXT_BYTES));
        root.put("alertCount", page.size());
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
            String areaId = a.getAreaId() != null ? a.getAreaId() : s == null ? null : s.areaId();
            Area area = areaId == null ? null : scenario.area(areaId);
            n.put("areaId", areaId);
            n.put("area", area == null ? null : area.name());
            n.put("areaZh", area == null ? null : area.nameZh());
            n.put("areaLevel", area == null ? null : area.level());
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
