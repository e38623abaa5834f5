package dev.sweep.jobs.coverage;

import java.io.Serializable;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import dev.sweep.jobs.lagging.LaggingRules;
import picocli.CommandLine.TypeConversionException;

/**
 * The coverage job's settings: the same flags for {@code sweep job} and for {@code flink run}
 * with the job jar. Durations are written 500ms, 30s, 10m, 2h or 1d.
 */
@Command(name = "job", mixinStandardHelpOptions = true,
        description = {"The coverage job: scans and heartbeats from Kafka -> site minutes, coverage, dead letters "
                + "(Kafka) and time series (InfluxDB).", "The InfluxDB token comes from INFLUX_TOKEN."})
public class CoverageOptions implements Serializable {

    @Option(names = "--bootstrap", required = true, description = "Kafka bootstrap servers, host:port.")
    public String bootstrap;

    @Option(names = "--influx-url", description = "InfluxDB URL (2.x write API, or 1.8+). Without it the job writes the Kafka outputs only.")
    public String influxUrl;

    @Option(names = "--influx-org", defaultValue = "sweep", description = "InfluxDB organisation. Default: ${DEFAULT-VALUE}.")
    public String influxOrg;

    @Option(names = "--influx-bucket", defaultValue = "sweep", description = "InfluxDB bucket (db/rp on 1.x). Default: ${DEFAULT-VALUE}.")
    public String influxBucket;

    @Option(names = "--influx-flush-every", defaultValue = "250ms", converter = DurationConverter.class, description = "Longest a point waits in the InfluxDB sink's batch (batches also go at 5,000 points and at every checkpoint). Default: ${DEFAULT-VALUE}.")
    public Duration influxFlushEvery;

    @Option(names = "--bounded", description = "Stop at the topics' end offsets as of the start, instead of running on.")
    public boolean bounded;

    @Option(names = "--from", defaultValue = "committed", description = "Where a fresh start reads from: committed (the group's offsets, else the earliest) or earliest (replay everything). Default: ${DEFAULT-VALUE}.")
    public String from;

    @Option(names = "--group", defaultValue = "sweep-coverage", description = "Kafka consumer group. Default: ${DEFAULT-VALUE}.")
    public String group;

    @Option(names = "--scenario", defaultValue = "neixiang", description = "The campaign: a shipped scenario or a directory. Default: ${DEFAULT-VALUE}.")
    public String scenario;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of the job. Default: ${DEFAULT-VALUE}.")
    public int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = DurationConverter.class, description = "Checkpoint every so often. Default: ${DEFAULT-VALUE}.")
    public Duration checkpointInterval;

    @Option(names = "--checkpoints", description = "Checkpoint directory (a URI such as file:///var/sweep/checkpoints). Default: kept in memory (local runs).")
    public String checkpoints;

    @Option(names = "--state-backend", description = "Where keyed state lives: hashmap (on the heap) or rocksdb (on local disk, with incremental checkpoints: for campaigns of millions of people). Default: the cluster's (state.backend.type), hashmap on a local MiniCluster.")
    public String stateBackend;

    @Option(names = "--lateness", defaultValue = "2h", converter = DurationConverter.class, description = "How late a scan may come and still correct its site minute. Default: ${DEFAULT-VALUE}.")
    public Duration lateness;

    @Option(names = "--out-of-orderness", defaultValue = "30s", converter = DurationConverter.class, description = "How far out of order events may arrive before they count as late. Default: ${DEFAULT-VALUE}.")
    public Duration outOfOrderness;

    @Option(names = "--idle-after", defaultValue = "1m", converter = DurationConverter.class, description = "A partition silent this long (wall time) stops holding the event clock back. Long enough that a partition merely waiting for its turn while a backlog is read is not taken for idle. Default: ${DEFAULT-VALUE}.")
    public Duration idleAfter;

    @Option(names = "--dedup-ttl", defaultValue = "1d", converter = DurationConverter.class, description = "How long a scanId is remembered to drop a station's re-sends. Default: ${DEFAULT-VALUE}.")
    public Duration dedupTtl;

    @Option(names = "--emit-every", defaultValue = "1s", converter = DurationConverter.class, description = "Live updates of the current minute and of coverage, in wall time. Default: ${DEFAULT-VALUE}.")
    public Duration emitEvery;

    @Option(names = "--target-coverage", description = "Coverage the ETA aims for, 0..1. Default: the scenario's.")
    public Double targetCoverage;

    @Mixin
    public LaggingRules rules = new LaggingRules();

    /** Checks what picocli cannot: ranges and combinations. Names the flag at fault. */
    public void validate() {
        rules.validate();
        if (parallelism < 1 || parallelism > 64) {
            throw new IllegalArgumentException("--parallelism: " + parallelism + " is outside 1..64");
        }
        if (!from.equals("committed") && !from.equals("earliest")) {
            throw new IllegalArgumentException("--from: '" + from + "' is neither committed nor earliest");
        }
        if (stateBackend != null && !stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new IllegalArgumentException("--state-backend: '" + stateBackend + "' is neither hashmap nor rocksdb");
        }
        if (targetCoverage != null && (targetCoverage <= 0 || targetCoverage > 1)) {
            throw new IllegalArgumentException("--target-coverage: " + targetCoverage + " is outside (0, 1]");
        }
        positive("--checkpoint-interval", checkpointInterval);
        positive("--emit-every", emitEvery);
        positive("--influx-flush-every", influxFlushEvery);
        positive("--dedup-ttl", dedupTtl);
        positive("--idle-after", idleAfter);
        if (lateness.isNegative()) {
            throw new IllegalArgumentException("--lateness: must not be negative");
        }
        if (outOfOrderness.isNegative()) {
            throw new IllegalArgumentException("--out-of-orderness: must not be negative");
        }
        if (influxUrl != null && !influxUrl.matches("https?://.+")) {
            throw new IllegalArgumentException("--influx-url: '" + influxUrl + "' is not an http(s) URL");
        }
    }

    private static void positive(String flag, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(flag + ": must be positive");
        }
    }

    /** 500ms, 30s, 10m, 2h, 1d, or an ISO-8601 duration such as PT2H. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase();
            try {
                if (v.startsWith("p")) {
                    return Duration.parse(value.trim().toUpperCase());
                }
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new TypeConversionException("'" + value + "' is not a duration such as 30s, 10m or 2h");
                };
            } catch (RuntimeException e) {
                if (e instanceof TypeConversionException t) {
                    throw t;
                }
                throw new TypeConversionException("'" + value + "' is not a duration such as 30s, 10m or 2h");
            }
        }
    }
}
