package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.events.Coverage;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.SiteMinute;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import dev.sweep.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole chain on real parts: the simulator replays Neixiang (seed 7, with duplicates, a
 * partition and bad data) into Kafka, the coverage job runs bounded on a MiniCluster, and what
 * lands in InfluxDB and on the output topics is compared with the ledger, exactly.
 */
@Tag("e2e")
class CoverageEndToEndTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static LocalKafka kafka;
    static InfluxServer influx;
    static Ledger ledger;

    @BeforeAll
    static void replayTheCampaign() throws Exception {
        kafka = LocalKafka.start();
        influx = InfluxServer.start();
        CampaignSimulator.Replay replay = Pipeline.replay(kafka, "neixiang", 7,
                Drill.parse(List.of("duplicates", "partition", "bad-data")));
        ledger = replay.ledger();
    }

    @AfterAll
    static void stop() {
        if (influx != null) {
            influx.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void influxAndTheTopicsAgreeWithTheLedgerAndAReplayChangesNothing() throws Exception {
        Pipeline.runToEnd(Pipeline.options(kafka, influx, "e2e-first").bounded(true).build());
        InfluxTruth truth = new InfluxTruth(influx);

        assertEquals(478_609, ledger.county().persons());
        assertEquals(ledger.county().persons(), truth.countySampled());
        assertEquals(0.870, truth.decimal("SELECT last(coverage) AS v FROM coverage WHERE scope = 'county'", "v"), 0.0005);
        assertEquals(550_125, truth.number("SELECT last(population) AS v FROM coverage WHERE scope = 'county'"));

        Map<String, Long> townships = truth.byTag(
                "SELECT last(sampled) AS v FROM coverage WHERE scope = 'township' GROUP BY township", "township", "v");
        Map<String, Long> expectedTownships = new TreeMap<>();
        ledger.townships().forEach((id, t) -> expectedTownships.put(id, t.persons()));
        assertEquals(expectedTownships, townships);

        // Coverage by residence: every area at every level (root, townships, villages) ends at the ledger's people
        // at home, although people cross township lines to be sampled.
        assertTrue(ledger.county().sampledOutsideHomeTownship() > 10_000,
                "people sampled outside their home township: " + ledger.county().sampledOutsideHomeTownship());
        Map<String, Long> expectedAreas = new TreeMap<>();
        ledger.areas().forEach((id, a) -> expectedAreas.put(id, a.persons()));
        assertEquals(16 + 290 + 1, expectedAreas.size(), "the root, 16 townships and 290 villages");
        assertEquals(expectedAreas, truth.byTag("SELECT last(sampled) AS v FROM coverage GROUP BY area", "area", "v"));
        Map<String, Long> villagePopulation = truth.byTag(
                "SELECT last(population) AS v FROM coverage WHERE level = 'village' GROUP BY area", "area", "v");
        ledger.areas().forEach((id, a) -> {
            if (a.level().equals("village")) {
                assertEquals(a.population(), villagePopulation.get(id), "population of " + id);
            }
        });

        assertEquals(ledger.county().scans(), truth.siteScans(), "duplicates removed, bad data refused");
        assertEquals(478_609, truth.sitePersons());
        Map<String, Long> siteScans = truth.byTag("SELECT sum(scans) AS v FROM site_throughput GROUP BY site", "site", "v");
        Map<String, Long> sitePersons = truth.byTag("SELECT sum(persons) AS v FROM site_throughput GROUP BY site", "site", "v");
        ledger.sites().forEach((id, s) -> {
            assertEquals(s.scans(), siteScans.get(id), "scans of " + id);
            assertEquals(s.persons(), sitePersons.get(id), "persons of " + id);
        });

        // Dead letters, reason by reason: in the pipeline measurement and on the topic.
        Map<String, Long> deadInInflux = new TreeMap<>();
        for (String reason : ledger.badRecords().keySet()) {
            deadInInflux.put(reason, truth.number("SELECT sum(dead_letters_" + reason.replace('-', '_')
                    + ") AS v FROM pipeline"));
        }
        assertEquals(ledger.badRecords(), deadInInflux);
        Map<String, Long> deadOnTopic = new TreeMap<>();
        readAll(Topics.DEAD_LETTERS, r -> {
            String reason = new String(r.headers().lastHeader(Topics.HEADER_REASON).value(), StandardCharsets.UTF_8);
            deadOnTopic.merge(reason, 1L, Long::sum);
            assertEquals(Topics.SCANS, new String(r.headers().lastHeader(Topics.HEADER_TOPIC).value(), StandardCharsets.UTF_8));
            assertTrue(r.headers().lastHeader(Topics.HEADER_OFFSET) != null);
            assertTrue(r.headers().lastHeader(Topics.HEADER_PARTITION) != null);
        });
        assertEquals(ledger.badRecords(), deadOnTopic);

        assertEquals(ledger.duplicatesSent(), truth.number("SELECT sum(duplicates) AS v FROM pipeline"));
        long good = ledger.records().values().stream().mapToLong(Long::longValue).sum()
                - ledger.badRecords().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(good, truth.number("SELECT sum(events) AS v FROM pipeline"));
        // Whether the partitioned township's held scans count as late depends on how the partitions of a
        // backlog happen to interleave: not a guarantee (the register's harness test fixes the clock).
        long late = truth.number("SELECT sum(late) AS v FROM pipeline");
        assertTrue(late >= 0 && late <= ledger.county().scans(), "late " + late);
        assertEquals((long) ledger.records().get(Topics.STATION_STATUS),
                truth.number("SELECT count(queue) AS v FROM site_status"));

        // The output topics: the latest record per key and minute carries the same totals.
        Collection<SiteMinute> minutes = Pipeline.latestSiteMinutes(kafka);
        assertEquals(ledger.county().scans(), minutes.stream().mapToLong(SiteMinute::getScans).sum());
        assertEquals(478_609, minutes.stream().mapToLong(SiteMinute::getPersons).sum());
        Map<String, Coverage> latest = Pipeline.latestCoverage(kafka);
        assertEquals(478_609, latest.get("county").getSampled());
        Map<String, Long> areasOnTopic = new TreeMap<>();
        latest.values().forEach(c -> areasOnTopic.put(c.getAreaId().toString(), c.getSampled()));
        assertEquals(expectedAreas, areasOnTopic, "the latest coverage of every area on " + Topics.COVERAGE);
        Map<Long, PipelineMinute> health = new HashMap<>();
        readAll(Topics.PIPELINE, r -> {
            PipelineMinute m = decode(() -> EventCodec.PIPELINE.decode(r.value()));
            health.put(m.getMinute().toEpochMilli(), m);
        });
        assertEquals(good, health.values().stream().mapToLong(PipelineMinute::getEvents).sum(), "sweep.pipeline events");
        assertEquals(ledger.duplicatesSent(), health.values().stream().mapToLong(PipelineMinute::getDuplicates).sum());

        // No personal data in any time series: tags are townships and sites only.
        assertFalse(influx.query("SHOW TAG KEYS").stream().anyMatch(r -> r.toString().matches(".*(person|tube|scan).*")));

        // A replay of the same topics leaves InfluxDB as it was.
        Map<String, Object> first = truth.fingerprint();
        Pipeline.runToEnd(Pipeline.options(kafka, influx, "e2e-replay").bounded(true).build());
        Map<String, Object> second = truth.fingerprint();
        Map<String, String> changed = new TreeMap<>();
        for (String series : new java.util.TreeSet<>(first.keySet())) {
            if (!java.util.Objects.equals(first.get(series), second.get(series))) {
                changed.put(series, first.get(series) + " -> " + second.get(series));
            }
        }
        second.keySet().stream().filter(k -> !first.containsKey(k)).forEach(k -> changed.put(k, "new: " + second.get(k)));
        assertEquals(Map.of(), changed, "a replay changed these series");
    }

    interface Decode<T> {
        T get() throws Exception;
    }

    static <T> T decode(Decode<T> d) {
        try {
            return d.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Every committed record of a topic, from the start to its current end. */
    static void readAll(String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
        TopicReader.readAll(kafka.bootstrapServers(), topic).forEach(each);
    }
}
