package dev.sweep.jobs.endtoend;

import dev.sweep.testkit.InfluxServer;
import java.util.Map;
import java.util.TreeMap;

/** What InfluxDB says, in the ledger's terms. */
final class InfluxTruth {
    private final InfluxServer influx;

    InfluxTruth(InfluxServer influx) {
        this.influx = influx;
    }

    long number(String influxQl) {
        return influx.count(influxQl);
    }

    double decimal(String influxQl, String column) {
        var rows = influx.query(influxQl);
        return rows.isEmpty() ? Double.NaN : ((Number) rows.get(0).get(column)).doubleValue();
    }

    /** {@code tag value -> column} from a query grouped by that tag. */
    Map<String, Long> byTag(String influxQl, String tag, String column) {
        Map<String, Long> out = new TreeMap<>();
        for (Map<String, Object> row : influx.query(influxQl)) {
            out.put((String) row.get(tag), ((Number) row.get(column)).longValue());
        }
        return out;
    }

    long countySampled() {
        return number("SELECT last(sampled) AS v FROM coverage WHERE scope = 'county'");
    }

    long siteScans() {
        return number("SELECT sum(scans) AS v FROM site_throughput");
    }

    long sitePersons() {
        return number("SELECT sum(persons) AS v FROM site_throughput");
    }

    /**
     * Everything in the database reduced to per-series point counts and per-field sums, minimums
     * and maximums: equal fingerprints mean the same points with the same values. The watermark's
     * lag and the late count describe a run's processing (how far the clock had got when a scan
     * came), not the campaign, and are left out.
     */
    Map<String, Object> fingerprint() {
        Map<String, Object> out = new TreeMap<>();
        String[][] fields = {
                {"site_throughput", "scans", "persons", "tubes", "samplers"},
                {"coverage", "sampled", "population", "coverage", "rate_per_hour", "eta_minutes"},
                {"site_status", "queue", "lanes", "samplers"},
                {"pipeline", "events", "duplicates", "dead_letters"}};
        for (String[] m : fields) {
            StringBuilder select = new StringBuilder("SELECT count(" + m[1] + ") AS n");
            for (int i = 1; i < m.length; i++) {
                select.append(", sum(").append(m[i]).append(") AS sum_").append(m[i])
                        .append(", min(").append(m[i]).append(") AS min_").append(m[i])
                        .append(", max(").append(m[i]).append(") AS max_").append(m[i]);
            }
            select.append(" FROM ").append(m[0]).append(" GROUP BY *");
            for (Map<String, Object> row : influx.query(select.toString())) {
                Map<String, Object> values = new TreeMap<>(row);
                values.remove("time");
                StringBuilder series = new StringBuilder(m[0]);
                for (String tag : new String[] {"scope", "township", "site", "job"}) {
                    Object v = values.remove(tag);
                    if (v != null) {
                        series.append(',').append(tag).append('=').append(v);
                    }
                }
                out.put(series.toString(), values);
            }
        }
        return out;
    }
}
