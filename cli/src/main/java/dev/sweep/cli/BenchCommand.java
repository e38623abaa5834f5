package dev.sweep.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.campaign.Wave;
import dev.sweep.cli.bench.FlinkRun;
import dev.sweep.cli.bench.LiveLatency;
import dev.sweep.cli.bench.RawRead;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Throughput and latency report of the coverage job on this machine: starts its own Kafka"
                + " and influxd, replays a campaign, and prints the raw read limit, the job's sustained rate,"
                + " their ratio, the scan-to-InfluxDB latency at a steady rate, and the job's heap and state.",
                "It measures; it asserts nothing. Everything binds 127.0.0.1 (ports 0) and lives in a temp dir"
                        + " under java.io.tmpdir, deleted at the end."})
final class BenchCommand implements Callable<Integer> {
    static final double AIM_RATIO = 0.5;
    static final double AIM_P99_SECONDS = 2.0;
    static final int WARMUP_SECONDS = 5;
    static final int TRACKED_SITES = 48;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "7", description = "Simulator seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "neixiang", description = "The campaign. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--scans-per-second", paramLabel = "N", defaultValue = "5000", description = "Steady live rate for the latency figure. Default: ${DEFAULT-VALUE}.")
    int scansPerSecond;

    @Option(names = "--latency-seconds", paramLabel = "S", defaultValue = "45", description = "How long the live feed is measured (after a 5 s warm-up). Default: ${DEFAULT-VALUE}.")
    int latencySeconds;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "The job's parallelism (the job's default is 2). Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to this file.")
    Path json;

    @Option(names = "--skip-latency", description = "Skip the live latency measurement.")
    boolean skipLatency;

    @Option(names = "--job-arg", paramLabel = "FLAG", description = {"A flag of `sweep job` for both job runs (repeatable),"
            + " to try a setting: --job-arg=--emit-every=500ms. Default: none (the job's defaults)."})
    List<String> jobArgs = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream log = System.err;

    @Override
    public Integer call() throws Exception {
        if (scansPerSecond < 1 || scansPerSecond > 200_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scans-per-second: " + scansPerSecond + " is outside 1..200000");
        }
        if (latencySeconds < 1 || latencySeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--latency-seconds: " + latencySeconds + " is outside 1..3600");
        }
        if (parallelism < 1 || parallelism > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism: " + parallelism + " is outside 1..64");
        }
        try {
            jobOptions(false, "127.0.0.1:9092", "http://127.0.0.1:8086", "check", Path.of("check"));
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--job-arg: " + e.getMessage());
        }
        Scenario sc;
        try {
            sc = Scenario.load(scenario);
        } catch (ScenarioException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: " + e.getMessage());
        }
        // Flink's Kafka committers re-register a gauge on every checkpoint and warn each time; not ours to report.
        Configurator.setLevel("org.apache.flink.metrics.MetricGroup", Level.ERROR);
        long benchStart = System.nanoTime();
        Map<String, Object> report = new LinkedHashMap<>();
        Path work = Files.createTempDirectory("sweep-bench-");
        try {
            run(sc, work, report);
        } finally {
            deleteTree(work);
        }
        double total = seconds(benchStart);
        report.put("benchSeconds", round(total, 1));
        print(report);
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
            System.out.println("bench: figures written to " + json);
        }
        return 0;
    }

    private void run(Scenario sc, Path work, Map<String, Object> report) throws Exception {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        machine.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
        machine.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        report.put("machine", machine);
        report.put("jobArgs", jobArgs);

        log.println("bench: starting Kafka and influxd");
        try (LocalKafka kafka = LocalKafka.start();
             InfluxServer influx = InfluxServer.start()) {
            String bootstrap = kafka.bootstrapServers();

            // The campaign, generated and sent as fast as the broker takes it.
            long t = System.nanoTime();
            CampaignSimulator.Replay replay = new CampaignSimulator(sc, seed, Set.of(), 0,
                    CampaignSimulator.DRILL_STATION_KEY).run();
            double generated = seconds(t);
            long scans = replay.ledger().records().getOrDefault(Topics.SCANS, 0L);
            long heartbeats = replay.ledger().records().getOrDefault(Topics.STATION_STATUS, 0L);
            log.printf("bench: %s seed %d: %,d scans + %,d heartbeats generated in %.1f s; sending%n", sc.name(), seed,
                    scans, heartbeats, generated);
            t = System.nanoTime();
            try (StationFeed feed = new StationFeed(bootstrap)) {
                feed.send(replay.emissions(), 0, null, sc.population(), sc.zone());
            }
            double sent = seconds(t);
            replay = null; // the heap figures should not carry the bench's copy of the campaign
            long onScans = kafka.endOffsetsSum(Topics.SCANS);
            long onStatus = kafka.endOffsetsSum(Topics.STATION_STATUS);
            if (onScans != scans || onStatus != heartbeats) {
                throw new IllegalStateException("Kafka holds " + onScans + " scans and " + onStatus
                        + " heartbeats, the simulator sent " + scans + " and " + heartbeats);
            }
            long records = scans + heartbeats;
            Map<String, Object> campaign = new LinkedHashMap<>();
            campaign.put("scenario", sc.name());
            campaign.put("seed", seed);
            campaign.put("scans", scans);
            campaign.put("heartbeats", heartbeats);
            campaign.put("records", records);
            campaign.put("generateSeconds", round(generated, 2));
            campaign.put("sendSeconds", round(sent, 2));
            campaign.put("kafkaPartitions", LocalKafka.DEFAULT_PARTITIONS);
            report.put("campaign", campaign);

            // 1. The raw limit.
            log.println("bench: raw read (plain KafkaConsumer, one thread, EventCodec decode): warm-up pass");
            RawRead.pass(bootstrap, List.of(Topics.SCANS, Topics.STATION_STATUS));
            RawRead.Pass rawScans = best(RawRead.pass(bootstrap, List.of(Topics.SCANS)),
                    RawRead.pass(bootstrap, List.of(Topics.SCANS)));
            RawRead.Pass rawAll = best(RawRead.pass(bootstrap, List.of(Topics.SCANS, Topics.STATION_STATUS)),
                    RawRead.pass(bootstrap, List.of(Topics.SCANS, Topics.STATION_STATUS)));
            Map<String, Object> raw = new LinkedHashMap<>();
            raw.put("scansPerSecond", round(rawScans.rate(), 0));
            raw.put("scansSeconds", round(rawScans.seconds(), 3));
            raw.put("recordsPerSecond", round(rawAll.rate(), 0));
            raw.put("recordsSeconds", round(rawAll.seconds(), 3));
            raw.put("method", "one KafkaConsumer (KafkaClients.consumer settings, byte[] keys, assign + seekToBeginning),"
                    + " one thread, poll until the end offsets, EventCodec.SCANS.decode (STATUSES for heartbeats) per"
                    + " record; after one warm-up pass over both topics, the faster of two passes");
            report.put("raw", raw);
            log.printf("bench: raw %,.0f scans/s, %,.0f records/s (scans + heartbeats)%n", rawScans.rate(), rawAll.rate());

            Path checkpoints = work.resolve("checkpoints");
            CoverageOptions bounded = jobOptions(true, bootstrap, influx.url(), "sweep-bench-" + UUID.randomUUID(),
                    checkpoints);
            try (FlinkRun flink = FlinkRun.start(bounded, work)) {
                // 2. The job, bounded, over the whole campaign.
                long heapBefore = heapAfterGc();
                log.printf("bench: coverage job, bounded, parallelism %d, Kafka + InfluxDB outputs%n", parallelism);
                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                JobID job = flink.submit(bounded);
                Map<String, Object> jobFigures = new LinkedHashMap<>();
                try (FlinkRun.Timing timing = new FlinkRun.Timing(job, records, scans, start)) {
                    flink.await(job, Duration.ofMinutes(20));
                    long end = System.nanoTime();
                    long cpu = processCpuNanos() - cpuBefore;
                    timing.close();
                    double wall = (end - start) / 1e9;
                    double first = timing.since(firstInput(timing));
                    double last = timing.since(lastInput(timing));
                    double sustained = records / (last - first);
                    jobFigures.put("parallelism", parallelism);
                    jobFigures.put("records", records);
                    jobFigures.put("sourceRecords", timing.counters().sourceOut());
                    jobFigures.put("sustainedRecordsPerSecond", round(sustained, 0));
                    jobFigures.put("overallRecordsPerSecond", round(records / wall, 0));
                    jobFigures.put("wallSeconds", round(wall, 2));
                    jobFigures.put("firstRecordReadSeconds", round(first, 2));
                    jobFigures.put("firstInfluxWriteSeconds", round(timing.since(firstOutput(timing)), 2));
                    jobFigures.put("allRecordsInSeconds", round(last, 2));
                    jobFigures.put("drainAndFinishSeconds", round(wall - last, 2));
                    jobFigures.put("influxPointsWritten", timing.counters().influxPoints());
                    jobFigures.put("jvmCpuCores", round(cpu / 1e9 / wall, 2));
                    jobFigures.put("loadAverageAtEnd", round(ManagementFactory.getOperatingSystemMXBean()
                            .getSystemLoadAverage(), 2));
                    jobFigures.put("readPerSecond", deltas(timing.perSecond()));
                    FlinkRun.Checkpoint c = flink.latestCheckpoint(job);
                    jobFigures.put("checkpointsCompleted", c == null ? 0 : c.completed());
                    jobFigures.put("lastCheckpointStateBytes", c == null ? 0 : c.stateSize());
                    jobFigures.put("method", "submit -> FINISHED on a MiniCluster (1 TM, " + parallelism + " slots);"
                            + " sustained = (scans + heartbeats) / (time the last record was read by the source and"
                            + " the last scan reached the person register - time the first record was read),"
                            + " from Flink's numRecordsOut/numRecordsIn counters sampled every 10 ms; so it excludes"
                            + " startup (submit -> first record) and the end (window firings, last flushes, final"
                            + " checkpoint); first output = InfluxDB acknowledged the sink's first batch");
                    log.printf("bench: job %,.0f records/s sustained; %.1f s submit to end%n", sustained, wall);
                }
                jobFigures.put("heapAfterGcBeforeJobBytes", heapBefore);
                jobFigures.put("heapAfterGcAfterJobBytes", heapAfterGc());
                report.put("job", jobFigures);
                double rawRate = (double) ((Number) raw.get("recordsPerSecond")).doubleValue();
                double ratio = ((Number) jobFigures.get("sustainedRecordsPerSecond")).doubleValue() / rawRate;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("jobOverRaw", round(ratio, 4));
                r.put("jobOverRawScansOnly", round(((Number) jobFigures.get("sustainedRecordsPerSecond")).doubleValue()
                        / rawScans.rate(), 4));
                r.put("aim", AIM_RATIO);
                r.put("met", ratio >= AIM_RATIO);
                r.put("method", "job sustained records/s over the raw records/s of the same records (scans +"
                        + " heartbeats, each decoded with its codec); jobOverRawScansOnly divides by the"
                        + " scans-only raw rate instead");
                report.put("ratio", r);

                // 5. Heap and state with the whole campaign in the job, then 4. the live latency.
                CoverageOptions live = jobOptions(false, bootstrap, influx.url(), "sweep-bench-live-" + UUID.randomUUID(),
                        checkpoints);
                long heapBase = heapAfterGc();
                log.println("bench: coverage job, unbounded, catching up with the whole campaign");
                long liveStart = System.nanoTime();
                JobID liveJob = flink.submit(live);
                try {
                    Map<String, Object> state = new LinkedHashMap<>();
                    try (FlinkRun.Timing timing = new FlinkRun.Timing(liveJob, records, scans, liveStart)) {
                        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
                        while (!timing.caughtUp()) {
                            JobStatus status = flink.status(liveJob);
                            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                                flink.await(liveJob, Duration.ofSeconds(10));
                                throw new IllegalStateException("the unbounded job ended (" + status + ") or did not"
                                        + " catch up in 20 min");
                            }
                            Thread.sleep(100);
                        }
                        timing.close();
                        double first = timing.since(firstInput(timing));
                        double last = timing.since(lastInput(timing));
                        state.put("catchUpRecordsPerSecond", round(records / (last - first), 0));
                        state.put("catchUpSeconds", round(last, 2));
                    }
                    Thread.sleep(3_000); // early firings (1 s) and the InfluxDB sink's timer (1 s) run out
                    FlinkRun.Checkpoint c = flink.checkpoint(liveJob);
                    long heapWithState = heapAfterGc();
                    state.put("checkpointId", c.id());
                    state.put("checkpointStateBytes", c.stateSize());
                    state.put("checkpointCheckpointedBytes", c.checkpointedSize());
                    state.put("checkpointDirBytes", dirSize(c.path()));
                    state.put("heapAfterGcBaselineBytes", heapBase);
                    state.put("heapAfterGcWithStateBytes", heapWithState);
                    state.put("heapOfJobStateBytes", heapWithState - heapBase);
                    state.put("method", "the same job unbounded from earliest (fresh group) until every record was"
                            + " read and every scan reached the person register, +3 s; then a checkpoint is triggered"
                            + " (Flink's stats: full state size; and the size of its chk-N directory on disk), then"
                            + " System.gc() x3 and MemoryMXBean heap used; baseline = the same just before this job"
                            + " was submitted (MiniCluster up, Kafka broker and influxd adapter in the same JVM)."
                            + " A bounded job releases its state when it finishes, so the state is measured here."
                            + " The job's heap is more than its keyed state (heap state backend objects): it also holds"
                            + " its Kafka producers' buffer pools (up to 32 MiB each, kept once used) and network and"
                            + " client buffers, so it varies from run to run by tens of MiB; the checkpoint is the"
                            + " state's serialized size");
                    report.put("state", state);
                    log.printf("bench: state %s in the checkpoint, heap after GC %s (+%s for the job)%n",
                            bytes(c.stateSize()), bytes(heapWithState), bytes(heapWithState - heapBase));

                    if (!skipLatency) {
                        List<byte[]> feed = liveFeed(sc, (long) scansPerSecond * (latencySeconds + WARMUP_SECONDS));
                        log.printf("bench: live feed %,d scans/s for %d s (+%d s warm-up), re-stamped to now%n",
                                scansPerSecond, latencySeconds, WARMUP_SECONDS);
                        LiveLatency.Result lat = LiveLatency.run(bootstrap, influx, feed, scansPerSecond,
                                latencySeconds, WARMUP_SECONDS, TRACKED_SITES, log);
                        feed = null;
                        Map<String, Object> l = new LinkedHashMap<>();
                        l.put("scansPerSecond", lat.rate());
                        l.put("achievedScansPerSecond", round(lat.sent() / lat.sendSeconds(), 0));
                        l.put("seconds", lat.seconds());
                        l.put("warmupSeconds", lat.warmupSeconds());
                        l.put("sent", lat.sent());
                        l.put("trackedSites", lat.trackedSites());
                        l.put("samples", lat.samples());
                        l.put("unresolved", lat.unresolved());
                        l.put("p50Seconds", round(lat.p50(), 3));
                        l.put("p90Seconds", round(lat.p90(), 3));
                        l.put("p99Seconds", round(lat.p99(), 3));
                        l.put("maxSeconds", round(lat.max(), 3));
                        l.put("warmupSamples", lat.warmupSamples());
                        l.put("warmupP99Seconds", round(lat.warmupP99(), 3));
                        l.put("polls", lat.polls());
                        l.put("queryP50Millis", round(lat.queryP50Ms(), 1));
                        l.put("queryMaxMillis", round(lat.queryMaxMs(), 1));
                        l.put("aimP99Seconds", AIM_P99_SECONDS);
                        l.put("met", lat.p99() < AIM_P99_SECONDS && lat.unresolved() == 0);
                        l.put("method", "the job above keeps running; the simulator's scans of the busiest wave, in"
                                + " order, are sent at a steady rate with scannedAt = now and fresh scanIds (the"
                                + " project's producer settings: lz4, linger 20 ms, acks all). For the "
                                + lat.trackedSites() + " busiest sites the send time of each scan is noted per (site,"
                                + " minute); influxd is asked for those sites' site_throughput points every "
                                + LiveLatency.POLL_MS + " ms; when a point's scans reaches n, the n-th scan's latency ="
                                + " answer time - send time (an upper bound by up to a poll interval). Scans of the"
                                + " first " + WARMUP_SECONDS + " s (the watermark's jump from the campaign's dates to"
                                + " now fires every kept window) are reported apart");
                        report.put("latency", l);
                    }
                } finally {
                    if (!flink.status(liveJob).isGloballyTerminalState()) {
                        flink.cancel(liveJob);
                    }
                }
            }
        }
    }

    /** The coverage job's options for a run: its defaults, the bench's own settings, then --job-arg. */
    private CoverageOptions jobOptions(boolean boundedRun, String bootstrap, String influxUrl, String group,
                                       Path checkpoints) {
        List<String> flags = new ArrayList<>(List.of("--bootstrap", bootstrap, "--influx-url", influxUrl,
                "--from", "earliest", "--group", group, "--parallelism", Integer.toString(parallelism),
                "--checkpoints", checkpoints.toUri().toString()));
        if (boundedRun) {
            flags.add("--bounded");
        }
        flags.addAll(jobArgs);
        return FlinkRun.options(flags.toArray(String[]::new));
    }

    /** Scans of the campaign's busiest (last) wave, in send order, at least {@code wanted} of them if there are. */
    private List<byte[]> liveFeed(Scenario sc, long wanted) {
        CampaignSimulator.Replay replay = new CampaignSimulator(sc, seed, Set.of(), 0,
                CampaignSimulator.DRILL_STATION_KEY).run();
        Wave last = sc.waves().get(sc.waves().size() - 1);
        long from = last.opens().toEpochMilli();
        List<byte[]> feed = new ArrayList<>();
        for (Emission e : replay.emissions()) {
            if (e.topic().equals(Topics.SCANS) && e.sendAt() >= from && feed.size() < wanted) {
                feed.add(e.value());
            }
        }
        if (feed.isEmpty()) {
            replay.emissions().stream().filter(e -> e.topic().equals(Topics.SCANS)).limit(wanted)
                    .forEach(e -> feed.add(e.value()));
        }
        return feed;
    }

    private static RawRead.Pass best(RawRead.Pass a, RawRead.Pass b) {
        return a.rate() >= b.rate() ? a : b;
    }

    /** CPU time of this JVM (job, broker, bench and all), or 0 where the JVM does not say. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static long firstInput(FlinkRun.Timing t) {
        return t.firstInputNanos();
    }

    private static long firstOutput(FlinkRun.Timing t) {
        return t.firstOutputNanos();
    }

    private static long lastInput(FlinkRun.Timing t) {
        return Math.max(t.sourceDoneNanos(), t.registerDoneNanos());
    }

    private static List<Long> deltas(List<Long> cumulative) {
        List<Long> out = new ArrayList<>();
        long before = 0;
        for (long c : cumulative) {
            out.add(c - before);
            before = c;
        }
        return out;
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long dirSize(String uriOrPath) {
        if (uriOrPath == null) {
            return -1;
        }
        Path p = uriOrPath.startsWith("file:") ? Path.of(URI.create(uriOrPath)) : Path.of(uriOrPath);
        if (!Files.exists(p)) {
            return -1;
        }
        try (Stream<Path> files = Files.walk(p)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the report

    @SuppressWarnings("unchecked")
    private void print(Map<String, Object> r) {
        Map<String, Object> m = (Map<String, Object>) r.get("machine");
        Map<String, Object> c = (Map<String, Object>) r.get("campaign");
        Map<String, Object> raw = (Map<String, Object>) r.get("raw");
        Map<String, Object> job = (Map<String, Object>) r.get("job");
        Map<String, Object> ratio = (Map<String, Object>) r.get("ratio");
        Map<String, Object> state = (Map<String, Object>) r.get("state");
        Map<String, Object> lat = (Map<String, Object>) r.get("latency");
        PrintStream o = System.out;
        o.println();
        o.printf(Locale.ROOT, "sweep bench: %s seed %s on %s cores, Java %s, max heap %s MiB, job parallelism %s%n",
                c.get("scenario"), c.get("seed"), m.get("cores"), m.get("java"), m.get("maxHeapMiB"), job.get("parallelism"));
        if (!jobArgs.isEmpty()) {
            o.println("job flags tried: " + String.join(" ", jobArgs));
        }
        o.printf(Locale.ROOT, "campaign: %,d scans + %,d heartbeats = %,d records on %s partitions"
                        + " (generated in %.1f s, sent at max speed in %.1f s)%n%n",
                num(c, "scans"), num(c, "heartbeats"), num(c, "records"), c.get("kafkaPartitions"),
                dbl(c, "generateSeconds"), dbl(c, "sendSeconds"));
        String row = "%-4s %-52s %18s   %-10s %s%n";
        o.printf(Locale.ROOT, row, "", "figure", "value", "aim", "");
        o.printf(Locale.ROOT, row, "1", "raw limit: 1 consumer thread, sweep.scans", rate(dbl(raw, "scansPerSecond")), "", "");
        o.printf(Locale.ROOT, row, "", "raw limit: same, scans + heartbeats", rate(dbl(raw, "recordsPerSecond")), "", "");
        o.printf(Locale.ROOT, row, "2", "job sustained (first read -> last read)", rate(dbl(job, "sustainedRecordsPerSecond")), "", "");
        o.printf(Locale.ROOT, row, "", "job overall (submit -> finished)", rate(dbl(job, "overallRecordsPerSecond")), "", "");
        o.printf(Locale.ROOT, row, "", "  submit -> first record read", secs(dbl(job, "firstRecordReadSeconds")), "", "");
        o.printf(Locale.ROOT, row, "", "  submit -> first output in InfluxDB", secs(dbl(job, "firstInfluxWriteSeconds")), "", "");
        o.printf(Locale.ROOT, row, "", "  submit -> last record read", secs(dbl(job, "allRecordsInSeconds")), "", "");
        o.printf(Locale.ROOT, row, "", "  last record read -> finished", secs(dbl(job, "drainAndFinishSeconds")), "", "");
        o.printf(Locale.ROOT, row, "", String.format(Locale.ROOT, "  CPU of this JVM during the job (of %s cores)",
                m.get("cores")), String.format(Locale.ROOT, "%.2f cores", dbl(job, "jvmCpuCores")), "", "");
        o.printf(Locale.ROOT, row, "", "  system load average at its end", String.format(Locale.ROOT, "%.1f",
                dbl(job, "loadAverageAtEnd")), "", "");
        o.printf(Locale.ROOT, row, "3", "job / raw (same records)", String.format(Locale.ROOT, "%.1f %%", 100 * dbl(ratio, "jobOverRaw")),
                ">= 50 %", verdict((Boolean) ratio.get("met")));
        o.printf(Locale.ROOT, row, "", "job / raw (scans-only raw rate)", String.format(Locale.ROOT, "%.1f %%",
                100 * dbl(ratio, "jobOverRawScansOnly")), "", "");
        if (lat != null) {
            String at = String.format(Locale.ROOT, "at %,d scans/s", num(lat, "scansPerSecond"));
            o.printf(Locale.ROOT, row, "4", "scan -> InfluxDB latency p50 " + at, secs(dbl(lat, "p50Seconds")), "", "");
            o.printf(Locale.ROOT, row, "", "scan -> InfluxDB latency p99 " + at, secs(dbl(lat, "p99Seconds")), "< 2 s",
                    verdict((Boolean) lat.get("met")));
            o.printf(Locale.ROOT, row, "", "  p90 / max", secs(dbl(lat, "p90Seconds")) + " / " + secs(dbl(lat, "maxSeconds")), "", "");
            o.printf(Locale.ROOT, row, "", String.format(Locale.ROOT, "  samples (%s sites), not seen", lat.get("trackedSites")),
                    String.format(Locale.ROOT, "%,d / %,d", num(lat, "samples"), num(lat, "unresolved")), "", "");
            o.printf(Locale.ROOT, row, "", "  warm-up p99 (first " + lat.get("warmupSeconds") + " s)", secs(dbl(lat, "warmupP99Seconds")), "", "");
            o.printf(Locale.ROOT, row, "", "  achieved send rate", rate(dbl(lat, "achievedScansPerSecond")).replace("rec", "scans"), "", "");
        } else {
            o.printf(Locale.ROOT, row, "4", "scan -> InfluxDB latency", "skipped", "", "");
        }
        o.printf(Locale.ROOT, row, "5", "heap after GC, whole campaign in the job", bytes(num(state, "heapAfterGcWithStateBytes")), "", "");
        o.printf(Locale.ROOT, row, "", "  of which the job (vs before it started)", bytes(num(state, "heapOfJobStateBytes")), "", "");
        o.printf(Locale.ROOT, row, "", "checkpoint state (Flink stats)", bytes(num(state, "checkpointStateBytes")), "", "");
        o.printf(Locale.ROOT, row, "", "checkpoint directory on disk", bytes(num(state, "checkpointDirBytes")), "", "");
        o.printf(Locale.ROOT, row, "", "heap after GC after the bounded job ended", bytes(num(job, "heapAfterGcAfterJobBytes")), "", "");
        o.printf(Locale.ROOT, row, "", "catch-up rate of the unbounded job", rate(dbl(state, "catchUpRecordsPerSecond")), "", "");
        double load = dbl(job, "loadAverageAtEnd");
        if (load > num(m, "cores")) {
            o.printf(Locale.ROOT, "%nnote: the load average (%.1f) exceeded the %d cores while the job ran, and this JVM"
                    + " got %.2f cores: other processes competed for the CPU, so the job's figures are lower than on"
                    + " an idle machine.%n", load, num(m, "cores"), dbl(job, "jvmCpuCores"));
        }
        o.println();
        o.println("how:");
        o.println(wrap("1 raw: " + raw.get("method")));
        o.println(wrap("2 job: " + job.get("method")));
        o.println(wrap("3 ratio: " + ratio.get("method")));
        if (lat != null) {
            o.println(wrap("4 latency: " + lat.get("method")));
        }
        o.println(wrap("5 state: " + state.get("method")));
        o.printf(Locale.ROOT, "%nbench: %.0f s in all%n", dbl(r, "benchSeconds"));
    }

    private static String verdict(Boolean met) {
        return met == null ? "" : met ? "met" : "NOT MET";
    }

    private static long num(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static double dbl(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f rec/s", perSecond);
    }

    private static String secs(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.2f s", s);
    }

    static String bytes(long b) {
        if (b < 0) {
            return "-";
        }
        if (b < 1 << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }

    private static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > 0 && col + word.length() + 1 > 100) {
                out.append("\n    ");
                col = 4;
            } else if (col > 0) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.toString();
    }

    private static double round(double v, int decimals) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
