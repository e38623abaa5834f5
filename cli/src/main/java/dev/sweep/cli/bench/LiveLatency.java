package dev.sweep.cli.bench;

import dev.sweep.events.ScanEvent;
import dev.sweep.jobs.records.Scan;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Scan-to-InfluxDB latency at a steady rate. A sender thread replays the simulator's scans
 * (the busiest wave, in order, so the sites' mix is the campaign's) at {@code rate} scans per
 * second of wall time, re-stamped live: scannedAt = the wall clock at send, a fresh scanId. For
 * a set of tracked sites it notes, per (site, minute), the send time of the n-th scan. A poller
 * reads those sites' site_throughput points for the live minutes from influxd every
 * {@link #POLL_MS} ms; when a point's scans count reaches n, the n-th scan (and any before it)
 * is visible, and its latency is the poll's answer time minus its send time (an upper bound:
 * the point may have landed up to one poll interval plus a query round trip earlier).
 */
public final class LiveLatency {
    public static final long POLL_MS = 50;
    private static final long NANOS = 1_000_000_000L;

    private LiveLatency() {}

    public record Result(int rate, int seconds, int warmupSeconds, long sent, double sendSeconds, int trackedSites,
                         long samples, long warmupSamples, long unresolved, double p50, double p90, double p99,
                         double max, double warmupP99, long polls, double queryP50Ms, double queryMaxMs,
                         long sendErrors) {}

    /** Send times of the scans of one site in one minute, in send order. */
    private static final class SendLog {
        private long[] sent = new long[64];
        private boolean[] warm = new boolean[64];
        private int n;
        private int resolved;

        synchronized void add(long nanos, boolean warmup) {
            if (n == sent.length) {
                sent = Arrays.copyOf(sent, n * 2);
                warm = Arrays.copyOf(warm, n * 2);
            }
            sent[n] = nanos;
            warm[n] = warmup;
            n++;
        }

        synchronized void resolve(long count, long seenNanos, Latencies out) {
            int upTo = (int) Math.min(count, n);
            for (; resolved < upTo; resolved++) {
                out.add(seenNanos - sent[resolved], warm[resolved]);
            }
        }

        synchronized int pending() {
            return n - resolved;
        }
    }

    private static final class Latencies {
        private long[] measured = new long[1 << 16];
        private int m;
        private long[] warmup = new long[1 << 12];
        private int w;

        synchronized void add(long nanos, boolean isWarmup) {
            if (isWarmup) {
                if (w == warmup.length) {
                    warmup = Arrays.copyOf(warmup, w * 2);
                }
                warmup[w++] = nanos;
            } else {
                if (m == measured.length) {
                    measured = Arrays.copyOf(measured, m * 2);
                }
                measured[m++] = nanos;
            }
        }
    }

