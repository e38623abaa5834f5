package dev.sweep.jobs;

import static dev.sweep.schemas.Durations.requireNotNegative;
import static dev.sweep.schemas.Durations.requirePositive;

import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.alerts.AlertRules;
import dev.sweep.schemas.KafkaClientConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the coverage job is built from, typed: the campaign (loaded once, it travels with the job
 * graph), where to read and write, event-time and state settings, and the alert rules. Immutable; start
 * from {@link #on(String, Scenario)}. A refused value names the flag of {@code sweep job} that sets it
 * ({@link CoverageFlags}), so a user and a caller in code read the same message.
 */
public final class CoverageOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where a fresh start (no checkpoint) reads the input topics from. */
    public enum StartFrom { COMMITTED, EARLIEST }

    /** Where keyed state lives; null in the options: the cluster's own choice. */
    public enum StateBackend {
        HASHMAP, ROCKSDB;

        /**
         * The backend as {@code --state-backend} names it (hashmap or rocksdb); null for null (the default).
         *
         * @throws IllegalArgumentException naming {@code --state-backend}
         */
        public static StateBackend parse(String name) {
            if (name == null) {
                return null;
            }
            return switch (name) {
                case "hashmap" -> HASHMAP;
                case "rocksdb" -> ROCKSDB;
                default -> throw new IllegalArgumentException(
                        "--state-backend: '" + name + "' is neither hashmap nor rocksdb");
            };
        }
    }

    private final String bootstrap;
    private final KafkaClientConfig kafka;
    private final String group;
    private final StartFrom from;
    private final boolean bounded;
    private final Scenario campaign;
    private final double targetCoverage;
    private final String planLevel;
    private final String influxUrl;
    private final String influxOrg;
    private final String influxBucket;
    private final Duration influxFlushEvery;
    private final int parallelism;
    private final Duration checkpointInterval;
    private final String checkpoints;
    private final StateBackend stateBackend;
    private final Duration lateness;
    private final Duration outOfOrderness;
    private final Duration idleAfter;
    private final Duration dedupTtl;
    private final Duration emitEvery;
    private final AlertRules rules;

    private CoverageOptions(Builder b) {
        bootstrap = b.bootstrap;
        kafka = b.kafka;
        group = b.group;
        from = b.from;
        bounded = b.bounded;
        campaign = b.campaign;
        targetCoverage = b.targetCoverage != null ? b.targetCoverage : b.campaign.targetCoverage();
        planLevel = b.planLevel != null ? b.planLevel : b.campaign.planLevel();
        influxUrl = b.influxUrl;
        influxOrg = b.influxOrg;
        influxBucket = b.influxBucket;
        influxFlushEvery = b.influxFlushEvery;
        parallelism = b.parallelism;
        checkpointInterval = b.checkpointInterval;
        checkpoints = b.checkpoints;
        stateBackend = b.stateBackend;
        lateness = b.lateness;
        outOfOrderness = b.outOfOrderness;
        idleAfter = b.idleAfter;
        dedupTtl = b.dedupTtl;
        emitEvery = b.emitEvery;
        rules = b.rules;
    }

    /** The defaults (see {@link CoverageFlags} for each), reading Kafka at {@code bootstrap} for {@code campaign}. */
    public static Builder on(String bootstrap, Scenario campaign) {
        return new Builder(bootstrap, campaign);
    }

    public Builder toBuilder() {
        Builder b = new Builder(bootstrap, campaign);
        b.kafka = kafka;
        b.group = group;
        b.from = from;
        b.bounded = bounded;
        b.targetCoverage = targetCoverage;
        b.planLevel = planLevel;
        b.influxUrl = influxUrl;
        b.influxOrg = influxOrg;
        b.influxBucket = influxBucket;
        b.influxFlushEvery = influxFlushEvery;
        b.parallelism = parallelism;
        b.checkpointInterval = checkpointInterval;
        b.checkpoints = checkpoints;
        b.stateBackend = stateBackend;
        b.lateness = lateness;
        b.outOfOrderness = outOfOrderness;
        b.idleAfter = idleAfter;
        b.dedupTtl = dedupTtl;
        b.emitEvery = emitEvery;
        b.rules = rules;
        return b;
    }

    /** Kafka bootstrap servers, host:port. */
    public String bootstrap() { return bootstrap; }
    /** The Kafka client properties (--kafka-config: TLS, SASL) every source and sink gets. */
    public KafkaClientConfig kafka() { return kafka; }
    /** Kafka consumer group of the input topics. */
    public String group() { return group; }
    public StartFrom from() { return from; }
    /** Stop at the input topics' end offsets as of the start. */
    public boolean bounded() { return bounded; }
    public Scenario campaign() { return campaign; }
    /** Coverage the ETA aims for and the behind-plan rule judges against, 0..1. */
    public double targetCoverage() { return targetCoverage; }
    /**
     * How long after a person's last scan (wall time) the register forgets them: the campaign's whole window,
     * its lateness and a day's margin, so no one is forgotten while the campaign can still count them.
     */
    public Duration forgetPeopleAfter() {
        return Duration.between(campaign.windowStart(), campaign.windowEnd()).plus(lateness).plus(Duration.ofDays(1));
    }

    /** The level of the campaign's tree whose areas the behind-plan rule judges (a township, a street). */
    public String planLevel() { return planLevel; }
    /** Null: the Kafka outputs only. */
    public String influxUrl() { return influxUrl; }
    public String influxOrg() { return influxOrg; }
    public String influxBucket() { return influxBucket; }
    public Duration influxFlushEvery() { return influxFlushEvery; }
    public int parallelism() { return parallelism; }
    public Duration checkpointInterval() { return checkpointInterval; }
    /** Checkpoint directory URI; null: the cluster's, or a temporary one on a local run. */
    public String checkpoints() { return checkpoints; }
    /** Null: the cluster's (hashmap on a local MiniCluster). */
    public StateBackend stateBackend() { return stateBackend; }
    public Duration lateness() { return lateness; }
    public Duration outOfOrderness() { return outOfOrderness; }
    public Duration idleAfter() { return idleAfter; }
    public Duration dedupTtl() { return dedupTtl; }
    public Duration emitEvery() { return emitEvery; }
    public AlertRules rules() { return rules; }

    /** Sets the options one by one; {@link #build()} checks them together. */
    public static final class Builder {
        private final String bootstrap;
        private final Scenario campaign;
        private KafkaClientConfig kafka = KafkaClientConfig.NONE;
        private String group = "sweep-coverage";
        private StartFrom from = StartFrom.COMMITTED;
        private boolean bounded;
        private Double targetCoverage;
        private String planLevel;
        private String influxUrl;
        private String influxOrg = "sweep";
        private String influxBucket = "sweep";
        private Duration influxFlushEvery = Duration.ofMillis(100);
        private int parallelism = 2;
        private Duration checkpointInterval = Duration.ofSeconds(10);
        private String checkpoints;
        private StateBackend stateBackend;
        private Duration lateness = Duration.ofHours(2);
        private Duration outOfOrderness = Duration.ofSeconds(30);
        private Duration idleAfter = Duration.ofMinutes(1);
        private Duration dedupTtl = Duration.ofDays(1);
        private Duration emitEvery = Duration.ofMillis(500);
        private AlertRules rules = AlertRules.defaults();

        private Builder(String bootstrap, Scenario campaign) {
            this.bootstrap = bootstrap;
            this.campaign = campaign;
        }

        public Builder kafka(KafkaClientConfig kafka) { this.kafka = Objects.requireNonNull(kafka, "kafka"); return this; }
        public Builder group(String group) { this.group = group; return this; }
        public Builder from(StartFrom from) { this.from = from; return this; }
        public Builder bounded(boolean bounded) { this.bounded = bounded; return this; }
        /** Null: the campaign's own target. */
        public Builder targetCoverage(Double target) { this.targetCoverage = target; return this; }
        /** Null: the campaign's own plan level. */
        public Builder planLevel(String level) { this.planLevel = level; return this; }
        public Builder influx(String url, String org, String bucket) {
            this.influxUrl = url;
            this.influxOrg = org;
            this.influxBucket = bucket;
            return this;
        }
        public Builder influxUrl(String url) { this.influxUrl = url; return this; }
        public Builder influxFlushEvery(Duration every) { this.influxFlushEvery = every; return this; }
        public Builder parallelism(int parallelism) { this.parallelism = parallelism; return this; }
        public Builder checkpointInterval(Duration interval) { this.checkpointInterval = interval; return this; }
        public Builder checkpoints(String directoryUri) { this.checkpoints = directoryUri; return this; }
        public Builder stateBackend(StateBackend backend) { this.stateBackend = backend; return this; }
        public Builder lateness(Duration lateness) { this.lateness = lateness; return this; }
        public Builder outOfOrderness(Duration outOfOrderness) { this.outOfOrderness = outOfOrderness; return this; }
        public Builder idleAfter(Duration idleAfter) { this.idleAfter = idleAfter; return this; }
        public Builder dedupTtl(Duration ttl) { this.dedupTtl = ttl; return this; }
        public Builder emitEvery(Duration every) { this.emitEvery = every; return this; }
        public Builder rules(AlertRules rules) { this.rules = rules; return this; }

        /** @throws IllegalArgumentException naming the flag at fault */
        public CoverageOptions build() {
            if (bootstrap == null || !bootstrap.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
                throw new IllegalArgumentException("--bootstrap: '" + bootstrap + "' is not host:port");
            }
            Objects.requireNonNull(campaign, "--scenario: a campaign is needed");
            if (group == null || group.isBlank()) {
                throw new IllegalArgumentException("--group: must not be empty");
            }
            if (parallelism < 1 || parallelism > 64) {
                throw new IllegalArgumentException("--parallelism: " + parallelism + " is outside 1..64");
            }
            if (targetCoverage != null && !(targetCoverage > 0 && targetCoverage <= 1)) {
                throw new IllegalArgumentException("--target-coverage: " + targetCoverage + " is outside (0, 1]");
            }
            if (planLevel != null && campaign.depthOf(planLevel) < 1) {
                throw new IllegalArgumentException("--plan-level: '" + planLevel + "' is not a level below the root of "
                        + campaign.name() + ", one of " + campaign.levels().subList(1, campaign.levels().size()));
            }
            if (influxUrl != null && !influxUrl.matches("https?://.+")) {
                throw new IllegalArgumentException("--influx-url: '" + influxUrl + "' is not an http(s) URL");
            }
            requirePositive("--checkpoint-interval", checkpointInterval);
            requirePositive("--emit-every", emitEvery);
            requirePositive("--influx-flush-every", influxFlushEvery);
            requirePositive("--dedup-ttl", dedupTtl);
            requirePositive("--idle-after", idleAfter);
            requireNotNegative("--lateness", lateness);
            requireNotNegative("--out-of-orderness", outOfOrderness);
            Objects.requireNonNull(rules, "rules");
            return new CoverageOptions(this);
        }
    }
}
