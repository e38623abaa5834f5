package dev.sweep.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.broker.LocalKafka;
import dev.sweep.events.SiteState;
import dev.sweep.schemas.Topics;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The board's HTTP side on a real Kafka broker: the page and uPlot are served, nothing can be
 * written, {@code /api/summary} has the agreed shape, and the event stream gives a new browser the
 * whole picture first and then only what changed.
 */
@Tag("e2e")
class BoardServerTest {
    static final long T0 = Instant.parse("2022-05-04T00:00:00Z").toEpochMilli();
    static LocalKafka kafka;
    static CoverageBoard board;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.start();
        board = CoverageBoard.start(BoardOptions.of(kafka.bootstrapServers()).withPort(0));
        LiveBoardTest.awaitLive(board);
    }

    @AfterAll
    static void stop() {
        if (board != null) {
            board.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(board.url().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesThePageAndUplotOnLoopbackAndRefusesWrites() throws Exception {
        assertEquals("127.0.0.1", BoardOptions.of("h:1").bind());
        assertEquals("127.0.0.1", board.url().getHost(), "binds loopback by default");
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.body().contains("lang=\"zh-CN\""), "Chinese by default");
        assertTrue(page.body().contains("/uplot/uPlot.iife.min.js"));
        HttpResponse<String> uplot = get("/uplot/uPlot.iife.min.js");
        assertEquals(200, uplot.statusCode());
        assertTrue(uplot.body().contains("uPlot"), "uPlot's own file, from its webjar");
        assertEquals(200, get("/board.js").statusCode());
        assertEquals(200, get("/uplot/uPlot.min.css").statusCode());
        assertEquals(404, get("/../pom.xml").statusCode());
        assertEquals(404, get("/api/nothing").statusCode());

        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(board.url().resolve("/api/summary"))
                    .method(method, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, r.statusCode(), method);
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
        }
    }

    @Test
    void refusesBadOptionsByName() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BoardOptions.of("localhost"))
                .getMessage().startsWith("bootstrap"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BoardOptions.of("h:1").withPort(70_000))
                .getMessage().startsWith("port"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BoardOptions.of("h:1").withPushEvery(Duration.ofMillis(100))).getMessage().startsWith("pushEvery"));
        assertThrows(dev.sweep.campaign.ScenarioException.class,
                () -> CoverageBoard.start(BoardOptions.of("h:1").withPort(0).withScenario("atlantis")));
    }

    @Test
    void aNewBrowserGetsTheWholePictureThenOnlyWhatChanged() throws Exception {
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(board.url().resolve("/events")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream; charset=utf-8", stream.headers().firstValue("Content-Type").orElseThrow());
        BlockingQueue<String[]> events = new ArrayBlockingQueue<>(100);
        Thread reader = new Thread(() -> readEvents(stream.body(), events), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            String[] first = events.poll(30, TimeUnit.SECONDS);
            while (first != null && first[0].equals("status")) { // the board's first push may still be due
                first = events.poll(30, TimeUnit.SECONDS);
            }
            assertNotNull(first, "a snapshot");
            assertEquals("snapshot", first[0]);
            JsonNode snapshot = json.readTree(first[1]);
            assertEquals("neixiang", snapshot.at("/campaign/name").asText());
            assertEquals("Asia/Shanghai", snapshot.at("/campaign/zone").asText());
            assertEquals(381, snapshot.at("/board/sites").size());
            assertEquals(16, snapshot.at("/board/townships").size());
            long before = snapshot.at("/board/county/sampled").asLong();

            try (Records records = new Records(kafka.bootstrapServers())) {
                records.county(T0 + 60_000, before + 1_234);
                records.heartbeat("NX-CG-001", T0 + 30_000, SiteState.OPEN, 30);
            }
            JsonNode update = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                String[] e = events.poll(1, TimeUnit.SECONDS);
                if (e != null && e[0].equals("update") && json.readTree(e[1]).at("/county/sampled").asLong() == before + 1_234) {
                    update = json.readTree(e[1]);
                    break;
                }
            }
            assertNotNull(update, "an update with the new county figure");
            assertEquals("live", update.get("status").asText());
            boolean siteSeen = false;
            for (JsonNode s : update.get("sites")) {
                siteSeen |= s.get("id").asText().equals("NX-CG-001");
            }
            JsonNode latest = update;
            // The site may come in the same update or the next one; either way, alone.
            while (!siteSeen && System.nanoTime() < deadline) {
                String[] e = events.poll(1, TimeUnit.SECONDS);
                if (e != null && e[0].equals("update")) {
                    latest = json.readTree(e[1]);
                    for (JsonNode s : latest.get("sites")) {
                        siteSeen |= s.get("id").asText().equals("NX-CG-001");
                    }
                }
            }
            assertTrue(siteSeen, "the changed site is sent");
            assertEquals(1, latest.get("sites").size(), "only the changed site, not all 381");
            assertEquals("busy", latest.at("/sites/0/condition").asText());
        } finally {
            stream.body().close();
        }
    }

    @Test
    void summaryGivesTheCountyAndEachTownship() throws Exception {
        HttpResponse<String> r = get("/api/summary");
        assertEquals(200, r.statusCode());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode s = json.readTree(r.body());
        assertEquals("live", s.get("status").asText());
        assertEquals("neixiang", s.get("scenario").asText());
        assertEquals(0.85, s.get("target").asDouble());
        assertEquals(550_125, s.at("/county/population").asLong());
        for (String field : new String[] {"sampled", "coverage", "ratePerHour", "etaMinutes"}) {
            assertTrue(s.get("county").has(field), field);
        }
        assertEquals(16, s.get("townships").size());
        JsonNode first = s.at("/townships/0");
        assertEquals("CG", first.get("id").asText(), "townships in the scenario's order");
        assertEquals("城关镇", first.get("nameZh").asText());
        assertEquals("Chengguan", first.get("name").asText());
        assertEquals(135_000, first.get("population").asLong());
        for (String field : new String[] {"sampled", "coverage", "ratePerHour", "etaMinutes", "sitesLagging", "sitesSilent"}) {
            assertTrue(first.has(field), field);
        }
        if (!s.get("clock").isNull()) {
            assertTrue(s.get("clock").asText().endsWith("+08:00"), "campaign time in Asia/Shanghai: " + s.get("clock"));
        }
    }

    @Test
    void aRecordThatDoesNotDecodeIsCountedAndSkipped() throws Exception {
        long before = board.view().health().unreadable();
        try (Records records = new Records(kafka.bootstrapServers())) {
            records.raw(Topics.COVERAGE, "county", "not avro".getBytes(StandardCharsets.UTF_8));
            records.county(T0 + 2 * 60_000, 99_999);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (board.view().county().sampled() != 99_999 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(99_999, board.view().county().sampled(), "the records after it still count");
        assertEquals(before + 1, board.view().health().unreadable());
    }

    /** With a login, nothing is served without it: not the page, not the figures, not the stream. */
    @Test
    void aLoginIsRequiredWhenSet() throws Exception {
        BoardOptions.Login login = new BoardOptions.Login("wall", "correct horse battery");
        try (CoverageBoard guarded = CoverageBoard.start(BoardOptions.of("127.0.0.1:1").withPort(0).withLogin(login))) {
            for (String path : new String[] {"/", "/api/summary", "/events"}) {
                HttpResponse<String> none = http.send(HttpRequest.newBuilder(guarded.url().resolve(path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(401, none.statusCode(), path);
                assertTrue(none.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic realm=\"Sweep board\""));
                assertEquals(401, http.send(HttpRequest.newBuilder(guarded.url().resolve(path))
                        .header("Authorization", basic("wall", "correct horse battery staple")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode(), path + " with a wrong password");
            }
            HttpResponse<String> in = http.send(HttpRequest.newBuilder(guarded.url().resolve("/api/summary"))
                    .header("Authorization", basic("wall", "correct horse battery")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, in.statusCode());
            assertEquals("connecting", json.readTree(in.body()).get("status").asText());
        }
        assertEquals("wall:***", login.toString(), "the password is never shown");
        assertThrows(IllegalArgumentException.class, () -> BoardOptions.Login.parse("wall:short"));
    }

    static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutKafkaThePageIsServedAndSaysSo() throws Exception {
        try (CoverageBoard offline = CoverageBoard.start(BoardOptions.of("127.0.0.1:1").withPort(0))) {
            assertEquals("connecting", offline.status());
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(offline.url()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(offline.url().resolve("/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            BlockingQueue<String[]> events = new ArrayBlockingQueue<>(10);
            Thread reader = new Thread(() -> readEvents(stream.body(), events), "sse-reader-offline");
            reader.setDaemon(true);
            reader.start();
            String[] first = events.poll(30, TimeUnit.SECONDS);
            assertNotNull(first);
            assertEquals("status", first[0]);
            assertEquals("connecting", json.readTree(first[1]).get("status").asText());
            stream.body().close();
        }
    }

    /** Parses a server-sent event stream into (event, data) pairs. */
    static void readEvents(InputStream in, BlockingQueue<String[]> out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        out.put(new String[] {event, data.toString()});
                    }
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (Exception e) {
            // the test closed the stream
        }
    }
}
