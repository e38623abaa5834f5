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
import java.util.List;
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
    void aNewBrowserGetsItsViewWholeThenOnlyWhatChangedAndCanLookElsewhere() throws Exception {
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(board.url().resolve("/events?area=CG&rows=10")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream; charset=utf-8", stream.headers().firstValue("Content-Type").orElseThrow());
        BlockingQueue<String[]> events = new ArrayBlockingQueue<>(100);
        Thread reader = new Thread(() -> readEvents(stream.body(), events), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            String[] hello = events.poll(30, TimeUnit.SECONDS);
            assertNotNull(hello);
            assertEquals("hello", hello[0]);
            String id = json.readTree(hello[1]).get("stream").asText();
            assertTrue(id.matches("[A-Za-z0-9_-]{22}"), "a random stream id: " + id);
            String[] first = events.poll(30, TimeUnit.SECONDS);
            while (first != null && first[0].equals("status")) { // the board's first push may still be due
                first = events.poll(30, TimeUnit.SECONDS);
            }
            assertNotNull(first, "a snapshot");
            assertEquals("snapshot", first[0]);
            JsonNode snapshot = json.readTree(first[1]);
            assertEquals("neixiang", snapshot.at("/campaign/name").asText());
            assertEquals("Asia/Shanghai", snapshot.at("/campaign/zone").asText());
            assertEquals("[\"county\",\"township\",\"village\"]", snapshot.at("/campaign/levels").toString());
            assertEquals("CG", snapshot.at("/view/key/area").asText(), "the view the link asked for");
            assertEquals(91, snapshot.at("/view/sites/total").asInt(), "Chengguan's sites");
            assertEquals(10, snapshot.at("/view/sites/rows").size(), "one page of them");
            assertEquals(Records.NEIXIANG.childrenOf("CG").size(), snapshot.at("/view/children/total").asInt());
            assertEquals(List.of("NX", "CG"), ids(snapshot.at("/view/path")));
            long before = snapshot.at("/board/county/sampled").asLong();

            try (Records records = new Records(kafka.bootstrapServers())) {
                records.county(T0 + 60_000, before + 1_234);
                records.heartbeat("NX-CG-001", T0 + 30_000, SiteState.OPEN, 30);
            }
            JsonNode site = null;
            boolean county = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((site == null || !county) && System.nanoTime() < deadline) {
                String[] e = events.poll(1, TimeUnit.SECONDS);
                if (e == null || !e[0].equals("update")) {
                    continue;
                }
                JsonNode u = json.readTree(e[1]);
                county |= u.at("/board/county/sampled").asLong() == before + 1_234;
                JsonNode rows = u.at("/view/sites/rows/rows");
                if (rows.isArray() && site == null) {
                    assertEquals(1, rows.size(), "only the changed site, not the page: " + rows);
                    site = rows.get(0);
                }
            }
            assertTrue(county, "an update with the new county figure");
            assertNotNull(site, "the changed site is sent");
            assertEquals("NX-CG-001", site.get("id").asText());
            assertEquals("busy", site.get("condition").asText());

            // Another area on the same stream: 204, and the view comes whole on the stream.
            assertEquals(204, get("/api/view?stream=" + id + "&area=XG&rows=5").statusCode());
            JsonNode view = null;
            while (view == null && System.nanoTime() < deadline) {
                String[] e = events.poll(1, TimeUnit.SECONDS);
                if (e != null && e[0].equals("view")) {
                    view = json.readTree(e[1]).get("view");
                }
            }
            assertNotNull(view, "the view asked for");
            assertEquals("XG", view.at("/key/area").asText());
            assertEquals(5, view.at("/sites/rows").size());
            assertEquals(Records.NEIXIANG.sitesOf("XG").size(), view.at("/sites/total").asInt());
            assertEquals(404, get("/api/view?stream=not-a-stream&area=XG").statusCode());
            assertTrue(board.streamFigures().largestMessage() < 64 * 1024, "every event is small: " + board.streamFigures());
        } finally {
            stream.body().close();
        }
    }

    @Test
    void anAreasViewAndSearchAsJsonWithEveryParameterChecked() throws Exception {
        HttpResponse<String> view = get("/api/view?area=CG-02");
        assertEquals(200, view.statusCode());
        JsonNode v = json.readTree(view.body());
        assertEquals(List.of("NX", "CG", "CG-02"), ids(v.get("path")));
        assertEquals("village", v.at("/area/level").asText());
        HttpResponse<String> missing = get("/api/view?area=%3Cscript%3E");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().startsWith("area: no area '<script>'"), missing.body());
        assertEquals("text/plain; charset=utf-8", missing.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(404, get("/api/view?site=NX-ZZ-001").statusCode());
        assertEquals(400, get("/api/view?sort=evil").statusCode());
        assertEquals(414, get("/api/view?area=" + "x".repeat(2_000)).statusCode());

        HttpResponse<String> found = get("/api/search?q=" + java.net.URLEncoder.encode("城关镇第7", StandardCharsets.UTF_8));
        assertEquals(200, found.statusCode());
        JsonNode f = json.readTree(found.body());
        assertEquals("NX-CG-007", f.at("/results/0/id").asText());
        assertEquals("site", f.at("/results/0/kind").asText());
        assertEquals("CG", f.at("/results/0/area").asText());
        assertEquals(0, json.readTree(get("/api/search?q=").body()).get("total").asInt());
    }

    static List<String> ids(JsonNode list) {
        List<String> out = new java.util.ArrayList<>();
        list.forEach(n -> out.add(n.get("id").asText()));
        return out;
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
            String[] hello = events.poll(30, TimeUnit.SECONDS);
            assertNotNull(hello);
            assertEquals("hello", hello[0], "the stream's id first");
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
