package dev.sweep.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertState;
import dev.sweep.hooks.Receiver.Reply;
import dev.sweep.hooks.Receiver.Request;
import dev.sweep.hooks.Recorder.Type;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paging under a storm, on real parts (the in-process broker, real HTTP endpoints answering as the services do):
 * a mobile network outage takes 东城区's 1,000 stations offline at once ({@link Alerts#storm}), then they come back.
 * Each lead gets a few bundled pages, every alert is accounted for, a "too fast" answer is waited out, and a
 * restart in the middle loses nothing.
 *
 * <p>The storm comes as the job commits it: each burst in one Kafka transaction, visible to the hooks all at once.
 * The bound on pages, per destination: a burst of A alerts makes at most ⌊A/C⌋ full pages (C alerts a page) and
 * one more with the rest, since a page short of C goes only once the backlog is read; a storm spread over a
 * duration D adds at most one page per batch window B (README, "Alert hooks", Delivery). The rate limit caps
 * them too, at N per window W (20 a minute for the robots): the limiter's own tests check that on its clock
 * (RateLimiterTest); here only counts are asserted, never durations.
 */
@Tag("e2e")
class StormTest {
    static final String SECRET = Services.webhookSecret();
    static final Pattern DC_SITE = Pattern.compile("DC-\\d{4}");
    static LocalKafka kafka;

    @BeforeAll
    static void broker() {
        kafka = SharedBroker.get();
    }

    static HookOptions options(Recorder recorder, AlertTopic topic) {
        return HookOptions.defaults()
                .withGroup("storm-" + UUID.randomUUID())
                .withTopic(topic.name)
                .withBatchWindow(Duration.ofSeconds(2))
                .withBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .withGiveUpAfter(Duration.ofMinutes(5))
                .withRequestTimeout(Duration.ofSeconds(10))
                .withListener(recorder);
    }

    /** 东城区's lead on every kind of channel; the county route on a webhook of its own (it gets nothing here). */
    static Routes routes(Scenario city, Receiver wecom, Receiver dingtalk, Receiver slack, Receiver webhook, String extra) {
        String yaml = """
                county:
                  leads:
                    - channels:
                        - kind: webhook
                          id: county
                          url: %s
                          secretEnv: HOOK_SECRET
                townships:
                  DC:
                    leads:
                      - name: 东城区值班长
                        channels:
                          - kind: wecom
                            id: dc-wecom
                            keyEnv: DC_WECOM_KEY
                            baseUrl: %s
                          - kind: dingtalk
                            id: dc-dingtalk
                            tokenEnv: DC_DING_TOKEN
                            secretEnv: DC_DING_SECRET
                            baseUrl: %s
                          - kind: slack
                            id: dc-slack
                            urlEnv: DC_SLACK_URL
                          - kind: webhook
                            id: dc-webhook
                            url: %s
                            secretEnv: HOOK_SECRET
                """.formatted(webhook.url("/county"), wecom.url(""), dingtalk.url(""), webhook.url("/dc"));
        for (String line : extra.lines().toList()) { // "dc-wecom rateLimit: 20/1s": a field for one channel
            String id = line.substring(0, line.indexOf(' '));
            yaml = yaml.replace("id: " + id + "\n", "id: " + id + "\n" + " ".repeat(12) + line.substring(id.length() + 1) + "\n");
        }
        Map<String, String> env = Map.of("HOOK_SECRET", SECRET, "DC_WECOM_KEY", WECOM_KEY, "DC_DING_TOKEN", DING_TOKEN,
                "DC_DING_SECRET", DING_SECRET, "DC_SLACK_URL", slack.url(SLACK_PATH));
        return Routes.parse(yaml, "routes.yaml", env, city, Routes.RiskyTargets.ALLOW);
    }

    static final String WECOM_KEY = UUID.randomUUID().toString();
    static final String DING_TOKEN = UUID.randomUUID().toString();
    static final String DING_SECRET = "SEC" + UUID.randomUUID().toString().replace("-", "");
    static final String SLACK_PATH = "/services/T1/B1/" + UUID.randomUUID();
    static final List<String> LEAD = List.of("dc-wecom", "dc-dingtalk", "dc-slack", "dc-webhook");

    // -------------------------------------------------------------------------------------------------------

