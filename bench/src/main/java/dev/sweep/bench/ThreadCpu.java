package dev.sweep.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads by name, as the kernel counts it ({@code /proc/self/task/TID/stat}: user +
 * system ticks, 100 a second), so the JVM's own threads the Java API hides are counted too: the JIT
 * compilers, the GC. Threads of one name (the kernel keeps 15 characters: "C2 CompilerThre", "GC Thread#0",
 * a Flink task's "site minutes ->") are summed. Where there is no /proc it finds nothing. Stateless.
 */
final class ThreadCpu {
    private static final double TICKS_PER_SECOND = 100;
    /** The JIT compilers' threads: their CPU is the JVM's warm-up, not the job's work per record. */
    static final String JIT = "CompilerThre";

    private ThreadCpu() {}

    /** Seconds of CPU per thread name, now. */
    static Map<String, Double> now() {
        Map<String, Double> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String[] f = stat.substring(close + 2).split(" ");
                    // after "(comm) ": state is field 3 of stat, so utime (14) and stime (15) are f[11] and f[12]
                    double seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                    out.merge(stat.substring(open + 1, close), seconds, Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** What each thread name used from {@code before} to {@code after}, most first, the names under 0.05 s left out. */
    static Map<String, Double> between(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() >= 0.05)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * 100) / 100.0));
        return out;
    }

    /** The JIT compilers' share of {@code used}. */
    static double jit(Map<String, Double> used) {
        return used.entrySet().stream().filter(e -> e.getKey().contains(JIT)).mapToDouble(Map.Entry::getValue).sum();
    }
}
