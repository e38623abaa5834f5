package dev.sweep.jobs;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.jobs.alerts.AlertRules;
import dev.sweep.schemas.Durations;
import dev.sweep.schemas.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The coverage job's flags, the same for {@code sweep job} and for {@code flink run} with the job jar: the
 * command line's face of {@link CoverageOptions}, and nothing else. Durations are written 500ms, 30s, 10m,
 * 2h or 1d.
 */
@Command(name = "job", mixinStandardHelpOptions = true,
        description = {"The coverage job: scans and heartbeats from Kafka -> "
                + "sweep.site-minutes, sweep.coverage, sweep.alerts, sweep.pipeline and sweep.dead-letters (Kafka), "
                + "and the time series site_throughput, coverage, site_status, alerts and pipeline (InfluxDB).",
                "The InfluxDB token comes from INFLUX_TOKEN."})
public class CoverageFlags {

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers, host:port.")
    String bootstrap;

    @Option(names = "--kafka-config", description = "Kafka client properties (the format of Kafka's client.properties): security.protocol, SASL, TLS stores; secrets as ${env:VAR} with config.providers=env. Checked at start; refused naming the key.")
    Path kafkaConfig;

    @Option(names = "--influx-url", description = "InfluxDB URL (2.x write API, or 1.8+). Without it the job writes the Kafka outputs only.")
    String influxUrl;

    @Option(names = "--influx-org", defaultValue = "sweep", description = "InfluxDB organisation. Default: ${DEFAULT-VALUE}.")
    String influxOrg;

    @Option(names = "--influx-bucket", defaultValue = "sweep", description = "InfluxDB bucket (db/rp on 1.x). Default: ${DEFAULT-VALUE}.")
    String influxBucket;

    @Option(names = "--influx-flush-every", defaultValue = "100ms", converter = DurationConverter.class, description = "Longest a point waits in the InfluxDB sink's batch (batches also go at 5,000 points and at every checkpoint). Default: ${DEFAULT-VALUE}.")
    Duration influxFlushEvery;

    @Option(names = "--bounded", description = "Stop at the topics' end offsets as of the start, instead of running on.")
    boolean bounded;

    @Option(names = "--from", defaultValue = "committed", description = "Where a fresh start reads from: committed (the group's offsets, else the earliest) or earliest (replay everything). Default: ${DEFAULT-VALUE}.")
    String from;

    @Option(names = "--group", defaultValue = "sweep-coverage", description = "Kafka consumer group. Default: ${DEFAULT-VALUE}.")
    String group;

