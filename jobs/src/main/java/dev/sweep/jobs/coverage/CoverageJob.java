package dev.sweep.jobs.coverage;

import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.influx.InfluxLines;
import dev.sweep.jobs.influx.InfluxSink;
import dev.sweep.jobs.kafka.KafkaEndpoints;
import dev.sweep.jobs.lagging.FeedWatch;
import dev.sweep.jobs.lagging.SiteWatch;
import dev.sweep.jobs.lagging.TownshipPlanWatch;
import dev.sweep.producers.scenario.Scenario;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import picocli.CommandLine;

/**
 * The coverage job. Reads top-down like its diagram:
 *
 * <pre>
 * stations (Kafka: scans, station-status) ─▶ decode ─▶ route ─┬─▶ dead letters (Kafka)
 *                                                             ├─▶ heartbeats ─▶ site_status
 *   scans ─▶ person register (dedup, first scan) ─┬─▶ per-site minutes ─▶ site_throughput, sweep.site-minutes
 *                                                 └─▶ first scans ─▶ township / county coverage ─▶ coverage, sweep.coverage
 *   site minutes + heartbeats ─▶ site rules ───────┐
 *   township coverage ─▶ township rules (behind plan) ├─▶ alerts, sweep.alerts
 *   tallies of every stage ─▶ feed rule (stalled) ────┘
 *                          ─▶ pipeline health ─▶ pipeline, sweep.pipeline
 * </pre>
 *
 * Sources and sinks come in as arguments so tests can swap them; {@link #main} wires Kafka and InfluxDB.
 */
public final class CoverageJob {
    public static final String NAME = "coverage";

    /** Where the job's results go. {@code influx} may be null: the Kafka outputs only. */
    public record Outputs(Sink<SiteMinute> siteMinutes, Sink<Coverage> coverage, Sink<Alert> alerts,
                          Sink<PipelineMinute> pipeline, Sink<DeadLetter> deadLetters, Sink<String> influx) {}

    private CoverageJob() {}

    public static void build(StreamExecutionEnvironment env, Source<Inbound, ?, ?> stations, Outputs outputs,
                             CoverageOptions o) {
        double target = o.targetCoverage != null ? o.targetCoverage : Scenario.load(o.scenario).targetCoverage();
        long emitEvery = o.emitEvery.toMillis();

        DataStream<Inbound> inbound = env.fromSource(stations, WatermarkStrategy
                        .<Inbound>forGenerator(ctx -> new StationClock(o.outOfOrderness.toMillis()))
                        .withTimestampAssigner((in, kafkaTime) -> in.eventTime())
                        .withIdleness(o.idleAfter), "stations")
                .uid("stations");

        SingleOutputStreamOperator<Scan> scans = inbound
                .transform("route", TypeInformation.of(Scan.class), new RouteInbound()).uid("route");
        DataStream<DeadLetter> deadLetters = scans.getSideOutput(RouteInbound.DEAD_LETTERS);
        DataStream<Heartbeat> heartbeats = scans.getSideOutput(RouteInbound.HEARTBEATS);

        SingleOutputStreamOperator<Scan> registered = scans
                .keyBy(s -> s.personKey)
                .process(new PersonRegister(o.dedupTtl)).name("person register").uid("person-register");

        DataStream<SiteMinute> siteMinutes = registered
                .keyBy(s -> s.siteId)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                .allowedLateness(o.lateness)
                .trigger(new EarlyFiringTrigger(o.emitEvery))
                .aggregate(new SiteMinuteTally(), new StampSiteMinute()).name("site minutes").uid("site-minutes");

        DataStream<Scan> firstScans = registered.filter(s -> s.firstTime).name("first scans");
        DataStream<Coverage> townships = firstScans
                .keyBy(s -> s.townshipId)
                .process(new AreaCoverage(o.scenario, target, o.emitEvery, o.lateness)).name("township coverage")
                .uid("township-coverage");
        DataStream<Coverage> county = firstScans
                .keyBy(s -> AreaCoverage.COUNTY)
                .process(new AreaCoverage(o.scenario, target, o.emitEvery, o.lateness)).name("county coverage")
                .uid("county-coverage");
        DataStream<Coverage> coverage = townships.union(county);

        DataStream<Alert> siteAlerts = siteMinutes.keyBy(m -> m.getSiteId().toString())
                .connect(heartbeats.keyBy(h -> h.siteId))
                .process(new SiteWatch(o.scenario, o.rules)).name("site rules").uid("site-rules");
        DataStream<Alert> townshipAlerts = townships.keyBy(c -> c.getTownshipId().toString())
                .process(new TownshipPlanWatch(o.scenario, target, o.rules)).name("township rules")
                .uid("township-rules");

        DataStream<Tally> tallies = scans.getSideOutput(RouteInbound.TALLIES)
                .union(registered.getSideOutput(PersonRegister.TALLIES));
        DataStream<Tally> health = tallies
                .keyBy(t -> NAME)
                .process(new PipelineHealth(emitEvery)).name("pipeline health").uid("pipeline-health");
        DataStream<Alert> feedAlerts = tallies
                .keyBy(t -> NAME)
                .process(new FeedWatch(o.scenario, o.rules)).name("feed rule").uid("feed-rule");
        DataStream<Alert> alerts = siteAlerts.union(townshipAlerts, feedAlerts);

        deadLetters.sinkTo(outputs.deadLetters()).name("dead letters").uid("dead-letters-sink");
        siteMinutes.sinkTo(outputs.siteMinutes()).name("site minutes out").uid("site-minutes-sink");
        coverage.sinkTo(outputs.coverage()).name("coverage out").uid("coverage-sink");
        alerts.sinkTo(outputs.alerts()).name("alerts out").uid("alerts-sink");
        health.map(t -> t.toPipelineMinute(NAME)).name("pipeline minutes")
                .sinkTo(outputs.pipeline()).name("pipeline out").uid("pipeline-sink");
        if (outputs.influx() != null) {
            siteMinutes.map(InfluxLines::siteThroughput).name("site_throughput")
                    .union(coverage.map(InfluxLines::coverage).name("coverage points"),
                            heartbeats.map(InfluxLines::siteStatus).name("site_status"),
                            alerts.map(InfluxLines::alert).name("alert points"),
                            health.map(t -> InfluxLines.pipeline(NAME, t)).name("pipeline points"))
                    .sinkTo(outputs.influx()).name("influxdb").uid("influx-sink");
        }
    }

