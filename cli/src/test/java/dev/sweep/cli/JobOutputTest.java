package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.StationFeed;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees running the coverage job: its own lines, and no warning a library repeats at every
 * checkpoint ("Name collision" of Flink's sink committers, seen once a checkpoint in the demo's terminal).
 */
@Tag("e2e")
class JobOutputTest {
    @TempDir
    Path dir;

    @Test
    void theJobSaysWhatItDoesAndNothingElseEvenOverManyCheckpoints() throws Exception {
        Path tiny = Deployment.ROOT.resolve("jobs/src/test/resources/scenarios/tiny");
        Scenario sc = Scenario.load(tiny.toString());
        try (LocalKafka kafka = LocalKafka.start()) {
            CampaignSimulator.Replay replay = new CampaignSimulator(sc, 3, Set.of(), 0, CampaignSimulator.DRILL_STATION_KEY).run();
            try (StationFeed feed = new StationFeed(kafka.bootstrapServers())) {
                feed.send(replay.emissions(), 0, null, sc.population(), ZoneOffset.UTC);
            }
            try (SweepProcess job = SweepProcess.start(dir.resolve("job.log"), "1g", Map.of(), "job",
                    "--bootstrap", kafka.bootstrapServers(), "--bounded", "--from", "earliest", "--scenario", tiny.toString(),
                    "--checkpoint-interval", "300ms")) {
                assertTrue(job.process.waitFor(3, TimeUnit.MINUTES), "the bounded job ends");
                String out = job.output();
                assertEquals(0, job.process.exitValue(), out);
                assertFalse(out.contains("Name collision"), out);
                List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
                assertTrue(lines.get(0).startsWith("job: coverage job reading "), out);
                assertTrue(lines.get(lines.size() - 1).startsWith("job: finished in "), out);
            }
        }
    }
}
