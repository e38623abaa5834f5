package dev.sweep.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sweep.broker.LocalKafka;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.hooks.Receiver.Reply;
import dev.sweep.hooks.Receiver.Request;
import dev.sweep.hooks.Recorder.Type;
import dev.sweep.hooks.delivery.Undelivered;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Each service gets its message as it expects it, signed as it checks it (the receivers verify
 * independently, from the services' documentation), and its answers are understood: errcode 0 only is
 * success, a rate limit is retried, a wrong signature is refused for good, Retry-After is honoured.
 */
@Tag("e2e")
class ChannelsTest {
    static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = SharedBroker.get();
    }

    static HookOptions options(Recorder recorder, AlertTopic topic) {
        return HookOptions.defaults()
                .withGroup("test-" + UUID.randomUUID())
                .withTopic(topic.name)
                .withBatchWindow(Duration.ofMillis(300))
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .withGiveUpAfter(Duration.ofSeconds(60))
                .withRequestTimeout(Duration.ofSeconds(5))
                .withListener(recorder);
    }

    @Test
    void eachServiceGetsItsMessageSignedAsItChecks() throws Exception {
        String webhookSecret = Services.webhookSecret();
        String wecomKey = UUID.randomUUID().toString();
        String dingToken = "tok+en/" + UUID.randomUUID();
        String dingSecret = "SEC" + UUID.randomUUID().toString().replace("-", "");
        String slackPath = "/services/T0001/B0001/" + UUID.randomUUID();
        try (Receiver webhook = Receiver.start(Services.webhook(webhookSecret));
             Receiver wecom = Receiver.start(Services.wecom(wecomKey));
             Receiver dingtalk = Receiver.start(Services.dingtalk(dingToken, dingSecret));
             Receiver slack = Receiver.start(Services.slack(slackPath));
             AlertTopic topic = new AlertTopic(kafka)) {
            String yaml = """
                    county:
                      leads:
                        - name: county desk
                          channels:
                            - kind: webhook
                              id: county-desk
                              url: %s
                              secretEnv: COUNTY_SECRET
                    townships:
                      CG:
                        leads:
                          - channels:
                              - kind: webhook
                                url: %s
                                secretEnv: CG_SECRET
                      XG:
                        leads:
                          - channels:
                              - kind: wecom
                                keyEnv: XG_WECOM_KEY
                                baseUrl: %s
                      SG:
                        leads:
                          - channels:
                              - kind: dingtalk
                                tokenEnv: SG_DINGTALK_TOKEN
                                secretEnv: SG_DINGTALK_SECRET
                                baseUrl: %s
                      MS:
                        leads:
                          - channels:
                              - kind: slack
                                urlEnv: MS_SLACK_URL
                    """.formatted(webhook.url("/county"), webhook.url("/cg"), wecom.url(""), dingtalk.url("/"));
            Map<String, String> env = Map.of("COUNTY_SECRET", webhookSecret, "CG_SECRET", webhookSecret,
                    "XG_WECOM_KEY", wecomKey, "SG_DINGTALK_TOKEN", dingToken, "SG_DINGTALK_SECRET", dingSecret,
                    "MS_SLACK_URL", slack.url(slackPath));
            Routes routes = Routes.parse(yaml, "routes.yaml", env, RoutesTest.NEIXIANG, Routes.RiskyTargets.ALLOW);

            Alert cg = Alerts.raised("SITE_SILENT-NX-CG-001-1", AlertKind.SITE_SILENT, "CG", "NX-CG-001");
            Alert xg = Alerts.raised("SITE_CONGESTED-NX-XG-001-1", AlertKind.SITE_CONGESTED, "XG", "NX-XG-001");
            Alert sg = Alerts.of("STATION_OFFLINE-NX-SG-001-1", AlertKind.STATION_OFFLINE, AlertState.RESOLVED, "SG", "NX-SG-001");
            Alert ms = Alerts.raised("SITE_SLOW-NX-MS-001-1", AlertKind.SITE_SLOW, "MS", "NX-MS-001");
            Alert feed = Alerts.raised("FEED_STALLED-1", AlertKind.FEED_STALLED, null, null);
            for (Alert a : List.of(cg, xg, sg, ms, feed)) {
                topic.send(a);
            }
            Recorder recorder = new Recorder();
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options(recorder, topic))) {
                Receiver.await("a page at every service", Duration.ofSeconds(60), () ->
                        webhook.requests().size() >= 2 && wecom.requests().size() >= 1 && dingtalk.requests().size() >= 1
                                && slack.requests().size() >= 1);
                Receiver.await("every destination's delivery", Duration.ofSeconds(10),
                        () -> recorder.events.stream().filter(e -> e.type() == Type.DELIVERED).count() == 5);
            }
            assertEquals(List.of(), recorder.events.stream().filter(e -> e.type() != Type.RECEIVED && e.type() != Type.DELIVERED).toList(),
                    "nothing failed or was refused");

            // The generic webhook: Standard Webhooks' signature, the page's key as its id; the alert, its key, the text.
            Request cgPage = webhook.requests().stream().filter(r -> r.path().equals("/cg")).findFirst().orElseThrow();
            assertTrue(Services.webhookSignatureValid(cgPage, webhookSecret));
            assertFalse(Services.webhookSignatureValid(cgPage, Services.webhookSecret()), "the check can fail");
            assertEquals("SITE_SILENT-NX-CG-001-1:RAISED", cgPage.header("Idempotency-Key"));
            assertEquals("SITE_SILENT-NX-CG-001-1:RAISED", cgPage.header("webhook-id"));
            assertTrue(Math.abs(Long.parseLong(cgPage.header("webhook-timestamp")) - cgPage.at() / 1000) <= 5, "seconds");
            assertEquals(List.of("SITE_SILENT-NX-CG-001-1:RAISED"), cgPage.alertKeys());
            JsonNode body = cgPage.json();
            assertEquals("SITE_SILENT-NX-CG-001-1:RAISED", body.path("idempotencyKey").asText());
            assertNotNull(body.path("sentAt").asText(null));
            JsonNode alert = body.path("alerts").get(0);
            assertEquals("SITE_SILENT-NX-CG-001-1:RAISED", alert.path("idempotencyKey").asText());
            assertEquals("城关镇", alert.path("townshipZh").asText());
            assertEquals("Chengguan", alert.path("township").asText());
            assertEquals("城关镇第1采样点", alert.path("site").asText());
            assertEquals("2022-05-04T08:32:00+08:00", alert.path("since").asText());
            assertEquals(12.0, alert.path("value").asDouble());
            assertEquals(10.0, alert.path("threshold").asDouble());
            assertBilingual(body.path("text").asText(), "城关镇", "城关镇第1采样点", "Chengguan", "NX-CG-001");

            // The county route: FEED_STALLED.
            Request countyPage = webhook.requests().stream().filter(r -> r.path().equals("/county")).findFirst().orElseThrow();
            assertTrue(Services.webhookSignatureValid(countyPage, webhookSecret));
            assertEquals("FEED_STALLED-1:RAISED", countyPage.header("Idempotency-Key"));
            assertTrue(countyPage.json().path("text").asText().contains("全县"));

            // WeCom: markdown within 4,096 bytes, the key in the query.
            Request wecomPage = wecom.requests().get(0);
            assertEquals(wecomKey, wecomPage.query().get("key"));
            assertEquals("SITE_CONGESTED-NX-XG-001-1:RAISED", wecomPage.header("Idempotency-Key"));
            assertBilingual(wecomPage.json().path("markdown").path("content").asText(), "夏馆镇", "夏馆镇第1采样点", "Xiaguan", "NX-XG-001");

            // DingTalk: the signature as DingTalk checks it, the token URL-encoded, title and text.
            Request dingPage = dingtalk.requests().get(0);
            assertTrue(Services.dingtalkSignatureValid(dingPage, dingSecret));
            assertFalse(Services.dingtalkSignatureValid(dingPage, dingSecret + "x"), "the check can fail");
            assertEquals(dingToken, dingPage.query().get("access_token"));
            assertTrue(dingPage.rawQuery().contains("sign=") && !dingPage.rawQuery().matches(".*sign=[^&]*[+/=].*"),
                    "the Base64 signature is URL-encoded: " + dingPage.rawQuery());
            JsonNode ding = dingPage.json().path("markdown");
            assertEquals("【已恢复】师岗镇 · 采样终端离线", ding.path("title").asText());
            String dingText = ding.path("text").asText();
            assertBilingual(dingText, "师岗镇", "师岗镇第1采样点", "Shigang", "NX-SG-001");
            assertTrue(dingText.contains("05-04 08:32 起，08:57 恢复") && dingText.contains("05-04 08:32 to 08:57"), dingText);

            // Slack: {"text": ...} only, to the secret URL.
            Request slackPage = slack.requests().get(0);
            assertEquals(List.of("text"), iterable(slackPage.json().fieldNames()));
            assertBilingual(slackPage.json().path("text").asText(), "马山口镇", "马山口镇第1采样点", "Mashankou", "NX-MS-001");
        }
    }

    /** Chinese first, then English; what, where (names from the scenario), since when (Asia/Shanghai), figure against threshold. */
    static void assertBilingual(String text, String townshipZh, String siteZh, String townshipEn, String siteId) {
        int zh = text.indexOf(townshipZh);
        int en = text.indexOf(townshipEn);
        assertTrue(zh >= 0 && en > zh, "Chinese (" + townshipZh + ") before English (" + townshipEn + "):\n" + text);
        assertTrue(text.contains(siteZh) && text.contains(siteId), text);
        assertTrue(text.contains("05-04 08:32"), "since, in Asia/Shanghai: " + text);
        assertTrue(text.matches("(?s).*数值 12[^，]*，阈值 10.*") && text.matches("(?s).*figure 12[^,]*, threshold 10.*"), text);
        assertTrue(text.indexOf("数值") < text.indexOf("figure"), text);
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void servicesAnswersAreUnderstood() throws Exception {
        String wecomKey = UUID.randomUUID().toString();
        String dingToken = UUID.randomUUID().toString();
        String slackPath = "/services/T1/B1/" + UUID.randomUUID();
        AtomicInteger wecomCalls = new AtomicInteger();
        AtomicInteger slackCalls = new AtomicInteger();
        try (Receiver wecom = Receiver.start(r -> wecomCalls.incrementAndGet() <= 2
                     ? Reply.ok("{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}")
                     : Services.wecom(wecomKey).apply(r));
             // The robot was set up with another secret than the one the dispatcher has.
             Receiver dingtalk = Receiver.start(Services.dingtalk(dingToken, "the-robots-own-secret"));
             Receiver slack = Receiver.start(r -> slackCalls.incrementAndGet() == 1
                     ? new Reply(429, "rate_limited", Map.of("Retry-After", "1"))
                     : Services.slack(slackPath).apply(r));
             AlertTopic topic = new AlertTopic(kafka)) {
            String yaml = """
                    county:
                      leads:
                        - channels:
                            - kind: slack
                              urlEnv: COUNTY_SLACK_URL
                    townships:
                      XG:
                        leads:
                          - channels:
                              - kind: wecom
                                keyEnv: XG_KEY
                                baseUrl: %s
                                rateLimit: 20/500ms
                      SG:
                        leads:
                          - channels:
                              - kind: dingtalk
                                tokenEnv: SG_TOKEN
                                secretEnv: SG_SECRET
                                baseUrl: %s
                    """.formatted(wecom.url(""), dingtalk.url(""));
            Routes routes = Routes.parse(yaml, "routes.yaml", Map.of("COUNTY_SLACK_URL", slack.url(slackPath),
                    "XG_KEY", wecomKey, "SG_TOKEN", dingToken, "SG_SECRET", "not-the-robots-secret"), RoutesTest.NEIXIANG, Routes.RiskyTargets.ALLOW);
            topic.send(Alerts.raised("x1", AlertKind.SITE_SLOW, "XG", "NX-XG-001"));
            RecordMetadata sg = topic.send(Alerts.raised("s1", AlertKind.SITE_SLOW, "SG", "NX-SG-001"));
            topic.send(Alerts.raised("c1", AlertKind.FEED_STALLED, null, null));
            Recorder recorder = new Recorder();
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options(recorder, topic))) {
                Receiver.await("WeCom and Slack delivered, DingTalk refused", Duration.ofSeconds(60), () ->
                        recorder.count(Type.DELIVERED, "XG.wecom.XG_KEY") == 1
                                && recorder.count(Type.DELIVERED, "county.slack.COUNTY_SLACK_URL") == 1
                                && recorder.count(Type.UNDELIVERED, "SG.dingtalk.SG_TOKEN") == 1);
            }
            // errcode 45009 is the robot's rate limit, not a failure: the same page again (after the robot's window,
            // 500 ms here), delivered on the third attempt.
            assertEquals(3, recorder.of(Type.DELIVERED, "XG.wecom.XG_KEY").get(0).attempt());
            assertEquals(2, recorder.count(Type.RATE_LIMITED, "XG.wecom.XG_KEY"));
            assertEquals(0, recorder.count(Type.FAILED, "XG.wecom.XG_KEY"));
            assertTrue(recorder.of(Type.RATE_LIMITED, "XG.wecom.XG_KEY").get(0).detail().contains("45009"));

            // Slack's 429 with Retry-After: 1 — the next attempt waited at least that second (the backoff is 100 ms).
            List<Request> slackRequests = slack.requests();
            assertEquals(2, slackRequests.size());
            long waited = (slackRequests.get(1).nanos() - slackRequests.get(0).nanos()) / 1_000_000;
            assertTrue(waited >= 990, "Retry-After honoured: " + waited + " ms"); // the dispatcher counts in whole ms

            // DingTalk's 310000 (sign not match) is refused at once, not retried: the alert goes to the undelivered topic.
            assertEquals(1, dingtalk.requests().size());
            assertEquals(0, recorder.count(Type.FAILED, "SG.dingtalk.SG_TOKEN"));
            List<ConsumerRecord<String, byte[]>> dead = TopicReader.readAll(kafka.bootstrapServers(), Topics.UNDELIVERED_ALERTS)
                    .stream().filter(r -> header(r, Topics.HEADER_TOPIC).equals(topic.name)).toList();
            assertEquals(1, dead.size());
            ConsumerRecord<String, byte[]> d = dead.get(0);
            assertEquals(Undelivered.REFUSED, header(d, Topics.HEADER_REASON));
            assertTrue(header(d, Topics.HEADER_DETAIL).contains("310000"), header(d, Topics.HEADER_DETAIL));
            assertEquals(Integer.toString(sg.partition()), header(d, Topics.HEADER_PARTITION));
            assertEquals(Long.toString(sg.offset()), header(d, Topics.HEADER_OFFSET));
            assertEquals("SG.dingtalk.SG_TOKEN", header(d, Undelivered.HEADER_CHANNEL));
            assertEquals("s1:RAISED", header(d, Undelivered.HEADER_IDEMPOTENCY_KEY));
            assertEquals("SG", d.key());
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