    @Option(names = "--scenario", defaultValue = "neixiang", description = "The campaign: a shipped scenario or a directory. Read once where the job is built; the workers need no copy. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the job. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class, description = "Checkpoint every so often. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--checkpoints", description = "Checkpoint directory (a URI such as file:///var/sweep/checkpoints). Default: the cluster's; a local run (sweep job) uses a temporary directory, deleted when it exits.")
    String checkpoints;

    @Option(names = "--state-backend", description = "Where keyed state lives: hashmap (on the heap) or rocksdb (on local disk, with incremental checkpoints: for campaigns of millions of people). Default: the cluster's (state.backend.type), hashmap on a local run.")
    String stateBackend;

    @Option(names = "--lateness", defaultValue = "2h", converter = DurationConverter.class, description = "How late a scan may come and still correct its site minute. Default: ${DEFAULT-VALUE}.")
    Duration lateness;

    @Option(names = "--out-of-orderness", defaultValue = "30s", converter = DurationConverter.class, description = "How far out of order events may arrive before they count as late. Default: ${DEFAULT-VALUE}.")
    Duration outOfOrderness;

    @Option(names = "--idle-after", defaultValue = "1m", converter = DurationConverter.class, description = "A partition silent this long (wall time) stops holding the event clock back. Long enough that a partition merely waiting for its turn while a backlog is read is not taken for idle. Default: ${DEFAULT-VALUE}.")
    Duration idleAfter;

    @Option(names = "--dedup-ttl", defaultValue = "1d", converter = DurationConverter.class, description = "How long a scanId is remembered to drop a station's re-sends. Default: ${DEFAULT-VALUE}.")
    Duration dedupTtl;

    @Option(names = "--emit-every", defaultValue = "500ms", converter = DurationConverter.class, description = "Live updates of the current minute and of coverage, in wall time. Default: ${DEFAULT-VALUE}.")
    Duration emitEvery;

    @Option(names = "--target-coverage", description = "Coverage the ETA aims for, 0..1. Default: the scenario's.")
    Double targetCoverage;

    @Option(names = "--plan-level", description = "The level of the campaign's tree the behind-plan rule judges (township, street...). Default: the scenario's planLevel.")
    String planLevel;

    @Option(names = "--silent-after", defaultValue = "10m", converter = DurationConverter.class,
            description = "SITE_SILENT: an open site with people queueing and no scan for this long (event time). Default: ${DEFAULT-VALUE}.")
    Duration silentAfter;

    @Option(names = "--slow-below", defaultValue = "0.5",
            description = "SITE_SLOW: throughput over the slow window under this share of the site's capacity... Default: ${DEFAULT-VALUE}.")
    double slowBelow;

    @Option(names = "--slow-queue", defaultValue = "10",
            description = "... while at least this many people queue (a site with a short line is idle, not slow). Default: ${DEFAULT-VALUE}.")
    int slowQueue;

    @Option(names = "--slow-window", defaultValue = "15m", converter = DurationConverter.class,
            description = "SITE_SLOW: the throughput window. Default: ${DEFAULT-VALUE}.")
    Duration slowWindow;

    @Option(names = "--slow-for", defaultValue = "5m", converter = DurationConverter.class,
            description = "SITE_SLOW: raise delay. Default: ${DEFAULT-VALUE}.")
    Duration slowFor;

    @Option(names = "--congested-queue", defaultValue = "50",
            description = "SITE_CONGESTED: a line of this many people (heartbeats)... Default: ${DEFAULT-VALUE}.")
    int congestedQueue;

    @Option(names = "--busy-queue", defaultValue = "25",
            description = "... clears only once the line is under this again (busy). Default: ${DEFAULT-VALUE}.")
    int busyQueue;

    @Option(names = "--congested-for", defaultValue = "5m", converter = DurationConverter.class,
            description = "SITE_CONGESTED: raise delay. Default: ${DEFAULT-VALUE}.")
    Duration congestedFor;

    @Option(names = "--offline-after", defaultValue = "3m", converter = DurationConverter.class,
            description = "STATION_OFFLINE: an open site with no heartbeat for this long (event time). Default: ${DEFAULT-VALUE}.")
    Duration offlineAfter;

    @Option(names = "--behind-plan-for", defaultValue = "15m", converter = DurationConverter.class,
            description = "TOWNSHIP_BEHIND_PLAN: raise delay of 'at the current rate the township misses the target by the deadline'. Default: ${DEFAULT-VALUE}.")
    Duration behindPlanFor;

    @Option(names = "--feed-stalled-after", defaultValue = "60s", converter = DurationConverter.class,
            description = "FEED_STALLED: no input at all for this long (wall clock) during a wave; it clears once data has flowed again for a sixth of it. Default: ${DEFAULT-VALUE}.")
    Duration feedStalledAfter;

    @Option(names = "--clear-after", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long a site or township condition must stay clear (event time) before its incident is RESOLVED; a site that closes resolves its incidents at once. Default: ${DEFAULT-VALUE}.")
    Duration clearAfter;

    /**
     * The typed options: loads the campaign and checks every value.
     *
     * @throws IllegalArgumentException naming the flag at fault
     */
    public CoverageOptions toOptions() {
        Scenario campaign;
        try {
            campaign = Scenario.load(scenario);
        } catch (ScenarioException e) {
            throw new IllegalArgumentException("--scenario: " + e.getMessage(), e);
        }
        CoverageOptions.StartFrom start = switch (from) {
            case "committed" -> CoverageOptions.StartFrom.COMMITTED;
            case "earliest" -> CoverageOptions.StartFrom.EARLIEST;
            default -> throw new IllegalArgumentException("--from: '" + from + "' is neither committed nor earliest");
        };
        CoverageOptions.StateBackend backend = CoverageOptions.StateBackend.parse(stateBackend);
        AlertRules rules = new AlertRules(silentAfter, slowBelow, slowQueue, slowWindow, slowFor, congestedQueue,
                busyQueue, congestedFor, offlineAfter, behindPlanFor, feedStalledAfter, clearAfter);
        KafkaClientConfig kafka = KafkaClientConfig.NONE;
        if (kafkaConfig != null) {
            try {
                kafka = KafkaClientConfig.load(kafkaConfig);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--kafka-config: " + e.getMessage(), e);
            }
        }
        return CoverageOptions.on(bootstrap, campaign).kafka(kafka)
                .group(group).from(start).bounded(bounded).targetCoverage(targetCoverage).planLevel(planLevel)
                .influx(influxUrl, influxOrg, influxBucket).influxFlushEvery(influxFlushEvery)
                .parallelism(parallelism).checkpointInterval(checkpointInterval).checkpoints(checkpoints)
                .stateBackend(backend).lateness(lateness).outOfOrderness(outOfOrderness).idleAfter(idleAfter)
                .dedupTtl(dedupTtl).emitEvery(emitEvery).rules(rules)
                .build();
    }

    /** A duration flag (500ms, 30s, 10m, 2h, 1d, or ISO-8601 such as PT2H), parsed by {@link Durations}. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
