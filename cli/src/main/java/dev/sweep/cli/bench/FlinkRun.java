package dev.sweep.cli.bench;

import dev.sweep.jobs.CoverageFlags;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * A local MiniCluster set up as {@code sweep job} sets up its own (one task manager, as many
 * slots as the parallelism, the job's own configuration), kept by the bench so it can read the
 * job's checkpoint statistics and trigger a checkpoint. Binds 127.0.0.1, ports 0; its temp files
 * go under the bench's work dir.
 */
public final class FlinkRun implements AutoCloseable {
    private final MiniCluster cluster;
    private final Configuration conf;
    private final int parallelism;

    private FlinkRun(MiniCluster cluster, Configuration conf, int parallelism) {
        this.cluster = cluster;
        this.conf = conf;
        this.parallelism = parallelism;
    }

    /** The coverage job's options as {@code sweep job} would parse them from these flags. */
    public static CoverageOptions options(String... flags) {
        CoverageFlags parsed = new CoverageFlags();
        new CommandLine(parsed).parseArgs(flags);
        return parsed.toOptions();
    }

    /** Starts a MiniCluster with the job's configuration for {@code o} (its checkpoint dir included). */
    public static FlinkRun start(CoverageOptions o, Path workDir) throws Exception {
        Configuration conf = CoverageJob.localConfiguration(o);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(CoreOptions.TMP_DIRS, workDir.resolve("flink-tmp").toString());
        conf.set(BlobServerOptions.STORAGE_DIRECTORY, workDir.resolve("flink-blobs").toString());
        BenchMetrics.enable(conf);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(o.parallelism())
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .setCommonBindAddress("127.0.0.1")
                .build());
        cluster.start();
        return new FlinkRun(cluster, conf, o.parallelism());
    }

    /** Builds the coverage job exactly as {@code sweep job} does (Kafka in, Kafka and InfluxDB out) and submits it. */
    public JobID submit(CoverageOptions o) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(o.parallelism(), conf);
        CoverageJob.buildOnKafka(env, o);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        return cluster.submitJob(graph).get(1, TimeUnit.MINUTES).getJobID();
    }

    public JobStatus status(JobID job) throws Exception {
        return cluster.getJobStatus(job).get(30, TimeUnit.SECONDS);
    }

    /** Waits for the job's end; throws with Flink's cause when it failed. */
    public JobResult await(JobID job, Duration timeout) throws Exception {
        JobResult result = cluster.requestJobResult(job).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!result.isSuccess()) {
            Throwable cause = result.getSerializedThrowable()
                    .map(t -> (Throwable) t.deserializeError(getClass().getClassLoader())).orElse(null);
            throw new IllegalStateException("the coverage job failed: " + (cause == null ? "" : cause), cause);
        }
        return result;
    }

    public void cancel(JobID job) throws Exception {
        cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
        cluster.requestJobResult(job).get(2, TimeUnit.MINUTES);
    }

    /** Triggers a checkpoint and returns its statistics once it completed. */
    public Checkpoint checkpoint(JobID job) throws Exception {
        String path = cluster.triggerCheckpoint(job).get(5, TimeUnit.MINUTES);
        Checkpoint latest = latestCheckpoint(job);
        return latest == null ? new Checkpoint(-1, 0, 0, path, 0) : latest.withPath(path);
    }

    /** The latest completed checkpoint of a running or finished job, or null when none completed. */
    public Checkpoint latestCheckpoint(JobID job) throws Exception {
        CheckpointStatsSnapshot stats = cluster.getExecutionGraph(job).get(30, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot();
        CompletedCheckpointStats c = stats == null ? null : stats.getHistory().getLatestCompletedCheckpoint();
        long completed = stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
        return c == null ? null
                : new Checkpoint(c.getCheckpointId(), c.getStateSize(), c.getCheckpointedSize(), c.getExternalPath(),
                completed);
    }

    /** One completed checkpoint: Flink's figures and where it lies. */
    public record Checkpoint(long id, long stateSize, long checkpointedSize, String path, long completed) {
        Checkpoint withPath(String p) {
            return new Checkpoint(id, stateSize, checkpointedSize, path != null ? path : p, completed);
        }
    }

    public int parallelism() {
        return parallelism;
    }

    /** Samples the bench counters of a job every 10 ms and notes when each milestone was first reached. */
    public static final class Timing implements AutoCloseable {
        private final BenchMetrics.JobCounters counters;
        private final long expectedRecords;
        private final long expectedScans;
        private final long startNanos;
        private final Thread thread;
        private final List<Long> perSecond = new ArrayList<>();
        private volatile boolean stop;
        volatile long firstInput = -1;
        volatile long firstOutput = -1;
        volatile long sourceDone = -1;
        volatile long registerDone = -1;

        public Timing(JobID job, long expectedRecords, long expectedScans, long startNanos) {
            this.counters = BenchMetrics.of(job);
            this.expectedRecords = expectedRecords;
            this.expectedScans = expectedScans;
            this.startNanos = startNanos;
            this.thread = new Thread(this::sample, "bench-timing");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void sample() {
            long nextSecond = startNanos + 1_000_000_000L;
            while (!stop) {
                long now = System.nanoTime();
                long in = counters.sourceOut();
                if (firstInput < 0 && in > 0) {
                    firstInput = now;
                }
                if (firstOutput < 0 && counters.influxPoints() > 0) {
                    firstOutput = now;
                }
                if (sourceDone < 0 && in >= expectedRecords) {
                    sourceDone = now;
                }
                if (registerDone < 0 && counters.registerIn() >= expectedScans) {
                    registerDone = now;
                }
                if (now >= nextSecond) {
                    synchronized (perSecond) {
                        perSecond.add(in);
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
        public boolean caughtUp() {
            return sourceDone >= 0 && registerDone >= 0;
        }

        public long firstInputNanos() {
            return firstInput;
        }

        public long firstOutputNanos() {
            return firstOutput;
        }

        public long sourceDoneNanos() {
            return sourceDone;
        }

        public long registerDoneNanos() {
            return registerDone;
        }

        public BenchMetrics.JobCounters counters() {
            return counters;
        }

        /** Seconds from the start to a milestone's time, or NaN if not reached. */
        public double since(long nanos) {
            return nanos < 0 ? Double.NaN : (nanos - startNanos) / 1e9;
        }

        /** Records read by the source at the end of each second since the start. */
        public List<Long> perSecond() {
            synchronized (perSecond) {
                return List.copyOf(perSecond);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join();
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
