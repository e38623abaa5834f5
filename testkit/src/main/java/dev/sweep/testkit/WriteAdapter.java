package dev.sweep.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InfluxDB 2.x's write endpoint in front of an influxd 1.6, which lacks it: maps
 * {@code POST /api/v2/write?org=..&bucket=DB[/RP]&precision=ns|us|ms|s} to
 * {@code /write?db=DB&rp=RP&precision=n|u|ms|s} exactly as 1.8+ does for itself, passing the body (gzip
 * too) through unchanged and answering with influxd's status (errors as 2.x JSON). Also serves
 * {@code /ping}, {@code /health}, {@code /query} and the v1 {@code /write}, so one base URL serves every
 * client; {@code Authorization} is ignored. Faults: while influxd is stopped it answers 503 without
 * Retry-After, as a proxy in front of a dead server would; {@link #failNextWrites} refuses writes on purpose.
 * State: the counters of writes and the pending injected failures.
 */
final class WriteAdapter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteAdapter.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Influxd influxd;
    private final HttpServer server;
    private final ExecutorService threads;
    private final String url;
    private final AtomicLong writeCount = new AtomicLong();
    private final AtomicLong writeRequests = new AtomicLong();
    private final AtomicLong gzipWrites = new AtomicLong();
    private final AtomicReference<FailPlan> failPlan = new AtomicReference<>(FailPlan.NONE);

    /** Serves on a free loopback port until {@link #close()}. */
    WriteAdapter(Influxd influxd) throws IOException {
        this.influxd = influxd;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        threads = Executors.newCachedThreadPool(daemonThreads("influx-adapter"));
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String url() {
        return url;
    }

    long writeCount() {
        return writeCount.get();
    }

    long writeRequests() {
        return writeRequests.get();
    }

    long gzipWriteCount() {
        return gzipWrites.get();
    }

    /** The next {@code n} writes are answered {@code status} (with Retry-After when positive), not passed on. */
    void failNextWrites(int n, int status, int retryAfterSeconds) {
        failPlan.set(new FailPlan(n, status, retryAfterSeconds));
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private record Reply(int status, Map<String, String> headers, byte[] body) {
        static Reply json(int status, String json) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", "application/json; charset=utf-8");
            return new Reply(status, headers, json.getBytes(StandardCharsets.UTF_8));
        }
    }

    private record FailPlan(int remaining, int status, int retryAfterSeconds) {
        static final FailPlan NONE = new FailPlan(0, 0, 0);
    }

    private void handle(HttpExchange exchange) {
        try {
            Reply reply;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                String path = exchange.getRequestURI().getPath();
                reply = switch (path) {
                    case "/api/v2/write" -> writeV2(exchange, body);
                    case "/write" -> writeV1(exchange, body);
                    case "/query" -> methodIs(exchange, "GET", "POST")
                            ? forward(exchange.getRequestMethod(), "/query" + rawQuerySuffix(exchange), exchange.getRequestHeaders(), body)
                            : methodNotAllowed(exchange);
                    case "/ping" -> methodIs(exchange, "GET", "HEAD")
                            ? forward(exchange.getRequestMethod(), "/ping" + rawQuerySuffix(exchange), exchange.getRequestHeaders(), body)
                            : methodNotAllowed(exchange);
                    case "/health" -> health();
                    default -> Reply.json(404, v2Error(404, "path not found: " + path
                            + " (the test adapter serves /api/v2/write, /write, /query, /ping and /health;"
                            + " influxd 1.6 has no Flux: use InfluxQL on /query)"));
                };
            } catch (RuntimeException e) {
                LOG.warn("adapter failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                reply = Reply.json(500, v2Error(500, "adapter error: " + e));
            }
            send(exchange, reply);
        } catch (IOException e) {
            LOG.debug("adapter could not answer {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        } finally {
            exchange.close();
        }
    }

    /** What every write meets first: POST only, counted, and any injected failure. Null: go on. */
    private Reply admitWrite(HttpExchange exchange) {
        if (!methodIs(exchange, "POST")) {
            return methodNotAllowed(exchange);
        }
        writeRequests.incrementAndGet();
        countGzip(exchange);
        return injectedFailure();
    }

    /** InfluxDB 1.8's {@code /api/v2/write}: bucket DB[/RP] and 2.x precisions mapped to {@code /write}. */
    private Reply writeV2(HttpExchange exchange, byte[] body) {
        Reply refused = admitWrite(exchange);
        if (refused != null) {
            return refused;
        }
        Map<String, String> params = parseQuery(exchange.getRequestURI().getRawQuery());
        String precision = params.getOrDefault("precision", "ns");
        String v1Precision = switch (precision) {
            case "ns", "" -> "n";
            case "us" -> "u"; // influxd 1.6 silently reads "us" as nanoseconds
            case "ms" -> "ms";
            case "s" -> "s";
            default -> null;
        };
        if (v1Precision == null) {
            return Reply.json(400, v2Error(400, "invalid precision \"" + precision + "\" (use ns, us, ms or s)"));
        }
        String bucket = params.getOrDefault("bucket", "");
        int slash = bucket.indexOf('/');
        String db = slash < 0 ? bucket : bucket.substring(0, slash);
        String rp = slash < 0 ? "" : bucket.substring(slash + 1);
        if (db.isEmpty()) {
            return Reply.json(404, v2Error(404, bucket.isEmpty() ? "bucket is required (bucket=DB or DB/RP)"
                    : "bucket name \"" + bucket + "\" is in db/rp form but has an empty database"));
        }
        String target = "/write?db=" + enc(db) + (rp.isEmpty() ? "" : "&rp=" + enc(rp)) + "&precision=" + v1Precision;
        Reply reply = forwardWrite(target, exchange.getRequestHeaders(), body);
        return reply.status() >= 400 ? asV2Error(reply) : reply;
    }

    /** The v1 {@code /write}, passed through as is (with the same fault injection). */
    private Reply writeV1(HttpExchange exchange, byte[] body) {
        Reply refused = admitWrite(exchange);
        if (refused != null) {
            return refused;
        }
        return forwardWrite("/write" + rawQuerySuffix(exchange), exchange.getRequestHeaders(), body);
    }

    private Reply forwardWrite(String target, Headers headers, byte[] body) {
        Reply reply = forward("POST", target, headers, body);
        if (!reply.headers().containsKey("X-Sweep-Adapter")) {
            writeCount.incrementAndGet();
        }
        return reply;
    }

    private void countGzip(HttpExchange exchange) {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
            gzipWrites.incrementAndGet();
        }
    }

    private Reply injectedFailure() {
        FailPlan before = failPlan.getAndUpdate(p -> p.remaining() > 0
                ? new FailPlan(p.remaining() - 1, p.status(), p.retryAfterSeconds()) : p);
        if (before.remaining() <= 0) {
            return null;
        }
        Reply reply = Reply.json(before.status(), v2Error(before.status(),
                "injected failure (InfluxServer.failNextWrites), " + (before.remaining() - 1) + " more to come"));
        if (before.retryAfterSeconds() > 0) {
            reply.headers().put("Retry-After", Integer.toString(before.retryAfterSeconds()));
        }
        reply.headers().put("X-Sweep-Adapter", "injected");
        return reply;
    }

    /** InfluxDB 1.8's {@code /health}, answered from a ping of influxd. */
    private Reply health() {
        Reply ping = forward("GET", "/ping", new Headers(), new byte[0]);
        ObjectNode body = JSON.createObjectNode().put("name", "influxdb");
        if (ping.status() == 204) {
            body.put("message", "ready for queries and writes").put("status", "pass");
            body.putArray("checks");
            body.put("version", ping.headers().getOrDefault("X-Influxdb-Version", "unknown"));
            return Reply.json(200, body.toString());
        }
        body.put("message", "influxd is not available").put("status", "fail");
        body.putArray("checks");
        return Reply.json(503, body.toString());
    }

    private static final List<String> REQUEST_HEADERS = List.of("Content-Type", "Content-Encoding", "Accept");
    private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "Content-Encoding",
            "X-Influxdb-Version", "X-Influxdb-Build", "X-Influxdb-Error", "Request-Id", "X-Request-Id");

    /** Passes a request on to influxd; 503 (no Retry-After) when influxd is stopped or unreachable. */
    private Reply forward(String method, String pathAndQuery, Headers headers, byte[] body) {
        HttpClient client = influxd.client();
        if (client == null) {
            return unavailable("influxd is not running");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(influxd.uri(pathAndQuery)).timeout(Duration.ofSeconds(60));
        for (String name : REQUEST_HEADERS) {
            String value = headers.getFirst(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        request.method(method, body.length == 0 && !"POST".equals(method)
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> out = new LinkedHashMap<>();
            for (String name : RESPONSE_HEADERS) {
                response.headers().firstValue(name).ifPresent(v -> out.put(name, v));
            }
            return new Reply(response.statusCode(), out, response.body() == null ? new byte[0] : response.body());
        } catch (IOException e) {
            return unavailable("influxd is unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted");
        }
    }

    private static Reply unavailable(String message) {
        Reply reply = Reply.json(503, v2Error(503, message));
        reply.headers().put("X-Sweep-Adapter", "unavailable");
        return reply;
    }

    /** influxd's {@code {"error": msg}} as InfluxDB 2.x's {@code {"code": .., "message": msg}}. */
    private static Reply asV2Error(Reply reply) {
        if (reply.headers().containsKey("X-Sweep-Adapter")) {
            return reply;
        }
        String message = new String(reply.body(), StandardCharsets.UTF_8).trim();
        try {
            JsonNode node = JSON.readTree(message);
            if (node != null && node.hasNonNull("error")) {
                message = node.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: keep the text
        }
        if (message.isEmpty()) {
            message = reply.headers().getOrDefault("X-Influxdb-Error", "HTTP " + reply.status());
        }
        Reply converted = Reply.json(reply.status(), v2Error(reply.status(), message));
        reply.headers().forEach((k, v) -> {
            if (!k.equals("Content-Type") && !k.equals("Content-Encoding")) {
                converted.headers().put(k, v);
            }
        });
        return converted;
    }

    private static String v2Error(int status, String message) {
        String code = switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 409 -> "conflict";
            case 413 -> "request too large";
            case 422 -> "unprocessable entity";
            case 429 -> "too many requests";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal error" : "invalid";
        };
        return JSON.createObjectNode().put("code", code).put("message", message).toString();
    }

    private static Reply methodNotAllowed(HttpExchange exchange) {
        return Reply.json(405, v2Error(405, "method " + exchange.getRequestMethod() + " not allowed on "
                + exchange.getRequestURI().getPath()));
    }

    private static boolean methodIs(HttpExchange exchange, String... methods) {
        for (String m : methods) {
            if (m.equalsIgnoreCase(exchange.getRequestMethod())) {
                return true;
            }
        }
        return false;
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        Headers out = exchange.getResponseHeaders();
        reply.headers().forEach((k, v) -> {
            if (!k.equals("X-Sweep-Adapter")) {
                out.set(k, v);
            }
        });
        boolean noBody = reply.body().length == 0 || reply.status() == 204 || reply.status() == 304
                || "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
        exchange.sendResponseHeaders(reply.status(), noBody ? -1 : reply.body().length);
        if (!noBody) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(reply.body());
            }
        }
    }

    private static String rawQuerySuffix(HttpExchange exchange) {
        String raw = exchange.getRequestURI().getRawQuery();
        return raw == null || raw.isEmpty() ? "" : "?" + raw;
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(key, value);
        }
        return params;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

}
