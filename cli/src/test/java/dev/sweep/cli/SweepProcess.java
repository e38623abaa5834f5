package dev.sweep.cli;

import dev.sweep.schemas.LocalMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code sweep} command in a JVM of its own, started as {@code ./sweep} starts it (the script's
 * {@code JAVA_DEFAULTS}, then the test's heap), with this test's class path and its output in a file. It dies
 * with the test's JVM ({@link LocalMachine#startChild}), and {@link #close()} kills it if it still runs.
 */
final class SweepProcess implements AutoCloseable {
    final Process process;
    final Path log;

    private SweepProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The JVM options {@code ./sweep} gives every command (its JAVA_DEFAULTS). */
    static List<String> launcherOptions() {
        try {
            String script = Files.readString(Deployment.ROOT.resolve("sweep"));
            Matcher m = Pattern.compile("(?m)^JAVA_DEFAULTS=\\((.*)\\)$").matcher(script);
            if (!m.find()) {
                throw new IllegalStateException("./sweep has no JAVA_DEFAULTS=(...)");
            }
            return List.of(m.group(1).trim().split("\\s+"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SweepProcess start(Path log, String heap, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launcherOptions());
        command.add("-Xmx" + heap);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Sweep.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process p = LocalMachine.startChild(builder);
        p.getOutputStream().close();
        return new SweepProcess(p, log);
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line of /proc/PID/status in KiB (VmHWM: the peak resident memory), or -1 once it is gone. */
    long statusKiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    /** What {@code jcmd PID command} prints (GC.heap_info: the heap's size and use), or "" when it cannot tell. */
    String jcmd(String command) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) ? out : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** SIGTERM, as a supervisor stops it; true if it exited within {@code patience}. */
    boolean terminate(Duration patience) throws InterruptedException {
        process.destroy();
        return process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
