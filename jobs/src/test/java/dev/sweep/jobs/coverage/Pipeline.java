package dev.sweep.jobs.coverage;

import dev.sweep.broker.LocalKafka;
import dev.sweep.producers.scenario.Scenario;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.testkit.InfluxServer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/** Test wiring of the real parts: the simulator into Kafka, and the coverage job on the MiniCluster. */
final class Pipeline {
    private Pipeline() {}

    static final String TINY = Pipeline.class.getResource("/scenarios/tiny").getPath();

    /** Generates a replay and sends it all to the broker, as fast as it takes it. */
    static CampaignSimulator.Replay replay(LocalKafka kafka, String scenario, long seed, Set<Drill> drills)
            throws InterruptedException {
        Scenario sc = Scenario.load(scenario);
        CampaignSimulator.Replay replay =
                new CampaignSimulator(sc, seed, drills, 0, CampaignSimulator.DRILL_STATION_KEY).run();
        try (StationFeed feed = new StationFeed(kafka.bootstrapServers())) {
            feed.send(replay.emissions(), 0, null, sc.population(), ZoneOffset.UTC);
        }
        return replay;
    }

    /** The job's options, as the command line would give them. */
    static CoverageOptions options(LocalKafka kafka, InfluxServer influx, String group, String... more) {
        CoverageOptions o = new CoverageOptions();
        List<String> args = new java.util.ArrayList<>(List.of("--bootstrap", kafka.bootstrapServers(),
                "--group", group, "--from", "earliest"));
        if (influx != null) {
            args.addAll(List.of("--influx-url", influx.url()));
        }
        args.addAll(List.of(more));
        new CommandLine(o).parseArgs(args.toArray(String[]::new));
        o.validate();
        return o;
    }

    /** Starts the production job (Kafka in, Kafka and InfluxDB out) on the test's MiniCluster. */
    static JobClient start(CoverageOptions o) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(CoverageJob.localConfiguration(o));
        CoverageJob.configure(env, o);
        CoverageJob.build(env, CoverageJob.kafkaStations(o), CoverageJob.kafkaAndInflux(o), o);
        return env.executeAsync("sweep coverage (test)");
    }

    /** Runs a bounded job (--bounded) to its end. */
    static void runToEnd(CoverageOptions o) throws Exception {
        if (!o.bounded) {
            throw new IllegalArgumentException("runToEnd needs --bounded: an unbounded job never ends");
        }
        start(o).getJobExecutionResult().get(Duration.ofMinutes(8).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
