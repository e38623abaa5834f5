package dev.sweep.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.board.state.AreaView;
import dev.sweep.board.state.ViewKey;
import dev.sweep.board.web.Stats;
import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Area;
import dev.sweep.campaign.Site;
import dev.sweep.schemas.KafkaClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One screen for a city, in Chromium: the metro (891 areas, 10,000 sites) as the job and the stations leave it at
 * 14:00, every record on Kafka, the board rebuilt from them. The page opens on the city, its districts most lagging
 * first; a lead clicks a district, one of its streets, its most lagging community, finds a site across the city by
 * its Chinese name and another by its id; then the whole city moves on a minute at once (every area's coverage, every
 * site's minute and heartbeat). Every figure on the way is the one fed, exactly; the page holds a bounded number of
 * elements and rows, its JS heap stays small, and every event on the stream (at most one a push) is small. The
 * figures are printed (times too, never asserted: the machine is shared).
 */
@Tag("e2e")
class MetroBoardPageTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    /** Elements on the page at most, whatever the city's size (rows are pages and first lists, not the campaign). */
    static final int MAX_ELEMENTS = 3_000;
    /** One event at most (a snapshot with the chart's day and a view of 100 sites is far less). */
    static final int MAX_EVENT_BYTES = 96 * 1024;
    /** Rows on the page at most (areas below, the most lagging, a page of sites, alerts shown), whatever the city's size. */
    static final int MAX_ROWS = 10 + AreaView.WORST_SHOWN + ViewKey.MAX_ROWS + AreaView.ALERTS_SHOWN + 90;
    /** The page's JS heap, used, after a collection: generous (a few MiB are measured), far below a whole city's. */
    static final double MAX_HEAP_MIB = 48;

    @Test
    void aLeadDrillsDistrictStreetCommunityAndFindsSitesByNameAndId() throws Exception {
        MetroFeed feed = new MetroFeed(7);
        int m = 8 * 60;
        long[] sampled = feed.sampled(m);
        try (LocalKafka kafka = LocalKafka.start();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "metro-test"))) {
            List<ProducerRecord<String, byte[]>> records = feed.all(m);
            records.forEach(producer::send);
            producer.flush();
            LiveBoardTest.phase("metro: " + records.size() + " records on Kafka");
            try (CoverageBoard board = CoverageBoard.start(BoardOptions.of(kafka.bootstrapServers()).withPort(0)
                    .withScenario(feed.scenario));
                 Browser browser = new Browser()) {
                LiveBoardTest.awaitLive(board);
                LiveBoardTest.phase("metro: the board rebuilt the city");
                browser.open(board.url().toString());
                browser.await("the city's figure", WAIT, d -> String.valueOf(sampled[0]).equals(
                        browser.attribute("#county-sampled", "data-value")) && "MT".equals(browser.attribute("body", "data-area")));
                assertEquals(String.valueOf(sampled[0]), browser.attribute("#focus-sampled", "data-value"));
                assertEquals("全市", browser.text("#focus-name"));

                // The districts, most lagging first (lowest coverage: the plan expects the same of all), each exact.
                List<Area> districts = feed.scenario.childrenOf("MT").stream()
                        .sorted(Comparator.comparingDouble((Area a) -> coverageOf(feed, sampled, a))
                                .thenComparingInt(a -> feed.scenario.areaIndex(a.id()))).toList();
                assertEquals(districts.stream().map(Area::id).toList(), rowIds(browser, "#area-rows a.trow"));
                assertRowsExact(browser, feed, sampled, "#area-rows a.trow");
                assertEquals(10, rowIds(browser, "#worst-rows a.trow").size(), "the ten most lagging communities of the city");
                Area worstCommunity = feed.scenario.areasAt("community").stream()
                        .min(Comparator.comparingDouble((Area a) -> coverageOf(feed, sampled, a))
                                .thenComparingInt(a -> feed.scenario.areaIndex(a.id()))).orElseThrow();
                assertEquals(worstCommunity.id(), rowIds(browser, "#worst-rows a.trow").get(0));
                assertTrue(rowIds(browser, "#site-rows tr[data-site]").stream().allMatch(feed::isOffline),
                        "the offline street's sites lead the city's: " + rowIds(browser, "#site-rows tr[data-site]"));
                LiveBoardTest.phase("metro: the city on the page");
                browser.screenshot(Path.of("target", "board-metro.png"));
                Stats.Figures opened = figures(browser, board, "the city", null);

                // District -> street -> community, by clicks.
                Area street = feed.scenario.area(feed.behindStreet);
                String district = street.parentId();
                browser.find("#area-" + district).click();
                awaitArea(browser, district);
                assertEquals(String.valueOf(sampled[feed.scenario.areaIndex(district)]), browser.attribute("#focus-sampled", "data-value"));
                assertEquals(feed.scenario.childrenOf(district).size(), rowIds(browser, "#area-rows a.trow").size());
                assertRowsExact(browser, feed, sampled, "#area-rows a.trow");
                assertTrue(browser.js("return location.hash").toString().contains("area=" + district), "a link to bookmark");

                browser.find("#area-" + street.id()).click();
                awaitArea(browser, street.id());
                assertEquals(String.valueOf(sampled[feed.scenario.areaIndex(street.id())]), browser.attribute("#focus-sampled", "data-value"));
                assertRowsExact(browser, feed, sampled, "#area-rows a.trow");
                assertTrue(browser.find("#focus").getDomAttribute("class").contains("behind"), "the street's behind-plan alert");
                assertEquals("TOWNSHIP_BEHIND_PLAN", browser.attribute("#alerts-active li[data-kind]", "data-kind"));
                assertEquals(List.of("全市", feed.scenario.area(district).nameZh(), street.nameZh()), BoardPageTest.crumbs(browser));

                String community = rowIds(browser, "#area-rows a.trow").get(0);
                browser.find("#area-" + community).click();
                awaitArea(browser, community);
                assertEquals(String.valueOf(sampled[feed.scenario.areaIndex(community)]), browser.attribute("#focus-sampled", "data-value"));
                List<Site> sites = feed.scenario.sites().stream().filter(s -> s.areaId().equals(community)).toList();
                List<String> shown = rowIds(browser, "#site-rows tr[data-site]");
                assertTrue(shown.size() == sites.size() || shown.size() >= 5, "a page of the community's sites: " + shown);
                assertTrue(shown.stream().allMatch(id -> feed.scenario.site(id).areaId().equals(community)), shown.toString());
                for (String id : shown) {
                    assertSiteExact(browser, feed, m, "#site-" + id, id);
                }
                assertTrue(browser.text("#page-range").endsWith("/ " + sites.size()), browser.text("#page-range"));
                browser.screenshot(Path.of("target", "board-metro-community.png"));

                LiveBoardTest.phase("metro: drilled down to a community");
                // A site across the city, by its Chinese name.
                Site wanted = feed.offline().get(3);
                browser.find("#search-box").sendKeys(wanted.name());
                browser.await("the search finds it", WAIT, d -> wanted.id().equals(
                        browser.attribute("#search-results li[data-id]", "data-id")));
                browser.find("#search-results li[data-id] a").click();
                browser.await("the site found, in its community", WAIT, d -> wanted.id().equals(browser.attribute("#found", "data-site"))
                        && wanted.areaId().equals(browser.attribute("body", "data-area")));
                assertSiteExact(browser, feed, m, "#found-row", wanted.id());
                assertEquals("silent", browser.attribute("#found-row", "data-condition"), "its station is offline");
                browser.screenshot(Path.of("target", "board-metro-found.png"));

                // Another, by its id (Enter takes the first result): a station closed for the day, in another district.
                Site closed = feed.scenario.sites().get(feed.scenario.sites().size() - 500 + 7);
                assertTrue(!closed.areaId().equals(wanted.areaId()));
                browser.find("#search-box").sendKeys(closed.id());
                browser.await("the search finds it by id", WAIT, d -> closed.id().equals(
                        browser.attribute("#search-results li[data-id]", "data-id")));
                browser.find("#search-box").sendKeys(org.openqa.selenium.Keys.ENTER);
                browser.await("the site found by id, in its community", WAIT, d -> closed.id().equals(browser.attribute("#found", "data-site"))
                        && closed.areaId().equals(browser.attribute("body", "data-area")));
                assertSiteExact(browser, feed, m, "#found-row", closed.id());
                assertEquals("closed", browser.attribute("#found-row", "data-condition"), "its station is closed for the day");
                figures(browser, board, "drilled to a community, two sites found", opened);

                LiveBoardTest.phase("metro: two sites found");
                // The whole city moves on a minute at once, the page back on the city: a delta, never the city.
                browser.js("location.hash = ''");
                awaitArea(browser, "MT");
                long[] next = feed.sampled(m + 1);
                List<ProducerRecord<String, byte[]>> minute = feed.minute(m + 1, true);
                Stats.Figures before = board.streamFigures();
                long sent = System.nanoTime();
                minute.forEach(producer::send);
                producer.flush();
                browser.await("the city's next minute", WAIT, d -> String.valueOf(next[0]).equals(
                        browser.attribute("#county-sampled", "data-value")));
                System.out.printf("board on metro: a minute of the whole city (%,d records) on the page %.1f s after it was sent%n",
                        minute.size(), (System.nanoTime() - sent) / 1e9);
                assertRowsExact(browser, feed, next, "#area-rows a.trow");
                Stats.Figures after = figures(browser, board, "the city's next minute", before);
                assertTrue(after.messages() - before.messages() <= after.pushes() - before.pushes() + 1,
                        "at most an event a push to the one browser: " + (after.messages() - before.messages()) + " events, "
                                + (after.pushes() - before.pushes()) + " pushes");
                long perPush = (after.bytes() - before.bytes()) / Math.max(1, after.pushes() - before.pushes());
                assertTrue(perPush < MAX_EVENT_BYTES, "the city's minute reaches the browser as deltas of its view: "
                        + perPush + " B a push");
            }
        }
    }

    static double coverageOf(MetroFeed feed, long[] sampled, Area a) {
        return (double) sampled[feed.scenario.areaIndex(a.id())] / a.population();
    }

    @SuppressWarnings("unchecked")
    static List<String> rowIds(Browser browser, String css) {
        return (List<String>) browser.js("return [...document.querySelectorAll(arguments[0])].map(e => e.dataset.area ?? e.dataset.site)", css);
    }

    static void awaitArea(Browser browser, String area) {
        browser.await("the view of " + area, WAIT, d -> area.equals(browser.attribute("body", "data-area")));
    }

    /** Every area row shows the people the feed gave its area, to the person. */
    static void assertRowsExact(Browser browser, MetroFeed feed, long[] sampled, String css) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) browser.js(
                "return [...document.querySelectorAll(arguments[0])].map(e => ({id: e.dataset.area, sampled: e.dataset.sampled,"
                        + " text: e.querySelector('.sampled').textContent}))", css);
        assertTrue(!rows.isEmpty(), css);
        for (Map<String, Object> r : rows) {
            Area a = feed.scenario.area(r.get("id").toString());
            long want = sampled[feed.scenario.areaIndex(a.id())];
            assertEquals(String.valueOf(want), r.get("sampled"), a.id());
            assertEquals(String.format("%,d", want), r.get("text"), a.id());
        }
    }

    /** A site's row shows what the feed gave it: people, queue (or none while offline), its state. */
    static void assertSiteExact(Browser browser, MetroFeed feed, int m, String row, String siteId) {
        int index = feed.scenario.siteIndex(siteId);
        int[] f = feed.site(index, m);
        assertEquals(String.format("%,d", f[1]), browser.text(row + " td.sampled"), siteId + " people");
        String queue = feed.isOffline(siteId) ? "—" : index % 500 == 7 ? "0" : String.format("%,d", f[2]);
        assertEquals(queue, browser.text(row + " td.queue"), siteId + " queue");
    }

    /**
     * What the page costs: printed, and the deterministic bounds asserted (elements, rows, the JS heap after a
     * collection, the largest event). Stream figures are since {@code since} (or the start); returns them as they stand.
     */
    static Stats.Figures figures(Browser browser, CoverageBoard board, String where, Stats.Figures since) {
        long elements = ((Number) browser.js("return document.getElementsByTagName('*').length")).longValue();
        long rows = ((Number) browser.js("return document.querySelectorAll("
                + "'#area-rows a.trow, #worst-rows a.trow, #site-rows tr, #found-row, #alerts li, #search-results li').length")).longValue();
        browser.driver.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
        Map<String, Object> heap = browser.driver.executeCdpCommand("Runtime.getHeapUsage", Map.of());
        double usedMib = ((Number) heap.get("usedSize")).doubleValue() / (1 << 20);
        Stats.Figures now = board.streamFigures();
        Stats.Figures s = since == null ? new Stats.Figures(0, 0, 0, 0, 0) : since;
        long events = now.messages() - s.messages();
        long bytes = now.bytes() - s.bytes();
        long pushes = now.pushes() - s.pushes();
        System.out.printf("board on metro, %s: %,d elements, %,d rows on the page; JS heap %.1f MiB used (after GC) of %.1f MiB;"
                        + " %,d events, %,d B (%,.0f B an event; the largest so far %,d B); %d pushes, %.1f ms CPU each on average%n",
                where, elements, rows, usedMib, ((Number) heap.get("totalSize")).doubleValue() / (1 << 20),
                events, bytes, events == 0 ? 0.0 : bytes / (double) events, now.largestMessage(), pushes,
                pushes == 0 ? 0 : (now.pushCpuNanos() - s.pushCpuNanos()) / 1e6 / pushes);
        assertTrue(elements < MAX_ELEMENTS, "elements on the page: " + elements);
        assertTrue(rows < MAX_ROWS, "rows on the page: " + rows);
        assertTrue(usedMib < MAX_HEAP_MIB, "the page's JS heap: " + usedMib + " MiB");
        assertTrue(now.largestMessage() < MAX_EVENT_BYTES, "the largest event: " + now.largestMessage() + " B");
        return now;
    }
}
