package dev.sweep.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.sweep.campaign.CampaignChecks;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.gateway.Batch.Item;
import dev.sweep.gateway.Batch.Kind;
import dev.sweep.gateway.Stations.Station;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTPS ingest for the stations in the field: {@code POST /v1/scans} and {@code POST /v1/status} take a batch
 * of scans or heartbeats (JSON or Avro, {@link Batch}) from a station that proves who it is ({@link Stations}:
 * a bearer token or a client certificate), check every record with the job's own {@link CampaignChecks} plus
 * "only for its own site", write the good ones to Kafka with an idempotent producer and answer only once Kafka
 * has acknowledged every one. A refused record is never stored nor logged; its answer names its index, field and
 * reason with any ID number masked. State: the stations (read again when their file changes), each station's
 * rate bucket, the counters of {@code /metrics}; nothing about records outlives its request.
 */
public final class StationGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StationGateway.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** A request whose answer goes once Kafka has acknowledged its records. */
    private static final int LATER = -1;

    static {
        // A station keeps its connection between batches (a TLS handshake costs more than a batch): the JDK server
        // would otherwise keep only 200 idle connections and make the rest of a thousand stations reconnect.
        if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
            System.setProperty("sun.net.httpserver.maxIdleConnections", "5000");
        }
    }

    private final GatewayOptions options;
    private final CampaignChecks checks;
    private final HttpsServer server;
    private final ThreadPoolExecutor handlers;
    /** Writes the answers of acknowledged batches (a few threads: an answer is one small write). */
    private final java.util.concurrent.ExecutorService answers;
    private final ScheduledExecutorService reloader;
    private final KafkaProducer<String, byte[]> producer;
    private final StationRateLimit limits;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final URI url;
    private volatile Stations stations;
    private volatile FileTime stationsModified;
    private volatile boolean stopping;
    private final AtomicInteger underWay = new AtomicInteger();
    private boolean closed;

    private StationGateway(GatewayOptions options, Scenario campaign) throws IOException {
        this.options = options;
        this.checks = new CampaignChecks(campaign);
        this.stationsModified = Files.getLastModifiedTime(options.stationsFile());
        this.stations = Stations.load(options.stationsFile(), campaign);
        this.limits = new StationRateLimit(options.ratePerSecond(), options.burst());
        int n = INSTANCES.incrementAndGet();
        this.producer = new KafkaProducer<>(KafkaClients.producer(options.bootstrap(), options.kafka(), "sweep-gateway-" + n));
        AtomicInteger threads = new AtomicInteger();
        this.handlers = new ThreadPoolExecutor(options.threads(), options.threads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "gateway-" + n + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.answers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "gateway-" + n + "-answers-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpsServer.create(new InetSocketAddress(options.bind(), options.port()), 4096);
        server.setHttpsConfigurator(new HttpsConfigurator(options.tls()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setWantClientAuth(options.stationCertificates());
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        this.url = URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/");
        this.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-" + n + "-stations");
            t.setDaemon(true);
            return t;
        });
        reloader.scheduleWithFixedDelay(() -> reloadStations(campaign), 2, 2, TimeUnit.SECONDS);
    }

    /**
     * Starts a gateway; it serves at once (Kafka is reached on the first batch).
     *
     * @throws IllegalArgumentException a stations file or scenario it cannot use, naming the line and field
     * @throws IOException the address cannot be bound
     */
    public static StationGateway start(GatewayOptions options) throws IOException {
        StationGateway g = new StationGateway(options, Scenario.load(options.scenario()));
        LOG.info("Station gateway on {} for {} stations of {} ({}), writing to Kafka at {} ({}); at most {} records or {} bytes a batch, "
                        + "{} requests/s per station", g.url, g.stations.size(), options.scenario(), options.stationsFile(),
                options.bootstrap(), options.kafka().securityProtocol(), options.maxRecords(), options.maxBodyBytes(),
                options.ratePerSecond());
        return g;
    }

    /** Where stations post: {@code https://HOST:PORT/}. */
    public URI url() {
        return url;
    }

    /** Records written and acknowledged since the start. */
    public long accepted() {
        return metrics.acceptedTotal();
    }

    /**
     * Stops taking requests, lets those under way finish (up to the drain timeout: each answers only after Kafka
     * acknowledged its records, so nothing a station was told is stored is lost), then closes the producer.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true; // from now on a batch is answered 503 (post again), unread
        reloader.shutdownNow();
        long deadline = System.nanoTime() + options.drainTimeout().toNanos();
        try {
            while (underWay.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Every request under way has had its answer: the connections left are idle.
        server.stop(0);
        handlers.shutdownNow();
        answers.shutdownNow();
        producer.close(options.drainTimeout());
        LOG.info("Station gateway on {} stopped: {} records accepted", url, metrics.acceptedTotal());
    }

    // -------------------------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) {
        long started = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        String endpoint = switch (path) {
            case "/v1/scans", "/v1/status", "/healthz", "/metrics" -> path;
            default -> "other";
        };
        int status = 500;
        underWay.incrementAndGet();
        try {
            status = switch (endpoint) {
                case "/v1/scans" -> post(ex, Kind.SCANS, started);
                case "/v1/status" -> post(ex, Kind.HEARTBEATS, started);
                case "/healthz" -> get(ex, stopping ? 503 : 200, "text/plain", stopping ? "stopping\n" : "ok\n");
                case "/metrics" -> get(ex, 200, "text/plain; version=0.0.4", metrics.text());
                default -> answer(ex, 404, error("no such endpoint: POST /v1/scans, POST /v1/status, GET /healthz, GET /metrics"));
            };
        } catch (IOException | RuntimeException e) {
            // The station went away, or a fault of ours: it will post again (the scanIds make that harmless).
            LOG.debug("request to {} ended early: {}", endpoint, e.toString());
            status = 499;
        } finally {
            if (status != LATER) {
                done(ex, endpoint, status, started);
            }
        }
    }

    /** The end of a request, answered now or once Kafka acknowledged its batch. */
    private void done(HttpExchange ex, String endpoint, int status, long started) {
        ex.close();
        underWay.decrementAndGet();
        metrics.request(endpoint, status, System.nanoTime() - started);
    }

    private int get(HttpExchange ex, int status, String type, String text) throws IOException {
        if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            return answer(ex, 405, error("GET only"));
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
        if (!ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseBody().write(body);
        }
        return status;
    }

    private int post(HttpExchange ex, Kind kind, long started) throws IOException {
        if (!ex.getRequestMethod().equals("POST")) {
            ex.getResponseHeaders().set("Allow", "POST");
            return answer(ex, 405, error("POST a batch here"));
        }
        if (stopping) {
            drop(ex);
            ex.getResponseHeaders().set("Retry-After", "5");
            ex.getResponseHeaders().set("Connection", "close");
            return answer(ex, 503, error("the gateway is stopping; post again shortly"));
        }
        Station station = authenticate(ex);
        if (station == null) {
            drop(ex);
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"sweep-gateway\"");
            return answer(ex, 401, error("unknown station: send Authorization: Bearer <the station's token> or its client certificate"));
        }
        long waitMillis = limits.take(station.id(), System.nanoTime());
        if (waitMillis > 0) {
            drop(ex);
            ex.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, (waitMillis + 999) / 1000)));
            return answer(ex, 429, error("station " + station.id() + " posts faster than " + options.ratePerSecond() + " requests/s"));
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,12}") && Long.parseLong(length) > options.maxBodyBytes()) {
            if (Long.parseLong(length) <= 4L * options.maxBodyBytes()) {
                ex.getRequestBody().readNBytes(4 * options.maxBodyBytes()); // dropped: the station then reads its answer
            }
            ex.getResponseHeaders().set("Connection", "close");
            return answer(ex, 413, error("a body of " + length + " bytes; at most " + options.maxBodyBytes()));
        }
        byte[] body = readAtMost(ex.getRequestBody(), options.maxBodyBytes());
        if (body == null) {
            // Read (and drop) a little more, so that the station gets its answer rather than a reset connection.
            ex.getRequestBody().readNBytes(4 * options.maxBodyBytes());
            ex.getResponseHeaders().set("Connection", "close");
            return answer(ex, 413, error("a body of more than " + options.maxBodyBytes() + " bytes"));
        }
        String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")).toLowerCase(Locale.ROOT);
        List<Item> items;
        try {
            if (type.startsWith("application/json")) {
                items = Batch.json(body, kind, options.maxRecords());
            } else if (type.startsWith("application/avro")) {
                items = Batch.avro(body, options.maxRecords());
            } else {
                return answer(ex, 415, error("Content-Type application/json or application/avro"));
            }
        } catch (Batch.TooMany e) {
            return answer(ex, 413, error(e.getMessage()));
        } catch (Batch.Malformed e) {
            return answer(ex, 400, error("body: " + e.getMessage()));
        }
        return store(ex, kind, station, items, started);
    }

    /**
     * Checks every record, sends the good ones and returns {@link #LATER}: the answer goes once Kafka has acknowledged
     * them all (from {@link #answers}, so that no handler thread sits waiting on Kafka), or now for a refused batch.
     */
    private int store(HttpExchange ex, Kind kind, Station station, List<Item> items, long started) throws IOException {
        long now = System.currentTimeMillis();
        ArrayNode refused = JSON.createArrayNode();
        List<ProducerRecord<String, byte[]>> good = new ArrayList<>();
        String topic = kind == Kind.SCANS ? Topics.SCANS : Topics.STATION_STATUS;
        for (Item item : items) {
            try {
                if (item.refused() != null) {
                    throw item.refused();
                }
                String site;
                if (kind == Kind.SCANS) {
                    ScanEvent e = checks.scan(item.value(), now);
                    site = e.getSiteId();
                } else {
                    StationStatus s = checks.heartbeat(item.value(), now);
                    site = s.getSiteId();
                }
                if (!site.equals(station.siteId())) {
                    // A known site (the checks passed) that is not this station's: the credential is misused, the batch refused whole.
                    return answer(ex, 403, error("station " + station.id() + " writes for site " + station.siteId()
                            + " only; record " + item.index() + " is for site " + CampaignChecks.quote(site)));
                }
                good.add(new ProducerRecord<>(topic, site, item.value()));
            } catch (RejectedRecordException e) {
                metrics.refused(e.reason().code());
                ObjectNode r = refused.addObject();
                r.put("index", item.index());
                r.put("field", Batch.fieldOf(e, kind));
                r.put("reason", e.reason().code());
                r.put("detail", Batch.detail(e));
            }
        }
        CompletableFuture<?>[] acks = new CompletableFuture<?>[good.size()];
        try {
            for (int i = 0; i < acks.length; i++) {
                CompletableFuture<Void> ack = new CompletableFuture<>();
                producer.send(good.get(i), (meta, error) -> {
                    if (error != null) {
                        ack.completeExceptionally(error);
                    } else {
                        ack.complete(null);
                    }
                });
                acks[i] = ack;
            }
        } catch (RuntimeException e) {
            return kafkaDidNotAcknowledge(ex, station, e);
        }
        String endpoint = kind == Kind.SCANS ? "/v1/scans" : "/v1/status";
        CompletableFuture.allOf(acks).orTimeout(options.ackTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync((ok, error) -> {
                    int status = 499;
                    try {
                        if (error != null) {
                            status = kafkaDidNotAcknowledge(ex, station, error);
                            return;
                        }
                        metrics.accepted(topic, good.size());
                        ObjectNode answer = JSON.createObjectNode();
                        answer.put("accepted", good.size());
                        if (refused.isEmpty()) {
                            status = answer(ex, 200, answer);
                        } else {
                            answer.set("refused", refused);
                            status = answer(ex, 422, answer);
                        }
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("answer to station {} not delivered: {}", station.id(), e.toString());
                    } finally {
                        done(ex, endpoint, status, started);
                    }
                }, answers);
        return LATER;
    }

    private int kafkaDidNotAcknowledge(HttpExchange ex, Station station, Throwable error) throws IOException {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        LOG.warn("Kafka did not acknowledge a batch of station {}: {}", station.id(), cause.toString());
        ex.getResponseHeaders().set("Retry-After", "5");
        return answer(ex, 503, error("Kafka did not acknowledge the batch; post it again (records already stored are not counted twice)"));
    }

    private Station authenticate(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return stations.byToken(auth.substring(7).strip());
        }
        if (ex instanceof HttpsExchange https && options.stationCertificates()) {
            try {
                Certificate[] chain = https.getSSLSession().getPeerCertificates();
                return chain.length == 0 ? null : stations.byCertificate(chain[0]);
            } catch (SSLPeerUnverifiedException e) {
                return null;
            }
        }
        return null;
    }

    private void reloadStations(Scenario campaign) {
        try {
            FileTime modified = Files.getLastModifiedTime(options.stationsFile());
            if (modified.equals(stationsModified)) {
                return;
            }
            Stations fresh = Stations.load(options.stationsFile(), campaign);
            stations = fresh;
            stationsModified = modified;
            LOG.info("Stations file {} read again: {} stations", options.stationsFile(), fresh.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Stations file {} not taken, keeping the stations as they were: {}", options.stationsFile(), e.getMessage());
        }
    }

    /**
     * Reads and drops a body that will not be used (up to the body limit), so that the station reads its answer
     * rather than a connection reset in the middle of its upload.
     */
    private void drop(HttpExchange ex) throws IOException {
        ex.getRequestBody().readNBytes(options.maxBodyBytes());
    }

    /** The body, or null when it is longer than {@code max}. */
    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] body = in.readNBytes(max + 1);
        return body.length > max ? null : body;
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static int answer(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
        return status;
    }
}