    /**
     * 1,000 RAISED in one burst, then 1,000 RESOLVED in another: at most 3 pages a burst at each destination
     * (⌊1000/500⌋ full ones and one more; 2 in fact), 6 in all, every alert in exactly one of them, none undelivered.
     */
    @Test
    void aStormReachesEachLeadAsAFewPagesWithEveryAlertAccountedFor(@TempDir Path dir) throws Exception {
        Scenario city = CityScenario.write(dir.resolve("city"));
        List<Alert> raised = Alerts.storm(AlertState.RAISED);
        List<Alert> resolved = Alerts.storm(AlertState.RESOLVED);
        List<String> all = new ArrayList<>(DeliveryTest.keys(raised));
        all.addAll(DeliveryTest.keys(resolved));
        try (Receiver wecom = Receiver.start(Services.wecom(WECOM_KEY));
             Receiver dingtalk = Receiver.start(Services.dingtalk(DING_TOKEN, DING_SECRET));
             Receiver slack = Receiver.start(Services.slack(SLACK_PATH));
             Receiver webhook = Receiver.start(Services.webhook(SECRET));
             AlertTopic topic = new AlertTopic(kafka)) {
            Routes routes = routes(city, wecom, dingtalk, slack, webhook, "");
            Recorder recorder = new Recorder();
            HookOptions options = options(recorder, topic);
            int perPage = options.maxAlertsPerPage();
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes, options)) {
                topic.sendBurst(raised);
                Receiver.await("the outage paged everywhere", Duration.ofSeconds(120), () -> deliveredEverywhere(recorder, 1000));
                topic.sendBurst(resolved);
                Receiver.await("the recovery paged everywhere", Duration.ofSeconds(120), () -> deliveredEverywhere(recorder, 2000));
            }
            int bound = 2 * (1000 / perPage + 1);
            for (String id : LEAD) {
                List<Recorder.Event> pages = recorder.of(Type.DELIVERED, id);
                assertTrue(pages.size() <= bound, id + ": " + pages.size() + " pages for 2,000 alerts (at most " + bound + ")");
                assertEquals(DeliveryTest.once(all), DeliveryTest.counts(pages.stream().flatMap(e -> e.keys().stream()).toList()),
                        id + ": every alert in exactly one page");
                assertEquals(List.of(), recorder.events.stream().filter(e -> e.channel().equals(id)
                        && (e.type() == Type.FAILED || e.type() == Type.RATE_LIMITED || e.type() == Type.UNDELIVERED)).toList());
            }
            assertEquals(0, recorder.count(Type.RECEIVED, "county"), "the county route is not paged for a township's storm");

