package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioGenerator;
import dev.sweep.events.Coverage;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.producers.simulator.StationFeed;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A city the generator made (four levels, 125 communities, 300 sites, a million residents, one morning), not
 * Neixiang: the simulator sends it into Kafka, the job reads it bounded with its person register on RocksDB
 * (incremental checkpoints every 3 s, the managed memory of a local run) and the behind-plan rule at street
 * level, and the latest coverage of every area at every level on the topic, and every site's minutes, are the
 * ledger's, exactly.
 */
@Tag("e2e")
class CityEndToEndTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(CoverageJob.localCluster()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** The shipped metro plan, scaled down to a test's size; everything else as a city is generated. */
    static ScenarioGenerator.Plan smallCity() {
        ScenarioGenerator.Plan m = ScenarioGenerator.Plan.metro();
        return new ScenarioGenerator.Plan("small-city", m.title(), "SC", m.timezone(), m.areaCode(), m.levels(),
                List.of(5, 5, 5), "street", 1_000_000L, 300, "community", 1, m.firstDay(), LocalTime.of(8, 0),
                LocalTime.of(12, 0), m.sampled(), m.targetCoverage(), m.retestShare(), m.poolSize(), m.lat(), m.lon(),
                15, 11);
    }

    @Test
    void everyAreaOfAGeneratedCityEndsAtTheLedgerOnRocksDb(@TempDir Path dir) throws Exception {
        ScenarioGenerator.Written written = ScenarioGenerator.write(smallCity(), dir.resolve("small-city"));
        assertEquals(1 + 5 + 25 + 125, written.areas());
        Scenario city = Scenario.load(written.dir().toString());
        CampaignSimulator.Replay replay =
                new CampaignSimulator(city, 11, Set.of(), 0, CampaignSimulator.DRILL_STATION_KEY).run();
        Ledger ledger = replay.ledger();
        assertEquals(written.sampled(), ledger.county().persons(), "the generator's people are the simulator's");

        try (LocalKafka kafka = LocalKafka.start()) {
            try (StationFeed feed = new StationFeed(kafka.bootstrapServers())) {
                feed.send(replay.emissions(), 0, null, city.population(), ZoneOffset.UTC);
            }
            Pipeline.runToEnd(CoverageOptions.on(kafka.bootstrapServers(), city).group("city")
                    .from(CoverageOptions.StartFrom.EARLIEST).bounded(true).planLevel("street")
                    .stateBackend(CoverageOptions.StateBackend.ROCKSDB).checkpointInterval(Duration.ofSeconds(3))
                    .build());

            Map<String, Coverage> latest = Pipeline.latestCoverage(kafka);
            Map<String, Long> want = new TreeMap<>();
            Map<String, String> wantLevels = new TreeMap<>();
            ledger.areas().forEach((id, a) -> {
                want.put(id, a.persons());
                wantLevels.put(id, a.level());
            });
            Map<String, Long> got = new TreeMap<>();
            Map<String, String> gotLevels = new TreeMap<>();
            latest.values().forEach(c -> {
                got.put(c.getAreaId().toString(), c.getSampled());
                gotLevels.put(c.getAreaId().toString(), c.getLevel().toString());
            });
            assertEquals(156, want.size());
            assertEquals(want, got, "people at home in every area at every level");
            assertEquals(wantLevels, gotLevels);

            Map<String, long[]> sites = new TreeMap<>();
            Pipeline.latestSiteMinutes(kafka).forEach(m -> {
                long[] t = sites.computeIfAbsent(m.getSiteId().toString(), k -> new long[2]);
                t[0] += m.getScans();
                t[1] += m.getPersons();
            });
            Map<String, List<Long>> wantSites = new TreeMap<>();
            ledger.sites().forEach((id, s) -> wantSites.put(id, List.of(s.scans(), s.persons())));
            Map<String, List<Long>> gotSites = new TreeMap<>();
            sites.forEach((id, t) -> gotSites.put(id, List.of(t[0], t[1])));
            assertEquals(wantSites, gotSites, "scans and people first sampled at every site");
            assertTrue(ledger.county().persons() > 800_000, "a million-person city's morning: " + ledger.county().persons());
        }
    }
}
