package dev.sweep.hooks.channels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.campaign.Scenario;
import dev.sweep.hooks.page.HeaderText;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.routes.ChannelSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

/**
 * One destination's service: how a page becomes its HTTP request (body, signature, URL) and what
 * its answer means. Stateless; a request is built again for every attempt, since signatures carry
 * the time.
 *
 * <p>Every request carries {@code Idempotency-Key} (the page's key: the alert's own for a page of
 * one), {@code X-Sweep-Alert-Count} and, when they fit in {@link #MAX_KEYS_HEADER} characters,
 * {@code X-Sweep-Alert-Keys} (each alert's key, a structured-field list of strings). A storm's page of
 * hundreds of alerts would make that header tens of KB, which proxies and servers refuse (nginx takes
 * 8 KB a line by default); the generic webhook's body lists every key whatever the page's size.
 */
public abstract sealed class Channel permits GenericWebhook, WeComRobot, DingTalkRobot, SlackWebhook {
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String ALERT_KEYS = "X-Sweep-Alert-Keys";
    public static final String ALERT_COUNT = "X-Sweep-Alert-Count";
    /** The longest X-Sweep-Alert-Keys sent: about 90 keys, well inside the 8 KB a line servers take by default. */
    public static final int MAX_KEYS_HEADER = 4_000;
    static final String USER_AGENT = "sweep-hooks/0.1";
    static final ObjectMapper JSON = new ObjectMapper();

    protected final ChannelSpec spec;
    protected final Scenario scenario;
    private final Redaction redaction;

    Channel(ChannelSpec spec, Scenario scenario) {
        this.spec = spec;
        this.scenario = scenario;
        // Slack's whole URL is its secret; a webhook's URL is not, but may still carry one in its query.
        this.redaction = new Redaction(spec.token(), spec.secret(),
                spec.kind() == dev.sweep.hooks.routes.ChannelKind.SLACK ? spec.url().toString() : null,
                spec.kind() == dev.sweep.hooks.routes.ChannelKind.SLACK ? spec.url().getRawPath() : null);
    }

    /** {@code text} (an answer's body, an error's message) without this destination's secrets or any that look like one. */
    public String redact(String text) {
        return redaction.apply(text);
    }

    /** The service of this destination. */
    public static Channel of(ChannelSpec spec, Scenario scenario) {
        return switch (spec.kind()) {
            case WEBHOOK -> new GenericWebhook(spec, scenario);
            case WECOM -> new WeComRobot(spec, scenario);
            case DINGTALK -> new DingTalkRobot(spec, scenario);
            case SLACK -> new SlackWebhook(spec, scenario);
        };
    }

    public ChannelSpec spec() {
        return spec;
    }

    /** The request for this page at {@code now}. */
    public abstract HttpRequest request(Page page, Instant now, Duration timeout);

    /**
     * What the service's answer means. By HTTP status: 2xx delivered; 408, 425, 429 and 5xx retried
     * (honouring Retry-After; 429 is the service's rate limit); any other status refused.
     */
    public Outcome outcome(int status, HttpHeaders headers, String body) {
        return byStatus(status, headers, body);
    }

    static Outcome byStatus(int status, HttpHeaders headers, String body) {
        String detail = "HTTP " + status + snippet(body);
        if (status >= 200 && status < 300) {
            return new Outcome.Delivered(detail);
        }
        if (RETRIED_STATUSES.contains(status) || status >= 500) {
            return new Outcome.Retry(detail, retryAfter(headers).orElse(null), status == TOO_MANY_REQUESTS);
        }
        return new Outcome.Refused(detail);
    }

    private static final int TOO_MANY_REQUESTS = 429;
    private static final Set<Integer> RETRIED_STATUSES = Set.of(408, 425, TOO_MANY_REQUESTS);

    /** A POST of JSON with the headers every request carries. */
    static HttpRequest.Builder post(URI uri, Page page, byte[] body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", USER_AGENT)
                .header(IDEMPOTENCY_KEY, page.idempotencyKey())
                .header(ALERT_COUNT, Integer.toString(page.size()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        String keys = HeaderText.keyList(page.alertKeys());
        if (keys.length() <= MAX_KEYS_HEADER) {
            b.header(ALERT_KEYS, keys);
        }
        return b;
    }

    static byte[] json(Object tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /**
     * The answer of a group robot (WeCom, DingTalk): HTTP 200 with {@code {"errcode":0,"errmsg":"ok"}} on
     * success; an errcode in {@code retried} (busy) or {@code rateLimited} (sent too fast) is tried again, any
     * other is refused.
     */
    Outcome robotOutcome(int status, HttpHeaders headers, String body, Set<Integer> retried, Set<Integer> rateLimited) {
        Outcome http = byStatus(status, headers, body);
        if (!(http instanceof Outcome.Delivered)) {
            return http;
        }
        JsonNode reply;
        try {
            reply = JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            reply = null;
        }
        if (reply == null || !reply.path("errcode").canConvertToInt()) {
            // Not the robot's answer (a proxy's page?): the message may not have arrived.
            return new Outcome.Retry("HTTP " + status + " without an errcode" + snippet(body), null);
        }
        int code = reply.path("errcode").asInt();
        String detail = "errcode " + code + " " + reply.path("errmsg").asText("");
        if (code == 0) {
            return new Outcome.Delivered(detail);
        }
        if (rateLimited.contains(code)) {
            return new Outcome.Retry(detail, retryAfter(headers).orElse(null), true);
        }
        return retried.contains(code) ? new Outcome.Retry(detail, retryAfter(headers).orElse(null))
                : new Outcome.Refused(detail);
    }

    /** Retry-After as delta-seconds or an HTTP date (RFC 9110). */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<String> value = headers.firstValue("Retry-After");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String v = value.get().trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static String snippet(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String s = body.replaceAll("\\s+", " ").trim();
        return ": " + (s.length() > 200 ? s.substring(0, 200) + "…" : s);
    }
}
