package dev.sweep.board.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sweep.board.state.BoardView;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The board's HTTP side, read-only: the page and its scripts, uPlot from its webjar, the event
 * stream ({@code /events}), and the figures as JSON ({@code /api/summary}, {@code /api/board}).
 * Anything but GET or HEAD is refused.
 */
public final class BoardServer implements AutoCloseable {
    /** Browsers at once; each holds a thread while its stream is open. */
    static final int MAX_BROWSERS = 64;
    private static final String PAGE_ROOT = "dev/sweep/board/web/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final HttpServer http;
    private final ExecutorService threads;
    private final UpdateStream stream;
    private final BoardView.Campaign campaign;
    private final Supplier<BoardView> picture;
    private final String uplotRoot;

    /** @param picture the figures as they stand, for the JSON endpoints */
    public BoardServer(InetSocketAddress address, BoardView.Campaign campaign, Supplier<BoardView> picture)
            throws IOException {
        this.stream = new UpdateStream(campaign);
        this.campaign = campaign;
        this.picture = picture;
        this.uplotRoot = "META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "board-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpServer.create(address, 64);
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** Sends the picture to the browsers (null while the board is not live). */
    public void publish(String status, BoardView view) {
        stream.publish(status, view);
    }

    public int browsers() {
        return stream.browsers();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "the board is read-only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/", "/index.html" -> resource(ex, PAGE_ROOT + "index.html");
                case "/board.js", "/board.css", "/favicon.svg" -> resource(ex, PAGE_ROOT + path.substring(1));
                case "/uplot/uPlot.iife.min.js", "/uplot/uPlot.min.css" ->
                        resource(ex, uplotRoot + path.substring("/uplot/".length()));
                case "/api/summary" -> json(ex, Json.write(Summary.of(campaign, picture.get())));
                case "/api/board" -> json(ex, Json.write(new UpdateStream.Snapshot(campaign, picture.get())));
                case "/events" -> events(ex);
                default -> send(ex, 404, "text/plain; charset=utf-8",
                        ("no such page: " + path + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void events(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, -1);
            return;
        }
        if (stream.browsers() >= MAX_BROWSERS) {
            send(ex, 503, "text/plain; charset=utf-8", "too many browsers\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Accel-Buffering", "no");
        ex.sendResponseHeaders(200, 0);
        BrowserLink link = new BrowserLink();
        stream.join(link);
        try (OutputStream out = ex.getResponseBody()) {
            link.serve(out);
        } catch (IOException e) {
            // the browser went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            link.close();
        }
    }

    private void resource(HttpExchange ex, String name) throws IOException {
        byte[] body;
        try (InputStream in = BoardServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                send(ex, 404, "text/plain; charset=utf-8", ("missing " + name + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            body = in.readAllBytes();
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        send(ex, 200, TYPES.getOrDefault(ext, "application/octet-stream"), body);
    }

    private static void json(HttpExchange ex, String json) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        send(ex, 200, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    /** The version of a webjar on the classpath, from its Maven metadata (so the pom names it once). */
    static String webjarVersion(String artifact) {
        String name = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = BoardServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the " + artifact + " webjar is not on the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stream.closeAll();
        http.stop(0);
        threads.shutdownNow();
    }
}
