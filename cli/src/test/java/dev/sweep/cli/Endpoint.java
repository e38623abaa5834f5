package dev.sweep.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP endpoint on 127.0.0.1 (a free port) that behaves as {@code behaviour} says, well or badly, and
 * records every request it got: when, the idempotency key, the body, and whether it answered with a 2xx.
 */
final class Endpoint implements AutoCloseable {

    /** One request as the endpoint saw it; {@code answered} is set once a 2xx went out whole. Keys are printable ASCII here. */
    static final class Request {
        final String path;
        final String query;
        final String key;
        /** Every alert key of the page (X-Sweep-Alert-Keys). */
        final List<String> keys = new ArrayList<>();
        final String body;
        final long at = System.nanoTime();
        volatile boolean answered;
        volatile long closedAfterMillis = -1;

        Request(HttpExchange ex, String body) {
            this.path = ex.getRequestURI().getPath();
            this.query = ex.getRequestURI().getRawQuery();
            this.key = ex.getRequestHeaders().getFirst("Idempotency-Key");
            this.body = body;
            String list = ex.getRequestHeaders().getFirst("X-Sweep-Alert-Keys");
            if (list != null) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(list);
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        }
    }

    interface Behaviour {
        void answer(HttpExchange ex, Request r) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "endpoint");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    Endpoint(Behaviour behaviour) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", ex -> {
            try (ex) {
                Request r = new Request(ex, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                requests.add(r);
                behaviour.answer(ex, r);
            } catch (IOException e) {
                // the dispatcher went away: the endpoint's answer did not arrive
            }
        });
        server.start();
    }

    /** Answers {@code status} with {@code body}, and notes a 2xx as answered once it is written. */
    static void reply(HttpExchange ex, Request r, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
        r.answered = status >= 200 && status < 300;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    List<Request> requests(String key) {
        return requests.stream().filter(r -> r.keys.contains(key)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