            // What each service took: the machine consumer's bodies list every alert; each chat page counts all of
            // its alerts in what it says, and names only sites it holds.
            List<String> inBodies = new ArrayList<>();
            for (Request r : webhook.requests()) {
                inBodies.addAll(DeliveryTest.bodyKeys(r, SECRET));
                assertEquals(r.alertCount(), PageTextTest.counted(r.json().path("text").asText()));
            }
            assertEquals(DeliveryTest.once(all), DeliveryTest.counts(inBodies), "the webhook bodies: every alert once");
            Map<String, List<String>> pageKeys = new HashMap<>();
            recorder.events.stream().filter(e -> e.type() == Type.DELIVERED).forEach(e -> pageKeys.put(e.detail(), e.keys()));
            checkChatPages(wecom, r -> r.json().path("markdown").path("content").asText(), 4096, pageKeys);
            checkChatPages(dingtalk, r -> r.json().path("markdown").path("text").asText(), 20_000, pageKeys);
            checkChatPages(slack, r -> r.json().path("text").asText(), 40_000, pageKeys);
            assertEquals(List.of(), undelivered(topic), "nothing undelivered");
            System.out.printf("storm: 2,000 alerts to 东城区's lead as %s pages (wecom, dingtalk, slack, webhook)%n",
                    LEAD.stream().map(id -> Long.toString(recorder.count(Type.DELIVERED, id))).toList());
        }
    }

    private static boolean deliveredEverywhere(Recorder recorder, int alerts) {
        for (String id : LEAD) {
            Set<String> keys = new HashSet<>();
            recorder.of(Type.DELIVERED, id).forEach(e -> keys.addAll(e.keys()));
            if (keys.size() < alerts) {
                return false;
            }
        }
        return true;
    }

    /** Each chat page: within the service's size, counting exactly its alerts, naming only its own sites. */
    private static void checkChatPages(Receiver service, Function<Request, String> text, int maxBytes,
                                       Map<String, List<String>> pageKeys) {
        int total = 0;
        for (Request r : service.requests()) {
            String page = text.apply(r);
            assertTrue(page.getBytes(StandardCharsets.UTF_8).length <= maxBytes);
            List<String> keys = pageKeys.get(r.header("Idempotency-Key"));
            assertEquals(keys.size(), r.alertCount());
            assertEquals(keys.size(), PageTextTest.counted(page), "the page counts its alerts:\n" + page);
            Set<String> sites = new HashSet<>();
            keys.forEach(k -> sites.add(k.split("/")[1]));
            Matcher m = DC_SITE.matcher(page);
            while (m.find()) {
                assertTrue(sites.contains(m.group()), m.group() + " is not in the page's alerts");
            }
            total += keys.size();
        }
        assertEquals(2000, total);
    }

    private static List<String> undelivered(AlertTopic topic) {
        return TopicReader.readAll(kafka.bootstrapServers(), Topics.UNDELIVERED_ALERTS).stream()
                .filter(r -> ChannelsTest.header(r, Topics.HEADER_TOPIC).equals(topic.name))
                .map(r -> ChannelsTest.header(r, "channel") + " " + ChannelsTest.header(r, "idempotency-key")).toList();
    }

    /**
     * Each service says "too fast" to the first page (WeCom 45009, DingTalk 130101, Slack and the webhook 429 with
     * Retry-After): the same page goes again once the advised delay is over (Retry-After; else the robot's window,
     * ten of them for DingTalk), and is delivered once.
     */
    @Test
    void aTooFastAnswerIsWaitedOutAndThePageDeliveredOnce(@TempDir Path dir) throws Exception {
        Scenario city = CityScenario.write(dir.resolve("city"));
        List<Alert> burst = Alerts.storm(AlertState.RAISED).subList(0, 30);
        try (Receiver wecom = Receiver.start(firstTooFast(Reply.ok("{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}"),
                     Services.wecom(WECOM_KEY)));
             Receiver dingtalk = Receiver.start(firstTooFast(Reply.ok("{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per minute\"}"),
                     Services.dingtalk(DING_TOKEN, DING_SECRET)));
             Receiver slack = Receiver.start(firstTooFast(new Reply(429, "rate_limited", Map.of("Retry-After", "2")),
                     Services.slack(SLACK_PATH)));
             Receiver webhook = Receiver.start(firstTooFast(new Reply(429, "slow down", Map.of("Retry-After", "1")),
                     Services.webhook(SECRET)));
             AlertTopic topic = new AlertTopic(kafka)) {
            // The robots' windows made short, so their advised delays are: WeCom one window (1 s), DingTalk ten (2 s).
            Routes routes = routes(city, wecom, dingtalk, slack, webhook, """
                    dc-wecom rateLimit: 20/1s
                    dc-dingtalk rateLimit: 20/200ms
                    """);
            Recorder recorder = new Recorder();
            try (AlertHooks hooks = AlertHooks.start(kafka.bootstrapServers(), routes,
                    options(recorder, topic).withBatchWindow(Duration.ofMillis(500)))) {
                topic.sendBurst(burst);
                Receiver.await("every destination's page", Duration.ofSeconds(90),
                        () -> LEAD.stream().allMatch(id -> recorder.count(Type.DELIVERED, id) == 1));
            }
            Map<String, Receiver> services = Map.of("dc-wecom", wecom, "dc-dingtalk", dingtalk, "dc-slack", slack, "dc-webhook", webhook);
            Map<String, Long> advisedMillis = Map.of("dc-wecom", 1000L, "dc-dingtalk", 2000L, "dc-slack", 2000L, "dc-webhook", 1000L);
            for (String id : LEAD) {
                List<Request> requests = services.get(id).requests();
                assertEquals(2, requests.size(), id + ": the page, and the same page again");
                assertEquals(requests.get(0).header("Idempotency-Key"), requests.get(1).header("Idempotency-Key"), id);
                long waited = (requests.get(1).nanos() - requests.get(0).nanos()) / 1_000_000;
                // Counted from the "too fast" answer, which came after the first request arrived; whole ms either side.
                assertTrue(waited >= advisedMillis.get(id) - 10, id + " waited " + waited + " ms, advised " + advisedMillis.get(id));
                assertEquals(1, recorder.count(Type.RATE_LIMITED, id), id);
                assertEquals(0, recorder.count(Type.FAILED, id), id + ": too fast is no failure");
                Recorder.Event delivered = recorder.of(Type.DELIVERED, id).get(0);
                assertEquals(2, delivered.attempt());
                assertEquals(DeliveryTest.once(DeliveryTest.keys(burst)), DeliveryTest.counts(delivered.keys()));
            }
            assertTrue(routes.warnings().stream().anyMatch(w -> w.contains("channels[0].rateLimit: 20/1s is faster than WeCom's")),
                    "the shortened windows are faster than the services publish: warned " + routes.warnings());
            assertEquals(List.of(), undelivered(topic));
        }
    }

    /** Answers the first request with {@code tooFast}, every later one as the service does. */
    private static Function<Request, Reply> firstTooFast(Reply tooFast, Function<Request, Reply> service) {
        AtomicInteger calls = new AtomicInteger();
        return r -> calls.incrementAndGet() == 1 ? tooFast : service.apply(r);
    }

    /**
     * The dispatcher stops in the middle of the outage's pages, with one page taken by the webhook's receiver but
     * never acknowledged (its answer came too late); the recovery's alerts arrive while it is down. Started again,
     * it sends that page again with the same key and the same alerts, then everything else: nothing lost, and every
     * alert the receiver got twice came both times in the page of the same idempotency key.
     */
    @Test
    void aRestartMidStormLosesNothingAndRepeatsOnlyUnderTheSameKey(@TempDir Path dir) throws Exception {
        Scenario city = CityScenario.write(dir.resolve("city"));
        List<Alert> raised = Alerts.storm(AlertState.RAISED);
        List<Alert> resolved = Alerts.storm(AlertState.RESOLVED);
        List<String> all = new ArrayList<>(DeliveryTest.keys(raised));
        all.addAll(DeliveryTest.keys(resolved));
        AtomicInteger pagesToDc = new AtomicInteger();
        AtomicReference<String> heldKey = new AtomicReference<>();
        CountDownLatch release = new CountDownLatch(1);
        Function<Request, Reply> verify = Services.webhook(SECRET);
        try (Receiver wecom = Receiver.start(Services.wecom(WECOM_KEY));
             Receiver dingtalk = Receiver.start(Services.dingtalk(DING_TOKEN, DING_SECRET));
             Receiver slack = Receiver.start(Services.slack(SLACK_PATH));
             Receiver webhook = Receiver.start(r -> {
                 if (r.path().equals("/dc") && pagesToDc.incrementAndGet() == 3) {
                     heldKey.set(r.header("Idempotency-Key")); // taken, but the answer comes after the dispatcher gave up on it
                     await(release);
                 }
                 return verify.apply(r);
             });
             AlertTopic topic = new AlertTopic(kafka)) {
            Routes routes = routes(city, wecom, dingtalk, slack, webhook, "");
            Recorder recorder = new Recorder();
            // 200 alerts a page: the outage is five pages, the held one the third. A long backoff keeps the held
            // page's second attempt for the restart.
            HookOptions options = options(recorder, topic).withMaxAlertsPerPage(200).withRequestTimeout(Duration.ofSeconds(3))
                    .withBackoff(Duration.ofSeconds(30), Duration.ofSeconds(30));
            topic.sendBurst(raised);
            try {
                try (AlertHooks first = AlertHooks.start(kafka.bootstrapServers(), routes, options)) {
                    Receiver.await("the held page given no answer in time", Duration.ofSeconds(120),
                            () -> heldKey.get() != null && recorder.of(Type.FAILED, "dc-webhook").stream()
                                    .anyMatch(e -> Page.derivedKey(e.keys()).equals(heldKey.get())));
                } // stopped here: the held page was not acknowledged, so its offsets were not committed
            } finally {
                release.countDown();
            }
            topic.sendBurst(resolved);
            try (AlertHooks second = AlertHooks.start(kafka.bootstrapServers(), routes, options)) {
                Receiver.await("every alert paged everywhere after the restart", Duration.ofSeconds(180),
                        () -> deliveredEverywhere(recorder, 2000));
            }

            // The webhook: every alert; an alert taken twice came both times under one page key, the held page's.
            Map<String, Set<String>> pagesOfAlert = new HashMap<>();
            Map<String, Integer> timesOfPage = new HashMap<>();
            for (Request r : webhook.requests()) {
                String page = r.header("Idempotency-Key");
                timesOfPage.merge(page, 1, Integer::sum);
                for (String k : DeliveryTest.bodyKeys(r, SECRET)) {
                    pagesOfAlert.computeIfAbsent(k, x -> new HashSet<>()).add(page);
                }
            }
            assertEquals(new HashSet<>(all), pagesOfAlert.keySet(), "nothing lost");
            pagesOfAlert.forEach((k, pages) -> assertEquals(1, pages.size(), k + " came in pages " + pages));
            assertTrue(timesOfPage.get(heldKey.get()) >= 2, "the unacknowledged page was sent again: " + timesOfPage);
            // Every destination, through the restart: each alert in pages of one key only.
            for (String id : LEAD) {
                Map<String, Set<String>> byAlert = new HashMap<>();
                for (Recorder.Event e : recorder.of(Type.DELIVERED, id)) {
                    e.keys().forEach(k -> byAlert.computeIfAbsent(k, x -> new HashSet<>()).add(e.detail()));
                }
                assertEquals(new HashSet<>(all), byAlert.keySet(), id + ": nothing lost");
                byAlert.forEach((k, pages) -> assertEquals(1, pages.size(), id + ": " + k + " in pages " + pages));
            }
            assertEquals(List.of(), undelivered(topic), "nothing undelivered");
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
