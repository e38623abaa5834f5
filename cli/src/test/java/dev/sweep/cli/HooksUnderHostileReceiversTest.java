package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.TopicReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sweep hooks} as a user runs it (its own JVM, as ./sweep starts it, 256 MiB of heap) on a real broker,
 * against hostile receivers on loopback: one answers 200 with a 600 MB body, one sends its headers and stalls
 * the body, one answers 200 after 5 s (the request timeout is 2 s), a DingTalk robot echoes the request URL
 * with its access token in an error, and a forged alert carries markup for a WeCom group. Beside each hostile
 * one a healthy destination of the same township: it gets its page on time, and every alert is delivered once
 * or recorded as undelivered, never both; no secret reaches the log or the undelivered topic; SIGTERM stops it.
 */
@Tag("e2e")
class HooksUnderHostileReceiversTest {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final long HUGE_BODY = 600L * 1024 * 1024;
    static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    static String webhookSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    static String randomHex() {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static Alert alert(String id, AlertKind kind, String township, String site, String message) {
        Instant since = Instant.parse("2022-05-04T00:32:00Z");
        return Alert.newBuilder().setAlertId(id).setKind(kind).setState(AlertState.RAISED).setTownshipId(township)
                .setSiteId(site).setSince(since).setAt(since.plusSeconds(600)).setValue(12).setThreshold(10)
                .setMessage(message).setMessageEn(message).build();
    }

    static String key(Alert a) {
        return a.getAlertId() + ":" + a.getState();
    }

    static void send(List<Alert> alerts) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "hostile-test"))) {
            for (Alert a : alerts) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, a.getTownshipId() == null ? "county" : a.getTownshipId(),
                        EventCodec.ALERTS.encode(a)));
            }
            producer.flush();
        }
    }

    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void oneBadEndpointSilencesNoOtherAndEveryAlertIsDeliveredOnceOrRecorded(@TempDir Path dir) throws Exception {
        String secret = webhookSecret();
        String dingToken = "dt" + randomHex();
        String dingSecret = "SEC" + randomHex();
        String wecomKey = "wk" + randomHex();
        AtomicLong hugeBytesWritten = new AtomicLong();
        CountDownLatch released = new CountDownLatch(1);

        try (Endpoint healthy = new Endpoint((ex, r) -> Endpoint.reply(ex, r, 204, ""));
             Endpoint huge = new Endpoint((ex, r) -> {
                 ex.sendResponseHeaders(200, HUGE_BODY);
                 r.answered = true; // a 200: the page is taken; then the body never ends (as far as the client cares)
                 byte[] chunk = new byte[64 * 1024];
                 java.util.Arrays.fill(chunk, (byte) 'x');
                 try (OutputStream out = ex.getResponseBody()) {
                     for (long sent = 0; sent < HUGE_BODY; sent += chunk.length) {
                         out.write(chunk);
                         hugeBytesWritten.addAndGet(chunk.length);
                     }
                 }
             });
             Endpoint stalled = new Endpoint((ex, r) -> {
                 ex.sendResponseHeaders(200, 1000);
                 OutputStream out = ex.getResponseBody();
                 out.write("{\"ok\":".getBytes(StandardCharsets.UTF_8));
                 out.flush();
                 long start = System.nanoTime();
                 try {
                     while (!released.await(200, TimeUnit.MILLISECONDS)) {
                         out.write(' '); // finds out when the dispatcher has hung up; a byte every 200 ms is no body
                         out.flush();
                         if (System.nanoTime() - start > 120_000_000_000L) {
                             break;
                         }
                         Thread.sleep(0);
                     }
                 } catch (IOException closedByClient) {
                     r.closedAfterMillis = (System.nanoTime() - start) / 1_000_000;
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             });
             Endpoint slow = new Endpoint((ex, r) -> {
                 sleep(5_000);
                 Endpoint.reply(ex, r, 204, "");
             });
             Endpoint wecom = new Endpoint((ex, r) -> Endpoint.reply(ex, r, 200, r.query != null && r.query.equals("key=" + wecomKey)
                     ? "{\"errcode\":0,\"errmsg\":\"ok\"}" : "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}"));
             Endpoint dingtalk = new Endpoint((ex, r) -> Endpoint.reply(ex, r, 200,
                     "{\"errcode\":310000,\"errmsg\":\"sign not match, more: [" + ex.getRequestURI() + "]\"}"))) {
            Path routes = dir.resolve("routes.yaml");
            Files.writeString(routes, """
                    county:
                      leads:
                        - channels:
                            - {kind: webhook, id: county-ok, url: "%1$s", secretEnv: HOOK_SECRET}
                    townships:
                      CG:
                        leads:
                          - channels:
                              - {kind: webhook, id: cg-huge, url: "%2$s", secretEnv: HOOK_SECRET}
                              - {kind: webhook, id: cg-ok, url: "%1$s", secretEnv: HOOK_SECRET}
                      XG:
                        leads:
                          - channels:
                              - {kind: webhook, id: xg-stalled, url: "%3$s", secretEnv: HOOK_SECRET}
                              - {kind: webhook, id: xg-ok, url: "%1$s", secretEnv: HOOK_SECRET}
                      SG:
                        leads:
                          - channels:
                              - {kind: webhook, id: sg-slow, url: "%4$s", secretEnv: HOOK_SECRET}
                              - {kind: webhook, id: sg-ok, url: "%1$s", secretEnv: HOOK_SECRET}
                      MS:
                        leads:
                          - channels:
                              - {kind: wecom, id: ms-wecom, keyEnv: MS_WECOM_KEY, baseUrl: "%5$s"}
                      TD:
                        leads:
                          - channels:
                              - {kind: dingtalk, id: td-dingtalk, tokenEnv: TD_TOKEN, secretEnv: TD_SECRET, baseUrl: "%6$s"}
                              - {kind: webhook, id: td-ok, url: "%1$s", secretEnv: HOOK_SECRET}
                      WT:
                        leads:
                          - channels:
                              - {kind: webhook, id: wt-ok, url: "%1$s", secretEnv: HOOK_SECRET}
                    """.formatted(healthy.url("/ok"), huge.url("/huge"), stalled.url("/stalled"), slow.url("/slow"),
                    wecom.url(""), dingtalk.url("")));
            Map<String, String> env = Map.of("HOOK_SECRET", secret, "MS_WECOM_KEY", wecomKey, "TD_TOKEN", dingToken,
                    "TD_SECRET", dingSecret);

            String markup = "<@all> 速来 [点此处理](https://evil.example/x) <font color=\"warning\">紧急</font> **立即**";
            Alert cg = alert("SITE_SILENT-NX-CG-001-1", AlertKind.SITE_SILENT, "CG", "NX-CG-001", "采样点 12 分钟无扫码");
            Alert xg = alert("SITE_SILENT-NX-XG-001-1", AlertKind.SITE_SILENT, "XG", "NX-XG-001", "采样点 12 分钟无扫码");
            Alert sg = alert("SITE_SILENT-NX-SG-001-1", AlertKind.SITE_SILENT, "SG", "NX-SG-001", "采样点 12 分钟无扫码");
            Alert ms = alert("SITE_SILENT-NX-MS-001-1", AlertKind.SITE_SILENT, "MS", "NX-MS-001", markup);
            Alert td = alert("SITE_SILENT-NX-TD-001-1", AlertKind.SITE_SILENT, "TD", "NX-TD-001", "采样点 12 分钟无扫码");
            String group = "hostile-" + UUID.randomUUID();

            try (SweepProcess hooks = SweepProcess.start(dir.resolve("hooks.log"), "256m", env, "hooks",
                    "--bootstrap", kafka.bootstrapServers(), "--routes", routes.toString(), "--group", group,
                    "--batch-window", "0s", "--request-timeout", "2s", "--give-up-after", "20s", "--max-backoff", "2s",
                    "--allow-risky-targets")) {
                await("the dispatcher is up", WAIT, () -> hooks.output().contains("Ctrl-C stops") || !hooks.process.isAlive());
                assertTrue(hooks.process.isAlive(), hooks.output());
                assertTrue(hooks.output().contains("this JVM exits on OutOfMemoryError"), hooks.output());

                // The hostile ones with a healthy one beside each; then, while they misbehave, alerts for other townships.
                long sentAt = System.nanoTime();
                send(List.of(cg, xg, sg, ms, td));
                await("the huge body, the stalled body and the slow answer under way", WAIT,
                        () -> !huge.requests().isEmpty() && !stalled.requests().isEmpty() && !slow.requests().isEmpty());
                List<Alert> second = List.of(
                        alert("SITE_SLOW-NX-WT-002-1", AlertKind.SITE_SLOW, "WT", "NX-WT-002", "慢"),
                        alert("FEED_STALLED-1", AlertKind.FEED_STALLED, null, null, "数据中断"));
                send(second);
                List<String> healthyKeys = new ArrayList<>();
                for (Alert a : List.of(cg, xg, sg, td)) {
                    healthyKeys.add(key(a));
                }
                second.forEach(a -> healthyKeys.add(key(a)));
                await("every healthy destination's pages", Duration.ofSeconds(30),
                        () -> healthyKeys.stream().allMatch(k -> healthy.requests(k).stream().anyMatch(r -> r.answered)));
                long healthyMillis = (System.nanoTime() - sentAt) / 1_000_000;

                await("the stalled endpoint given up", WAIT, () -> undelivered().stream()
                        .anyMatch(r -> "xg-stalled".equals(header(r, "channel"))));
                await("the slow endpoint's page acknowledged", WAIT, () -> hooks.output().contains("sg-slow: page " + key(sg)));
                long peakKiB = hooks.statusKiB("VmHWM");
                String heap = hooks.jcmd("GC.heap_info").lines().filter(l -> l.contains("total") && l.contains("used"))
                        .findFirst().orElse("?").trim();
                long threads = hooks.statusKiB("Threads");
                assertTrue(hooks.process.isAlive(), "the dispatcher is still up:\n" + hooks.output());

                // Every healthy destination: each alert once, on time, while the hostile ones misbehaved.
                for (String k : healthyKeys) {
                    assertEquals(1, healthy.requests(k).size(), k + " once to its healthy destination");
                }
                // The 600 MB body: the page was taken once, and at most a few MB were ever written to a dispatcher that stopped reading.
                assertEquals(1, huge.requests().size(), "taken on the first attempt, not retried");
                assertTrue(hugeBytesWritten.get() < 64L * 1024 * 1024, "the rest was never read: " + hugeBytesWritten.get());
                // The stalled body: each attempt hung up by its deadline (2 s, doubling to 16 s; generous margins), then given up.
                List<Endpoint.Request> stalls = stalled.requests();
                assertTrue(stalls.size() >= 2 && stalls.size() <= 5, stalls.size() + " attempts");
                for (int i = 0; i < stalls.size(); i++) {
                    long limit = 2_000L << Math.min(i, 3);
                    long held = stalls.get(i).closedAfterMillis;
                    assertTrue(held >= 0 && held < limit + 5_000, "attempt " + (i + 1) + " held " + held + " ms (deadline " + limit + " ms)");
                }
                // The slow 200: a bounded number of attempts, delivered, and not also given up.
                List<Endpoint.Request> slowOnes = slow.requests();
                assertTrue(slowOnes.size() >= 2 && slowOnes.size() <= 4, slowOnes.size() + " attempts for one alert");
                assertTrue(slowOnes.stream().allMatch(r -> r.keys.equals(List.of(key(sg)))));

                // The undelivered topic: the stalled page (gave up) and the DingTalk refusal; nothing else.
                await("the DingTalk refusal recorded", WAIT, () -> undelivered().stream()
                        .anyMatch(r -> "td-dingtalk".equals(header(r, "channel"))));
                List<ConsumerRecord<String, byte[]>> dead = undelivered().stream()
                        .filter(r -> !"resume".equals(header(r, "channel"))).toList();
                assertEquals(List.of("td-dingtalk " + key(td) + " refused", "xg-stalled " + key(xg) + " gave-up"),
                        dead.stream().map(r -> header(r, "channel") + " " + header(r, "idempotency-key") + " " + header(r, Topics.HEADER_REASON))
                                .sorted().toList());
                for (ConsumerRecord<String, byte[]> r : dead) {
                    String detail = header(r, Topics.HEADER_DETAIL);
                    assertFalse(detail.contains(dingToken) || detail.contains(dingSecret), "no secret in the detail: " + detail);
                }
                String dingDetail = dead.stream().filter(r -> "td-dingtalk".equals(header(r, "channel"))).findFirst()
                        .map(r -> header(r, Topics.HEADER_DETAIL)).orElseThrow();
                assertTrue(dingDetail.contains("access_token=***") && dingDetail.contains("sign=***"), "the echo, redacted: " + dingDetail);

                // The forged markup reached the WeCom group as text.
                assertEquals(1, wecom.requests().size());
                String content = wecom.requests().get(0).body;
                for (String bad : List.of("<@all>", "[点此处理](", "https://", "<font color=\\\"warning\\\">", "**立即**")) {
                    assertFalse(content.contains(bad), "'" + bad + "' reached WeCom: " + content);
                }
                assertTrue(content.contains("＜＠all＞ 速来"), content);

                assertTrue(hooks.terminate(Duration.ofSeconds(60)), "SIGTERM stops it:\n" + hooks.output());
                String log = hooks.output();
                for (String s : List.of(dingToken, dingSecret, wecomKey, secret.substring(6))) {
                    assertFalse(log.contains(s), "a secret in the log:\n" + log);
                }
                assertFalse(log.contains("java.lang.OutOfMemoryError"), log);
                System.out.printf("hooks under hostile receivers: healthy pages in %d ms; peak RSS %d MiB at -Xmx256m, heap %s, %d threads;"
                                + " 600 MB body: %d KiB written before the hang-up; stalled attempts held %s ms; slow attempts %d%n",
                        healthyMillis, peakKiB / 1024, heap, threads, hugeBytesWritten.get() / 1024,
                        stalls.stream().map(r -> Long.toString(r.closedAfterMillis)).toList(), slowOnes.size());
            } finally {
                released.countDown();
            }
        }
    }

    /**
     * A dispatcher that dies at once (as it does on OutOfMemoryError: no shutdown hook, no last commit), killed
     * while a page is on its way, is started again by its supervisor: the page on its way is sent again (the
     * endpoint never answered it), and no acknowledged page is sent twice.
     */
    @Test
    void aDispatcherThatDiesResumesFromItsCommittedOffsets(@TempDir Path dir) throws Exception {
        String secret = webhookSecret();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        String held = "SITE_SILENT-NX-CG-003-1:RAISED";
        try (Endpoint endpoint = new Endpoint((ex, r) -> {
                 if (r.keys.contains(held) && killed.getCount() > 0) {
                     holding.countDown();
                     await(killed); // the dispatcher dies while this page waits for its answer
                     return;        // never answered
                 }
                 Endpoint.reply(ex, r, 204, "");
             })) {
            Path routes = dir.resolve("routes.yaml");
            Files.writeString(routes, """
                    county:
                      leads:
                        - channels:
                            - {kind: webhook, id: resume, url: "%s", secretEnv: HOOK_SECRET}
                    """.formatted(endpoint.url("/county")));
            String group = "resume-" + UUID.randomUUID();
            String[] args = {"hooks", "--bootstrap", kafka.bootstrapServers(), "--routes", routes.toString(), "--group", group,
                    "--batch-window", "0s", "--request-timeout", "30s", "--allow-risky-targets"};
            List<Alert> alerts = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                alerts.add(alert("SITE_SILENT-NX-CG-00" + i + "-1", AlertKind.SITE_SILENT, "CG", "NX-CG-00" + i, "无扫码"));
            }
            try (SweepProcess first = SweepProcess.start(dir.resolve("first.log"), "256m", Map.of("HOOK_SECRET", secret), args)) {
                for (Alert a : alerts.subList(0, 2)) { // one at a time: one page each
                    send(List.of(a));
                    await("page " + key(a), WAIT, () -> endpoint.requests(key(a)).stream().anyMatch(r -> r.answered));
                }
                send(alerts.subList(2, 3));
                assertTrue(holding.await(90, TimeUnit.SECONDS), "the third page on its way:\n" + first.output());
                send(alerts.subList(3, 5));
                first.process.destroyForcibly(); // SIGKILL: what ExitOnOutOfMemoryError amounts to for the offsets
                first.process.waitFor(30, TimeUnit.SECONDS);
                killed.countDown();
            }
            try (SweepProcess second = SweepProcess.start(dir.resolve("second.log"), "256m", Map.of("HOOK_SECRET", secret), args)) {
                await("every page acknowledged", WAIT, () -> alerts.stream().allMatch(a -> endpoint.requests(key(a)).stream()
                        .anyMatch(r -> r.answered)));
                Thread.sleep(2_000); // room for a page sent twice to show
                for (Alert a : alerts) {
                    assertEquals(1, endpoint.requests(key(a)).stream().filter(r -> r.answered).count(), key(a) + " acknowledged once");
                }
                assertEquals(2, endpoint.requests(held).size(), "the unanswered page, and its resend");
                assertTrue(second.terminate(Duration.ofSeconds(60)));
            }
        }
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static List<ConsumerRecord<String, byte[]>> undelivered() {
        return TopicReader.readAll(kafka.bootstrapServers(), Topics.UNDELIVERED_ALERTS);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
