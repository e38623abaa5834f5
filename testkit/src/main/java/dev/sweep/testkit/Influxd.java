package dev.sweep.testkit;

import dev.sweep.schemas.LocalMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One influxd (Debian's 1.6.x) as a child process: its config and temp dirs, free loopback ports, start
 * and readiness, stop, and a fresh HTTP client per run (no pooled connection to a dead influxd is reused).
 * influxd never outlives the JVM: it is destroyed by {@link #close()}, by a shutdown hook, and (on Linux,
 * through {@code setpriv --pdeathsig}) by the kernel if the JVM is killed.
 * State: the process, its ports, whether it runs.
 */
final class Influxd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Influxd.class);
    private static final String DEFAULT_INFLUXD = "/usr/bin/influxd";
    private static final String SETPRIV = "/usr/bin/setpriv";
    private static final String DIR_PREFIX = "sweep-influxd-";
    private static final String OWNER_FILE = "owner.pid";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_LAUNCH_ATTEMPTS = 6;

    /** Instances not closed yet: the shutdown hook reaps their influxd and temp dir. */
    private static final Set<Influxd> LIVE = ConcurrentHashMap.newKeySet();
    /**
     * influxd is always spawned from this one long-lived thread: the parent-death signal set by
     * setpriv fires when the spawning thread ends, so it must live as long as the JVM.
     */
    private static final ExecutorService LAUNCHER =
            Executors.newSingleThreadExecutor(daemonThreads("influxd-launcher"));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Influxd::reapAll, "influxd-reaper"));
    }

    private final String influxd;
    private final Path dir;
    private final Path configFile;
    private final Path logFile;
    private volatile Process process;
    private volatile boolean running;
    private volatile int httpPort;
    private volatile int rpcPort;
    private volatile HttpClient client;

    /** A new influxd (not started) in a fresh temp dir under java.io.tmpdir. */
    Influxd() throws IOException {
        this.influxd = locateInfluxd();
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

    boolean isRunning() {
        return running;
    }

    /** The client for the current run, or null while influxd is stopped. */
    HttpClient client() {
        return running ? client : null;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + httpPort + pathAndQuery);
    }

    int port() {
        return httpPort;
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    Path dir() {
        return dir;
    }

    /** Stops influxd gracefully; its data stays for {@link #start(boolean)}. */
    void stop() {
        running = false;
        destroy(process);
        process = null;
    }

    /** Destroys influxd, waits for it, frees its ports and deletes its temp dir. */
    @Override
    public void close() {
        stop();
        LocalMachine.release(httpPort);
        LocalMachine.release(rpcPort);
        deleteDir(dir);
        LIVE.remove(this);
    }

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
    void start(boolean freshPorts) {
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
                client = newBackendClient();
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
            LocalMachine.release(httpPort);
        }
        if (rpcPort != 0) {
            LocalMachine.release(rpcPort);
        }
        httpPort = LocalMachine.freePort();
        rpcPort = LocalMachine.freePort();
    }

    private void writeConfig() {
        String config = """
                # Written by dev.sweep.testkit.Influxd: loopback only, quiet, no other listeners.
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
        HttpRequest ping = HttpRequest.newBuilder(uri("/ping")).timeout(Duration.ofSeconds(2)).GET().build();
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

    private static HttpClient newBackendClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Shutdown hook: no influxd and no temp dir outlives the JVM, whatever the tests forgot. */
    private static void reapAll() {
        for (Influxd server : LIVE) {
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
            deleteDir(server.dir);
        }
    }

    private static void deleteDir(Path dir) {
        try {
            LocalMachine.deleteTree(dir);
        } catch (UncheckedIOException e) {
            LOG.warn("could not delete {}: {}", dir, e.getMessage());
        }
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

    /** Temp dirs left by a JVM that was killed (no shutdown hook ran): their owner is gone. */
    private static void deleteStaleDirs(Path tmp) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path stale : dirs) {
                Path owner = stale.resolve(OWNER_FILE);
                try {
                    long pid = Long.parseLong(Files.readString(owner).trim());
                    if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                        LOG.info("deleting {}, left by a JVM (pid {}) that is gone", stale, pid);
                        LocalMachine.deleteTree(stale);
                    }
                } catch (IOException | NumberFormatException e) {
                    // no owner written yet (being created), or not ours: leave it
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", tmp, e.toString());
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

}
