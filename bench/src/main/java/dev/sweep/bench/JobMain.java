package dev.sweep.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.schemas.Durations;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.util.stats.StatsSummarySnapshot;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The coverage job in a JVM of its own, as {@code sweep job} runs it: a local MiniCluster (one task
 * manager, a slot per subtask) and the job built by {@link CoverageJob#buildOnKafka} from the typed
 * {@link CoverageOptions} the bench hands over in a file (Java-serialized: no flags in between). The bench
 * keeps the cluster, so it can time the job through its counters ({@link BenchMetrics}), read its checkpoint
 * statistics, trigger a checkpoint, measure the heap and kill the task manager.
 *
 * <p>It answers on stdout with one line {@code @bench EVENT JSON} each: {@code ready} ({@link Heap}) once
 * the cluster is up; {@code read} ({@link Reading}) once every record of the order was read and every scan
 * reached the person register, and again as {@code finished} when a bounded job ends; then it takes
 * commands on stdin: {@code checkpoint} ({@link Checkpointed}), {@code heap} ({@link Heap}),
 * {@code kill-taskmanager LAG} ({@link Recovered}: LAG is the records behind the topics' end that count as
 * caught up), and {@code exit} (cancels the job and ends). Anything wrong: {@code failed MESSAGE}, exit 1.
 * State: the cluster, the one job, its metrics.
 */
public final class JobMain {
    static final String READY = "ready";
    static final String READ = "read";
    static final String FINISHED = "finished";

    /**
     * What the job JVM is to run: the job's options, where its temporary files go, and how many records (of
     * which scans) its input holds, to know when it has read them all (0: a live job with nothing to catch up).
     */
    public record Order(CoverageOptions options, String workDir, long records, long scans) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Heap used after a full GC. */
    public record Heap(long bytes) {}

    /**
     * How the job read its input, in seconds since it was submitted, and the JVM's CPU time (ns) at those
     * moments. A bounded job's {@code finishedSeconds}, {@code cpuAtEndNanos} and {@code checkpoints} are its
     * end's; a live one's are those of the moment it caught up.
     */
    public record Reading(long records, double firstReadSeconds, double halfReadSeconds, double lastReadSeconds,
                          double firstInfluxSeconds, double finishedSeconds, long cpuAtFirstReadNanos,
                          long cpuAtHalfReadNanos, long cpuAtLastReadNanos, long cpuAtEndNanos, long influxPoints,
                          Checkpoints checkpoints, Map<String, Double> busyMsPerSecond,
                          Map<String, Double> threadCpuSecondHalf) {

        Reading finished(double seconds, long cpuNanos, long points, Checkpoints completedCheckpoints) {
            return new Reading(records, firstReadSeconds, halfReadSeconds, lastReadSeconds, firstInfluxSeconds,
                    seconds, cpuAtFirstReadNanos, cpuAtHalfReadNanos, cpuAtLastReadNanos, cpuNanos, points,
                    completedCheckpoints, busyMsPerSecond, threadCpuSecondHalf);
        }
    }

    /**
     * The job's completed checkpoints so far (every 10 s while it ran) and their end-to-end durations as Flink's
     * statistics give them (its quantiles over its recent history); NaN durations when none completed.
     */
    public record Checkpoints(long completed, double p50Millis, double p99Millis, double maxMillis) {}

    /** A checkpoint the bench triggered: Flink's statistics and the size of its directory. */
    public record Checkpointed(long id, long stateBytes, long checkpointedBytes, long durationMillis, long directoryBytes) {}

    /**
     * A killed task manager: seconds from the kill to the job running again, and to its reading positions
     * being within the LAG of the end of sweep.scans again; NaN when it did not within {@link #RECOVERY_LIMIT}.
     */
    public record Recovered(double runningSeconds, double caughtUpSeconds, long lagAtCaughtUp) {}

    static final Duration RECOVERY_LIMIT = Duration.ofMinutes(5);

    /** How long a job may take to read {@code records}: 30 minutes, and a minute more per 300,000 (5,000 a second). */
    static Duration readLimit(long records) {
        return Duration.ofMinutes(30).plusSeconds(records / 5_000);
    }

    private final Order order;
    private final CoverageOptions options;
    private final MiniCluster cluster;
    private final Configuration conf;
    private JobID job;
    private long submittedNanos;
    private BenchMetrics.JobMetrics metrics;

    private JobMain(Order order, MiniCluster cluster, Configuration conf) {
        this.order = order;
        this.options = order.options();
        this.cluster = cluster;
        this.conf = conf;
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: JobMain ORDER-FILE (a Java-serialized JobMain.Order)");
            System.exit(2);
        }
        try {
            Order order;
            try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
                order = (Order) in.readObject();
            }
            JobMain main = start(order);
            answer(READY, new Heap(heapAfterGc()));
            main.run();
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.out.println(ChildProcess.ANSWER + "failed " + String.valueOf(e).replace('\n', ' '));
            System.out.flush();
            System.exit(1);
        }
    }

    /** A MiniCluster set up as {@code sweep job} sets up its own, bound to 127.0.0.1, temp files under the order's dir. */
    private static JobMain start(Order order) throws Exception {
        CoverageOptions o = order.options();
        Path work = Path.of(order.workDir());
        Configuration conf = CoverageJob.localConfiguration(o);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(CoreOptions.TMP_DIRS, work.resolve("flink-tmp").toString());
        conf.set(BlobServerOptions.STORAGE_DIRECTORY, work.resolve("flink-blobs").toString());
        BenchMetrics.enable(conf);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(o.parallelism())
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .setCommonBindAddress("127.0.0.1")
                .build());
        cluster.start();
        return new JobMain(order, cluster, conf);
    }

    private void run() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(options.parallelism(), conf);
        CoverageJob.buildOnKafka(env, options);
        submittedNanos = System.nanoTime();
        job = cluster.submitJob(env.getStreamGraph().getJobGraph()).get(1, TimeUnit.MINUTES).getJobID();
        metrics = BenchMetrics.of(job);
        try (Timing timing = new Timing(metrics, order.records(), order.scans(), submittedNanos)) {
            Reading read = awaitRead(timing);
            answer(READ, read);
            if (options.bounded()) {
                JobResult result = cluster.requestJobResult(job).get(readLimit(order.records()).toMinutes(),
                        TimeUnit.MINUTES);
                long end = System.nanoTime();
                long cpu = cpuNanos();
                if (!result.isSuccess()) {
                    Throwable cause = result.getSerializedThrowable()
                            .map(t -> t.deserializeError(getClass().getClassLoader())).orElse(null);
                    throw new IllegalStateException("the coverage job failed: " + cause, cause);
                }
                answer(FINISHED, read.finished((end - submittedNanos) / 1e9, cpu, metrics.influxPoints(), checkpoints()));
            }
        }
        commands();
    }

    /** Waits until every record of the order was read and every scan reached the register (or a live job runs). */
    private Reading awaitRead(Timing timing) throws Exception {
        Duration limit = readLimit(order.records());
        long deadline = System.nanoTime() + limit.toNanos();
        while (!timing.caughtUp() || (order.records() == 0 && status() != JobStatus.RUNNING)) {
            JobStatus status = status();
            if (status.isGloballyTerminalState() && !timing.caughtUp()) {
                JobResult r = cluster.requestJobResult(job).get(1, TimeUnit.MINUTES);
                throw new IllegalStateException("the job ended (" + status + ") before reading its input: "
                        + r.getSerializedThrowable().map(t -> t.getFullStringifiedStackTrace()).orElse(""));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not read its input within " + Durations.text(limit));
            }
            Thread.sleep(20);
        }
        long cpu = cpuNanos();
        timing.close();
        return new Reading(metrics.sourceOut(), timing.since(timing.firstInput), timing.since(timing.halfInput),
                timing.since(timing.lastInput()), timing.since(timing.firstOutput), Double.NaN, timing.cpuAtFirstInput,
                timing.cpuAtHalfInput, timing.cpuAtLastInput(), cpu, metrics.influxPoints(), checkpoints(),
                timing.busyAverage(), timing.threadsSecondHalf());
    }

    private void commands() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.trim().split("\\s+");
            switch (words[0]) {
                case "checkpoint" -> answer("checkpointed", checkpoint());
                case "heap" -> answer("heap", new Heap(heapAfterGc()));
                case "kill-taskmanager" -> answer("recovered", killTaskManager(Long.parseLong(words[1])));
                case "exit" -> {
                    exit();
                    return;
                }
                default -> throw new IllegalArgumentException("unknown command: " + line);
            }
        }
        exit();
    }

    private void exit() throws Exception {
        if (!status().isGloballyTerminalState()) {
            cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
            cluster.requestJobResult(job).get(2, TimeUnit.MINUTES);
        }
        cluster.close();
    }

    private Checkpointed checkpoint() throws Exception {
        String path = cluster.triggerCheckpoint(job).get(10, TimeUnit.MINUTES);
        CompletedCheckpointStats c = latestCheckpoint();
        if (c == null) {
            throw new IllegalStateException("the triggered checkpoint is not among the completed ones");
        }
        return new Checkpointed(c.getCheckpointId(), c.getStateSize(), c.getCheckpointedSize(),
                c.getEndToEndDuration(), directoryBytes(c.getExternalPath() != null ? c.getExternalPath() : path));
    }

    private CompletedCheckpointStats latestCheckpoint() throws Exception {
        CheckpointStatsSnapshot stats = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot();
        return stats == null ? null : stats.getHistory().getLatestCompletedCheckpoint();
    }

    private Checkpoints checkpoints() throws Exception {
        CheckpointStatsSnapshot stats = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot();
        long completed = stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
        if (completed == 0) {
            return new Checkpoints(0, Double.NaN, Double.NaN, Double.NaN);
        }
        StatsSummarySnapshot d = stats.getSummaryStats().getEndToEndDurationStats();
        return new Checkpoints(completed, d.getQuantile(0.5), d.getQuantile(0.99), d.getMaximum());
    }

    /**
     * Kills the task manager (its tasks and their state go with it, as when a machine is lost) and starts a
     * new one; the job restarts from its last checkpoint. Caught up: running again, and its reading positions
     * in sweep.scans within {@code lag} records of the topic's end (the input keeps coming meanwhile).
     */
    private Recovered killTaskManager(long lag) throws Exception {
        try (Admin admin = Admin.create(KafkaClients.admin(options.bootstrap()))) {
            List<TopicPartition> partitions = new ArrayList<>();
            admin.describeTopics(List.of(Topics.SCANS)).allTopicNames().get(1, TimeUnit.MINUTES).get(Topics.SCANS)
                    .partitions().forEach(p -> partitions.add(new TopicPartition(Topics.SCANS, p.partition())));
            long killed = System.nanoTime();
            cluster.terminateTaskManager(0).get(1, TimeUnit.MINUTES);
            cluster.startTaskManager();
            long deadline = killed + RECOVERY_LIMIT.toNanos();
            double running = Double.NaN;
            while (System.nanoTime() < deadline) {
                JobStatus status = status();
                if (status.isGloballyTerminalState()) {
                    throw new IllegalStateException("the job ended (" + status + ") after its task manager was killed");
                }
                if (status == JobStatus.RUNNING && Double.isNaN(running)) {
                    running = (System.nanoTime() - killed) / 1e9;
                }
                Map<Integer, Long> read = metrics.positions(Topics.SCANS, killed);
                if (status == JobStatus.RUNNING && read.size() == partitions.size()) {
                    Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                    partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
                    long behind = 0;
                    for (var e : admin.listOffsets(latest).all().get(1, TimeUnit.MINUTES).entrySet()) {
                        long position = read.getOrDefault(e.getKey().partition(), -1L);
                        behind += position < 0 ? e.getValue().offset() : Math.max(0, e.getValue().offset() - position);
                    }
                    if (behind <= lag) {
                        return new Recovered(running, (System.nanoTime() - killed) / 1e9, behind);
                    }
                }
                Thread.sleep(50);
            }
            return new Recovered(running, Double.NaN, -1);
        }
    }

    private JobStatus status() throws Exception {
        return cluster.getJobStatus(job).get(30, TimeUnit.SECONDS);
    }

    static void answer(String event, Object body) throws JsonProcessingException {
        System.out.println(ChildProcess.ANSWER + event + " " + ChildProcess.JSON.writeValueAsString(body));
        System.out.flush();
    }

    /** Heap in use after a full collection (three, a moment apart, so finalizable objects go too). */
    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** CPU time of this JVM (every thread: the job's, Flink's, the Kafka clients', the GC's). */
    static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static long directoryBytes(String uriOrPath) {
        if (uriOrPath == null) {
            return -1;
        }
        Path p = uriOrPath.startsWith("file:") ? Path.of(URI.create(uriOrPath)) : Path.of(uriOrPath);
        try (Stream<Path> files = Files.walk(p)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Samples a job's counters every 10 ms and notes when each milestone was first reached (and the JVM's CPU
     * time then): the first record read, half of them, the first points InfluxDB acknowledged, every record read, every
     * scan at the person register; and each second the tasks' busy time. Half-way (half the records read)
     * too: the second half's CPU per record leaves the JVM's warm-up out.
     */
    static final class Timing implements AutoCloseable {
        private final BenchMetrics.JobMetrics metrics;
        private final long records;
        private final long scans;
        private final long startNanos;
        private final Thread thread;
        private final Map<String, Double> busySum = new LinkedHashMap<>();
        private int busySamples;
        private volatile boolean stop;
        volatile long firstInput = -1;
        volatile long cpuAtFirstInput = -1;
        volatile long halfInput = -1;
        volatile long cpuAtHalfInput = -1;
        private volatile Map<String, Double> threadsAtHalf = Map.of();
        private volatile Map<String, Double> threadsAtLast = Map.of();
        volatile long firstOutput = -1;
        volatile long sourceDone = -1;
        volatile long cpuAtSourceDone = -1;
        volatile long registerDone = -1;
        volatile long cpuAtRegisterDone = -1;

        Timing(BenchMetrics.JobMetrics metrics, long records, long scans, long startNanos) {
            this.metrics = metrics;
            this.records = records;
            this.scans = scans;
            this.startNanos = startNanos;
            this.thread = new Thread(this::sample, "bench-timing");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void sample() {
            long nextSecond = startNanos + 1_000_000_000L;
            while (!stop) {
                long now = System.nanoTime();
                long in = metrics.sourceOut();
                if (firstInput < 0 && in > 0) {
                    cpuAtFirstInput = cpuNanos();
                    firstInput = now;
                }
                if (halfInput < 0 && in > 0 && in >= records / 2) {
                    cpuAtHalfInput = cpuNanos();
                    threadsAtHalf = ThreadCpu.now();
                    halfInput = now;
                }
                if (firstOutput < 0 && metrics.influxPoints() > 0) {
                    firstOutput = now;
                }
                if (sourceDone < 0 && in >= records) {
                    cpuAtSourceDone = cpuNanos();
                    sourceDone = now;
                    if (registerDone >= 0) {
                        threadsAtLast = ThreadCpu.now();
                    }
                }
                if (registerDone < 0 && metrics.registerIn() >= scans) {
                    cpuAtRegisterDone = cpuNanos();
                    registerDone = now;
                    if (sourceDone >= 0) {
                        threadsAtLast = ThreadCpu.now();
                    }
                }
                if (now >= nextSecond) {
                    // Busy time counts while the input is read, not while the job waits for it.
                    if (firstInput >= 0 && (sourceDone < 0 || registerDone < 0)) {
                        synchronized (busySum) {
                            metrics.busyMsPerSecond().forEach((task, ms) -> busySum.merge(task, ms, Double::sum));
                            busySamples++;
                        }
                    }
                    nextSecond += 1_000_000_000L;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Whether every record was read and every scan reached the person register. */
        boolean caughtUp() {
            return sourceDone >= 0 && registerDone >= 0;
        }

        long lastInput() {
            return caughtUp() ? Math.max(sourceDone, registerDone) : -1;
        }

        long cpuAtLastInput() {
            return sourceDone >= registerDone ? cpuAtSourceDone : cpuAtRegisterDone;
        }

        /** Seconds from the submit to a milestone, or NaN if not reached. */
        double since(long nanos) {
            return nanos < 0 ? Double.NaN : (nanos - startNanos) / 1e9;
        }

        /** CPU seconds of each thread name of this JVM from half the records read to the last. */
        Map<String, Double> threadsSecondHalf() {
            return ThreadCpu.between(threadsAtHalf, threadsAtLast);
        }

        /** Each task's busy ms per second (over its subtasks), averaged over the seconds the input was read. */
        Map<String, Double> busyAverage() {
            Map<String, Double> out = new LinkedHashMap<>();
            synchronized (busySum) {
                busySum.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() / Math.max(1, busySamples) * 10) / 10.0));
            }
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }
}
