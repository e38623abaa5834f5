package dev.sweep.jobs;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.alerts.FeedAlerts;
import dev.sweep.jobs.alerts.PlanAlerts;
import dev.sweep.jobs.alerts.SiteAlerts;
import dev.sweep.jobs.coverage.AreaCoverage;
import dev.sweep.jobs.coverage.AreaTally;
import dev.sweep.jobs.coverage.PersonRegister;
import dev.sweep.jobs.coverage.PipelineHealth;
import dev.sweep.jobs.coverage.SiteMinutes;
import dev.sweep.jobs.coverage.SiteTally;
import dev.sweep.jobs.inbound.InboundDecoder;
import dev.sweep.jobs.inbound.RouteInbound;
import dev.sweep.jobs.inbound.StationClock;
import dev.sweep.jobs.influx.InfluxLines;
import dev.sweep.jobs.influx.InfluxSink;
import dev.sweep.jobs.kafka.KafkaEndpoints;
import dev.sweep.jobs.records.AreaCount;
import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.Inbound;
import dev.sweep.jobs.records.Scan;
import dev.sweep.jobs.records.SiteCount;
import dev.sweep.jobs.records.Tally;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.LocalMachine;
import dev.sweep.schemas.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * The coverage job. Reads top-down like its diagram:
 *
 * <pre>
 * stations (Kafka: scans, station-status) ─▶ decode ─▶ route ─┬─▶ dead letters (Kafka)
 *                                                             ├─▶ heartbeats ─▶ site_status
 *   scans ─▶ person register (dedup, first scan by event time) ─┬─▶ scans per site and minute ─▶ site minutes ─▶ site_throughput, sweep.site-minutes
 *                                                               └─▶ people per area and minute (home area and every area above) ─▶ area coverage ─▶ coverage, sweep.coverage
 *   site minutes + heartbeats ─▶ site alerts ───────────────┐
 *   coverage at the plan level ─▶ plan alerts (behind plan) ─┼─▶ alerts, sweep.alerts
 *   tallies of every stage ─▶ feed alert (stalled) ──────────┘
 *                          ─▶ pipeline health ─▶ pipeline, sweep.pipeline
 * </pre>
 *
 * Sources and sinks come in as arguments so tests can swap them; every caller ({@code sweep job},
 * {@code sweep demo}, {@code sweep bench}, the job jar's {@link #main} and the tests) builds the job through
 * {@link #build}, from one typed {@link CoverageOptions}.
 */
public final class CoverageJob {
    public static final String NAME = "coverage";
    /** The Kafka topics the job writes, in the order of its diagram. */
    public static final List<String> OUTPUT_TOPICS =
            List.of(Topics.DEAD_LETTERS, Topics.SITE_MINUTES, Topics.COVERAGE, Topics.ALERTS, Topics.PIPELINE);

    /** Where the job's results go. {@code influx} may be null: the Kafka outputs only. */
    public record Outputs(Sink<SiteMinute> siteMinutes, Sink<Coverage> coverage, Sink<Alert> alerts,
                          Sink<PipelineMinute> pipeline, Sink<DeadLetter> deadLetters, Sink<String> influx) {}

    /** How long a network buffer that is not full may wait before it goes to the next task. */
    static final long NETWORK_FLUSH_MILLIS = 10;

    private CoverageJob() {}

    /** Sets the environment up for the job (parallelism, checkpoints) and builds its graph from {@code stations} to {@code outputs}. */
    public static void build(StreamExecutionEnvironment env, Source<Inbound, ?, ?> stations, Outputs outputs,
                             CoverageOptions o) {
        env.setParallelism(o.parallelism());
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        env.enableCheckpointing(o.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().enableObjectReuse();
        // A network buffer that is not full goes out after this long (Flink's default, 100 ms, is paid at each of
        // the four exchanges between a scan and its InfluxDB point); a backlog fills buffers long before.
        env.setBufferTimeout(NETWORK_FLUSH_MILLIS);
        Scenario campaign = o.campaign();

        DataStream<Inbound> inbound = env.fromSource(stations, WatermarkStrategy
                        .<Inbound>forGenerator(ctx -> new StationClock(o.outOfOrderness().toMillis()))
                        .withTimestampAssigner((in, kafkaTime) -> in.eventTime())
                        .withIdleness(o.idleAfter()), "stations")
                .uid("stations");

        SingleOutputStreamOperator<Scan> scans = inbound
                .transform("route", TypeInformation.of(Scan.class), new RouteInbound()).uid("route");
        DataStream<DeadLetter> deadLetters = scans.getSideOutput(RouteInbound.DEAD_LETTERS);
        DataStream<Heartbeat> heartbeats = scans.getSideOutput(RouteInbound.HEARTBEATS);

        SingleOutputStreamOperator<Counted> registered = scans
                .keyBy(s -> s.personKey)
                .process(new PersonRegister(o.dedupTtl(), o.forgetPeopleAfter())).name("person register").uid("person-register");

        SingleOutputStreamOperator<SiteMinute> siteMinutes = registered
                .transform("scans per site", TypeInformation.of(SiteCount.class), new SiteTally()).uid("scans-per-site")
                .keyBy(c -> c.site)
                .process(new SiteMinutes(campaign, o.emitEvery(), o.lateness())).name("site minutes").uid("site-minutes");

        DataStream<Coverage> coverage = registered
                .transform("people per area", TypeInformation.of(AreaCount.class), new AreaTally(campaign))
                .uid("people-per-area")
                .keyBy(c -> c.area)
                .process(new AreaCoverage(campaign, o.targetCoverage(), o.emitEvery(), o.lateness()))
                .name("area coverage").uid("area-coverage-minutes");

        DataStream<Alert> siteAlerts = siteMinutes.getSideOutput(SiteMinutes.SCANS).keyBy(m -> m.site)
                .connect(heartbeats.keyBy(h -> h.site))
                .process(new SiteAlerts(campaign, o.rules(), o.idleAfter())).name("site alerts").uid("site-rules");
        String planLevel = o.planLevel();
        DataStream<Alert> planAlerts = coverage.filter(c -> planLevel.equals(c.getLevel())).name("areas at the plan level")
                .keyBy(c -> c.getAreaId())
                .process(new PlanAlerts(campaign, o.targetCoverage(), o.rules())).name("plan alerts")
                .uid("plan-rules");

        DataStream<Tally> tallies = scans.getSideOutput(RouteInbound.TALLIES)
                .union(registered.getSideOutput(PersonRegister.TALLIES));
        DataStream<Tally> health = tallies
                .keyBy(t -> NAME)
                .process(new PipelineHealth(o.emitEvery().toMillis())).name("pipeline health").uid("pipeline-health");
        DataStream<Alert> feedAlerts = tallies
                .keyBy(t -> NAME)
                .process(new FeedAlerts(campaign, o.rules())).name("feed alert").uid("feed-rule");
        DataStream<Alert> alerts = siteAlerts.union(planAlerts, feedAlerts);

        deadLetters.sinkTo(outputs.deadLetters()).name("dead letters").uid("dead-letters-sink");
        siteMinutes.sinkTo(outputs.siteMinutes()).name("site minutes out").uid("site-minutes-sink");
        coverage.sinkTo(outputs.coverage()).name("coverage out").uid("coverage-sink");
        alerts.sinkTo(outputs.alerts()).name("alerts out").uid("alerts-sink");
        health.map(t -> t.toPipelineMinute(NAME)).name("pipeline minutes")
                .sinkTo(outputs.pipeline()).name("pipeline out").uid("pipeline-sink");
        if (outputs.influx() != null) {
            siteMinutes.map(InfluxLines::siteThroughput).name("site_throughput points")
                    .union(coverage.map(InfluxLines::coverage).name("coverage points"),
                            heartbeats.map(h -> InfluxLines.siteStatus(h, campaign)).name("site_status points"),
                            alerts.map(InfluxLines::alert).name("alerts points"),
                            health.map(t -> InfluxLines.pipeline(NAME, t)).name("pipeline points"))
                    .sinkTo(outputs.influx()).name("influxdb").uid("influx-sink");
        }
    }

    /** The production job: {@link #build} from the input topics to the output topics and InfluxDB. */
    public static void buildOnKafka(StreamExecutionEnvironment env, CoverageOptions o) {
        build(env, kafkaStations(o), kafkaAndInflux(o), o);
    }

    /** The production source: both input topics of the campaign. */
    public static Source<Inbound, ?, ?> kafkaStations(CoverageOptions o) {
        return KafkaEndpoints.source(o.bootstrap(), o.kafka(), o.group(), List.of(Topics.SCANS, Topics.STATION_STATUS),
                o.from() == CoverageOptions.StartFrom.EARLIEST, o.bounded(), new InboundDecoder(o.campaign()));
    }

    /** The production sinks: the output topics, and InfluxDB when a URL is given. */
    public static Outputs kafkaAndInflux(CoverageOptions o) {
        String bootstrap = o.bootstrap();
        KafkaClientConfig kafka = o.kafka();
        return new Outputs(
                KafkaEndpoints.avroSink(bootstrap, kafka, Topics.SITE_MINUTES, m -> EventCodec.SITE_MINUTES.encode(m),
                        SiteMinute::getSiteId),
                KafkaEndpoints.avroSink(bootstrap, kafka, Topics.COVERAGE, c -> EventCodec.COVERAGE.encode(c),
                        c -> c.getScope() == CoverageScope.COUNTY ? AreaCoverage.COUNTY : c.getAreaId()),
                KafkaEndpoints.avroSink(bootstrap, kafka, Topics.ALERTS, a -> EventCodec.ALERTS.encode(a),
                        a -> a.getTownshipId() == null ? AreaCoverage.COUNTY : a.getTownshipId().toString()),
                KafkaEndpoints.avroSink(bootstrap, kafka, Topics.PIPELINE, m -> EventCodec.PIPELINE.encode(m),
                        PipelineMinute::getJob),
                KafkaEndpoints.deadLetterSink(bootstrap, kafka, "sweep-" + NAME + "-dead-letters"),
                o.influxUrl() == null ? null
                        : new InfluxSink(InfluxSink.Target.of(o.influxUrl(), o.influxOrg(), o.influxBucket())
                                .flushingEvery(o.influxFlushEvery())));
    }

    /** Checkpoints, state backend and restarts, the same on a MiniCluster and on a cluster. */
    public static Configuration configuration(CoverageOptions o) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofSeconds(30));
        if (o.stateBackend() != null) {
            conf.set(StateBackendOptions.STATE_BACKEND, o.stateBackend().name().toLowerCase(Locale.ROOT));
            // RocksDB's point: a checkpoint uploads only the files new since the last one.
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS,
                    o.stateBackend() == CoverageOptions.StateBackend.ROCKSDB);
        }
        if (o.checkpoints() != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, o.checkpoints());
        }
        return conf;
    }

    /**
     * RocksDB's block cache and write buffers on a local MiniCluster, for all its slots (off the heap; the heap
     * backend uses none of it). Flink's default for a local run, 128 MB, makes RocksDB flush tiny write buffers
     * all the time: a 150,000-person city read twice as slowly as with this.
     */
    public static final MemorySize LOCAL_MANAGED_MEMORY = MemorySize.ofMebiBytes(512);

    /** The settings of a local MiniCluster itself (a test's too): {@link #LOCAL_MANAGED_MEMORY}. */
    public static Configuration localCluster() {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, LOCAL_MANAGED_MEMORY);
        return conf;
    }

    /**
     * For a local MiniCluster: as {@link #configuration}, with checkpoints in a fresh directory under
     * java.io.tmpdir (deleted at exit) unless the options name one: state outgrows memory storage; and
     * {@link #localCluster}.
     */
    public static Configuration localConfiguration(CoverageOptions o) {
        Configuration conf = configuration(o);
        conf.addAll(localCluster());
        if (o.checkpoints() == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("sweep-checkpoints-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a checkpoint directory in " + System.getProperty("java.io.tmpdir"), e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LocalMachine.deleteTree(dir), "delete-checkpoints"));
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        }
        return conf;
    }

    /** The production job on a local MiniCluster in this process ({@code sweep job}, {@code sweep demo}). */
    public static StreamExecutionEnvironment local(CoverageOptions o) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(o.parallelism(),
                localConfiguration(o));
        buildOnKafka(env, o);
        return env;
    }

    /** {@code flink run sweep-jobs-flink.jar --bootstrap ... [flags of sweep job]}. */
    public static void main(String[] args) throws Exception {
        CoverageFlags flags = new CoverageFlags();
        CommandLine cli = new CommandLine(flags);
        CoverageOptions o;
        try {
            cli.parseArgs(args);
            if (cli.isUsageHelpRequested()) {
                cli.usage(System.out);
                return;
            }
            o = flags.toOptions();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            System.err.println("coverage job: " + e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration(o));
        buildOnKafka(env, o);
        env.execute("sweep " + NAME);
    }
}
