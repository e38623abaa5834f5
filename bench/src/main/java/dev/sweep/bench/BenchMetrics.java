package dev.sweep.bench;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter in the job's JVM that keeps a reference to the few metrics the bench reads every
 * few milliseconds (Flink's REST metrics are fetched at most every 10 s): records out of the source,
 * records into the person register, points InfluxDB acknowledged, each task's busy time, and the Kafka
 * source's read position in each partition. Registered through {@link #enable(Configuration)}.
 * State: the metrics of every job of this JVM, by job id.
 */
public final class BenchMetrics implements MetricReporter {
    private static final String NAME = "sweepbench";
    private static final Map<String, JobMetrics> JOBS = new ConcurrentHashMap<>();

    /** One job's metrics, summed over its subtasks. A restarted task's counters start again from 0 beside the old ones. */
    public static final class JobMetrics {
        final List<Counter> sourceOut = new CopyOnWriteArrayList<>();
        final List<Counter> registerIn = new CopyOnWriteArrayList<>();
        final List<Counter> influxPoints = new CopyOnWriteArrayList<>();
        /** Busy time per task (an operator chain) and subtask: the live tasks only. */
        final Map<String, Gauge<?>> busy = new ConcurrentHashMap<>();
        /** The source's position per "topic/partition": the live tasks' only, with when each was registered. */
        final Map<String, Position> positions = new ConcurrentHashMap<>();

        /** Records the Kafka source emitted (scans, heartbeats and dead letters). */
        public long sourceOut() {
            return sum(sourceOut);
        }

        /** Scans that reached the person register (the first keyed, stateful stage). */
        public long registerIn() {
            return sum(registerIn);
        }

        /** Points the InfluxDB sink wrote and InfluxDB acknowledged. */
        public long influxPoints() {
            return sum(influxPoints);
        }

        /** Busy ms per second of each task, summed over its subtasks (up to parallelism x 1000). */
        public Map<String, Double> busyMsPerSecond() {
            Map<String, Double> out = new TreeMap<>();
            busy.forEach((key, gauge) -> {
                if (gauge.getValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                    out.merge(key.substring(0, key.lastIndexOf('#')), n.doubleValue(), Double::sum);
                }
            });
            return out;
        }

        /** The source's next offset in each partition of {@code topic} whose reader registered after {@code sinceNanos}. */
        public Map<Integer, Long> positions(String topic, long sinceNanos) {
            Map<Integer, Long> out = new TreeMap<>();
            positions.forEach((key, p) -> {
                if (key.startsWith(topic + "/") && p.registeredNanos >= sinceNanos && p.gauge.getValue() instanceof Number n) {
                    out.put(Integer.parseInt(key.substring(topic.length() + 1)), n.longValue());
                }
            });
            return out;
        }

        private static long sum(List<Counter> counters) {
            long n = 0;
            for (Counter c : counters) {
                n += c.getCount();
            }
            return n;
        }
    }

    record Position(Gauge<?> gauge, long registeredNanos) {}

    /** Adds this reporter to a MiniCluster's configuration. */
    public static void enable(Configuration conf) {
        conf.set(ConfigOptions.key("metrics.reporters").stringType().noDefaultValue(), NAME);
        conf.set(ConfigOptions.key("metrics.reporter." + NAME + ".factory.class").stringType().noDefaultValue(),
                Factory.class.getName());
    }

    public static JobMetrics of(JobID job) {
        return JOBS.computeIfAbsent(job.toString(), k -> new JobMetrics());
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> vars = group.getAllVariables();
        String job = vars.get("<job_id>");
        if (job == null) {
            return;
        }
        JobMetrics m = JOBS.computeIfAbsent(job, k -> new JobMetrics());
        String operator = vars.get("<operator_name>");
        if (metric instanceof Counter counter && operator != null) {
            if (name.equals("numRecordsOut") && operator.equals("Source: stations")) {
                m.sourceOut.add(counter);
            } else if (name.equals("numRecordsIn") && operator.equals("person register")) {
                m.registerIn.add(counter);
            } else if (name.equals("influx_points_written")) {
                m.influxPoints.add(counter);
            }
        } else if (metric instanceof Gauge<?> gauge) {
            String key = key(name, vars);
            if (key != null && name.equals("busyTimeMsPerSecond")) {
                m.busy.put(key, gauge);
            } else if (key != null) {
                m.positions.put(key, new Position(gauge, System.nanoTime()));
            }
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // Counters stay: their last count is what the bench reads after the job ends. Gauges go with their task.
        Map<String, String> vars = group.getAllVariables();
        JobMetrics m = vars.get("<job_id>") == null ? null : JOBS.get(vars.get("<job_id>"));
        String key = key(name, vars);
        if (m != null && key != null && metric instanceof Gauge<?>) {
            m.busy.remove(key, metric);
            m.positions.computeIfPresent(key, (k, p) -> p.gauge == metric ? null : p);
        }
    }

    /**
     * The key the bench files a gauge under: "task#subtask" for a task's busy time, "topic/partition" for
     * the Kafka source's current offset (Flink's KafkaSourceReader.topic.T.partition.P.currentOffset);
     * null for every other metric.
     */
    private static String key(String name, Map<String, String> vars) {
        if (name.equals("busyTimeMsPerSecond") && vars.get("<task_name>") != null && vars.get("<operator_name>") == null) {
            return vars.get("<task_name>") + "#" + vars.get("<subtask_index>");
        }
        if (name.equals("currentOffset") && vars.get("<topic>") != null && vars.get("<partition>") != null) {
            return vars.get("<topic>") + "/" + vars.get("<partition>");
        }
        return null;
    }

    /** Found by Flink through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetrics();
        }
    }
}
