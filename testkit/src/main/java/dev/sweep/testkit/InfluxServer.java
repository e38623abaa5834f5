package dev.sweep.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real InfluxDB for tests and the bench: Debian's {@code influxd} (1.6.x) as a child process with its
 * own config and temp dirs ({@link Influxd}), behind a small HTTP adapter that speaks InfluxDB 2.x's write
 * endpoint ({@link WriteAdapter}: influxd 1.6 lacks {@code /api/v2/write}, which influxdb-client-java
 * uses), with InfluxQL helpers for comparing what landed ({@link InfluxQl}).
 *
 * <p>Faults: {@link #stop()} stops influxd (the adapter then answers 503), {@link #startAgain()} restarts it
 * on the same data, and {@link #failNextWrites(int, int)} makes the adapter refuse the next writes.
 *
 * <p>The influxd binary is {@code $SWEEP_INFLUXD} or {@code /usr/bin/influxd}. Temp dirs go under
 * {@code java.io.tmpdir} and are deleted by {@link #close()}; influxd never outlives the JVM.
 * {@link #main} runs one in a process of its own (the bench does), printing its URL and taking stop and
 * start on stdin.
 */
public final class InfluxServer implements AutoCloseable {
    /** The database created at start; the bucket name for 2.x clients. */
    public static final String DATABASE = "sweep";

    private static final Logger LOG = LoggerFactory.getLogger(InfluxServer.class);

    private final Influxd influxd;
    private final InfluxQl influxQl;
    private WriteAdapter adapter;
    private volatile boolean closed;

    private InfluxServer(Influxd influxd) {
        this.influxd = influxd;
        this.influxQl = new InfluxQl(influxd, DATABASE);
    }

    /**
     * Starts influxd on free loopback ports, waits until it answers {@code /ping}, creates the
     * database {@value #DATABASE} and starts the adapter on another free port.
     *
     * @throws IllegalStateException if influxd is not installed or does not come up
     */
    public static InfluxServer start() {
        InfluxServer server;
        try {
            server = new InfluxServer(new Influxd());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the temp dir for influxd", e);
        }
        try {
            server.influxd.start(true);
            server.influxQl.runQuery("CREATE DATABASE " + DATABASE, null);
            server.adapter = new WriteAdapter(server.influxd);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("cannot start the InfluxDB v2 write adapter", e);
        }
        LOG.info("InfluxDB at {} (influxd 127.0.0.1:{}, dir {})", server.url(), server.influxd.port(), server.influxd.dir());
        return server;
    }

    /** Base URL of the adapter, e.g. {@code http://127.0.0.1:41234}: point InfluxDB clients here. */
    public String url() {
        return adapter.url();
    }

    /** The database ({@value #DATABASE}), which is also the 2.x bucket name. */
    public String database() {
        return DATABASE;
    }

    /** Write requests that the adapter passed on to influxd and influxd answered (any status). */
    public long writeCount() {
        return adapter.writeCount();
    }

    /** Every write request the adapter received, including refused and injected-failure ones. */
    public long writeRequests() {
        return adapter.writeRequests();
    }

    /** Whether influxd is up (false between {@link #stop()} and {@link #startAgain()}). */
    public boolean isRunning() {
        return influxd.isRunning();
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
        adapter.failNextWrites(n, status, retryAfterSeconds);
    }

    /**
     * Stops influxd (gracefully; its data stays). Until {@link #startAgain()} the adapter answers
     * every request that needs influxd with 503 and no Retry-After.
     */
    public synchronized void stop() {
        ensureOpen();
        influxd.stop();
        LOG.info("influxd stopped (adapter {} now answers 503)", url());
    }

    /**
     * Restarts influxd on the same data dir, and on the same port when it is still free (else on
     * another one: {@link #url()} never changes). A no-op when influxd is running.
     */
    public synchronized void startAgain() {
        ensureOpen();
        if (influxd.isRunning()) {
            return;
        }
        influxd.start(false);
        influxQl.runQuery("CREATE DATABASE " + DATABASE, null);
        LOG.info("influxd started again behind {}", url());
    }

    /** Drops and recreates the database {@value #DATABASE}: a clean slate for the next test. */
    public void resetDatabase() {
        influxQl.runQuery("DROP DATABASE " + DATABASE, null);
        influxQl.runQuery("CREATE DATABASE " + DATABASE, null);
    }

    /**
     * Runs InfluxQL on database {@value #DATABASE} with {@code epoch=ms} and returns the rows of the first
     * statement: every series flattened, each row its tags and then its columns ({@code time} in epoch ms).
     * Integers come back as {@link Long}, floats as {@link Double} (a float with no fraction, such as 2.0,
     * comes back as a Long).
     *
     * @throws QueryException with influxd's message if the query fails
     */
    public List<Map<String, Object>> query(String influxQl) {
        return this.influxQl.query(influxQl);
    }

    /** As {@link #query(String)}, with timestamps in {@code epoch} ({@code ns, u, ms, s, m, h}; null: RFC 3339). */
    public List<Map<String, Object>> query(String influxQl, String epoch) {
        return this.influxQl.query(influxQl, epoch);
    }

    /**
     * The single value of a query such as {@code SELECT count(scans) FROM site_throughput}, as a long; 0
     * when there is no row.
     *
     * @throws QueryException if the query fails, returns more than one row or a non-integral value
     */
    public long count(String influxQl) {
        return this.influxQl.count(influxQl);
    }

    /** Stops the adapter, destroys influxd (and waits for it) and deletes the temp dir. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (adapter != null) {
            adapter.close();
        }
        influxd.close();
    }

    @Override
    public String toString() {
        return "InfluxServer[url=" + (adapter == null ? null : adapter.url()) + ", influxd=127.0.0.1:" + influxd.port()
                + ", running=" + influxd.isRunning() + ", dir=" + influxd.dir() + "]";
    }

    /** An InfluxQL error (influxd's message), or a result that does not fit the helper. */
    public static final class QueryException extends RuntimeException {
        public QueryException(String message) {
            super(message);
        }
    }

    /**
     * Runs one InfluxServer in this process until stdin closes or the process is stopped: prints
     * {@code influx: <url>} when it is ready. The bench runs InfluxDB like this, apart from the job, and
     * stages outages through stdin: a line {@code stop} stops influxd ({@link #stop()}: the adapter answers
     * 503), {@code start} starts it again on the same data ({@link #startAgain()}); each is answered with
     * {@code influx: stopped} or {@code influx: started} once done.
     */
    public static void main(String[] args) throws IOException {
        try (InfluxServer influx = start();
             BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            Runtime.getRuntime().addShutdownHook(new Thread(influx::close, "influx-shutdown"));
            System.out.println("influx: " + influx.url());
            System.out.flush();
            for (String line = commands.readLine(); line != null; line = commands.readLine()) {
                switch (line.trim()) {
                    case "stop" -> {
                        influx.stop();
                        System.out.println("influx: stopped");
                    }
                    case "start" -> {
                        influx.startAgain();
                        System.out.println("influx: started");
                    }
                    default -> System.out.println("influx: unknown command '" + line.trim() + "' (stop, start)");
                }
                System.out.flush();
            }
        }
    }

    // ---------------------------------------------------------------- for the tests of this module

    /** Writes that arrived gzip-encoded. */
    long gzipWriteCount() {
        return adapter.gzipWriteCount();
    }

    long pid() {
        return influxd.pid();
    }

    Path dir() {
        return influxd.dir();
    }

    int influxdPort() {
        return influxd.port();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("InfluxServer is closed");
        }
    }
}
