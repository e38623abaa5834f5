package dev.sweep.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.board.state.BoardFrame;
import dev.sweep.board.state.BoardView;
import dev.sweep.board.web.Summary;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/**
 * The board on the real chain, in a real browser: the simulator replays Neixiang (seed 7, with
 * duplicates, bad data and a site outage) into Kafka while the coverage job runs on a MiniCluster,
 * and headless Chromium watches the page. The stations stop mid-campaign, a quarter of an hour into
 * the outage: the drilled site must show as silent with the job's alert. The board is restarted
 * there, then the rest of the campaign comes in. The page is never reloaded
 * until the language check at the end; its figures must end on the ledger's.
 */
@Tag("e2e")
class LiveBoardTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final Duration WAIT = Duration.ofMinutes(3);
    static final Path SCREENSHOT = Path.of("target", "board.png");
    final ObjectMapper json = new ObjectMapper();

    @Test
    void theBoardFollowsTheCampaignToTheLedgerWithoutAReloadAndSurvivesARestart() throws Exception {
        try (Chain chain = new Chain("neixiang", 7, Drill.parse(List.of("site-outage", "duplicates", "bad-data")));
             Browser browser = new Browser()) {
            Ledger ledger = chain.replay.ledger();
            assertEquals(478_609, ledger.county().persons(), "the replay reproduces the campaign");
            Ledger.Fault outage = ledger.faults().stream().filter(f -> f.kind().equals("site-outage")).findFirst()
                    .orElseThrow();
            // The stations stop a quarter of an hour into the first outage: that site has been silent for 15 min.
            long cut = Instant.parse(outage.start()).toEpochMilli() + 15 * 60_000L;
            List<Emission> firstPart = chain.before(cut);

            phase("replay generated");
            CoverageBoard board = CoverageBoard.start(BoardOptions.of(chain.bootstrap()).withPort(0));
            try {
                awaitLive(board);
                browser.open(board.url().toString());
                browser.await("the page shows the live board at 0", WAIT, d -> "live".equals(
                        browser.attribute("body", "data-status")) && "0".equals(countyOnPage(browser)));
                browser.js("window.boardMarker = 'set before the campaign'");

                phase("page live at 0");
                chain.startJob();
                chain.send(firstPart);
                long expected = Chain.persons(firstPart);
                phase("first part sent");
                browser.await("the page's county figure reaches " + expected, WAIT,
                        d -> String.valueOf(expected).equals(countyOnPage(browser)));
                assertNotReloaded(browser);
                assertTrue(Integer.parseInt(browser.attribute("body", "data-updates")) > 1, "updates arrived");
                assertEquals(String.format("%,d", expected), browser.text("#county-sampled"));
                awaitSummary(board, () -> townshipPersons(chain, firstPart));

                phase("first part on the page and in the summary");

                // A quarter of an hour into the outage the drilled site shows as silent, with the job's alert.
                String drilled = outage.site();
                String alertOfDrill = "#alerts-active li[data-site='" + drilled + "'][data-kind='"
                        + outage.expectedAlert() + "']";
                browser.await("the drilled site " + drilled + " shows as silent with its " + outage.expectedAlert()
                        + " alert", WAIT, d -> "silent".equals(browser.attribute("#site-" + drilled, "data-condition"))
                        && !d.findElements(By.cssSelector(alertOfDrill)).isEmpty());
                assertEquals("静默", browser.text("#site-" + drilled + " .state"));
                assertTrue(browser.text(alertOfDrill).contains(chain.scenario.site(drilled).name()),
                        "the alert names the site: " + browser.text(alertOfDrill));
                assertTrue(Integer.parseInt(browser.text("#area-" + outage.township() + " .badge.silent")) >= 1,
                        "its township counts it as silent");
                assertEquals(1, browser.driver.findElements(By.cssSelector("#site-rows tr")).stream()
                        .filter(r -> r.getDomAttribute("id").equals("site-" + drilled)).count());
                browser.screenshot(Path.of("target", "board-outage.png"));
                phase("the drilled site silent on the page, its alert shown");
                // Restart the board on the same port: the page reconnects by itself and shows the same picture.
                BoardView before = stable(board.view());
                int port = board.url().getPort();
                board.close();
                browser.await("the page notices the board is gone", WAIT,
                        d -> "offline".equals(browser.attribute("body", "data-status")));
                phase("page saw the board go");
                board = CoverageBoard.start(BoardOptions.of(chain.bootstrap()).withPort(port));
                awaitLive(board);
                assertEquals(json.writeValueAsString(before), json.writeValueAsString(stable(board.view())),
                        "a restarted board rebuilds the same picture from the topics");
                browser.await("the page is live again", WAIT, d -> "live".equals(browser.attribute("body", "data-status")));
                assertEquals(String.valueOf(expected), countyOnPage(browser));
                assertNotReloaded(browser);

                phase("restarted board live, same picture, page live");
                chain.send(chain.from(cut));
                phase("second part sent");
                browser.await("the page's county figure reaches the ledger's " + ledger.county().persons(), WAIT,
                        d -> String.valueOf(ledger.county().persons()).equals(countyOnPage(browser)));
                assertNotReloaded(browser);
                assertEquals("478,609", browser.text("#county-sampled"));
                browser.await("the outage's alert is resolved", WAIT,
                        d -> d.findElements(By.cssSelector(alertOfDrill)).isEmpty());
                assertTrue(!"silent".equals(board.frame().site(drilled).condition()), "the site is back");
                assertTrue(browser.driver.findElements(By.cssSelector("#site-" + drilled + "[data-condition='silent']")).isEmpty(),
                        "and no longer silent on the page");
                assertEquals("87.0%", browser.text("#county-coverage"));

                phase("ledger figure on the page");
                Map<String, Long> ledgerTownships = new TreeMap<>();
                ledger.townships().forEach((id, t) -> ledgerTownships.put(id, t.persons()));
                Summary summary = awaitSummary(board, () -> ledgerTownships);
                assertEquals(478_609, summary.county().sampled());
                assertEquals(550_125, summary.county().population());
                assertEquals(0.870, summary.county().coverage(), 0.0005);
                ledger.townships().forEach((id, t) ->
                        assertEquals(t.population(), summary.township(id).population(), "population of " + id));
                assertSummaryOverHttp(board, ledger);
                awaitSitesOnTheLedger(board, ledger);
                // Every area of the tree (the county, its townships, their 290 villages) at home, as the ledger has it.
                Map<String, Long> ledgerAreas = new TreeMap<>();
                Map<String, Long> boardAreas = new TreeMap<>();
                BoardFrame frame = board.frame();
                ledger.areas().forEach((id, a) -> {
                    ledgerAreas.put(id, a.persons());
                    boardAreas.put(id, frame.area(id).sampled());
                });
                assertEquals(ledgerAreas, boardAreas, "people at home in every area on the board");
                // A link to one site: the page opens the township it stands in, with the site on top.
                String someSite = "NX-CG-001";
                browser.js("location.hash = 'site=" + someSite + "'");
                browser.await("the site looked for", WAIT, d -> someSite.equals(browser.attribute("#found", "data-site"))
                        && "CG".equals(browser.attribute("body", "data-area")));
                assertEquals(String.format("%,d", ledger.sites().get(someSite).persons()), browser.text("#found-row td.sampled"));
                browser.js("location.hash = ''");
                browser.await("back at the county", WAIT, d -> "NX".equals(browser.attribute("body", "data-area"))
                        && browser.find("#found").getDomAttribute("hidden") != null);

                phase("summary and sites on the ledger");
                // Data health: every duplicate dropped and every bad record refused, as the ledger says.
                long badRecords = ledger.badRecords().values().stream().mapToLong(Long::longValue).sum();
                browser.await("data health shows the ledger's duplicates and dead letters", WAIT, d ->
                        browser.text("#health-duplicates").equals(String.format("%,d", ledger.duplicatesSent()))
                                && browser.text("#health-dead").equals(String.format("%,d", badRecords)));

                phase("data health on the ledger");
                // A page of the 381 sites in the table, the whole campaign in the chart.
                long rows = (Long) browser.js("return document.querySelectorAll('#site-rows tr').length");
                assertTrue(rows >= 5 && rows <= 100, "a page of sites: " + rows);
                assertTrue(browser.text("#page-range").endsWith("/ 381"), browser.text("#page-range"));
                assertTrue(Integer.parseInt(browser.attribute("#chart", "data-buckets")) > 90,
                        "five-minute buckets of both waves");
                System.out.printf("board: last render of the whole campaign took %.1f ms in the page%n",
                        ((Number) browser.js("return window.boardRenderMs")).doubleValue());
                browser.screenshot(SCREENSHOT);

                // The English switch, remembered across a reload.
                assertEquals("全县", browser.text("#focus-name"));
                browser.find("#lang-toggle").click();
                browser.await("the labels turn English", WAIT, d -> browser.text("#focus-name").equals("County"));
                assertEquals("Sampled", browser.text("#focus dt"));
                assertEquals("中文", browser.text("#lang-toggle"));
                browser.open(board.url().toString());
                browser.await("English after a reload, with the same figures", WAIT, d ->
                        browser.text("#focus-name").equals("County")
                                && "478609".equals(countyOnPage(browser)));
                browser.screenshot(Path.of("target", "board-en.png"));
            } finally {
                board.close();
            }
        }
    }

    static final long STARTED = System.nanoTime();

    /** Progress on the test's output, to see where the time goes on a busy machine. */
    static void phase(String what) {
        System.out.printf("board test: %5.1f s  %s%n", (System.nanoTime() - STARTED) / 1e9, what);
    }

    static String countyOnPage(Browser browser) {
        return browser.attribute("#county-sampled", "data-value");
    }

    static void assertNotReloaded(Browser browser) {
        assertEquals("set before the campaign", browser.js("return window.boardMarker"), "the page was not reloaded");
    }

    static void awaitLive(CoverageBoard board) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!board.live() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(board.live(), "the board rebuilt its picture; status " + board.status());
    }

    /** Waits until the board's townships show these persons; returns the summary then. */
    static Summary awaitSummary(CoverageBoard board, Supplier<Map<String, Long>> expected) throws InterruptedException {
        Map<String, Long> want = expected.get();
        long deadline = System.nanoTime() + WAIT.toNanos();
        Summary s = board.summary();
        while (!townships(s).equals(want) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            s = board.summary();
        }
        assertEquals(want, townships(s), "township figures");
        assertEquals(want.values().stream().mapToLong(Long::longValue).sum(), s.county().sampled(), "county");
        return s;
    }

    static Map<String, Long> townships(Summary s) {
        Map<String, Long> m = new TreeMap<>();
        s.townships().forEach(t -> m.put(t.id(), t.sampled()));
        return m;
    }

    static Map<String, Long> townshipPersons(Chain chain, List<Emission> emissions) {
        Map<String, Long> m = new TreeMap<>();
        chain.scenario.townships().forEach(t -> m.put(t.id(), 0L));
        for (Emission e : emissions) {
            if (e.newPersons() > 0) { // a person counts at home, wherever sampled
                String home;
                try {
                    home = EventCodec.SCANS.decode(e.value()).getHomeAreaId().toString();
                } catch (RejectedRecordException bad) {
                    throw new AssertionError("the simulator's own scan does not decode", bad);
                }
                m.merge(chain.scenario.townshipOf(home).id(), (long) e.newPersons(), Long::sum);
            }
        }
        return m;
    }

    /** Every site's scans and people, and the throughput buckets' total, as the ledger has them. */
    static void awaitSitesOnTheLedger(CoverageBoard board, Ledger ledger) throws InterruptedException {
        Map<String, List<Long>> want = new TreeMap<>();
        ledger.sites().forEach((id, s) -> want.put(id, List.of(s.scans(), s.persons())));
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, List<Long>> got = sites(board.view());
        while (!got.equals(want) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            got = sites(board.view());
        }
        assertEquals(want, got, "scans and people of every site");
        assertEquals(ledger.county().persons(),
                board.view().throughput().stream().mapToLong(BoardView.Bucket::county).sum(), "people in the chart");
    }

    static Map<String, List<Long>> sites(BoardView v) {
        Map<String, List<Long>> m = new TreeMap<>();
        v.sites().forEach(s -> m.put(s.id(), List.of(s.scans(), s.sampled())));
        return m;
    }

    /** The picture without what depends on the wall clock (the rate of events in, the watermark's lag). */
    static BoardView stable(BoardView v) {
        BoardView.Health h = v.health();
        return new BoardView(v.status(), v.clock(), v.planned(), v.county(), v.townships(), v.areas(), v.sites(),
                v.throughput(), v.alerts(),
                new BoardView.Health(0, h.events(), h.duplicates(), h.late(), h.deadLetters(), null, h.unreadable(), h.refused()));
    }

    void assertSummaryOverHttp(CoverageBoard board, Ledger ledger) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(board.url().resolve("/api/summary")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        JsonNode s = json.readTree(r.body());
        assertEquals(ledger.county().persons(), s.at("/county/sampled").asLong());
        assertEquals(ledger.county().population(), s.at("/county/population").asLong());
        for (JsonNode t : s.get("townships")) {
            Ledger.TownshipTally tally = ledger.townships().get(t.get("id").asText());
            assertEquals(tally.persons(), t.get("sampled").asLong(), "township " + t.get("id"));
            assertEquals(tally.population(), t.get("population").asLong());
        }
        assertEquals(ledger.townships().size(), s.get("townships").size());
    }
}
