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
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real InfluxDB for tests: Debian's {@code influxd} (1.6.x) as a child process with its own
 * config and temp dirs, behind a small HTTP adapter that speaks InfluxDB 2.x's write endpoint.
 *
 * <p>influxd 1.6 answers InfluxQL on {@code /query} and line protocol on {@code /write}, but not
 * {@code /api/v2/write}, which influxdb-client-java uses (InfluxDB 1.8 added it). The adapter, on
 * {@link #url()}, maps {@code POST /api/v2/write?org=..&bucket=DB[/RP]&precision=ns|us|ms|s} to
 * {@code /write?db=DB&rp=RP&precision=n|u|ms|s} exactly as 1.8+ does for itself, passing the body
 * (also gzip-encoded bodies) through unchanged and answering with influxd's status (204 on success,
 * errors as 2.x JSON {@code {"code":..,"message":..}}). It also serves {@code /ping},
 * {@code /health}, {@code /query} (InfluxQL, passed through) and the v1 {@code /write} (passed
 * through), so one base URL works for every client. {@code Authorization} headers are ignored.
 *
 * <p>Faults: {@link #stop()} stops influxd (the adapter then answers 503 without Retry-After, as a
 * proxy in front of a dead server would), {@link #startAgain()} restarts it on the same data, and
 * {@link #failNextWrites(int, int)} makes the adapter refuse the next writes with a given status.
 *
 * <p>The influxd binary is {@code $SWEEP_INFLUXD} or {@code /usr/bin/influxd}. Temp dirs go under
 * {@code java.io.tmpdir} and are deleted by {@link #close()}. influxd never outlives the JVM: it is
 * destroyed by {@link #close()}, by a shutdown hook, and (on Linux, through {@code setpriv
 * --pdeathsig}) by the kernel if the JVM is killed.
 */
public final class InfluxServer implements AutoCloseable {

    /** The database created at start; the bucket name for 2.x clients. */
    public static final String DATABASE = "sweep";

    private static final Logger LOG = LoggerFactory.getLogger(InfluxServer.class);
    private static final String DEFAULT_INFLUXD = "/usr/bin/influxd";
    private static final String SETPRIV = "/usr/bin/setpriv";
    private static final String DIR_PREFIX = "sweep-influxd-";
    private static final String OWNER_FILE = "owner.pid";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_LAUNCH_ATTEMPTS = 6;
    private static final InetAddress LOOPBACK = loopback();
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Instances not closed yet: the shutdown hook reaps their influxd and temp dir. */
    private static final Set<InfluxServer> LIVE = ConcurrentHashMap.newKeySet();
    /** Ports handed out in this JVM, so two instances never pick the same one. */
    private static final Set<Integer> RESERVED_PORTS = ConcurrentHashMap.newKeySet();
    /**
     * influxd is always spawned from this one long-lived thread: the parent-death signal set by
     * setpriv fires when the spawning thread ends, so it must live as long as the JVM.
     */
    private static final ExecutorService LAUNCHER =
            Executors.newSingleThreadExecutor(daemonThreads("influxd-launcher"));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(InfluxServer::reapAll, "influxd-reaper"));
    }

    private final String influxd;
    private final Path dir;
    private final Path configFile;
    private final Path logFile;

    private final AtomicLong writeCount = new AtomicLong();
    private final AtomicLong writeRequests = new AtomicLong();
    private final AtomicLong gzipWrites = new AtomicLong();
    private final AtomicReference<FailPlan> failPlan = new AtomicReference<>(FailPlan.NONE);

    private volatile Process process;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile int httpPort;
    private volatile int rpcPort;
    /** A fresh client per influxd run, so no pooled connection to a dead influxd is reused. */
    private volatile HttpClient backend;

    private HttpServer adapter;
    private ExecutorService adapterThreads;
    private String url;

    private InfluxServer(String influxd) throws IOException {
        this.influxd = influxd;
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(tmp);
        deleteStaleDirs(tmp);
        this.dir = Files.createTempDirectory(tmp, DIR_PREFIX);
        Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        this.configFile = dir.resolve("influxd.conf");
        this.logFile = dir.resolve("influxd.log");
        for (String sub : List.of("meta", "data", "wal")) {
            Files.createDirectories(dir.resolve(sub));
        }
        LIVE.add(this);
    }

    /**
     * Starts influxd on free loopback ports, waits until it answers {@code /ping}, creates the
     * database {@value #DATABASE} and starts the adapter on another free port.
     *
     * @throws IllegalStateException if influxd is not installed or does not come up
     */
    public static InfluxServer start() {
        String binary = locateInfluxd();
        InfluxServer server;
        try {
            server = new InfluxServer(binary);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the temp dir for influxd", e);
        }
        try {
            server.launch(true);
            server.runQuery("CREATE DATABASE " + DATABASE, null);
            server.startAdapter();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("cannot start the InfluxDB v2 write adapter", e);
        }
        LOG.info("InfluxDB for tests at {} (influxd 127.0.0.1:{}, dir {})", server.url, server.httpPort, server.dir);
        return server;
    }

    /** Base URL of the adapter, e.g. {@code http://127.0.0.1:41234}: point InfluxDB clients here. */
    public String url() {
        return url;
    }

    /** The database ({@value #DATABASE}), which is also the 2.x bucket name. */
    public String database() {
        return DATABASE;
    }

    /** Write requests that the adapter passed on to influxd and influxd answered (any status). */
    public long writeCount() {
        return writeCount.get();
    }

    /** Every write request the adapter received, including refused and injected-failure ones. */
    public long writeRequests() {
        return writeRequests.get();
    }

    /** Whether influxd is up (false between {@link #stop()} and {@link #startAgain()}). */
    public boolean isRunning() {
        return running;
    }

    /**
     * Makes the adapter answer the next {@code n} writes with {@code status} without passing them
     * on; a 429 carries {@code Retry-After: 1}. {@code n = 0} cancels pending failures.
     */
    public void failNextWrites(int n, int status) {
        failNextWrites(n, status, status == 429 ? 1 : 0);
    }

    /**
     * As {@link #failNextWrites(int, int)}, with {@code Retry-After: retryAfterSeconds} on each
     * failed answer ({@code <= 0}: no Retry-After header).
     */
    public void failNextWrites(int n, int status, int retryAfterSeconds) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0: " + n);
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an HTTP error (4xx/5xx): " + status);
        }
        failPlan.set(new FailPlan(n, status, retryAfterSeconds));
    }

    /**
     * Stops influxd (gracefully; its data stays). Until {@link #startAgain()} the adapter answers
     * every request that needs influxd with 503 and no Retry-After.
     */
    public synchronized void stop() {
        ensureOpen();
        running = false;
        destroy(process);
        process = null;
        LOG.info("influxd stopped (adapter {} now answers 503)", url);
    }

    /**
     * Restarts influxd on the same data dir, and on the same port when it is still free (else on
     * another one: {@link #url()} never changes). A no-op when influxd is running.
     */
    public synchronized void startAgain() {
        ensureOpen();
        if (running) {
            return;
        }
        launch(false);
        runQuery("CREATE DATABASE " + DATABASE, null);
        LOG.info("influxd started again behind {}", url);
    }

    /** Drops and recreates the database {@value #DATABASE}: a clean slate for the next test. */
    public void resetDatabase() {
        runQuery("DROP DATABASE " + DATABASE, null);
        runQuery("CREATE DATABASE " + DATABASE, null);
    }

    /**
     * Runs InfluxQL on database {@value #DATABASE} with {@code epoch=ms} and returns the rows of the
     * first statement: every series flattened, each row its tags (if grouped by tags) and then its
     * columns ({@code time} in epoch milliseconds). Integers come back as {@link Long}, floats as
     * {@link Double} (influxd writes a float with no fraction, such as 2.0, as {@code 2}, so that
     * reads back as a Long), strings and booleans as such. A statement without results (such as
     * {@code CREATE ...}) gives an empty list.
     *
     * @throws QueryException with influxd's message if the query fails
     */
    public List<Map<String, Object>> query(String influxQl) {
        return query(influxQl, "ms");
    }

    /**
     * As {@link #query(String)}, with timestamps in {@code epoch}: {@code ns}, {@code u},
     * {@code ms}, {@code s}, {@code m} or {@code h}; {@code null} gives RFC 3339 strings.
     */
    public List<Map<String, Object>> query(String influxQl, String epoch) {
        JsonNode result = firstResult(runQuery(influxQl, epoch), influxQl);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode series : result.path("series")) {
            Map<String, Object> tags = new LinkedHashMap<>();
            series.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), toJava(e.getValue())));
            List<String> columns = new ArrayList<>();
            series.path("columns").forEach(c -> columns.add(c.asText()));
            for (JsonNode values : series.path("values")) {
                Map<String, Object> row = new LinkedHashMap<>(tags);
                for (int i = 0; i < columns.size(); i++) {
                    row.put(columns.get(i), toJava(values.get(i)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * The single value of an InfluxQL query such as {@code SELECT count(scans) FROM site_throughput}:
     * the first column other than {@code time} of its only row, as a long; 0 when there is no row
     * (InfluxDB returns no series for an aggregate over nothing).
     *
     * @throws QueryException if the query fails, returns more than one row or a non-integral value
     */
    public long count(String influxQl) {
        JsonNode result = firstResult(runQuery(influxQl, "ms"), influxQl);
        JsonNode series = result.path("series");
        if (series.isEmpty()) {
            return 0;
        }
        JsonNode values = series.get(0).path("values");
        if (series.size() > 1 || values.size() != 1) {
            throw new QueryException("expected a single value but got " + series.size() + " series, "
                    + values.size() + " rows in the first, for: " + influxQl);
        }
        JsonNode columns = series.get(0).path("columns");
        for (int i = 0; i < columns.size(); i++) {
            if (!"time".equals(columns.get(i).asText())) {
                JsonNode v = values.get(0).get(i);
                if (v == null || v.isNull()) {
                    return 0;
                }
                if (v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
                    return v.asLong();
                }
                throw new QueryException("not an integer: " + v + " for: " + influxQl);
            }
        }
        throw new QueryException("no value column in the result of: " + influxQl);
    }

    /** Stops the adapter, destroys influxd (and waits for it) and deletes the temp dir. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        if (adapter != null) {
            adapter.stop(0);
            adapterThreads.shutdownNow();
        }
        destroy(process);
        process = null;
        RESERVED_PORTS.remove(httpPort);
        RESERVED_PORTS.remove(rpcPort);
        deleteTree(dir);
        LIVE.remove(this);
    }

    @Override
    public String toString() {
        return "InfluxServer[url=" + url + ", influxd=127.0.0.1:" + httpPort + ", running=" + running
                + ", dir=" + dir + "]";
    }

    /** An InfluxQL error (influxd's message), or a result that does not fit the helper. */
    public static final class QueryException extends RuntimeException {
        public QueryException(String message) {
            super(message);
        }
    }

    // ---------------------------------------------------------------- for the tests of this module

    /** Writes that arrived gzip-encoded. */
    long gzipWriteCount() {
        return gzipWrites.get();
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    Path dir() {
        return dir;
    }

    int influxdPort() {
        return httpPort;
    }

    // ---------------------------------------------------------------- influxd process

    private static String locateInfluxd() {
        String env = System.getenv("SWEEP_INFLUXD");
        boolean fromEnv = env != null && !env.isBlank();
        Path binary = Path.of(fromEnv ? env.trim() : DEFAULT_INFLUXD);
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw new IllegalStateException("influxd not found at " + binary
                    + (fromEnv ? " (from SWEEP_INFLUXD)" : "")
                    + ": tests that need InfluxDB run a real influxd. Install Debian's influxdb package"
                    + " (apt-get install influxdb) or run ./sweep test, which installs it;"
                    + " SWEEP_INFLUXD may name another influxd 1.x binary.");
        }
        return binary.toString();
    }

    /** Starts influxd and waits until it answers; retries on other ports if one was taken. */
    private void launch(boolean freshPorts) {
        if (freshPorts || httpPort == 0) {
            pickPorts();
        }
        for (int attempt = 1; ; attempt++) {
            writeConfig();
            long logOffset = logSize();
            Process p = spawn();
            process = p;
            Readiness readiness = awaitReady(p);
            if (readiness == Readiness.READY) {
                backend = newBackendClient();
                running = true;
                return;
            }
            process = null;
            destroy(p);
            String log = logSince(logOffset);
            boolean portTaken = log.contains("address already in use");
            if (readiness == Readiness.EXITED && portTaken && attempt < MAX_LAUNCH_ATTEMPTS) {
                LOG.info("influxd could not bind 127.0.0.1:{} / 127.0.0.1:{} (taken); retrying on other ports",
                        httpPort, rpcPort);
                pickPorts();
                continue;
            }
            throw new IllegalStateException("influxd " + (readiness == Readiness.EXITED
                    ? "exited with status " + p.exitValue() : "did not answer /ping within " + READY_TIMEOUT)
                    + " (config " + configFile + ", log " + logFile + "):\n" + tail(log, 3000));
        }
    }

    private void pickPorts() {
        if (httpPort != 0) {
            RESERVED_PORTS.remove(httpPort);
        }
        if (rpcPort != 0) {
            RESERVED_PORTS.remove(rpcPort);
        }
        httpPort = reservePort();
        rpcPort = reservePort();
    }

    private static int reservePort() {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(LOOPBACK, 0));
                int port = socket.getLocalPort();
                if (RESERVED_PORTS.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("cannot find a free port on 127.0.0.1");
    }

    private void writeConfig() {
        String config = """
                # Written by dev.sweep.testkit.InfluxServer: loopback only, quiet, no other listeners.
                reporting-enabled = false
                bind-address = "127.0.0.1:%2$d"

                [meta]
                  dir = %3$s
                  retention-autocreate = true
                  logging-enabled = false

                [data]
                  dir = %4$s
                  wal-dir = %5$s
                  index-version = "inmem"
                  wal-fsync-delay = "0s"
                  query-log-enabled = false
                  trace-logging-enabled = false

                [retention]
                  enabled = true

                [shard-precreation]
                  enabled = false

                [monitor]
                  store-enabled = false

                [subscriber]
                  enabled = false

                [http]
                  enabled = true
                  bind-address = "127.0.0.1:%1$d"
                  auth-enabled = false
                  log-enabled = false
                  suppress-write-log = true
                  write-tracing = false
                  pprof-enabled = false
                  https-enabled = false
                  unix-socket-enabled = false
                  max-body-size = 25000000

                [logging]
                  format = "logfmt"
                  level = "warn"
                  suppress-logo = true

                [ifql]
                  enabled = false

                [[graphite]]
                  enabled = false

                [[collectd]]
                  enabled = false

                [[opentsdb]]
                  enabled = false

                [[udp]]
                  enabled = false

                [continuous_queries]
                  enabled = true
                  log-enabled = false
                """.formatted(httpPort, rpcPort, toml(dir.resolve("meta")), toml(dir.resolve("data")),
                toml(dir.resolve("wal")));
        try {
            Files.writeString(configFile, config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + configFile, e);
        }
    }

    private Process spawn() {
        List<String> command = new ArrayList<>();
        if (SetprivCheck.WORKS) {
            // The kernel sends SIGTERM to influxd when the JVM dies, even by SIGKILL.
            command.addAll(List.of(SETPRIV, "--pdeathsig", "TERM", "--"));
        }
        command.addAll(List.of(influxd, "run", "-config", configFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // influxd lets INFLUXDB_* variables override the config file: none may leak in.
        builder.environment().keySet().removeIf(k -> k.startsWith("INFLUXDB_"));
        try {
            Process p = LAUNCHER.submit(builder::start).get();
            p.getOutputStream().close();
            return p;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot start " + command, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting influxd", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code setpriv --pdeathsig} works here (util-linux 2.33+), checked once. */
    private static final class SetprivCheck {
        static final boolean WORKS = check();

        private static boolean check() {
            if (!Files.isExecutable(Path.of(SETPRIV))) {
                LOG.info("{} not found: influxd relies on the shutdown hook alone to die with the JVM", SETPRIV);
                return false;
            }
            try {
                Process p = new ProcessBuilder(SETPRIV, "--pdeathsig", "TERM", "--", "true")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private enum Readiness { READY, EXITED, TIMED_OUT }

    private Readiness awaitReady(Process p) {
        HttpClient client = newBackendClient();
        HttpRequest ping = HttpRequest.newBuilder(backendUri("/ping")).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                return Readiness.EXITED;
            }
            try {
                int status = client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                // The port answering is not enough: it must be our influxd that listens on it.
                if (status == 204 && p.isAlive() && listensOn(p.pid(), httpPort)) {
                    return Readiness.READY;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for influxd", e);
            }
            sleep(50);
        }
        return p.isAlive() ? Readiness.TIMED_OUT : Readiness.EXITED;
    }

    /** Linux: whether process {@code pid} owns a listening TCP socket on {@code port}. */
    private static boolean listensOn(long pid, int port) {
        Path tcp = Path.of("/proc/net/tcp");
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        if (!Files.isReadable(tcp) || !Files.isDirectory(fds)) {
            return true; // cannot tell: trust the liveness check
        }
        String suffix = String.format(Locale.ROOT, ":%04X", port);
        Set<String> inodes = new HashSet<>();
        try (Stream<String> lines = Files.lines(tcp)) {
            lines.skip(1).map(String::trim).map(l -> l.split("\\s+")).forEach(f -> {
                if (f.length > 9 && f[1].endsWith(suffix) && "0A".equals(f[3])) {
                    inodes.add(f[9]);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return true;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(fds)) {
            for (Path fd : stream) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        return true;
                    }
                } catch (IOException e) {
                    // fd closed meanwhile
                }
            }
        } catch (IOException e) {
            return true;
        }
        return false;
    }

    private static void destroy(Process p) {
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                LOG.warn("influxd (pid {}) ignored SIGTERM for 15 s; killing it", p.pid());
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Shutdown hook: no influxd and no temp dir outlives the JVM, whatever the tests forgot. */
    private static void reapAll() {
        for (InfluxServer server : LIVE) {
            server.running = false;
            Process p = server.process;
            if (p != null) {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        p.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
            deleteTree(server.dir);
        }
    }

    // ---------------------------------------------------------------- InfluxQL helper

    private JsonNode runQuery(String influxQl, String epoch) {
        if (!running) {
            throw new IllegalStateException("influxd is stopped (InfluxServer.stop()); call startAgain() first");
        }
        String form = "db=" + enc(DATABASE) + "&q=" + enc(influxQl) + (epoch == null ? "" : "&epoch=" + enc(epoch));
        HttpRequest request = HttpRequest.newBuilder(backendUri("/query"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response;
        try {
            response = backend.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("InfluxQL request to influxd failed: " + influxQl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new QueryException("influxd answered " + response.statusCode() + " with no JSON ("
                    + tail(response.body(), 500) + ") for: " + influxQl);
        }
        if (body.hasNonNull("error")) {
            throw new QueryException(body.get("error").asText() + " (query: " + influxQl + ")");
        }
        if (response.statusCode() != 200) {
            throw new QueryException("influxd answered " + response.statusCode() + " for: " + influxQl);
        }
        return body;
    }

    private static JsonNode firstResult(JsonNode body, String influxQl) {
        JsonNode result = body.path("results").path(0);
        if (result.hasNonNull("error")) {
            throw new QueryException(result.get("error").asText() + " (query: " + influxQl + ")");
        }
        return result;
    }

    private static Object toJava(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            BigInteger big = v.bigIntegerValue();
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        return v.toString();
    }

    // ---------------------------------------------------------------- the adapter

    private void startAdapter() throws IOException {
        adapter = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 64);
        adapterThreads = Executors.newCachedThreadPool(daemonThreads("influx-adapter"));
        adapter.setExecutor(adapterThreads);
        adapter.createContext("/", this::handle);
        adapter.start();
        url = "http://127.0.0.1:" + adapter.getAddress().getPort();
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
        HttpClient client = backend;
        if (!running || client == null) {
            return unavailable("influxd is not running");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(backendUri(pathAndQuery)).timeout(Duration.ofSeconds(60));
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

    // ---------------------------------------------------------------- small helpers

    private URI backendUri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + httpPort + pathAndQuery);
    }

    private static HttpClient newBackendClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
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

    private static String toml(Path path) {
        return "\"" + path.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private long logSize() {
        try {
            return Files.exists(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        try {
            byte[] all = Files.exists(logFile) ? Files.readAllBytes(logFile) : new byte[0];
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("InfluxServer is closed");
        }
    }

    /** Temp dirs left by a JVM that was killed (no shutdown hook ran): their owner is gone. */
    private static void deleteStaleDirs(Path tmp) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path stale : dirs) {
                Path owner = stale.resolve(OWNER_FILE);
                try {
                    long pid = Long.parseLong(Files.readString(owner).trim());
                    if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                        LOG.info("deleting {}, left by a JVM (pid {}) that is gone", stale, pid);
                        deleteTree(stale);
                    }
                } catch (IOException | NumberFormatException e) {
                    // no owner written yet (being created), or not ours: leave it
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", tmp, e.toString());
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            Iterator<Path> it = paths.sorted(Comparator.reverseOrder()).iterator();
            while (it.hasNext()) {
                Files.deleteIfExists(it.next());
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not delete {}: {}", root, e.toString());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
