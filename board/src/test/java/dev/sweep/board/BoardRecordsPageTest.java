package dev.sweep.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.broker.LocalKafka;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The page in Chromium when a station (or anything that can write its topic) sends what the campaign cannot
 * use: a heartbeat whose site id claims 2 GB, and one dated 2099-12-31 saying CLOSED. Both are counted and
 * skipped as the job skips them: the board stays live, its clock and figures stay right, the site follows its
 * later OPEN heartbeat, alerts age on the campaign's clock. Also what an operator reads on the wall: every
 * active alert (or the most urgent, with a count of the rest) without scrolling, and the watermark lag of a
 * replay in minutes, not years.
 */
@Tag("e2e")
class BoardRecordsPageTest {
    static final long T0 = Instant.parse("2022-05-04T01:00:00Z").toEpochMilli(); // 09:00 in Neixiang
    static final long MIN = 60_000L;
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String SITE = "NX-CG-001";

    /** A StationStatus whose first field (the site id) claims a length of 2,000,000,000 bytes. */
    static byte[] twoGigabyteClaim() {
        byte[] valid = EventCodec.STATUSES.encode(new StationStatus(SITE, "CG", Instant.ofEpochMilli(T0),
                SiteState.OPEN, 1, 1, 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(valid, 0, 10); // C3 01 and the schema's fingerprint
        long zigzag = 2_000_000_000L << 1;
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        out.write(valid, 11, valid.length - 11);
        return out.toByteArray();
    }

    @Test
    void forgedHeartbeatsAreSkippedAndTheWallShowsWhatMatters() throws Exception {
        try (LocalKafka kafka = LocalKafka.start();
             CoverageBoard board = CoverageBoard.start(BoardOptions.of(kafka.bootstrapServers()).withPort(0));
             Records records = new Records(kafka.bootstrapServers());
             Browser browser = new Browser()) {
            LiveBoardTest.awaitLive(board);
            browser.open(board.url().toString());
            browser.await("the page is live", WAIT, d -> "live".equals(browser.attribute("body", "data-status")));

            records.county(T0 + MIN, 12_345);
            records.heartbeat(SITE, T0, SiteState.OPEN, 10);
            records.raw(Topics.STATION_STATUS, SITE, twoGigabyteClaim());
            records.heartbeatAt(SITE, Instant.parse("2099-12-31T12:00:00Z"), SiteState.CLOSED, 0);
            records.heartbeat(SITE, T0 + 10 * MIN, SiteState.OPEN, 30); // later than the first, long before 2099
            String[] sites = {"NX-CG-002", "NX-CG-003", "NX-XG-001", "NX-XG-002", "NX-SG-001", "NX-SG-002", "NX-MS-001",
                    "NX-MS-002", "NX-TD-001", "NX-TD-002", "NX-WT-001", "NX-WT-002"};
            AlertKind[] kinds = {AlertKind.SITE_SLOW, AlertKind.SITE_CONGESTED, AlertKind.SITE_SILENT, AlertKind.STATION_OFFLINE};
            for (int i = 0; i < sites.length; i++) {
                records.alert("a" + i, kinds[i % kinds.length], AlertState.RAISED, sites[i], T0 + i * MIN / 2, T0 + 6 * MIN);
            }
            // A replay of 2022 written today: the job's lag behind the wall clock is years; a minute behind the campaign's.
            long jobClock = T0 + 9 * MIN;
            records.pipeline(T0 + 9 * MIN, 500, (double) (System.currentTimeMillis() - jobClock));

            browser.await("the later OPEN heartbeat, the twelve alerts and the two skipped records", WAIT, d ->
                    "busy".equals(browser.attribute("#site-" + SITE, "data-condition"))
                            && "12".equals(browser.text("#alert-count")) && "2".equals(browser.text("#health-dead"))
                            && !"—".equals(browser.text("#health-lag")));
            assertEquals("live", browser.attribute("body", "data-status"));
            assertEquals("12,345", browser.text("#county-sampled"));
            assertTrue(browser.text("#clock").startsWith("2022-05-04 09:10"), "the campaign clock: " + browser.text("#clock"));
            assertEquals("60 秒", browser.text("#health-lag"), "behind the campaign clock");
            Map<String, Long> refused = board.view().health().refused();
            assertEquals(Map.of("corrupt", 1L, "out-of-window", 1L), refused);

            JsonNode summary = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    board.url().resolve("/api/summary")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("live", summary.get("status").asText());
            assertEquals("2022-05-04T09:10:00+08:00", summary.get("clock").asText());
            assertEquals(12_345, summary.at("/county/sampled").asLong());

            // Every active alert, or the most urgent with a count of the rest, inside the panel and the 1080-pixel screen.
            assertTrue(assertAlertsFit(browser, 12) >= 6, "most of them show");
            List<?> shownKinds = (List<?>) browser.js(
                    "return [...document.querySelectorAll('#alerts-active li[data-kind]')].map(li => li.dataset.kind)");
            assertEquals("STATION_OFFLINE", shownKinds.get(0), "the most urgent first: " + shownKinds);
            for (Object age : (List<?>) browser.js("return [...document.querySelectorAll('#alerts-active .age')].map(e => e.textContent)")) {
                assertFalse(age.toString().contains("天"), "aged on the campaign clock: " + age);
            }
            browser.screenshot(Path.of("target/board-bad-records.png"));

            for (int i = 4; i < sites.length; i++) {
                records.alert("a" + i, kinds[i % kinds.length], AlertState.RESOLVED, sites[i], T0 + i * MIN / 2, T0 + 9 * MIN);
            }
            browser.await("four alerts left", WAIT, d -> "4".equals(browser.text("#alert-count")));
            assertAlertsFit(browser, 4);
            assertEquals("0", browser.attribute("#alerts-active", "data-hidden"), "four alerts all show");
        }
    }

    /** The alerts shown plus those counted make {@code total}, and each shown one is wholly on the screen. */
    static long assertAlertsFit(Browser browser, int total) {
        Map<?, ?> fit = (Map<?, ?>) browser.js("""
                const list = document.getElementById('alerts-active');
                const box = list.getBoundingClientRect();
                const items = [...list.querySelectorAll('li')];
                const inside = items.every(li => { const r = li.getBoundingClientRect();
                    return r.top >= box.top - 1 && r.bottom <= box.bottom + 1 && r.bottom <= window.innerHeight && r.height > 0; });
                const more = list.querySelector('li.more');
                return {shown: items.filter(li => li.dataset.kind).length, hidden: Number(list.dataset.hidden || 0),
                        inside: inside, more: more ? more.textContent : '', height: window.innerHeight};""");
        long shown = ((Number) fit.get("shown")).longValue();
        long hidden = ((Number) fit.get("hidden")).longValue();
        assertEquals(total, shown + hidden, "shown and counted: " + fit);
        assertTrue(shown >= 1 && (Boolean) fit.get("inside"), "every shown alert on the screen: " + fit);
        assertEquals(1080L, ((Number) fit.get("height")).longValue());
        if (hidden > 0) {
            assertTrue(fit.get("more").toString().contains(Long.toString(hidden)), "the rest are counted: " + fit);
        }
        return shown;
    }
}