    /**
     * @param feed     Avro single-object ScanEvents to replay, in order (cycled if too few)
     * @param tracked  how many sites to follow in InfluxDB (the busiest of the feed)
     */
    public static Result run(String bootstrap, InfluxServer influx, List<byte[]> feed, int rate, int seconds,
                             int warmupSeconds, int tracked, PrintStream log) throws Exception {
        long total = (long) rate * (seconds + warmupSeconds);
        long warmupCount = (long) rate * warmupSeconds;
        Map<String, Long> perSite = new HashMap<>();
        for (int i = 0; i < Math.min(feed.size(), total); i++) {
            perSite.merge(decode(feed.get(i)).getSiteId(), 1L, Long::sum);
        }
        Set<String> sites = perSite.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(tracked).map(Map.Entry::getKey).collect(Collectors.toSet());

        Map<String, SendLog> logs = new ConcurrentHashMap<>();
        Latencies latencies = new Latencies();
        AtomicReference<Exception> sendFailure = new AtomicReference<>();
        AtomicLong sendErrors = new AtomicLong();
        long fromMinute = System.currentTimeMillis() / 60_000 * 60_000;
        String siteFilter = sites.stream().sorted().map(s -> "\"site\" = '" + s.replace("'", "\\'") + "'")
                .collect(Collectors.joining(" OR "));
        String query = "SELECT \"scans\" FROM \"site_throughput\" WHERE time >= " + fromMinute + "ms AND ("
                + siteFilter + ") GROUP BY \"site\"";

        Poller poller = new Poller(influx, query, logs, latencies);
        Thread pollThread = new Thread(poller, "bench-influx-poller");
        pollThread.setDaemon(true);
        pollThread.start();

        long sent = 0;
        double sendSeconds;
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(KafkaClients.producer(bootstrap, "sweep-bench-live"))) {
            long t0 = System.nanoTime();
            long lastReport = t0;
            while (sent < total && sendFailure.get() == null) {
                long now = System.nanoTime();
                long due = Math.min(total, (now - t0) * rate / NANOS + 1);
                for (; sent < due; sent++) {
                    ScanEvent e = decode(feed.get((int) (sent % feed.size())));
                    long wall = System.currentTimeMillis();
                    e.setScanId("live-" + sent);
                    e.setScannedAt(Instant.ofEpochMilli(wall));
                    byte[] value = EventCodec.SCANS.encode(e);
                    String site = e.getSiteId();
                    long sentAt = System.nanoTime();
                    if (sites.contains(site)) {
                        logs.computeIfAbsent(site + "@" + (wall / 60_000 * 60_000), k -> new SendLog())
                                .add(sentAt, sent < warmupCount);
                    }
                    producer.send(new ProducerRecord<>(Topics.SCANS, site, value), (meta, error) -> {
                        if (error != null) {
                            sendErrors.incrementAndGet();
                            sendFailure.compareAndSet(null, error);
                        }
                    });
                }
                if (log != null && now - lastReport > 10 * NANOS) {
                    log.printf("bench: live feed %,d scans sent in %.0f s%n", sent, (now - t0) / 1e9);
                    lastReport = now;
                }
                Thread.sleep(1);
            }
            producer.flush();
            sendSeconds = (System.nanoTime() - t0) / 1e9;
        }
        if (sendFailure.get() != null) {
            poller.stop = true;
            throw new IllegalStateException("Kafka refused a live scan: " + sendFailure.get().getMessage(),
                    sendFailure.get());
        }
        // Let the last scans land (early firing within 1 s, sink flush within 1 s), then stop.
        long deadline = System.nanoTime() + 20 * NANOS;
        while (System.nanoTime() < deadline && logs.values().stream().anyMatch(l -> l.pending() > 0)) {
            Thread.sleep(100);
        }
        poller.stop = true;
        pollThread.join(5_000);
        if (poller.failure != null) {
            throw new IllegalStateException("polling InfluxDB failed: " + poller.failure.getMessage(), poller.failure);
        }
        long unresolved = logs.values().stream().mapToLong(SendLog::pending).sum();

        long[] measured;
        long[] warm;
        synchronized (latencies) {
            measured = Arrays.copyOf(latencies.measured, latencies.m);
            warm = Arrays.copyOf(latencies.warmup, latencies.w);
        }
        Arrays.sort(measured);
        Arrays.sort(warm);
        long[] queries = poller.queryNanos();
        Arrays.sort(queries);
        return new Result(rate, seconds, warmupSeconds, sent, sendSeconds, sites.size(), measured.length,
                warm.length, unresolved, pct(measured, 50), pct(measured, 90), pct(measured, 99),
                measured.length == 0 ? Double.NaN : measured[measured.length - 1] / 1e9, pct(warm, 99),
                queries.length, pct(queries, 50) * 1000, queries.length == 0 ? Double.NaN
                : queries[queries.length - 1] / 1e6, sendErrors.get());
    }

    /** Nearest-rank percentile, in seconds; NaN when empty. */
    static double pct(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e9;
    }

    private static ScanEvent decode(byte[] value) {
        try {
            return EventCodec.SCANS.decode(value);
        } catch (RejectedRecordException e) {
            throw new IllegalStateException("the simulator's own scan does not decode: " + e.getMessage(), e);
        }
    }

    private static final class Poller implements Runnable {
        private final InfluxServer influx;
        private final String query;
        private final Map<String, SendLog> logs;
        private final Latencies latencies;
        private final List<Long> queryNanos = new ArrayList<>();
        volatile boolean stop;
        volatile Exception failure;

        Poller(InfluxServer influx, String query, Map<String, SendLog> logs, Latencies latencies) {
            this.influx = influx;
            this.query = query;
            this.logs = logs;
            this.latencies = latencies;
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    long asked = System.nanoTime();
                    List<Map<String, Object>> rows = influx.query(query);
                    long answered = System.nanoTime();
                    synchronized (queryNanos) {
                        queryNanos.add(answered - asked);
                    }
                    for (Map<String, Object> row : rows) {
                        Object scans = row.get("scans");
                        Object time = row.get("time");
                        if (!(scans instanceof Number n) || !(time instanceof Number t)) {
                            continue;
                        }
                        SendLog l = logs.get(row.get("site") + "@" + t.longValue());
                        if (l != null) {
                            synchronized (latencies) {
                                l.resolve(n.longValue(), answered, latencies);
                            }
                        }
                    }
                    long sleep = POLL_MS - (System.nanoTime() - asked) / 1_000_000;
                    if (sleep > 0) {
                        Thread.sleep(sleep);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure = e;
            }
        }

        long[] queryNanos() {
            synchronized (queryNanos) {
                return queryNanos.stream().mapToLong(Long::longValue).toArray();
            }
        }
    }
}