    /** The production source: both input topics of the campaign. */
    public static Source<Inbound, ?, ?> kafkaStations(CoverageOptions o) {
        return KafkaEndpoints.source(o.bootstrap, o.group, List.of(Topics.SCANS, Topics.STATION_STATUS),
                o.from.equals("earliest"), o.bounded, new InboundDecoder(o.scenario));
    }

    /** The production sinks: the output topics, and InfluxDB when a URL is given. */
    public static Outputs kafkaAndInflux(CoverageOptions o) {
        return new Outputs(
                KafkaEndpoints.avroSink(o.bootstrap, Topics.SITE_MINUTES, m -> EventCodec.SITE_MINUTES.encode(m),
                        SiteMinute::getSiteId),
                KafkaEndpoints.avroSink(o.bootstrap, Topics.COVERAGE, c -> EventCodec.COVERAGE.encode(c),
                        c -> c.getTownshipId() == null ? AreaCoverage.COUNTY : c.getTownshipId()),
                KafkaEndpoints.avroSink(o.bootstrap, Topics.ALERTS, a -> EventCodec.ALERTS.encode(a),
                        a -> a.getTownshipId() == null ? AreaCoverage.COUNTY : a.getTownshipId().toString()),
                KafkaEndpoints.avroSink(o.bootstrap, Topics.PIPELINE, m -> EventCodec.PIPELINE.encode(m),
                        PipelineMinute::getJob),
                KafkaEndpoints.deadLetterSink(o.bootstrap, "sweep-" + NAME + "-dead-letters"),
                o.influxUrl == null ? null
                        : new InfluxSink(InfluxSink.Target.of(o.influxUrl, o.influxOrg, o.influxBucket)
                                .flushingEvery(o.influxFlushEvery)));
    }

    /** Checkpoints, state backend and restarts, the same on a MiniCluster and on a cluster. */
    public static Configuration configuration(CoverageOptions o) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(30));
        if (o.stateBackend != null) {
            conf.set(StateBackendOptions.STATE_BACKEND, o.stateBackend);
            // RocksDB's point: a checkpoint uploads only the files new since the last one.
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, o.stateBackend.equals("rocksdb"));
        }
        if (o.checkpoints != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, o.checkpoints);
        }
        return conf;
    }

    /**
     * For a local MiniCluster: as {@link #configuration}, with checkpoints in a fresh directory
     * under java.io.tmpdir unless {@code --checkpoints} names one (state outgrows memory storage).
     */
    public static Configuration localConfiguration(CoverageOptions o) throws java.io.IOException {
        Configuration conf = configuration(o);
        if (o.checkpoints == null) {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sweep-checkpoints-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "delete-checkpoints"));
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        }
        return conf;
    }

    private static void deleteTree(java.nio.file.Path dir) {
        try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // a temp dir: the OS cleans it up eventually
        }
    }

    /** The production job (Kafka in, Kafka and InfluxDB out) built on a local MiniCluster environment. */
    public static StreamExecutionEnvironment local(CoverageOptions o) throws java.io.IOException {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(o.parallelism, localConfiguration(o));
        configure(env, o);
        build(env, kafkaStations(o), kafkaAndInflux(o), o);
        return env;
    }

    /** Applies the options to an environment: checkpoints, parallelism, streaming mode. */
    public static void configure(StreamExecutionEnvironment env, CoverageOptions o) {
        env.setParallelism(o.parallelism);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(o.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().enableObjectReuse();
    }

    /** {@code flink run sweep-jobs-flink.jar --bootstrap ... [flags of sweep job]}. */
    public static void main(String[] args) throws Exception {
        CoverageOptions o = new CoverageOptions();
        CommandLine cli = new CommandLine(o);
        try {
            cli.parseArgs(args);
            o.validate();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            System.err.println("coverage job: " + e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        if (cli.isUsageHelpRequested()) {
            cli.usage(System.out);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration(o));
        configure(env, o);
        build(env, kafkaStations(o), kafkaAndInflux(o), o);
        env.execute("sweep " + NAME);
    }
}
