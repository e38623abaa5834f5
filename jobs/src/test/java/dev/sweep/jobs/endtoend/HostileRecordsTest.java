package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.CampaignChecks;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.jobs.records.Ids;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.schemas.EventChecks;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import dev.sweep.testkit.Mutants;
import dev.sweep.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hostile station on the real chain: a hundred thousand mutated scans and heartbeats (flipped bits, cuts,
 * length prefixes claiming 2 GB, 600 KB site ids, dates of other years, raw ID numbers, the wrong event on a
 * topic, empty records) among a valid replay, into Kafka, through the coverage job (restarts disabled: any
 * failed task fails the test) to InfluxDB and the dead-letter topic. Every mutant is either a valid record,
 * counted, or a dead letter with its reason (a bounded copy with no ID number in it), and every total is the
 * ledger's plus what the valid mutants add, exactly.
 */
@Tag("e2e")
class HostileRecordsTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final int MUTANTS = 100_000;
    static final Scenario TINY = Campaigns.TINY;

    /** What the oracle expects of the valid mutants: scans per site, and each person's first scan. */
    static final class Expected {
        final Map<String, Long> deadByReason = new TreeMap<>();
        final Map<String, Long> scans = new TreeMap<>();
        final Map<String, ScanEvent> firstOfPerson = new HashMap<>();
        final Set<String> personScans = new HashSet<>();
        long validHeartbeats;

        /** Whether the oracle can count this valid scan exactly (one per person and scanId). */
        boolean take(ScanEvent e) {
            if (!personScans.add(e.getPersonKey() + "/" + e.getScanId())) {
                return false;
            }
            scans.merge(e.getSiteId(), 1L, Long::sum);
            ScanEvent first = firstOfPerson.get(e.getPersonKey());
            long at = e.getScannedAt().toEpochMilli();
            if (first == null || at < first.getScannedAt().toEpochMilli() || (at == first.getScannedAt().toEpochMilli()
                    && Ids.hash(e.getScanId()) < Ids.hash(first.getScanId()))) {
                firstOfPerson.put(e.getPersonKey(), e);
            }
            return true;
        }
    }

    @Test
    void aHundredThousandHostileRecordsAmongAReplayFailNothingAndLoseNothing() throws Exception {
        CampaignSimulator.Replay valid = new CampaignSimulator(TINY, 5, Drill.parse(List.of("duplicates")), 0,
                CampaignSimulator.DRILL_STATION_KEY).run();
        Ledger ledger = valid.ledger();
        List<Emission> sources = new CampaignSimulator(TINY, 6, Drill.parse(List.of()), 0, "another station key").run()
                .emissions();
        CampaignChecks checks = new CampaignChecks(TINY);
        long now = System.currentTimeMillis();
        Expected expected = new Expected();
        SplittableRandom rng = new SplittableRandom(2022);

        List<ProducerRecord<String, byte[]>> mutants = new ArrayList<>();
        Emission aScan = sources.stream().filter(e -> e.topic().equals(Topics.SCANS)).findFirst().orElseThrow();
        Emission aHeartbeat = sources.stream().filter(e -> e.topic().equals(Topics.STATION_STATUS)).findFirst()
                .orElseThrow();
        for (byte[][] special : specials(aScan, aHeartbeat, rng)) {
            mutants.add(new ProducerRecord<>(new String(special[0], StandardCharsets.UTF_8),
                    sources.get(0).key(), special[1]));
        }
        while (mutants.size() < MUTANTS) {
            Emission source = sources.get(rng.nextInt(sources.size()));
            mutants.add(new ProducerRecord<>(source.topic(), source.key(), Mutants.mutate(source.value(), rng)));
        }
        // The oracle: the job's own checks say which are valid; the valid ones are counted by hand.
        List<ProducerRecord<String, byte[]>> sent = new ArrayList<>();
        for (ProducerRecord<String, byte[]> m : mutants) {
            try {
                if (m.topic().equals(Topics.STATION_STATUS)) {
                    checks.heartbeat(m.value(), now);
                    expected.validHeartbeats++;
                } else if (!expected.take(checks.scan(m.value(), now))) {
                    continue; // a second valid mutant of one scan: which one counts depends on the read order
                }
            } catch (RejectedRecordException e) {
                expected.deadByReason.merge(e.reason().code(), 1L, Long::sum);
            }
            sent.add(m);
        }

        try (LocalKafka kafka = LocalKafka.start(); InfluxServer influx = InfluxServer.start()) {
            // The mutants among the valid records, in send order, as stations would deliver them.
            try (KafkaProducer<String, byte[]> producer =
                         new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "hostile-station"))) {
                int next = 0;
                double perValid = (double) sent.size() / valid.emissions().size();
                double owed = 0;
                for (Emission e : valid.emissions()) {
                    producer.send(new ProducerRecord<>(e.topic(), e.key(), e.value()));
                    for (owed += perValid; owed >= 1 && next < sent.size(); owed--) {
                        producer.send(sent.get(next++));
                    }
                }
                while (next < sent.size()) {
                    producer.send(sent.get(next++));
                }
                producer.flush();
            }

            // The job, bounded, with restarts disabled: a task that fails fails the run. Lateness of a day: a
            // valid mutant may carry any time of the campaign's window and still correct its minute.
            CoverageOptions o = CoverageOptions.on(kafka.bootstrapServers(), TINY).group("hostile")
                    .from(CoverageOptions.StartFrom.EARLIEST).bounded(true).influxUrl(influx.url())
                    .lateness(Duration.ofDays(1)).build();
            Configuration conf = CoverageJob.localConfiguration(o);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "disable");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            CoverageJob.buildOnKafka(env, o);
            env.executeAsync("sweep coverage (hostile records)").getJobExecutionResult().get(5, TimeUnit.MINUTES);

            InfluxTruth truth = new InfluxTruth(influx);
            Map<String, Long> siteScans = truth.byTag("SELECT sum(scans) AS v FROM site_throughput GROUP BY site", "site", "v");
            Map<String, Long> sitePersons = truth.byTag("SELECT sum(persons) AS v FROM site_throughput GROUP BY site", "site", "v");
            Map<String, Long> townships = truth.byTag(
                    "SELECT last(sampled) AS v FROM coverage WHERE scope = 'township' GROUP BY township", "township", "v");
            Map<String, Long> mutantPersonsBySite = new TreeMap<>();
            expected.firstOfPerson.values().forEach(e -> mutantPersonsBySite.merge(e.getSiteId(), 1L, Long::sum));
            for (var site : ledger.sites().entrySet()) {
                String id = site.getKey();
                assertEquals(site.getValue().scans() + expected.scans.getOrDefault(id, 0L), siteScans.get(id), "scans of " + id);
                assertEquals(site.getValue().persons() + mutantPersonsBySite.getOrDefault(id, 0L), sitePersons.get(id),
                        "persons of " + id);
            }
            long mutantPersons = expected.firstOfPerson.size();
            for (var t : ledger.townships().entrySet()) {
                // A person counts at home: the township of the home area the scan names (the site's, when it names none).
                long extra = expected.firstOfPerson.values().stream().filter(e -> TINY.townshipOf(e.getHomeAreaId() != null
                        ? e.getHomeAreaId().toString() : TINY.site(e.getSiteId().toString()).areaId()).id()
                        .equals(t.getKey())).count();
                assertEquals(t.getValue().persons() + extra, townships.get(t.getKey()), "people of " + t.getKey());
            }
            assertEquals(ledger.county().persons() + mutantPersons, truth.countySampled());

            long validSent = ledger.records().values().stream().mapToLong(Long::longValue).sum();
            assertEquals(validSent + expected.personScans.size() + expected.validHeartbeats,
                    truth.number("SELECT sum(events) AS v FROM pipeline"), "every valid record counted once as an event");

            // Every other mutant is a dead letter with its reason: a bounded copy, no ID number, the original length when cut.
            Map<String, Long> deadOnTopic = new TreeMap<>();
            int cut = 0;
            for (ConsumerRecord<String, byte[]> r : TopicReader.readAll(kafka.bootstrapServers(), Topics.DEAD_LETTERS)) {
                String reason = header(r, Topics.HEADER_REASON);
                deadOnTopic.merge(reason, 1L, Long::sum);
                assertNotNull(header(r, Topics.HEADER_DETAIL));
                int length = r.value() == null ? 0 : r.value().length;
                assertTrue(length <= DeadLetter.MAX_VALUE_BYTES, "a bounded copy: " + length);
                if (header(r, Topics.HEADER_ORIGINAL_LENGTH) != null) {
                    cut++;
                    assertTrue(Integer.parseInt(header(r, Topics.HEADER_ORIGINAL_LENGTH)) > DeadLetter.MAX_VALUE_BYTES);
                }
                String all = (r.value() == null ? "" : new String(r.value(), StandardCharsets.ISO_8859_1))
                        + (r.key() == null ? "" : r.key()) + header(r, Topics.HEADER_DETAIL);
                assertFalse(EventChecks.containsIdNumber(all), "no raw ID number in a dead letter: " + header(r, Topics.HEADER_DETAIL));
            }
            assertEquals(expected.deadByReason, deadOnTopic);
            assertTrue(cut >= GIANTS, "the giant records' copies were cut: " + cut);
            Map<String, Long> deadInInflux = new TreeMap<>();
            for (String reason : expected.deadByReason.keySet()) {
                deadInInflux.put(reason, truth.number("SELECT sum(dead_letters_" + reason.replace('-', '_') + ") AS v FROM pipeline"));
            }
            assertEquals(expected.deadByReason, deadInInflux);
            assertTrue(expected.deadByReason.keySet().containsAll(List.of("corrupt", "unknown-fingerprint", "invalid-field",
                    "raw-personal-id", "unknown-site", "out-of-window")), "every reason is exercised: " + expected.deadByReason);
        }
    }

    static final int GIANTS = 5;

    /**
     * The cases seen in the field, each a few times: [topic bytes, value]: a 2 GB length prefix, a 600 KB site
     * id, scans of other years, raw ID numbers in the person key and the site id, the other event on a topic,
     * empty and null records, an unknown schema.
     */
    static List<byte[][]> specials(Emission scanSource, Emission statusSource, SplittableRandom rng)
            throws RejectedRecordException {
        ScanEvent scan = EventCodec.SCANS.decode(scanSource.value());
        byte[] scans = Topics.SCANS.getBytes(StandardCharsets.UTF_8);
        byte[] status = Topics.STATION_STATUS.getBytes(StandardCharsets.UTF_8);
        String id = "41132519900307123" + EventChecks.idCheckCharacter("41132519900307123");
        List<byte[][]> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            out.add(new byte[][] {scans, Mutants.hugeLengthAt(scanSource.value(), 10)});
            out.add(new byte[][] {status, Mutants.hugeLengthAt(statusSource.value(), 10)});
            int year = 2001 + rng.nextInt(21);
            out.add(new byte[][] {scans, EventCodec.SCANS.encode(ScanEvent.newBuilder(scan).setScanId("old-" + i)
                    .setScannedAt(Instant.parse(year + "-05-04T01:00:00Z")).build())});
            out.add(new byte[][] {scans, EventCodec.SCANS.encode(ScanEvent.newBuilder(scan).setScanId("id-" + i)
                    .setPersonKey(id).build())});
            out.add(new byte[][] {scans, EventCodec.SCANS.encode(ScanEvent.newBuilder(scan).setScanId("site-" + i)
                    .setSiteId(id).build())});
            out.add(new byte[][] {scans, statusSource.value()});
            out.add(new byte[][] {status, scanSource.value()});
            out.add(new byte[][] {scans, new byte[0]});
            out.add(new byte[][] {scans, null});
            byte[] unknown = scanSource.value().clone();
            unknown[2] ^= (byte) 0x5a;
            out.add(new byte[][] {scans, unknown});
        }
        out.add(new byte[][] {status, EventCodec.STATUSES.encode(StationStatus.newBuilder(
                EventCodec.STATUSES.decode(statusSource.value())).setSiteId(id).build())});
        for (int i = 0; i < GIANTS; i++) {
            out.add(new byte[][] {scans, EventCodec.SCANS.encode(ScanEvent.newBuilder(scan).setScanId("giant-" + i)
                    .setSiteId("NX-" + "C".repeat(600_000)).build())});
        }
        return out;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
