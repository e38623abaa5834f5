package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.testkit.InfluxServer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.core.execution.JobClient;

/**
 * The job running live (unbounded) while the small test campaign is replayed at a steady pace,
 * so that faults can strike mid-stream; afterwards InfluxDB must converge on the ledger exactly,
 * with the feed quiet: the last minutes arrive by early firing, not by a later event.
 */
final class LiveRun implements AutoCloseable {
    static final double SPEED = 240; // the two-hour wave in 30 s

    final LocalKafka kafka;
    final InfluxServer influx;
    final Ledger ledger;
    final JobClient job;
    private final CompletableFuture<Void> feed;

    LiveRun(String group, long seed) throws Exception {
        kafka = LocalKafka.start();
        influx = InfluxServer.start();
        Scenario tiny = Campaigns.TINY;
        CampaignSimulator.Replay replay =
                new CampaignSimulator(tiny, seed, Set.of(), 0, CampaignSimulator.DRILL_STATION_KEY).run();
        ledger = replay.ledger();
        job = Pipeline.start(CoverageOptions.on(kafka.bootstrapServers(), tiny).group(group)
                .from(CoverageOptions.StartFrom.EARLIEST).influxUrl(influx.url())
                .checkpointInterval(Duration.ofSeconds(2)).build());
        feed = CompletableFuture.runAsync(() -> {
            try (StationFeed stations = new StationFeed(kafka.bootstrapServers())) {
                stations.send(replay.emissions(), SPEED, null, tiny.population(), ZoneOffset.UTC);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits for the feed to finish and InfluxDB to show every person; then checks every figure. */
    void assertConvergesOnTheLedger() throws Exception {
        feed.get(3, java.util.concurrent.TimeUnit.MINUTES);
        InfluxTruth truth = new InfluxTruth(influx);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline
                && (truth.countySampled() != ledger.county().persons() || truth.siteScans() != ledger.county().scans())) {
            Thread.sleep(500);
        }
        assertEquals(ledger.county().persons(), truth.countySampled(), "county sampled");
        assertEquals(ledger.county().scans(), truth.siteScans(), "scans");
        assertEquals(ledger.county().persons(), truth.sitePersons(), "persons");
        Map<String, Long> sites = truth.byTag("SELECT sum(scans) AS v FROM site_throughput GROUP BY site", "site", "v");
        Map<String, Long> expectedSites = new TreeMap<>();
        ledger.sites().forEach((id, s) -> expectedSites.put(id, s.scans()));
        assertEquals(expectedSites, sites);
        Map<String, Long> townships = truth.byTag(
                "SELECT last(sampled) AS v FROM coverage WHERE scope = 'township' GROUP BY township", "township", "v");
        Map<String, Long> expectedTownships = new TreeMap<>();
        ledger.townships().forEach((id, t) -> expectedTownships.put(id, t.persons()));
        assertEquals(expectedTownships, townships);
        // Events are counted once each, across restarts too.
        long sent = ledger.records().values().stream().mapToLong(Long::longValue).sum();
        long deadline2 = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline2 && truth.number("SELECT sum(events) AS v FROM pipeline") != sent) {
            Thread.sleep(500);
        }
        assertEquals(sent, truth.number("SELECT sum(events) AS v FROM pipeline"), "pipeline events");
    }

    @Override
    public void close() throws Exception {
        try {
            job.cancel().get();
        } catch (Exception e) {
            // already finished or failed: nothing to cancel
        }
        influx.close();
        kafka.close();
    }
}
