package dev.sweep.gateway;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the gateway has done since it started, for {@code GET /metrics} (Prometheus text format): requests by
 * endpoint and status, records accepted by topic and refused by reason, and request latency as a histogram.
 * Counts only: no station's token, no record's content.
 */
final class GatewayMetrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> accepted = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final LongAdder[] latency = new LongAdder[BUCKETS.length + 1];
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencyMicros = new LongAdder();

    GatewayMetrics() {
        for (int i = 0; i < latency.length; i++) {
            latency[i] = new LongAdder();
        }
    }

    void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder()).increment();
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < BUCKETS.length && seconds > BUCKETS[i]) {
            i++;
        }
        latency[i].increment();
        latencyCount.increment();
        latencyMicros.add(nanos / 1000);
    }

    void accepted(String topic, int n) {
        accepted.computeIfAbsent("topic=\"" + topic + "\"", k -> new LongAdder()).add(n);
    }

    void refused(String reason) {
        refused.computeIfAbsent("reason=\"" + reason + "\"", k -> new LongAdder()).increment();
    }

    long acceptedTotal() {
        return accepted.values().stream().mapToLong(LongAdder::sum).sum();
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        counter(sb, "sweep_gateway_requests_total", "Requests answered, by endpoint and status.", requests);
        counter(sb, "sweep_gateway_records_accepted_total", "Records written to Kafka and acknowledged, by topic.", accepted);
        counter(sb, "sweep_gateway_records_refused_total", "Records refused at the door, by reason.", refused);
        sb.append("# HELP sweep_gateway_request_seconds Time from a request's arrival to its answer.\n")
                .append("# TYPE sweep_gateway_request_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < latency.length; i++) {
            cumulative += latency[i].sum();
            sb.append("sweep_gateway_request_seconds_bucket{le=\"").append(i < BUCKETS.length ? BUCKETS[i] : "+Inf")
                    .append("\"} ").append(cumulative).append('\n');
        }
        sb.append("sweep_gateway_request_seconds_sum ").append(latencyMicros.sum() / 1e6).append('\n')
                .append("sweep_gateway_request_seconds_count ").append(latencyCount.sum()).append('\n');
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help, Map<String, LongAdder> values) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n').append("# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(values).forEach((labels, v) -> sb.append(name).append('{').append(labels).append("} ").append(v.sum()).append('\n'));
    }
}
