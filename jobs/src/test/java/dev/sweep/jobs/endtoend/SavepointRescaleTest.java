package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.Coverage;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import dev.sweep.testkit.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade as docs/operations.md describes it, mid-stream: the live job (heap state,
 * parallelism 2) is stopped with a savepoint while the stations keep sending, and the job starts
 * again from that savepoint at parallelism 3 on RocksDB with incremental checkpoints. Nothing is
 * lost or counted twice: InfluxDB and the output topics end exactly on the ledger.
 */
@Tag("e2e")
class SavepointRescaleTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(CoverageJob.localCluster()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(3).build());

    @TempDir
    Path dir;

    /** The production job on the test's MiniCluster, resumed from {@code savepoint} when it is not null. */
    static JobClient start(CoverageOptions o, String savepoint, Path rocksDbDir) throws Exception {
        Configuration conf = CoverageJob.localConfiguration(o);
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint); // what --fromSavepoint sets
        }
        if (rocksDbDir != null) {
            conf.set(RocksDBOptions.LOCAL_DIRECTORIES, rocksDbDir.toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CoverageJob.buildOnKafka(env, o);
        return env.executeAsync("sweep coverage (savepoint test)");
    }

    @Test
    void stopWithSavepointAndRestartAtAnotherParallelismOnRocksDbKeepsTheTotalsExact(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        try (LocalKafka kafka = LocalKafka.start(); InfluxServer influx = InfluxServer.start()) {
            Scenario tiny = Campaigns.TINY;
            CampaignSimulator.Replay replay =
                    new CampaignSimulator(tiny, 31, Set.of(), 0, CampaignSimulator.DRILL_STATION_KEY).run();
            Ledger ledger = replay.ledger();
            CoverageOptions common = CoverageOptions.on(kafka.bootstrapServers(), tiny).group("upgrade")
                    .influxUrl(influx.url()).checkpointInterval(Duration.ofSeconds(2)).build();

            JobClient first = start(common.toBuilder().from(CoverageOptions.StartFrom.EARLIEST).parallelism(2)
                    .checkpoints(dir.resolve("checkpoints-before").toUri().toString()).build(), null, null);
            CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
                try (StationFeed stations = new StationFeed(kafka.bootstrapServers())) {
                    stations.send(replay.emissions(), LiveRun.SPEED, null, tiny.population(), ZoneOffset.UTC);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });

            // Mid-stream: some scans are in InfluxDB, the stations are still sending.
            InfluxTruth truth = new InfluxTruth(influx);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (truth.siteScans() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            Thread.sleep(4_000); // a checkpoint or two into the wave
            String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
            long scansAtStop = truth.siteScans();
            assertFalse(feed.isDone(), "the savepoint is taken while the stations are still sending");
            assertTrue(scansAtStop > 0 && scansAtStop < ledger.county().scans(), "mid-stream: " + scansAtStop);
            assertEquals(JobStatus.FINISHED, first.getJobStatus().get(1, TimeUnit.MINUTES));
            assertTrue(Files.isRegularFile(Path.of(java.net.URI.create(savepoint)).resolve("_metadata")), savepoint);

            // The upgrade: the same job from the savepoint, wider and on RocksDB; the group's
            // committed offsets are not used, the savepoint's are.
            Path rocksDb = Files.createDirectories(dir.resolve("rocksdb"));
            JobClient second = start(common.toBuilder().parallelism(3).stateBackend(CoverageOptions.StateBackend.ROCKSDB)
                    .checkpoints(dir.resolve("checkpoints-after").toUri().toString()).build(), savepoint, rocksDb);
            try {
                AccessExecutionGraph graph = running(cluster, second);
                Set<Integer> parallelism = new TreeSet<>();
                for (AccessExecutionJobVertex v : graph.getAllVertices().values()) {
                    parallelism.add(v.getParallelism());
                }
                assertEquals(Set.of(3), parallelism);
                assertTrue(graph.getStateBackendName().orElse("").contains("RocksDB"), graph.getStateBackendName().toString());

                feed.get(3, TimeUnit.MINUTES);
                long converge = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (System.nanoTime() < converge && (truth.countySampled() != ledger.county().persons()
                        || truth.siteScans() != ledger.county().scans())) {
                    Thread.sleep(500);
                }
                AccessExecutionGraph restored = cluster.getExecutionGraph(second.getJobID()).get(1, TimeUnit.MINUTES);
                assertEquals(savepoint, restored.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint().getExternalPath(),
                        "the second job started from the savepoint");
                assertTrue(hasRocksDbFiles(rocksDb), "keyed state lived in RocksDB under " + rocksDb);

                assertEquals(ledger.county().persons(), truth.countySampled(), "county sampled");
                assertEquals(ledger.county().scans(), truth.siteScans(), "scans");
                assertEquals(ledger.county().persons(), truth.sitePersons(), "persons");
                Map<String, Long> sites = truth.byTag("SELECT sum(scans) AS v FROM site_throughput GROUP BY site", "site", "v");
                Map<String, Long> expectedSites = new java.util.TreeMap<>();
                ledger.sites().forEach((id, s) -> expectedSites.put(id, s.scans()));
                assertEquals(expectedSites, sites);
                Map<String, Long> townships = truth.byTag(
                        "SELECT last(sampled) AS v FROM coverage WHERE scope = 'township' GROUP BY township", "township", "v");
                Map<String, Long> expectedTownships = new java.util.TreeMap<>();
                ledger.townships().forEach((id, t) -> expectedTownships.put(id, t.persons()));
                assertEquals(expectedTownships, townships);
                long sent = ledger.records().values().stream().mapToLong(Long::longValue).sum();
                long eventsDeadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (System.nanoTime() < eventsDeadline && truth.number("SELECT sum(events) AS v FROM pipeline") != sent) {
                    Thread.sleep(500);
                }
                assertEquals(sent, truth.number("SELECT sum(events) AS v FROM pipeline"), "every event counted once");

                // The output topics: the latest record per site and minute, and the county's latest coverage.
                Map<String, SiteMinute> minutes = new HashMap<>();
                TopicReader.readAll(kafka.bootstrapServers(), Topics.SITE_MINUTES).forEach(r -> {
                    SiteMinute m = CoverageEndToEndTest.decode(() -> EventCodec.SITE_MINUTES.decode(r.value()));
                    minutes.put(m.getSiteId() + "@" + m.getWindowStart(), m);
                });
                assertEquals(ledger.county().scans(), minutes.values().stream().mapToLong(SiteMinute::getScans).sum());
                assertEquals(ledger.county().persons(), minutes.values().stream().mapToLong(SiteMinute::getPersons).sum());
                Coverage[] county = new Coverage[1];
                TopicReader.readAll(kafka.bootstrapServers(), Topics.COVERAGE).forEach(r -> {
                    Coverage c = CoverageEndToEndTest.decode(() -> EventCodec.COVERAGE.decode(r.value()));
                    if (r.key().equals("county") && (county[0] == null || !c.getMinute().isBefore(county[0].getMinute()))) {
                        county[0] = c;
                    }
                });
                assertEquals(ledger.county().persons(), county[0].getSampled());
            } finally {
                second.cancel().get(1, TimeUnit.MINUTES);
            }
        }
    }

    /** The job's execution graph once it runs (before that it has no vertices yet). */
    private static AccessExecutionGraph running(MiniCluster cluster, JobClient job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            AccessExecutionGraph graph = cluster.getExecutionGraph(job.getJobID()).get(1, TimeUnit.MINUTES);
            if (graph.getState() == JobStatus.RUNNING && !graph.getAllVertices().isEmpty()) {
                return graph;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the restored job is not running: " + graph.getState());
            }
            Thread.sleep(200);
        }
    }

    private static boolean hasRocksDbFiles(Path root) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.anyMatch(f -> {
                String name = f.getFileName().toString();
                return name.equals("CURRENT") || name.startsWith("MANIFEST-") || name.endsWith(".sst");
            });
        }
    }
}
