package dev.sweep.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sweep.broker.LocalKafka;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.hooks.Receiver.Reply;
import dev.sweep.hooks.Receiver.Request;
import dev.sweep.hooks.Recorder.Type;
import dev.sweep.hooks.delivery.Undelivered;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Delivery on real parts (the in-process Kafka broker, real HTTP endpoints): an outage is ridden out,
 * a restart neither loses nor repeats a page, a burst goes out as one message, what cannot be delivered
 * goes to the undelivered topic, one bad endpoint holds back no other, and the county route takes
 * FEED_STALLED and the townships without a lead.
 */
@Tag("e2e")
class DeliveryTest {
    static final String SECRET = Services.webhookSecret();
    static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = SharedBroker.get();
    }

    static HookOptions options(Recorder recorder, AlertTopic topic) {
        return HookOptions.defaults()
                .withGroup("test-" + UUID.randomUUID())
                .withTopic(topic.name)
                .withBatchWindow(Duration.ofMillis(200))
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .withGiveUpAfter(Duration.ofSeconds(60))
                .withRequestTimeout(Duration.ofSeconds(5))
                .withListener(recorder);
    }

    /** Township ids to webhook URLs; the county route first. */
    static Routes webhookRoutes(String countyUrl, Map<String, String> townshipUrls) {
        StringBuilder yaml = new StringBuilder("""
                county:
                  leads:
                    - channels:
                        - kind: webhook
                          id: county
                          url: %s
                          secretEnv: HOOK_SECRET
                townships:
                """.formatted(countyUrl));
        townshipUrls.forEach((township, url) -> yaml.append("""
                  %s:
                    leads:
                      - channels:
                          - kind: webhook
                            id: %s
                            url: %s
                            secretEnv: HOOK_SECRET
                """.formatted(township, township, url)));
        return Routes.parse(yaml.toString(), "routes.yaml", Map.of("HOOK_SECRET", SECRET), RoutesTest.NEIXIANG, Routes.RiskyTargets.ALLOW);
    }

    static List<Alert> silentSites(String township, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> Alerts.raised("SITE_SILENT-NX-%s-%03d".formatted(township, i),
                AlertKind.SITE_SILENT, township, "NX-%s-%03d".formatted(township, i))).toList();
    }

    static List<String> keys(List<Alert> alerts) {
        return alerts.stream().map(a -> a.getAlertId() + ":" + a.getState()).toList();
    }

    /** Every alert key a webhook receiver took, as listed in the signed bodies (a key twice shows twice). */
    static List<String> receivedKeys(Receiver r) {
        List<String> out = new ArrayList<>();
        for (Request req : r.requests()) {
            out.addAll(bodyKeys(req, SECRET));
        }
        return out;
    }

    /** The alert keys a signed webhook body lists, checked against its headers and its count. */
    static List<String> bodyKeys(Request req, String secret) {
        assertTrue(Services.webhookSignatureValid(req, secret));
        List<String> inBody = new ArrayList<>();
        JsonNode body = req.json();
        body.path("alerts").forEach(a -> inBody.add(a.path("idempotencyKey").asText()));
        assertEquals(inBody.size(), body.path("alertCount").asInt(), "alertCount");
        assertEquals(inBody.size(), req.alertCount(), "X-Sweep-Alert-Count");
        if (req.header("X-Sweep-Alert-Keys") != null) {
            assertEquals(inBody, req.alertKeys(), "the header lists the body's keys");
        } else {
            assertTrue(inBody.size() > 50, "only a big page leaves the keys' header out: " + inBody.size());
        }
        return inBody;
    }

    static Map<String, Long> counts(List<String> keys) {
        return keys.stream().collect(Collectors.groupingBy(k -> k, TreeMap::new, Collectors.counting()));
    }

    static Map<String, Long> once(List<String> keys) {
        return keys.stream().collect(Collectors.toMap(k -> k, k -> 1L, (a, b) -> a, TreeMap::new));
    }

    // -------------------------------------------------------------------------------------------------------

    @Test
    void anEndpointThatRefusesConnectionsForAWhileGetsEveryPageOnceItIsBack() throws Exception {
        int port = Receiver.closedPort();
        Routes routes = webhookRoutes("http://127.0.0.1:" + Receiver.closedPort() + "/county",
                Map.of("CG", "http://127.0.0.1:" + port + "/cg"));
        Recorder recorder = new Recorder();
        List<Alert> before = silentSites("CG", 1, 3);
        List<Alert> after = silentSites("CG", 4, 5);
        try (AlertTopic topic = new AlertTopic(kafka);
             AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options(recorder, topic))) {
            topic.sendAll(before);
            Receiver.await("five refused connections", Duration.ofSeconds(60), () -> recorder.count(Type.FAILED, "CG") >= 5);
            assertEquals(0, recorder.count(Type.DELIVERED, "CG"));
            assertTrue(recorder.of(Type.FAILED, "CG").get(0).detail().startsWith("cannot connect"), recorder.of(Type.FAILED, "CG").get(0).detail());

            try (Receiver back = Receiver.start(port, Services.webhook(SECRET))) {
                Receiver.await("the backlog delivered", Duration.ofSeconds(30), () -> receivedKeys(back).size() >= 3);
                topic.sendAll(after);
                Receiver.await("the new alerts delivered", Duration.ofSeconds(30), () -> receivedKeys(back).size() >= 5);
                hooks.close();
                List<String> expected = new ArrayList<>(keys(before));
                expected.addAll(keys(after));
                assertEquals(once(expected), counts(receivedKeys(back)), "every page, each once");
                assertTrue(recorder.of(Type.DELIVERED, "CG").get(0).attempt() >= 6, "delivered on the attempt after the outage");
            }
        }
    }

    @Test
    void aRestartNeitherLosesNorRepeatsAPage() throws Exception {
        AtomicReference<CountDownLatch> holdNext = new AtomicReference<>();
        Function<Request, Reply> verify = Services.webhook(SECRET);
        try (Receiver receiver = Receiver.start(r -> {
                 CountDownLatch arrived = holdNext.getAndSet(null);
                 if (arrived != null) {
                     arrived.countDown();
                     sleep(800); // the dispatcher is told to stop while this answer is on its way
                 }
                 return verify.apply(r);
             });
             AlertTopic topic = new AlertTopic(kafka)) {
            Routes routes = webhookRoutes(receiver.url("/county"), Map.of("CG", receiver.url("/cg")));
            Recorder recorder = new Recorder();
            HookOptions options = options(recorder, topic);
            List<Alert> first = silentSites("CG", 1, 5);
            List<Alert> inFlight = silentSites("CG", 6, 8);
            List<Alert> queued = silentSites("CG", 9, 10);
            List<Alert> batched = silentSites("CG", 11, 11);

            // 1. Five pages delivered and acknowledged.
            topic.sendAll(first);
            AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options);
            Receiver.await("the first alerts", Duration.ofSeconds(60), () -> receivedKeys(receiver).size() >= 5);

            // 2. Stopped while a page is on its way (its answer comes after the stop) and two more wait in Kafka.
            CountDownLatch arrived = new CountDownLatch(1);
            holdNext.set(arrived);
            topic.sendAll(inFlight);
            assertTrue(arrived.await(30, TimeUnit.SECONDS));
            topic.sendAll(queued);
            hooks.close();
            assertEquals(8, receivedKeys(receiver).size());

            // 3. Started again with the same group: the queued alerts, and no page again. Stopped while an alert
            //    waits out its batch window.
            hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options.withBatchWindow(Duration.ofSeconds(2)));
            Receiver.await("the queued alerts", Duration.ofSeconds(60), () -> receivedKeys(receiver).size() >= 10);
            topic.sendAll(batched);
            Receiver.await("the last alert read", Duration.ofSeconds(30), () -> recorder.of(Type.RECEIVED, "CG").stream()
                    .anyMatch(e -> e.keys().equals(keys(batched))));
            hooks.close();
            assertEquals(10, receivedKeys(receiver).size(), "the batched alert was not sent before the stop");

            // 4. Started once more: the held alert goes out; then every offset is committed.
            hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options);
            Receiver.await("the held alert", Duration.ofSeconds(60), () -> receivedKeys(receiver).size() >= 11);
            Receiver.await("every offset committed", Duration.ofSeconds(30), () -> committedToEnd(options.groupOf("CG"), topic.name));
            hooks.close();

            List<String> expected = new ArrayList<>();
            for (List<Alert> part : List.of(first, inFlight, queued, batched)) {
                expected.addAll(keys(part));
            }
            assertEquals(once(expected), counts(receivedKeys(receiver)), "each page once, none missing");
            List<String> pageKeys = receiver.requests().stream().map(r -> r.header("Idempotency-Key")).toList();
            assertEquals(pageKeys.size(), Set.copyOf(pageKeys).size(), "no Idempotency-Key twice: " + pageKeys);
        }
    }

    private static boolean committedToEnd(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = kafka.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < 4; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            var ends = kafka.admin().listOffsets(request).all().get(10, TimeUnit.SECONDS);
            for (var e : ends.entrySet()) {
                long end = e.getValue().offset();
                OffsetAndMetadata c = committed.get(e.getKey());
                if (end > 0 && (c == null || c.offset() != end)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void twentyAlertsForOneTownshipInsideTheWindowGoOutAsOneMessage() throws Exception {
        String wecomKey = UUID.randomUUID().toString();
        try (Receiver webhook = Receiver.start(Services.webhook(SECRET));
             Receiver wecom = Receiver.start(Services.wecom(wecomKey));
             AlertTopic topic = new AlertTopic(kafka)) {
            String yaml = """
                    county:
                      leads:
                        - channels:
                            - kind: webhook
                              url: %s
                              secretEnv: HOOK_SECRET
                    townships:
                      CG:
                        leads:
                          - channels:
                              - kind: webhook
                                id: cg-webhook
                                url: %s
                                secretEnv: HOOK_SECRET
                              - kind: wecom
                                id: cg-wecom
                                keyEnv: CG_WECOM_KEY
                                baseUrl: %s
                    """.formatted(webhook.url("/county"), webhook.url("/cg"), wecom.url(""));
            Routes routes = Routes.parse(yaml, "routes.yaml", Map.of("HOOK_SECRET", SECRET, "CG_WECOM_KEY", wecomKey), RoutesTest.NEIXIANG, Routes.RiskyTargets.ALLOW);
            Recorder recorder = new Recorder();
            List<Alert> outage = silentSites("CG", 1, 20);
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes,
                    options(recorder, topic).withBatchWindow(Duration.ofSeconds(3)))) {
                topic.sendAll(outage);
                Receiver.await("both destinations' pages", Duration.ofSeconds(60),
                        () -> recorder.count(Type.DELIVERED, "cg-webhook") >= 1 && recorder.count(Type.DELIVERED, "cg-wecom") >= 1);
            }
            assertEquals(1, webhook.requests().size(), "one message to the webhook");
            assertEquals(once(keys(outage)), counts(receivedKeys(webhook)));
            Request page = webhook.requests().get(0);
            assertTrue(page.header("Idempotency-Key").startsWith("page-"), page.header("Idempotency-Key"));
            assertTrue(page.json().path("text").asText().startsWith("【告警】城关镇 20 条"), page.json().path("text").asText());

            assertEquals(1, wecom.requests().size(), "one message to the WeCom group");
            Request robot = wecom.requests().get(0);
            assertEquals(once(keys(outage)), counts(robot.alertKeys()));
            assertEquals(page.header("Idempotency-Key"), robot.header("Idempotency-Key"), "the same alerts make the same key");
            String content = robot.json().path("markdown").path("content").asText();
            assertTrue(content.getBytes(StandardCharsets.UTF_8).length <= 4096, "WeCom's limit");
            // More than ten alerts: a digest, one line for the twenty silent sites, each named.
            assertTrue(content.contains("【告警】采样点无扫码 · 城关镇 20 个采样点") && content.contains("site silent · Chengguan, 20 sites"), content);
            for (Alert a : outage) {
                assertTrue(content.contains(a.getSiteId()), a.getSiteId() + " named:\n" + content);
            }
        }
    }

    @Test
    void whatCannotBeDeliveredGoesToTheUndeliveredTopicWithWhereItCameFrom() throws Exception {
        try (Receiver busy = Receiver.start(r -> Reply.status(503, "busy"));
             AlertTopic topic = new AlertTopic(kafka)) {
            Routes routes = webhookRoutes(busy.url("/county"), Map.of("CG", busy.url("/cg")));
            Recorder recorder = new Recorder();
            Alert alert = Alerts.raised("SITE_SLOW-NX-CG-002-1", AlertKind.SITE_SLOW, "CG", "NX-CG-002");
            RecordMetadata sent = topic.send(alert);
            byte[] garbage = "not an alert".getBytes(StandardCharsets.UTF_8);
            RecordMetadata corrupt = topic.sendRaw("CG", garbage);
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes,
                    options(recorder, topic).withGiveUpAfter(Duration.ofMillis(1500)))) {
                Receiver.await("the give-up", Duration.ofSeconds(60), () -> recorder.count(Type.UNDELIVERED, "CG") == 1
                        && recorder.count(Type.UNDELIVERED, "county") == 1);
            }
            assertTrue(busy.requests().size() >= 3, "retried before giving up: " + busy.requests().size());
            assertTrue(recorder.count(Type.FAILED, "CG") >= 2);

            Map<String, ConsumerRecord<String, byte[]>> dead = new HashMap<>();
            for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(kafka.bootstrapServers(), Topics.UNDELIVERED_ALERTS)) {
                if (ChannelsTest.header(r, Topics.HEADER_TOPIC).equals(topic.name)) {
                    dead.put(ChannelsTest.header(r, Topics.HEADER_REASON), r);
                }
            }
            assertEquals(Set.of(Undelivered.GAVE_UP, Undelivered.CORRUPT), dead.keySet());

            ConsumerRecord<String, byte[]> gaveUp = dead.get(Undelivered.GAVE_UP);
            assertEquals("CG", gaveUp.key());
            assertEquals(alert, EventCodec.ALERTS.decode(gaveUp.value()), "the original record, to replay");
            assertEquals(Integer.toString(sent.partition()), ChannelsTest.header(gaveUp, Topics.HEADER_PARTITION));
            assertEquals(Long.toString(sent.offset()), ChannelsTest.header(gaveUp, Topics.HEADER_OFFSET));
            assertEquals("CG", ChannelsTest.header(gaveUp, Undelivered.HEADER_CHANNEL));
            assertEquals("SITE_SLOW-NX-CG-002-1:RAISED", ChannelsTest.header(gaveUp, Undelivered.HEADER_IDEMPOTENCY_KEY));
            String detail = ChannelsTest.header(gaveUp, Topics.HEADER_DETAIL);
            assertTrue(detail.startsWith("gave up after ") && detail.contains("HTTP 503"), detail);

            // A record that is no Alert cannot be routed: the county route's destination owns it.
            ConsumerRecord<String, byte[]> bad = dead.get(Undelivered.CORRUPT);
            assertArrayEquals(garbage, bad.value());
            assertEquals(Long.toString(corrupt.offset()), ChannelsTest.header(bad, Topics.HEADER_OFFSET));
            assertEquals("county", ChannelsTest.header(bad, Undelivered.HEADER_CHANNEL));
            assertTrue(busy.requests().stream().noneMatch(r -> r.path().equals("/county")), "nothing paged for it");
        }
    }

    @Test
    void aSlowAndADeadEndpointHoldBackNoOtherTownship() throws Exception {
        CountDownLatch slowArrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Function<Request, Reply> verify = Services.webhook(SECRET);
        try (Receiver slow = Receiver.start(r -> {
                 slowArrived.countDown();
                 await(release);
                 return verify.apply(r);
             });
             Receiver healthy = Receiver.start(verify);
             AlertTopic topic = new AlertTopic(kafka)) {
            Map<String, String> urls = new TreeMap<>(Map.of("CG", slow.url("/cg"),
                    "XG", "http://127.0.0.1:" + Receiver.closedPort() + "/xg", "SG", healthy.url("/sg")));
            Routes routes = webhookRoutes(healthy.url("/county"), urls);
            Recorder recorder = new Recorder();
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes,
                    options(recorder, topic).withRequestTimeout(Duration.ofSeconds(30)))) {
                try {
                    topic.sendAll(silentSites("CG", 1, 1));
                    topic.sendAll(silentSites("XG", 1, 1));
                    assertTrue(slowArrived.await(60, TimeUnit.SECONDS), "the slow endpoint got its request");
                    Receiver.await("the dead endpoint's first failure", Duration.ofSeconds(60), () -> recorder.count(Type.FAILED, "XG") >= 1);

                    List<Alert> sg = silentSites("SG", 1, 2);
                    topic.sendAll(sg.subList(0, 1));
                    Receiver.await("SG's first page", Duration.ofSeconds(60), () -> receivedKeys(healthy).size() >= 1);
                    topic.sendAll(sg.subList(1, 2));
                    Receiver.await("SG's second page", Duration.ofSeconds(60), () -> receivedKeys(healthy).size() >= 2);
                    assertEquals(once(keys(sg)), counts(receivedKeys(healthy)));
                    assertEquals(0, slow.requests().size(), "CG's endpoint has not answered yet");
                    assertEquals(0, recorder.count(Type.DELIVERED, "CG"));
                    assertEquals(0, recorder.count(Type.DELIVERED, "XG"));

                    release.countDown();
                    Receiver.await("CG's page once its endpoint answers", Duration.ofSeconds(30), () -> recorder.count(Type.DELIVERED, "CG") == 1);
                    assertEquals(0, recorder.count(Type.DELIVERED, "XG"), "the dead endpoint still has nothing");
                } finally {
                    release.countDown(); // even when an assertion failed, so close() need not wait for it
                }
            }
        }
    }

    @Test
    void theCountyRouteTakesFeedStalledAndTheTownshipsWithoutALead() throws Exception {
        try (Receiver county = Receiver.start(Services.webhook(SECRET));
             Receiver cg = Receiver.start(Services.webhook(SECRET));
             AlertTopic topic = new AlertTopic(kafka)) {
            String yaml = """
                    county:
                      leads:
                        - channels:
                            - kind: webhook
                              id: county
                              url: %s
                              secretEnv: HOOK_SECRET
                    townships:
                      CG:
                        leads:
                          - channels:
                              - kind: webhook
                                id: CG
                                url: %s
                                secretEnv: HOOK_SECRET
                      XG:
                        leads: []
                    """.formatted(county.url("/county"), cg.url("/cg"));
            Routes routes = Routes.parse(yaml, "routes.yaml", Map.of("HOOK_SECRET", SECRET), RoutesTest.NEIXIANG, Routes.RiskyTargets.ALLOW);
            Alert cgSilent = Alerts.raised("SITE_SILENT-NX-CG-003-1", AlertKind.SITE_SILENT, "CG", "NX-CG-003");
            Alert feed = Alerts.raised("FEED_STALLED-7", AlertKind.FEED_STALLED, null, null);
            Alert xgNoLead = Alerts.raised("STATION_OFFLINE-NX-XG-002-1", AlertKind.STATION_OFFLINE, "XG", "NX-XG-002");
            Alert sgNotListed = Alerts.raised("TOWNSHIP_BEHIND_PLAN-SG-1", AlertKind.TOWNSHIP_BEHIND_PLAN, "SG", null);
            Recorder recorder = new Recorder();
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options(recorder, topic))) {
                topic.sendAll(List.of(cgSilent, feed, xgNoLead, sgNotListed));
                Receiver.await("the county's and CG's pages", Duration.ofSeconds(60),
                        () -> receivedKeys(county).size() >= 3 && receivedKeys(cg).size() >= 1);
            }
            assertEquals(once(keys(List.of(feed, xgNoLead, sgNotListed))), counts(receivedKeys(county)));
            assertEquals(once(keys(List.of(cgSilent))), counts(receivedKeys(cg)));
            String text = county.requests().stream().map(r -> r.json().path("text").asText()).collect(Collectors.joining("\n"));
            assertTrue(text.contains("全县") && text.contains("夏馆镇") && text.contains("师岗镇"), text);
            JsonNode firstCg = cg.requests().get(0).json();
            assertEquals("CG", firstCg.path("alerts").get(0).path("townshipId").asText());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
