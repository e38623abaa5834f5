package dev.sweep.cli.bench;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps a reference to the few counters the bench times the job
 * with, so they can be read every few milliseconds in this JVM (Flink's REST metrics are
 * fetched at most every 10 s): records out of the source, records into the person register,
 * and points InfluxDB acknowledged. Registered through {@link #enable(Configuration)}.
 */
public final class BenchMetrics implements MetricReporter {
    private static final String NAME = "sweepbench";
    private static final Map<String, JobCounters> JOBS = new ConcurrentHashMap<>();

    /** Sums over the subtasks of one job. */
    public static final class JobCounters {
        final List<Counter> sourceOut = new CopyOnWriteArrayList<>();
        final List<Counter> registerIn = new CopyOnWriteArrayList<>();
        final List<Counter> influxPoints = new CopyOnWriteArrayList<>();

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

        private static long sum(List<Counter> counters) {
            long n = 0;
            for (Counter c : counters) {
                n += c.getCount();
            }
            return n;
        }
    }

    /** Adds this reporter to a MiniCluster's configuration. */
    public static void enable(Configuration conf) {
        conf.set(ConfigOptions.key("metrics.reporters").stringType().noDefaultValue(), NAME);
        conf.set(ConfigOptions.key("metrics.reporter." + NAME + ".factory.class").stringType().noDefaultValue(),
                Factory.class.getName());
    }

    public static JobCounters of(JobID job) {
        return JOBS.computeIfAbsent(job.toString(), k -> new JobCounters());
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (!(metric instanceof Counter counter)) {
            return;
        }
        Map<String, String> vars = group.getAllVariables();
        String job = vars.get("<job_id>");
        String operator = vars.get("<operator_name>");
        if (job == null || operator == null) {
            return;
        }
        if (System.getenv("SWEEP_BENCH_METRICS") != null) {
            System.err.println("metric " + operator + " / " + name + " " + group.getMetricIdentifier(name));
        }
        JobCounters c = JOBS.computeIfAbsent(job, k -> new JobCounters());
        if (name.equals("numRecordsOut") && operator.equals("Source: stations")) {
            c.sourceOut.add(counter);
        } else if (name.equals("numRecordsIn") && operator.equals("person register")) {
            c.registerIn.add(counter);
        } else if (name.equals("influx_points_written")) {
            c.influxPoints.add(counter);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        // Keep the reference: the last count is what the bench reads after the job ends.
    }

    /** Found by Flink through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetrics();
        }
    }
}
