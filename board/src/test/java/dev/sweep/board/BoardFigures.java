package dev.sweep.board;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Area;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.events.SiteMinute;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The board's figures for a city, measured (never a test): the metro's 891 areas and 10,000 sites on a real Kafka,
 * the board rebuilt from them, then live traffic as the job and the stations send it at {@code speed} times the
 * campaign's pace (every site's heartbeat every 30 s and its minute re-sent as it fills, every area's coverage point
 * every minute, alerts raised and resolved), with a real headless Chromium on the city's view. Prints the board's
 * rebuild time, the CPU of each push (the picture rebuilt and every browser's delta), of folding a record, the event
 * stream's bytes per second to the browser and its largest event, the page's JS heap and element count, and the
 * board's heap. Arguments: seconds of live traffic (60), speed (10), then {@code --serve} to keep it all running for a
 * look (the URL is printed). Run from the board module's test classpath.
 */
public final class BoardFigures {
    private BoardFigures() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int speed = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        boolean serve = List.of(args).contains("--serve");
        MetroFeed feed = new MetroFeed(7);
        int m0 = 8 * 60;
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (LocalKafka kafka = LocalKafka.start();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "board-figures"))) {
            List<ProducerRecord<String, byte[]>> history = feed.all(m0);
            history.forEach(producer::send);
            producer.flush();
            long started = System.nanoTime();
            try (CoverageBoard board = CoverageBoard.start(BoardOptions.of(kafka.bootstrapServers()).withPort(serve ? 8088 : 0)
                    .withScenario(feed.scenario))) {
                while (!board.live()) {
                    Thread.sleep(50);
                }
                System.out.printf("board figures: rebuilt the city from %,d records in %.1f s%n", history.size(),
                        (System.nanoTime() - started) / 1e9);
                try (Browser browser = new Browser()) {
                    browser.open(board.url().toString());
                    browser.await("the page live", java.time.Duration.ofSeconds(60),
                            d -> "live".equals(browser.attribute("body", "data-status")) && browser.attribute("body", "data-area").equals("MT"));
                    Map<String, Number> before = page(browser);
                    var s0 = board.streamFigures();
                    long feedCpu0 = threadCpu(cpu, "board-feed");
                    long records = live(feed, producer, m0, seconds, speed);
                    var s1 = board.streamFigures();
                    long feedCpu1 = threadCpu(cpu, "board-feed");
                    Map<String, Number> after = page(browser);
                    browser.screenshot(Path.of("target", "board-figures.png"));
                    System.gc();
                    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    long pushes = s1.pushes() - s0.pushes();
                    System.out.printf("board figures: %d s of live traffic at %dx (%,d records, %,.0f/s): per push %.1f ms CPU"
                                    + " (%d pushes); folding %.1f µs CPU per record; event stream to one browser %,.0f B/s"
                                    + " (%d events, the largest %,d B); page: JS heap %.1f MiB used (%.1f at the start),"
                                    + " %,d elements, %,d DOM nodes; board heap after GC %.0f MiB (this JVM holds Kafka and"
                                    + " the feeder too)%n",
                            seconds, speed, records, records / (double) seconds,
                            pushes == 0 ? 0 : (s1.pushCpuNanos() - s0.pushCpuNanos()) / 1e6 / pushes, pushes,
                            records == 0 ? 0 : (feedCpu1 - feedCpu0) / 1e3 / records,
                            (s1.bytes() - s0.bytes()) / (double) seconds, s1.messages() - s0.messages(), s1.largestMessage(),
                            after.get("heap").doubleValue() / (1 << 20), before.get("heap").doubleValue() / (1 << 20),
                            after.get("elements").longValue(), after.get("nodes").longValue(), heap / (double) (1 << 20));
                }
                if (serve) {
                    System.out.println("board figures: serving " + board.url() + " until killed");
                    live(feed, producer, m0 + seconds * speed / 60, Integer.MAX_VALUE, 1);
                }
            }
        }
    }

    static long threadCpu(ThreadMXBean cpu, String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .mapToLong(t -> Math.max(0, cpu.getThreadCpuTime(t.getId()))).sum();
    }

    /** The page's JS heap after a collection, its elements and DOM nodes (Chromium's own counts, over CDP). */
    static Map<String, Number> page(Browser browser) {
        browser.driver.executeCdpCommand("HeapProfiler.collectGarbage", Map.of());
        browser.driver.executeCdpCommand("Performance.enable", Map.of());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> metrics = (List<Map<String, Object>>) browser.driver
                .executeCdpCommand("Performance.getMetrics", Map.of()).get("metrics");
        Number nodes = metrics.stream().filter(x -> "Nodes".equals(x.get("name"))).map(x -> (Number) x.get("value"))
                .findFirst().orElse(-1);
        Number heap = (Number) browser.driver.executeCdpCommand("Runtime.getHeapUsage", Map.of()).get("usedSize");
        Number elements = (Number) browser.js("return document.getElementsByTagName('*').length");
        return Map.of("heap", heap, "nodes", nodes, "elements", elements);
    }

    /**
     * Sends the campaign on from minute {@code m0} at {@code speed} times its pace for {@code seconds} of wall time:
     * each wall second, the heartbeats and site minutes of {@code speed} seconds of campaign time (a site every 30 s
     * each), and every area's coverage point at each new campaign minute. Returns the records sent.
     */
    static long live(MetroFeed feed, KafkaProducer<String, byte[]> producer, int m0, int seconds, int speed) throws InterruptedException {
        int sites = feed.scenario.sites().size();
        long sent = 0;
        long start = System.nanoTime();
        long campaignSecond = 0;
        int lastMinute = m0;
        List<Alert> alerts = feed.alerts(m0);
        for (int wall = 0; wall < seconds; wall++) {
            for (int k = 0; k < speed; k++, campaignSecond++) {
                int m = m0 + (int) (campaignSecond / 60);
                long at = feed.minute(m0) + campaignSecond * 1000;
                // A thirtieth of the sites each campaign second: every site every 30 s.
                for (int i = (int) (campaignSecond % 30); i < sites; i += 30) {
                    String id = feed.scenario.sites().get(i).id();
                    // The minute as it fills: the job sends it again as its scans come in.
                    SiteMinute whole = feed.siteMinute(i, m);
                    double part = (campaignSecond % 60 + 1) / 60.0;
                    SiteMinute filling = SiteMinute.newBuilder(whole).setScans((int) (whole.getScans() * part))
                            .setPersons((int) (whole.getPersons() * part)).build();
                    producer.send(new ProducerRecord<>(Topics.SITE_MINUTES, id, EventCodec.SITE_MINUTES.encode(filling)));
                    sent++;
                    if (!feed.isOffline(id)) {
                        producer.send(new ProducerRecord<>(Topics.STATION_STATUS, id,
                                EventCodec.STATUSES.encode(feed.heartbeat(i, m, at))));
                        sent++;
                    }
                }
                if (m != lastMinute) {
                    lastMinute = m;
                    long[] sampled = feed.sampled(m);
                    for (int i = 0; i < feed.scenario.areas().size(); i++) {
                        Area a = feed.scenario.areas().get(i);
                        Coverage c = feed.coverage(a, feed.minute(m), sampled[i]);
                        producer.send(new ProducerRecord<>(Topics.COVERAGE, MetroFeed.key(c), EventCodec.COVERAGE.encode(c)));
                        sent++;
                    }
                    // An offline site comes back each minute: its alert resolves.
                    if (alerts.size() > 1) {
                        Alert a = alerts.remove(0);
                        Alert resolved = Alert.newBuilder(a).setState(AlertState.RESOLVED)
                                .setAt(java.time.Instant.ofEpochMilli(at)).build();
                        producer.send(new ProducerRecord<>(Topics.ALERTS, a.getTownshipId().toString(), EventCodec.ALERTS.encode(resolved)));
                        sent++;
                    }
                }
            }
            long due = start + (wall + 1) * 1_000_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        producer.flush();
        return sent;
    }
}
