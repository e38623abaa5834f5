package dev.sweep.board;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.producers.simulator.StationFeed;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The real chain the board watches: a Kafka broker, the simulator's replay of a campaign (sent in
 * parts, so a test can stop the stations mid-campaign), and the coverage job running unbounded on
 * the test's MiniCluster, writing its Kafka outputs.
 */
final class Chain implements AutoCloseable {
    final LocalKafka kafka = LocalKafka.start();
    final Scenario scenario;
    final CampaignSimulator.Replay replay;
    private JobClient job;

    Chain(String scenarioName, long seed, Set<Drill> drills) {
        scenario = Scenario.load(scenarioName);
        replay = new CampaignSimulator(scenario, seed, drills, 0, CampaignSimulator.DRILL_STATION_KEY).run();
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    /** Starts the production job (Kafka in, Kafka out) as {@code sweep job} would, reading from the start. */
    void startJob() throws Exception {
        CoverageOptions o = CoverageOptions.on(bootstrap(), scenario).group("board-test")
                .from(CoverageOptions.StartFrom.EARLIEST).checkpointInterval(Duration.ofSeconds(5)).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(CoverageJob.localConfiguration(o));
        CoverageJob.buildOnKafka(env, o);
        job = env.executeAsync("sweep coverage (board test)");
    }

    /** The emissions sent before {@code sendAt} (event time), or from it on. */
    List<Emission> before(long sendAt) {
        return replay.emissions().stream().filter(e -> e.sendAt() < sendAt).toList();
    }

    List<Emission> from(long sendAt) {
        return replay.emissions().stream().filter(e -> e.sendAt() >= sendAt).toList();
    }

    /** People first sampled in these emissions: what the county figure must be once they are in. */
    static long persons(List<Emission> emissions) {
        return emissions.stream().mapToLong(Emission::newPersons).sum();
    }

    /** Sends emissions as fast as the broker takes them; returns once all are acknowledged. */
    void send(List<Emission> emissions) throws InterruptedException {
        try (StationFeed feed = new StationFeed(bootstrap())) {
            feed.send(emissions, 0, null, scenario.population(), ZoneOffset.UTC);
        }
    }

    @Override
    public void close() {
        if (job != null) {
            try {
                job.cancel().get();
            } catch (Exception e) {
                // already finished or failed: nothing to cancel
            }
        }
        kafka.close();
    }
}
