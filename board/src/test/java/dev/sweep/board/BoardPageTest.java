package dev.sweep.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.SiteState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The page in Chromium, fed records as the job and the stations send them: the operators'
 * colours, an alert raised and resolved, the township's silent count, sorting, the English
 * labels, and Kafka going away and coming back, all on one page that is never reloaded.
 */
@Tag("e2e")
class BoardPageTest {
    static final long T0 = Instant.parse("2022-05-04T01:00:00Z").toEpochMilli(); // 09:00 in Neixiang
    static final Duration WAIT = Duration.ofSeconds(60);
    static final String QUIET = "NX-MS-003";
    static final String CROWDED = "NX-MS-004";
    static final String ACTIVE = "#alerts-active li[data-id='offline-1']";
    static final String RESOLVED = "#alerts-resolved li[data-id='offline-1']";

    @Test
    void coloursAlertsAndLanguageOnALivePage() throws Exception {
        Path data = Files.createTempDirectory("board-page-kafka-");
        LocalKafka kafka = LocalKafka.start(LocalKafka.Options.defaults().withDataDir(data).withDeleteOnClose(false));
        try (CoverageBoard board = CoverageBoard.start(BoardOptions.of(kafka.bootstrapServers()).withPort(0));
             Records records = new Records(kafka.bootstrapServers());
             Browser browser = new Browser()) {
            LiveBoardTest.awaitLive(board);
            browser.open(board.url().toString());
            browser.await("the page is live", WAIT, d -> "live".equals(browser.attribute("body", "data-status")));
            browser.js("window.boardMarker = 'kept'");

            records.heartbeat(QUIET, T0, SiteState.OPEN, 10);
            records.heartbeat(CROWDED, T0, SiteState.OPEN, 60);
            browser.await("heartbeats colour the sites", WAIT, d -> "clear".equals(condition(browser, QUIET))
                    && "congested".equals(condition(browser, CROWDED)));
            assertEquals("畅通", browser.text("#site-" + QUIET + " .state"));
            assertEquals("拥堵", browser.text("#site-" + CROWDED + " .state"));
            assertEquals("congested", ((List<?>) browser.js(
                    "return [...document.querySelectorAll('#site-rows tr')].map(r => r.dataset.condition)")).get(0),
                    "worst first by default");

            records.alert("offline-1", AlertKind.STATION_OFFLINE, AlertState.RAISED, QUIET, T0 + 60_000, T0 + 4 * 60_000);
            records.heartbeat(CROWDED, T0 + 12 * 60_000, SiteState.OPEN, 40); // moves the campaign clock on
            browser.await("the silent site and its alert", WAIT, d -> "silent".equals(condition(browser, QUIET))
                    && !browser.driver.findElements(org.openqa.selenium.By.cssSelector(ACTIVE)).isEmpty());
            assertEquals("静默", browser.text("#site-" + QUIET + " .state"));
            assertEquals(QUIET, browser.attribute(ACTIVE, "data-site"));
            assertTrue(browser.text(ACTIVE).contains("采样站离线"), browser.text(ACTIVE));
            assertTrue(browser.text(ACTIVE + " .age").contains("11 分钟"), "aged on the campaign clock: "
                    + browser.text(ACTIVE + " .age"));
            assertEquals("1", browser.text("#alert-count"));
            assertEquals("1", browser.text("#area-MS .badge.silent"));

            records.alert("offline-1", AlertKind.STATION_OFFLINE, AlertState.RESOLVED, QUIET, T0 + 60_000, T0 + 31 * 60_000);
            records.heartbeat(QUIET, T0 + 31 * 60_000, SiteState.OPEN, 35);
            browser.await("the alert resolves", WAIT, d -> !browser.driver.findElements(
                    org.openqa.selenium.By.cssSelector(RESOLVED)).isEmpty()
                    && "busy".equals(condition(browser, QUIET)));
            assertEquals("0", browser.text("#alert-count"));
            assertTrue(browser.text(RESOLVED).contains("30 分钟"), "how long it lasted: "
                    + browser.text(RESOLVED));

            browser.find("#site-table th[data-sort='queue']").click();
            browser.await("sorted by queue", WAIT, d -> "queue".equals(browser.js("return window.location.hash.includes('sort=queue') && document.querySelector('#site-table th.sorted')?.dataset.sort")));
            browser.await("the shortest line first, sites without a heartbeat last", WAIT, d -> List.of("site-" + QUIET, "site-" + CROWDED)
                    .equals(browser.js("return [...document.querySelectorAll('#site-rows tr')].slice(0, 2).map(r => r.id)")));
            browser.find("#site-table th[data-sort='queue']").click();
            browser.await("the longest line first", WAIT, d -> List.of("site-" + CROWDED, "site-" + QUIET)
                    .equals(browser.js("return [...document.querySelectorAll('#site-rows tr')].slice(0, 2).map(r => r.id)")));

            // Into the township: its villages, its sites; the breadcrumb back up; the link says where the page is.
            browser.find("#area-MS").click();
            browser.await("Mashankou's view", WAIT, d -> "MS".equals(browser.attribute("body", "data-area")));
            assertTrue(browser.js("return location.hash").toString().contains("area=MS"), "a link to bookmark");
            assertEquals(List.of("全县", "马山口镇"), crumbs(browser));
            assertTrue(((List<?>) browser.js("return [...document.querySelectorAll('#site-rows tr')].map(r => r.id)"))
                    .stream().allMatch(id -> id.toString().startsWith("site-NX-MS-")), "only Mashankou's sites");
            assertTrue(((Number) browser.js("return document.querySelectorAll('#area-rows a.trow').length")).intValue() > 0,
                    "its villages");
            browser.find("#crumbs a[data-area='NX']").click();
            browser.await("back at the county", WAIT, d -> "NX".equals(browser.attribute("body", "data-area")));

            browser.find("#lang-toggle").click();
            browser.await("English labels", WAIT, d -> "busy".equals(browser.text("#site-" + QUIET + " .state")));
            assertTrue(browser.text(RESOLVED).contains("Station offline"));
            assertEquals("Sites", browser.text("#sites h2 span"));
            assertEquals("en", browser.js("return localStorage.getItem('sweep.board.lang')"));
            assertEquals("kept", browser.js("return window.boardMarker"), "the page was never reloaded");

            // Kafka goes away: the board says so and keeps the last picture; when it is back, so is the board.
            int port = kafka.port();
            kafka.close();
            browser.await("the page says Kafka is lost", WAIT, d -> "lost".equals(browser.attribute("body", "data-status")));
            assertEquals("Kafka lost · last picture", browser.text("#status"));
            assertEquals("busy", condition(browser, QUIET), "the last picture stays");
            kafka = LocalKafka.start(LocalKafka.Options.defaults().withPort(port).withDataDir(data).withDeleteOnClose(true));
            browser.await("the page is live again", WAIT, d -> "live".equals(browser.attribute("body", "data-status")));
            assertEquals("busy", condition(browser, QUIET));
            assertEquals("kept", browser.js("return window.boardMarker"));
        } finally {
            kafka.close();
        }
    }

    @SuppressWarnings("unchecked")
    static List<String> crumbs(Browser browser) {
        return (List<String>) browser.js("return [...document.querySelectorAll('#crumbs a, #crumbs .here')].map(e => e.textContent)");
    }

    static String condition(Browser browser, String site) {
        return browser.attribute("#site-" + site, "data-condition");
    }
}
