package dev.sweep.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sweep.schemas.LocalMachine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One part of the bench in a process of its own: its stdout read line by line (every line also goes to its
 * log file, with its stderr), commands written to its stdin, and its CPU time sampled from the kernel
 * ({@link ProcessHandle.Info#totalCpuDuration()}) every {@value #SAMPLE_MS} ms while it lives, so a part
 * that exits on its own still has a figure. It dies with the bench ({@link LocalMachine#startChild}).
 * A bench part answers with lines {@code @bench EVENT JSON}, read into typed records by {@link #await}.
 * State: the process, the lines it printed that nobody took yet, its last CPU sample.
 */
final class ChildProcess implements AutoCloseable {
    static final String ANSWER = "@bench ";
    static final int SAMPLE_MS = 200;
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final ScheduledExecutorService SAMPLER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-cpu-sampler");
        t.setDaemon(true);
        return t;
    });
    private static final String EOF = "\u0000eof";

    private final String name;
    private final Process process;
    private final Path log;
    private final Writer logWriter;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final long startedNanos = System.nanoTime();
    private volatile Duration cpu = Duration.ZERO;
    private volatile long endedNanos = -1;

    private ChildProcess(String name, Process process, Path log, Writer logWriter) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.logWriter = logWriter;
    }

    /** Starts {@code command}; its stderr and every stdout line go to {@code log}. */
    static ChildProcess start(String name, List<String> command, Path log) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // The stations' key as the simulator's default: the bench replays the same campaign in-process.
            builder.environment().remove("SWEEP_STATION_KEY");
            Process p = LocalMachine.startChild(builder);
            Writer w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            ChildProcess child = new ChildProcess(name, p, log, w);
            child.follow();
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts a part and returns what {@code ready} makes of it once it serves (it waits for the part's ready
     * line); a part that does not come up is stopped, and the error names it.
     */
    static <T> T startReady(String name, List<String> command, Path log, Function<ChildProcess, T> ready) {
        ChildProcess p = start(name, command, log);
        try {
            return ready.apply(p);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void follow() {
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                    synchronized (logWriter) {
                        logWriter.write(line);
                        logWriter.write('\n');
                        logWriter.flush();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            } finally {
                lines.add(EOF);
            }
        }, "bench-" + name + "-out");
        reader.setDaemon(true);
        reader.start();
        SAMPLER.schedule(this::sample, SAMPLE_MS, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        if (process.isAlive()) {
            process.info().totalCpuDuration().ifPresent(d -> cpu = d);
            SAMPLER.schedule(this::sample, SAMPLE_MS, TimeUnit.MILLISECONDS);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    /** Waits for a stdout line starting with {@code prefix} (earlier lines are skipped) and returns the rest of it. */
    String awaitLine(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw failure("gave no '" + prefix.trim() + "' within " + timeout.toSeconds() + " s");
                }
                if (line.equals(EOF)) {
                    lines.add(EOF);
                    throw failure("ended (exit " + exitCode() + ") before '" + prefix.trim() + "'");
                }
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /**
     * Waits for the answer {@code @bench EVENT JSON} and reads it as {@code type}; an answer {@code @bench
     * failed MESSAGE} ends the wait with the part's message.
     */
    <T> T await(String event, Class<T> type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String answer = awaitLine(ANSWER, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            int space = answer.indexOf(' ');
            String got = space < 0 ? answer : answer.substring(0, space);
            String body = space < 0 ? "{}" : answer.substring(space + 1);
            if (got.equals("failed")) {
                throw failure("failed: " + body);
            }
            if (got.equals(event)) {
                try {
                    return JSON.readValue(body, type);
                } catch (IOException e) {
                    throw new IllegalStateException(name + " answered '" + event + "' with what is not a "
                            + type.getSimpleName() + ": " + body, e);
                }
            }
        }
    }

    /** Writes one command line to the part's stdin. */
    void send(String command) {
        try {
            process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw failure("did not take '" + command + "': " + e.getMessage());
        }
    }

    /** CPU time the process has used: read now while it lives, else the last sample before it ended. */
    Duration cpu() {
        if (process.isAlive()) {
            process.info().totalCpuDuration().ifPresent(d -> cpu = d);
        }
        return cpu;
    }

    /** Its resident memory (VmRSS of /proc/PID/status), or -1 where the OS does not say or it is gone. */
    long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return -1;
    }

    /** Seconds from its start to its end (or to now while it lives). */
    double wallSeconds() {
        long end = endedNanos >= 0 ? endedNanos : process.isAlive() ? System.nanoTime() : markEnded();
        return (end - startedNanos) / 1e9;
    }

    private long markEnded() {
        endedNanos = System.nanoTime();
        return endedNanos;
    }

    /** Waits for it to exit on its own; its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw failure("did not end within " + timeout.toSeconds() + " s");
            }
            markEnded();
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /** Closes its stdin (a part that reads commands then ends), waits up to {@code patience}, then stops it. */
    void endInput(Duration patience) {
        cpu();
        try {
            process.getOutputStream().close();
            process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            // gone already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(Duration.ofSeconds(10));
    }

    /**
     * Samples its CPU time, then asks it to end (SIGTERM, as a supervisor stops it: its shutdown hooks run)
     * and kills it if it has not ended within {@code patience}.
     */
    void stop(Duration patience) {
        cpu();
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(30, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            if (endedNanos < 0) {
                markEnded();
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
        synchronized (logWriter) {
            try {
                logWriter.close();
            } catch (IOException e) {
                // nothing to keep
            }
        }
    }

    private int exitCode() {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** An error naming the part, with the end of its log. */
    IllegalStateException failure(String what) {
        return new IllegalStateException(name + " " + what + "; the end of its log (" + log + "):\n" + tail(30));
    }

    /** The last {@code n} lines of its log. */
    String tail(int n) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
