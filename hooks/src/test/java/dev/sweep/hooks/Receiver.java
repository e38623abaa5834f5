package dev.sweep.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sweep.hooks.page.HeaderText;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A real HTTP endpoint on 127.0.0.1 standing in for a service (a WeCom or DingTalk robot, Slack, a
 * webhook receiver): it answers each request with {@code answer} and records every request it took.
 */
final class Receiver implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request as the service saw it; {@code at} on the wall clock, {@code nanos} on the dispatcher's monotonic
     * clock (System.nanoTime, the clock its rate limiter and backoff count on).
     */
    record Request(String method, String path, String rawQuery, Headers headers, byte[] body, long at, long nanos) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.getFirst(name);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The query's parameters, URL-decoded as a web framework hands them to the service. */
        Map<String, String> query() {
            Map<String, String> out = new HashMap<>();
            if (rawQuery == null) {
                return out;
            }
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
            return out;
        }

        /** The alert keys of the request's X-Sweep-Alert-Keys header (none when a big page leaves it out). */
        List<String> alertKeys() {
            String h = header("X-Sweep-Alert-Keys");
            return h == null ? List.of() : HeaderText.parseKeyList(h);
        }

        /** How many alerts the page holds (X-Sweep-Alert-Count). */
        int alertCount() {
            return Integer.parseInt(header("X-Sweep-Alert-Count"));
        }
    }

    record Reply(int status, String body, Map<String, String> headers) {
        static Reply ok(String body) {
            return new Reply(200, body, Map.of());
        }

        static Reply status(int status, String body) {
            return new Reply(status, body, Map.of());
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private Receiver(HttpServer server) {
        this.server = server;
    }

    /** On a free port. */
    static Receiver start(Function<Request, Reply> answer) {
        return start(0, answer);
    }

    /** On {@code port} (0 = a free one). */
    static Receiver start(int port, Function<Request, Reply> answer) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            Receiver r = new Receiver(server);
            server.createContext("/", exchange -> r.handle(exchange, answer));
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port, e);
        }
    }

    /** A port nothing listens on (yet): connections to it are refused. */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange, Function<Request, Reply> answer) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body, System.currentTimeMillis(),
                    System.nanoTime());
            Reply reply;
            try {
                reply = answer.apply(request);
            } catch (RuntimeException e) {
                reply = Reply.status(500, "receiver failed: " + e);
            }
            requests.add(request);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", reply.body().startsWith("{") ? "application/json" : "text/plain");
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    /** Waits until {@code condition} holds, failing after {@code limit} with {@code what}. */
    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
