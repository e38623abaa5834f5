package dev.sweep.jobs;

import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.SiteMinute;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The middle tier: the coverage job's whole graph, built by {@link CoverageJob#build} as in production, on
 * the test's MiniCluster, reading records from memory in a chosen order and writing to memory. What it
 * wrote is read back as the final state a reader of each output keeps (the latest record per key).
 */
public final class GraphRun {
    private final MemoryOutputs outputs;

    private GraphRun(MemoryOutputs outputs) {
        this.outputs = outputs;
    }

    /** Runs the job over {@code records} (in this order) to its end. */
    public static GraphRun of(List<ReplaySource.Raw> records, CoverageOptions o) throws Exception {
        return of(records, o, 0);
    }

    /** Runs the job over {@code records} (in this order), read at about {@code perMilli} a millisecond (0: at once). */
    public static GraphRun of(List<ReplaySource.Raw> records, CoverageOptions o, int perMilli) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        MemoryOutputs outputs = new MemoryOutputs();
        CoverageJob.build(env, new ReplaySource(records, o.campaign(), perMilli), outputs.outputs(), o);
        env.execute("sweep coverage (graph test)");
        return new GraphRun(outputs);
    }

    public MemoryOutputs outputs() {
        return outputs;
    }

    /** The latest site minute of each (site, minute). */
    public Map<String, SiteMinute> siteMinutes() {
        Map<String, SiteMinute> latest = new TreeMap<>();
        for (SiteMinute m : outputs.siteMinutes()) {
            latest.put(m.getSiteId() + "@" + m.getWindowStart(), m);
        }
        return latest;
    }

    /** Scans and persons per site, from the latest site minutes. */
    public Map<String, long[]> siteTotals() {
        Map<String, long[]> totals = new TreeMap<>();
        for (SiteMinute m : siteMinutes().values()) {
            long[] t = totals.computeIfAbsent(m.getSiteId(), k -> new long[2]);
            t[0] += m.getScans();
            t[1] += m.getPersons();
        }
        return totals;
    }

    /** The latest coverage point of each (area, minute). */
    public Map<String, Coverage> coverage() {
        Map<String, Coverage> latest = new TreeMap<>();
        for (Coverage c : outputs.coverage()) {
            latest.put(area(c) + "@" + c.getMinute(), c);
        }
        return latest;
    }

    /** People sampled per area (township id, or "county"): its newest minute's figure. */
    public Map<String, Long> sampled() {
        Map<String, Coverage> newest = new TreeMap<>();
        for (Coverage c : coverage().values()) {
            Coverage before = newest.get(area(c));
            if (before == null || c.getMinute().isAfter(before.getMinute())) {
                newest.put(area(c), c);
            }
        }
        Map<String, Long> out = new TreeMap<>();
        newest.forEach((area, c) -> out.put(area, c.getSampled()));
        return out;
    }

    /** Every alert transition, as "alertId STATE at value". */
    public List<String> alerts() {
        return outputs.alerts().stream()
                .map((Alert a) -> a.getAlertId() + " " + a.getState() + " " + a.getAt() + " " + a.getValue())
                .sorted().toList();
    }

    /**
     * What InfluxDB would hold: the latest fields of each point (measurement, tags, time), the line protocol
     * parsed as InfluxDB parses it. {@code without} names fields left out (a run's own figures, such as the
     * pipeline's late count and watermark lag).
     */
    public Map<String, Map<String, String>> influx(String... without) {
        Map<String, Map<String, String>> points = new TreeMap<>();
        for (String line : outputs.influxLines()) {
            LineProtocol.Point p = LineProtocol.parse(line);
            Map<String, String> fields = new TreeMap<>(p.fields());
            for (String f : without) {
                fields.remove(f);
            }
            points.put(p.series() + " " + p.time(), fields);
        }
        return points;
    }

    private static String area(Coverage c) {
        return c.getTownshipId() == null ? "county" : c.getTownshipId().toString();
    }
}
