package dev.sweep.hooks.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.hooks.routes.ChannelKind;
import dev.sweep.hooks.routes.ChannelSpec;
import dev.sweep.hooks.routes.RateLimit;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the services' answers mean: delivered, tried again (with Retry-After), or refused for good. */
class OutcomeTest {
    static HttpHeaders headers(Map<String, String> h) {
        return HttpHeaders.of(h.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))),
                (a, b) -> true);
    }

    static final HttpHeaders NONE = headers(Map.of());

    @Test
    void byHttpStatus() {
        assertInstanceOf(Outcome.Delivered.class, Channel.byStatus(204, NONE, ""));
        for (int status : new int[] {408, 425, 429, 500, 502, 503}) {
            assertInstanceOf(Outcome.Retry.class, Channel.byStatus(status, NONE, ""), "status " + status);
        }
        for (int status : new int[] {301, 400, 401, 403, 404, 410}) {
            assertInstanceOf(Outcome.Refused.class, Channel.byStatus(status, NONE, "no_service"), "status " + status);
        }
        assertEquals("HTTP 404: no_service", Channel.byStatus(404, NONE, "no_service").detail());
    }

    @Test
    void retryAfterInSecondsOrAsADate() {
        Outcome.Retry r = (Outcome.Retry) Channel.byStatus(429, headers(Map.of("Retry-After", "7")), "");
        assertEquals(Duration.ofSeconds(7), r.retryAfter());
        String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        Duration d = ((Outcome.Retry) Channel.byStatus(503, headers(Map.of("Retry-After", in30s)), "")).retryAfter();
        assertTrue(d.toSeconds() >= 25 && d.toSeconds() <= 30, d.toString());
        assertEquals(null, ((Outcome.Retry) Channel.byStatus(503, headers(Map.of("Retry-After", "soon")), "")).retryAfter());
    }

    @Test
    void robotsSucceedOnlyOnErrcodeZero() {
        Channel robot = Channel.of(new ChannelSpec("x", ChannelKind.WECOM, "CG",
                "townships.CG.leads[0].channels[0]", 1, URI.create("http://127.0.0.1:1"), "k", null), null);
        assertInstanceOf(Outcome.Delivered.class, robot.outcome(200, NONE, "{\"errcode\":0,\"errmsg\":\"ok\"}"));
        assertInstanceOf(Outcome.Retry.class, robot.outcome(200, NONE, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}"));
        assertInstanceOf(Outcome.Refused.class, robot.outcome(200, NONE, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}"));
        assertInstanceOf(Outcome.Retry.class, robot.outcome(200, NONE, "<html>gateway</html>"), "not the robot's answer");
        assertInstanceOf(Outcome.Retry.class, robot.outcome(502, NONE, ""));
    }

    /** "Too fast" is told apart from other failures: the page waits the advised delay and the whole target holds off. */
    @Test
    void rateLimitAnswersAreRetriesThatSayTooFast() {
        assertTrue(((Outcome.Retry) Channel.byStatus(429, headers(Map.of("Retry-After", "2")), "")).rateLimited());
        assertEquals(false, ((Outcome.Retry) Channel.byStatus(503, headers(Map.of("Retry-After", "2")), "")).rateLimited());
        Channel wecom = Channel.of(new ChannelSpec("w", ChannelKind.WECOM, "CG", "f", 1, URI.create("http://127.0.0.1:1"), "k", null), null);
        Outcome.Retry tooFast = (Outcome.Retry) wecom.outcome(200, NONE, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}");
        assertTrue(tooFast.rateLimited());
        assertEquals(null, tooFast.retryAfter(), "WeCom advises no delay: the robot's window is the wait");
        assertEquals(false, ((Outcome.Retry) wecom.outcome(200, NONE, "{\"errcode\":-1,\"errmsg\":\"system busy\"}")).rateLimited());
        Channel ding = Channel.of(new ChannelSpec("d", ChannelKind.DINGTALK, "CG", "f", 1, URI.create("http://127.0.0.1:1"), "t", "s"), null);
        assertTrue(((Outcome.Retry) ding.outcome(200, NONE, "{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per minute\"}")).rateLimited());
        assertInstanceOf(Outcome.Refused.class, ding.outcome(200, NONE, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}"));
        // Without a Retry-After, the hold-off is the limit's window; DingTalk throttles such a robot for ten of them.
        RateLimit robots = ChannelKind.DINGTALK.defaultRateLimit();
        assertEquals(Duration.ofMinutes(1), ChannelKind.WECOM.tooFastPause(robots));
        assertEquals(Duration.ofMinutes(10), ChannelKind.DINGTALK.tooFastPause(robots));
        assertEquals(Duration.ofSeconds(1), ChannelKind.SLACK.tooFastPause(ChannelKind.SLACK.defaultRateLimit()));
    }
}
