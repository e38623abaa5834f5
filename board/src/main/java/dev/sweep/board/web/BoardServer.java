package dev.sweep.board.web;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sweep.board.BoardOptions;
import dev.sweep.board.state.BoardFrame;
import dev.sweep.board.state.BoardView;
import dev.sweep.board.state.Directory;
import dev.sweep.board.state.ViewKey;
import dev.sweep.campaign.Scenario;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The board's HTTP side, read-only: the page and its scripts, uPlot from its webjar, the event
 * stream ({@code /events?area=...}: see {@link UpdateStream}), a stream's view changed ({@code /api/view?stream=...}),
 * one area's view as JSON ({@code /api/view?area=...}), search ({@code /api/search?q=...}), and the figures as JSON
 * ({@code /api/summary}, {@code /api/board}). Anything but GET or HEAD is refused (changing the view of one's own
 * stream changes nothing of the board); no page may frame it; with a login, every request needs it (HTTP basic
 * auth: put TLS in front, see docs/operations.md).
 *
 * <p>Its limits hold under load: at most {@link #MAX_BROWSERS} event streams (admitted one by one, so a
 * crowd arriving at once cannot slip past the count), at most {@link #MAX_THREADS} requests served at once
 * (a bounded pool: more wait for a thread), at most {@link #MAX_CONNECTIONS} connections (more are closed at
 * once), and {@link #REQUEST_SECONDS} s for a client to send its request (a slow partial request is cut off and
 * frees its thread). The last two are the JDK server's own settings, read once per JVM from system properties:
 * {@link #limits()} sets them unless the operator already has.
 */
public final class BoardServer implements AutoCloseable {
    /** Browsers at once; each holds a thread while its stream is open. */
    static final int MAX_BROWSERS = 64;
    /** Threads for everything else (the page, its files, the JSON), beside the browsers' streams. */
    static final int MAX_OTHER_REQUESTS = 16;
    static final int MAX_THREADS = MAX_BROWSERS + MAX_OTHER_REQUESTS;
    static final int MAX_CONNECTIONS = 2 * MAX_THREADS;
    static final int REQUEST_SECONDS = 10;
    /** Longest query string taken (a view's or a search's parameters are a few dozen characters). */
    static final int MAX_QUERY = 1024;

    static {
        limits();
    }
    private static final String PAGE_ROOT = "dev/sweep/board/web/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final HttpServer http;
    private final ThreadPoolExecutor threads;
    private final Semaphore streams = new Semaphore(MAX_BROWSERS);
    private final UpdateStream stream;
    private final BoardView.Campaign campaign;
    private final Scenario scenario;
    private final Directory directory;
    private final Supplier<BoardFrame> picture;
    private final Stats stats = new Stats();
    private final String uplotRoot;

    /**
     * @param picture the picture as it stands, for the JSON endpoints
     * @param login   the user and password every request must carry, or null
     */
    public BoardServer(InetSocketAddress address, BoardView.Campaign campaign, Scenario scenario, Directory directory,
                       Supplier<BoardFrame> picture, BoardOptions.Login login) throws IOException {
        this.stream = new UpdateStream(campaign, stats);
        this.campaign = campaign;
        this.scenario = scenario;
        this.directory = directory;
        this.picture = picture;
        this.uplotRoot = "META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(MAX_THREADS, MAX_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "board-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.allowCoreThreadTimeOut(true);
        this.http = HttpServer.create(address, 64);
        http.setExecutor(threads);
        HttpContext context = http.createContext("/", this::handle);
        if (login != null) {
            context.setAuthenticator(new Login(login));
        }
        http.start();
    }

    /**
     * Sets the JDK server's connection limit and request deadline (JVM-wide, read when the first server of the JVM
     * starts) unless they are set already. Called before any server starts: the board's class does it when loaded.
     */
    public static void limits() {
        setIfAbsent("sun.net.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
        setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** HTTP basic auth against the one login, compared in constant time. */
    private static final class Login extends BasicAuthenticator {
        private final byte[] user;
        private final byte[] password;

        Login(BoardOptions.Login login) {
            super("Sweep board", StandardCharsets.UTF_8);
            this.user = login.user().getBytes(StandardCharsets.UTF_8);
            this.password = login.password().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean checkCredentials(String u, String p) {
            boolean userOk = MessageDigest.isEqual(user, u.getBytes(StandardCharsets.UTF_8));
            boolean passwordOk = MessageDigest.isEqual(password, p.getBytes(StandardCharsets.UTF_8));
            return userOk & passwordOk;
        }
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** Sends the picture to the browsers, each its view (null while the board is not live). */
    public void publish(String status, BoardFrame frame) {
        stream.publish(status, frame);
    }

    /** What the event stream has cost so far. */
    public Stats stats() {
        return stats;
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
                case "/api/summary" -> json(ex, Json.write(Summary.of(picture.get())));
                case "/api/board" -> json(ex, Json.write(new WholeBoard(campaign, picture.get().whole())));
                case "/api/view" -> view(ex);
                case "/api/search" -> search(ex);
                case "/events" -> events(ex);
                default -> send(ex, 404, "text/plain; charset=utf-8",
                        ("no such page: " + path + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** {@code /api/board}: the campaign and the whole picture. */
    record WholeBoard(BoardView.Campaign campaign, BoardView board) {}

    /**
     * The request's query parameters (the first of each name), or null when it has answered the request: a query
     * too long (414) or not URL-encoded (400).
     */
    private static Map<String, String> parameters(HttpExchange ex) throws IOException {
        String raw = ex.getRequestURI().getRawQuery();
        Map<String, String> p = new HashMap<>();
        if (raw == null) {
            return p;
        }
        if (raw.length() > MAX_QUERY) {
            send(ex, 414, "text/plain; charset=utf-8", "query too long\n".getBytes(StandardCharsets.UTF_8));
            return null;
        }
        try {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                p.putIfAbsent(name, value);
            }
        } catch (IllegalArgumentException e) {
            send(ex, 400, "text/plain; charset=utf-8", "the query is not URL-encoded\n".getBytes(StandardCharsets.UTF_8));
            return null;
        }
        return p;
    }

    /** The view a query asks for, or null when it has answered the request (404 naming what does not exist, 400). */
    private ViewKey viewKey(HttpExchange ex, Map<String, String> p) throws IOException {
        try {
            return ViewKey.of(p, scenario);
        } catch (IllegalArgumentException e) {
            int code = e.getMessage().startsWith("area:") || e.getMessage().startsWith("site:") ? 404 : 400;
            send(ex, code, "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return null;
        }
    }

    /**
     * With {@code stream}: that event stream's view becomes the one asked for, and the view comes on the stream
     * (204; 404 when there is no such stream: the page reconnects; 429 when the page changes views too fast).
     * Without: the view as JSON.
     */
    private void view(HttpExchange ex) throws IOException {
        Map<String, String> p = parameters(ex);
        if (p == null) {
            return;
        }
        ViewKey key = viewKey(ex, p);
        if (key == null) {
            return;
        }
        String id = p.get("stream");
        if (id == null) {
            json(ex, Json.write(picture.get().view(key)));
            return;
        }
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        if (ex.getRequestMethod().equals("HEAD")) {
            send(ex, 204, "text/plain; charset=utf-8", new byte[0]);
            return;
        }
        switch (stream.view(id, key)) {
            case DONE -> send(ex, 204, "text/plain; charset=utf-8", new byte[0]);
            case NO_STREAM -> send(ex, 404, "text/plain; charset=utf-8", "no such stream\n".getBytes(StandardCharsets.UTF_8));
            case TOO_MANY -> {
                ex.getResponseHeaders().set("Retry-After", "1");
                send(ex, 429, "text/plain; charset=utf-8", "too many view changes\n".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private void search(HttpExchange ex) throws IOException {
        Map<String, String> p = parameters(ex);
        if (p != null) {
            json(ex, Json.write(directory.search(p.getOrDefault("q", ""))));
        }
    }

    private void events(HttpExchange ex) throws IOException {
        Map<String, String> p = parameters(ex);
        if (p == null) {
            return;
        }
        ViewKey key;
        try {
            key = ViewKey.of(p, scenario);
        } catch (IllegalArgumentException e) {
            // A stale link (an area of another campaign): the stream starts at the root, and the page, asking
            // /api/view for what its link says, learns why.
            key = ViewKey.root(scenario);
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, -1);
            return;
        }
        if (!streams.tryAcquire()) {
            ex.getResponseHeaders().set("Retry-After", "10");
            send(ex, 503, "text/plain; charset=utf-8", "too many browsers\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        BrowserLink link = new BrowserLink(key, stats);
        try {
            secure(ex);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Accel-Buffering", "no");
            ex.sendResponseHeaders(200, 0);
            stream.join(link);
            try (OutputStream out = ex.getResponseBody()) {
                link.serve(out);
            }
        } catch (IOException e) {
            // the browser went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            link.close();
            streams.release();
        }
    }

    /** Event streams open now. */
    int streamsOpen() {
        return MAX_BROWSERS - streams.availablePermits();
    }

    /** What every answer says: its type is as declared, no page may frame it, nothing is loaded from elsewhere. */
    private static void secure(HttpExchange ex) {
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.getResponseHeaders().set("X-Frame-Options", "DENY");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        ex.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
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
        secure(ex);
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
