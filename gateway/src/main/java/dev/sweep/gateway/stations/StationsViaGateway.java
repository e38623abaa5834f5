package dev.sweep.gateway.stations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.gateway.Batch;
import dev.sweep.gateway.GatewayOptions;
import dev.sweep.gateway.stations.StationCredentials.Credential;
import dev.sweep.schemas.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;

/**
 * Stations posting to a gateway, as a real day has them: one session per station credential, all at once, each
 * posting its own records in order, batch after batch (a batch goes when the previous one is answered: all that is
 * due for one endpoint, up to the batch limit), as {@code application/avro}. A session that gets no answer, a 429 or a 503 waits (Retry-After, or 1 s doubling up
 * to 10 s) and posts the same batch again: a station's re-post is harmless, since the scanId is the dedup key end
 * to end. Each site's scans are dealt in turn to its stations; its heartbeats go from its first station; a record
 * for a site without a station goes from the first station of all (and the gateway refuses it). The simulator
 * drives drills through this ({@code sweep simulate --via-gateway}) and the bench measures a gateway with it.
 * State: per station a queue of what is left; the answers and latencies so far.
 */
public final class StationsViaGateway {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BACKOFF_MILLIS = 10_000;

    /**
     * What the stations saw.
     *
     * @param accepted      records the gateway acknowledged, by Kafka topic
     * @param refused       records the gateway refused (422), by reason
     * @param requests      batches posted, re-posts included
     * @param reposts       batches posted again after no answer, a 429 or a 503
     * @param seconds       wall time from the first post to the last answer
     * @param latencyMillis every request's time to its answer, sorted
     * @param connectedLatencyMillis the same without each station's first request (which also opens its TLS
     *                               connection: at the start of a drill, a thousand handshakes at once), sorted
     */
    public record Result(Map<String, Long> accepted, Map<String, Long> refused, long requests, long reposts, double seconds,
                         double[] latencyMillis, double[] connectedLatencyMillis) {
        /** Scans acknowledged per second of the run. */
        public double scansPerSecond() {
            return accepted.getOrDefault(Topics.SCANS, 0L) / Math.max(seconds, 1e-9);
        }

        /** The {@code p}-th percentile (0..100) of request latency, in ms. */
        public double latencyPercentile(double p) {
            return percentile(latencyMillis, p);
        }

        /** The {@code p}-th percentile of the latency of requests on a station's open connection, in ms. */
        public double connectedLatencyPercentile(double p) {
            return percentile(connectedLatencyMillis, p);
        }

        private static double percentile(double[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
    }

    private final URI gateway;
    private final HttpClient http;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService timers;
    private final int maxBatch;
    private final Duration requestTimeout;
    private final Map<String, LongAdder> accepted = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder reposts = new LongAdder();
    private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> connectedLatencies = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Void> failed = new CompletableFuture<>();
    private long startNanos;

    private StationsViaGateway(URI gateway, SSLContext trust, int maxBatch, Duration requestTimeout) {
        this.gateway = gateway;
        this.maxBatch = maxBatch;
        this.requestTimeout = requestTimeout;
        AtomicInteger n = new AtomicInteger();
        this.httpThreads = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "stations-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stations-timer");
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout).executor(httpThreads);
        if (trust != null) {
            b.sslContext(trust);
        }
        this.http = b.build();
    }

    /**
     * Posts every record through the gateway, each by its site's stations, and returns when all are answered.
     *
     * @param trust          the TLS context stations trust the gateway with (null: the JDK's CAs)
     * @param maxBatch       records per batch (at most the gateway's limit, {@link GatewayOptions#MAX_RECORDS})
     * @param requestTimeout how long a station waits for an answer before it posts the batch again
     * @param within         the whole run's limit
     * @throws IllegalStateException when the gateway refuses a station (401, 403, 413...) or the run overruns
     */
    public static Result run(URI gateway, SSLContext trust, List<Credential> credentials, List<Outgoing> records,
                             int maxBatch, Duration requestTimeout, Duration within) throws InterruptedException {
        if (credentials.isEmpty()) {
            throw new IllegalArgumentException("no station credentials");
        }
        StationsViaGateway run = new StationsViaGateway(gateway, trust, maxBatch, requestTimeout);
        try {
            return run.go(credentials, records, within);
        } finally {
            run.timers.shutdownNow();
            run.httpThreads.shutdownNow();
        }
    }

