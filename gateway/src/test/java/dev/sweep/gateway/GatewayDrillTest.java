package dev.sweep.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.board.BoardOptions;
import dev.sweep.board.CoverageBoard;
import dev.sweep.broker.AccessPlan.Role;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.gateway.stations.Outgoing;
import dev.sweep.gateway.stations.StationCredentials.Credential;
import dev.sweep.gateway.stations.StationsViaGateway;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.LocalMachine;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drills through the gateway on real parts, compared with the simulator's ledger exactly: the stations post over
 * HTTPS to the gateway, the gateway writes to the secure broker as its principal, the real coverage job (as its
 * principal, on a MiniCluster) writes InfluxDB. A small campaign (three townships, twelve sites, a two-hour wave).
 */
class GatewayDrillTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String TINY = Path.of("src/test/resources/scenarios/tiny").toAbsolutePath().toString();
    static InfluxServer influx;

    @BeforeAll
    static void startInflux() {
        influx = InfluxServer.start();
    }

    @AfterAll
    static void stopInflux() {
        if (influx != null) {
            influx.close();
        }
    }

    @BeforeEach
    void emptyInflux() {
        influx.resetDatabase();
    }

    static CampaignSimulator.Replay replay(long seed, String... drills) {
        return new CampaignSimulator(Scenario.load(TINY), seed, Drill.parse(List.of(drills)), 0, CampaignSimulator.DRILL_STATION_KEY).run();
    }

    static List<Outgoing> outgoing(List<Emission> emissions) {
        return outgoing(emissions, 0);
    }

    /** Due at {@code speed} times event time (0: all at once). */
    static List<Outgoing> outgoing(List<Emission> emissions, double speed) {
        long first = emissions.get(0).sendAt();
        return emissions.stream().map(e -> new Outgoing(e.topic(), e.key(), e.value(),
                speed > 0 ? (long) ((e.sendAt() - first) / speed) : 0)).toList();
    }

    /** {@code n} stations dealt over the campaign's sites in turn, each with its own token. */
    static List<Credential> stations(SecureRig rig, Path file, int n) throws Exception {
        List<String> sites = Scenario.load(TINY).sites().stream().map(s -> s.id()).toList();
        String[] pairs = new String[2 * n];
        for (int i = 0; i < n; i++) {
            String site = sites.get(i % sites.size());
            pairs[2 * i] = site + "-" + (i / sites.size() + 1);
            pairs[2 * i + 1] = site;
        }
        return rig.issue(file, pairs);
    }

    @Test
    void aThousandStationsAtOnceCountExactlyAsTheLedgerSays() throws Exception {
        CampaignSimulator.Replay replay = replay(7, "duplicates", "bad-data");
        Ledger ledger = replay.ledger();
        try (SecureRig rig = new SecureRig("gateway-drill")) {
            Path file = rig.dir.resolve("stations.txt");
            List<Credential> stations = stations(rig, file, 1000);
            StationsViaGateway.Result r;
            try (StationGateway gateway = StationGateway.start(rig.options(file).withScenario(TINY))) {
                r = StationsViaGateway.run(gateway.url(), rig.stationTrust, stations, outgoing(replay.emissions()),
                        GatewayOptions.MAX_RECORDS, Duration.ofSeconds(120), Duration.ofMinutes(5));
            }
            // The bad records were refused at the door, each for the reason the ledger gives it; nothing else was.
            assertEquals(ledger.badRecords(), r.refused());
            long badCount = ledger.badRecords().values().stream().mapToLong(Long::longValue).sum();
            assertEquals(ledger.records().get(Topics.SCANS) - badCount, r.accepted().get(Topics.SCANS));
            assertEquals(ledger.records().get(Topics.STATION_STATUS), r.accepted().get(Topics.STATION_STATUS));

            // On the topics: every scan the stations made (with the drill's re-sends), no refused record, no dead letter.
            Set<String> scanIds = new HashSet<>();
            long onTopic = 0;
            for (var c : rig.readAll(Topics.SCANS)) {
                scanIds.add(EventCodec.SCANS.decode(c.value()).getScanId());
                onTopic++;
            }
            // A batch posted again after no answer (none, on a quiet machine) would be on the topic twice: the scanId dedups it.
            assertTrue(onTopic >= r.accepted().get(Topics.SCANS));
            if (r.reposts() == 0) {
                assertEquals(r.accepted().get(Topics.SCANS), onTopic);
            }
            assertEquals(ledger.county().scans(), scanIds.size(), "distinct scans");
            assertTrue(scanIds.stream().noneMatch(id -> id.startsWith("BAD-")));

            runJob(rig, "sweep-gateway-drill");
            assertInfluxIsTheLedger(ledger);
            assertEquals(onTopic - ledger.county().scans(), influx.count("SELECT sum(duplicates) AS v FROM pipeline"),
                    "the drill's re-sends (and any re-post) dropped");
            if (r.reposts() == 0) {
                assertEquals(ledger.duplicatesSent(), onTopic - ledger.county().scans());
            }
            assertEquals(0, influx.count("SELECT sum(dead_letters) AS v FROM pipeline"), "the bad data never got in");
            assertEquals(0, rig.readAll(Topics.DEAD_LETTERS).size());

            // The board, as its own read-only user, shows the same county figure.
            try (CoverageBoard board = CoverageBoard.start(BoardOptions.of(rig.kafka.bootstrapServers()).withPort(0).withScenario(TINY),
                    rig.role(Role.BOARD))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!(board.live() && board.view().county().sampled() == ledger.county().persons()) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals(ledger.county().persons(), board.view().county().sampled(), "the board (" + board.status() + ")");
            }
            System.out.printf("gateway drill: %d stations, %,d requests (%d posted again), %.1f s, %,.0f scans/s, p50 %.0f ms, p99 %.0f ms%n",
                    stations.size(), r.requests(), r.reposts(), r.seconds(), r.scansPerSecond(), r.latencyPercentile(50), r.latencyPercentile(99));
        }
    }

    @Test
    void aGatewayKilledMidLoadLosesNothingAcknowledgedCountsNothingTwiceAndABackfillCounts() throws Exception {
        CampaignSimulator.Replay replay = replay(11, "duplicates");
        Ledger ledger = replay.ledger();
        String offlineSite = "NX-QL-002"; // its station is offline the whole wave, and posts its two hours on reconnecting
        List<Emission> live = new ArrayList<>();
        List<Emission> buffered = new ArrayList<>();
        replay.emissions().forEach(e -> (e.key().equals(offlineSite) ? buffered : live).add(e));
        long bufferedScans = buffered.stream().filter(e -> e.topic().equals(Topics.SCANS)).count();
        assertTrue(bufferedScans > 100, "two hours of a site's scans: " + bufferedScans);

        try (SecureRig rig = new SecureRig("gateway-kill")) {
            Path file = rig.dir.resolve("stations.txt");
            List<Credential> stations = stations(rig, file, 120);
            int port = LocalMachine.freePort();
            URI url = URI.create("https://127.0.0.1:" + port + "/");
            Process gateway = startGateway(rig, file, port);
            long expected = live.stream().filter(e -> e.topic().equals(Topics.SCANS)).count();
            CompletableFuture<StationsViaGateway.Result> posting = CompletableFuture.supplyAsync(() -> {
                try {
                    return StationsViaGateway.run(url, rig.stationTrust,
                            stations.stream().filter(c -> !c.siteId().equals(offlineSite)).toList(), outgoing(live, 360),
                            50, Duration.ofSeconds(30), Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Kill it (no shutdown hook, batches under way cut off) once a third of the scans are in, and start it again.
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (rig.kafka.endOffsetsSum(Topics.SCANS) < expected / 3 && System.nanoTime() < deadline && !posting.isDone()) {
                Thread.sleep(20);
            }
            assertTrue(!posting.isDone(), "the load was still running when the gateway was killed");
            gateway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            long atKill = rig.kafka.endOffsetsSum(Topics.SCANS);
            gateway = startGateway(rig, file, port);
            StationsViaGateway.Result r = posting.get(5, TimeUnit.MINUTES);
            assertTrue(r.reposts() > 0, "the stations posted again what the killed gateway never answered");
            assertTrue(atKill < expected, "killed mid-load: " + atKill + " of " + expected);

            // The offline station reconnects with two hours of buffered scans.
            Credential offline = stations.stream().filter(c -> c.siteId().equals(offlineSite)).findFirst().orElseThrow();
            StationsViaGateway.Result backfill = StationsViaGateway.run(url, rig.stationTrust, List.of(offline), outgoing(buffered),
                    GatewayOptions.MAX_RECORDS, Duration.ofSeconds(30), Duration.ofMinutes(2));
            assertEquals(bufferedScans, backfill.accepted().get(Topics.SCANS));
            gateway.destroy(); // SIGTERM: the graceful stop
            gateway.waitFor(60, TimeUnit.SECONDS);

            Set<String> scanIds = new HashSet<>();
            rig.readAll(Topics.SCANS).forEach(c -> scanIds.add(decodeScan(c.value()).getScanId()));
            assertEquals(ledger.county().scans(), scanIds.size(), "every scan once at least: nothing acknowledged was lost");

            runJob(rig, "sweep-gateway-kill");
            assertInfluxIsTheLedger(ledger);
            assertTrue(influx.count("SELECT sum(late) AS v FROM pipeline") > 0,
                    "the backfilled scans came late, behind the event clock, and were still counted in their minutes");
        }
    }

    static ScanEvent decodeScan(byte[] value) {
        try {
            return EventCodec.SCANS.decode(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static Process startGateway(SecureRig rig, Path stationsFile, int port) throws Exception {
        Path store = rig.kafka.ca().keystore("gateway", List.of("127.0.0.1", "localhost"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile"),
                "-cp", System.getProperty("java.class.path"), GatewayProcess.class.getName(),
                rig.kafka.bootstrapServers(), rig.kafka.clientConfigFile(Role.GATEWAY).toString(), store.toString(),
                stationsFile.toString(), TINY, Integer.toString(port));
        pb.environment().put("SWEEP_GATEWAY_KEYSTORE_PASSWORD", rig.kafka.ca().storePassword("gateway"));
        pb.redirectErrorStream(true).redirectOutput(rig.dir.resolve("gateway-" + System.nanoTime() + ".log").toFile());
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                HttpResponse<String> h = rig.http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (h.statusCode() == 200) {
                    return p;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("the gateway process did not come up on port " + port);
    }

    static void runJob(SecureRig rig, String group) throws Exception {
        CoverageOptions o = CoverageOptions.on(rig.kafka.bootstrapServers(), Scenario.load(TINY)).kafka(rig.role(Role.JOB))
                .group(group).from(CoverageOptions.StartFrom.EARLIEST).bounded(true).influxUrl(influx.url()).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(CoverageJob.localConfiguration(o));
        CoverageJob.buildOnKafka(env, o);
        env.executeAsync("sweep coverage (gateway drill)").getJobExecutionResult().get(5, TimeUnit.MINUTES);
    }

    static void assertInfluxIsTheLedger(Ledger ledger) {
        assertEquals(ledger.county().persons(), influx.count("SELECT last(sampled) AS v FROM coverage WHERE scope = 'county'"));
        assertEquals(ledger.county().scans(), influx.count("SELECT sum(scans) AS v FROM site_throughput"));
        Map<String, Long> scans = new TreeMap<>();
        Map<String, Long> persons = new TreeMap<>();
        for (Map<String, Object> row : influx.query("SELECT sum(scans) AS s, sum(persons) AS p FROM site_throughput GROUP BY site")) {
            scans.put((String) row.get("site"), ((Number) row.get("s")).longValue());
            persons.put((String) row.get("site"), ((Number) row.get("p")).longValue());
        }
        Map<String, Long> expectedScans = new TreeMap<>();
        Map<String, Long> expectedPersons = new TreeMap<>();
        ledger.sites().forEach((id, s) -> {
            expectedScans.put(id, s.scans());
            expectedPersons.put(id, s.persons());
        });
        assertEquals(expectedScans, scans, "scans per site");
        assertEquals(expectedPersons, persons, "persons per site");
    }
}