    private Result go(List<Credential> credentials, List<Outgoing> records, Duration within) throws InterruptedException {
        List<Session> sessions = deal(credentials, records);
        startNanos = System.nanoTime();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Session s : sessions) {
            done.add(s.done);
            next(s);
        }
        CompletableFuture<Object> all = CompletableFuture.anyOf(CompletableFuture.allOf(done.toArray(new CompletableFuture[0])), failed);
        try {
            all.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            long left = sessions.stream().mapToLong(s -> s.queue.size()).sum();
            throw new IllegalStateException("the stations did not finish within " + within + ": " + left + " records not yet acknowledged");
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double[] lat = latencies.stream().mapToDouble(l -> l / 1e6).toArray();
        Arrays.sort(lat);
        double[] connected = connectedLatencies.stream().mapToDouble(l -> l / 1e6).toArray();
        Arrays.sort(connected);
        return new Result(totals(accepted), totals(refused), requests.sum(), reposts.sum(), seconds, lat, connected);
    }

    /** One station's session: its credential and what it has left to post. */
    private static final class Session {
        final Credential credential;
        final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile boolean answeredOnce;

        Session(Credential credential) {
            this.credential = credential;
        }
    }

    private static List<Session> deal(List<Credential> credentials, List<Outgoing> records) {
        Map<String, List<Session>> bySite = new LinkedHashMap<>();
        List<Session> sessions = new ArrayList<>();
        credentials.stream().sorted(Comparator.comparing(Credential::station)).forEach(c -> {
            Session s = new Session(c);
            sessions.add(s);
            bySite.computeIfAbsent(c.siteId(), k -> new ArrayList<>()).add(s);
        });
        Map<String, Integer> turn = new HashMap<>();
        for (Outgoing r : records) {
            List<Session> site = bySite.get(r.siteId());
            Session s;
            if (site == null) {
                s = sessions.get(0);
            } else if (r.topic().equals(Topics.SCANS)) {
                int t = turn.merge(r.siteId(), 1, Integer::sum) - 1;
                s = site.get(t % site.size());
            } else {
                s = site.get(0);
            }
            s.queue.add(r);
        }
        return sessions;
    }

    private long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void next(Session s) {
        if (failed.isDone()) {
            return;
        }
        Outgoing head;
        List<Outgoing> batch = new ArrayList<>();
        synchronized (s) {
            head = s.queue.peek();
            if (head == null) {
                s.done.complete(null);
                return;
            }
            long now = elapsedMillis();
            if (head.dueMillis() > now) {
                timers.schedule(() -> next(s), head.dueMillis() - now, TimeUnit.MILLISECONDS);
                return;
            }
            // Everything due for the head's endpoint, in order (a station's scans and its heartbeats go to two endpoints).
            for (Outgoing o : s.queue) {
                if (batch.size() >= maxBatch || o.dueMillis() > now) {
                    break;
                }
                if (o.topic().equals(head.topic())) {
                    batch.add(o);
                }
            }
        }
        post(s, batch, 0);
    }

    private void post(Session s, List<Outgoing> batch, int attempt) {
        List<byte[]> values = new ArrayList<>(batch.size());
        batch.forEach(o -> values.add(o.value()));
        String path = batch.get(0).topic().equals(Topics.SCANS) ? "v1/scans" : "v1/status";
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve(path))
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + s.credential.token())
                .header("Content-Type", "application/avro")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Batch.avroBody(values)))
                .build();
        long sent = System.nanoTime();
        requests.increment();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            long took = System.nanoTime() - sent;
            latencies.add(took);
            if (s.answeredOnce) {
                connectedLatencies.add(took);
            }
            s.answeredOnce |= error == null;
            try {
                int status = error != null ? 0 : response.statusCode();
                if (status == 200 || status == 422) {
                    count(batch.get(0).topic(), JSON.readTree(response.body()));
                    synchronized (s) {
                        java.util.Set<Outgoing> posted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                        posted.addAll(batch);
                        s.queue.removeIf(posted::contains);
                    }
                    next(s);
                } else if (status == 0 || status == 429 || status == 503 || status == 502 || status == 504) {
                    reposts.increment();
                    long wait = Math.min(MAX_BACKOFF_MILLIS, 1000L << Math.min(attempt, 4));
                    String retryAfter = response == null ? null : response.headers().firstValue("Retry-After").orElse(null);
                    if (retryAfter != null && retryAfter.matches("\\d{1,5}")) {
                        wait = Long.parseLong(retryAfter) * 1000;
                    }
                    timers.schedule(() -> post(s, batch, attempt + 1), wait, TimeUnit.MILLISECONDS);
                } else {
                    failed.completeExceptionally(new IllegalStateException("the gateway refused station "
                            + s.credential + ": " + status + " " + response.body()));
                }
            } catch (Exception e) {
                failed.completeExceptionally(e);
            }
        });
    }

    private void count(String topic, JsonNode answer) {
        accepted.computeIfAbsent(topic, k -> new LongAdder()).add(answer.path("accepted").asLong());
        for (JsonNode r : answer.path("refused")) {
            refused.computeIfAbsent(r.path("reason").asText(), k -> new LongAdder()).increment();
        }
    }

    private static Map<String, Long> totals(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
