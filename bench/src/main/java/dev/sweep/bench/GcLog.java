package dev.sweep.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM's heap as its own GC log tells it ({@code -Xlog:gc,gc+heap+exit}): the most heap it used (before
 * a collection, or at its exit) and the most it still held after one (its live set at its busiest). Read
 * after the JVM ended, so the figure costs the child nothing but the log. Stateless.
 */
final class GcLog {
    /** "... Pause Young (Normal) (G1 Evacuation Pause) 23M->4M(256M) 2.345ms" */
    private static final Pattern PAUSE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\)");
    /** "[gc,heap,exit] garbage-first heap   total 262144K, used 23456K [0x..." */
    private static final Pattern EXIT = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");

    private GcLog() {}

    /** Heap in bytes: the most used, the most held after a collection (0 when none ran), collections. */
    record Heap(long peakUsedBytes, long maxAfterGcBytes, int collections) {}

    /** The JVM option that writes the log {@link #read} reads. */
    static String option(Path file) {
        return "-Xlog:gc,gc+heap+exit:file=" + file.toAbsolutePath();
    }

    static Heap read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return new Heap(-1, -1, 0);
        }
        return parse(lines);
    }

    static Heap parse(List<String> lines) {
        long peak = 0;
        long after = 0;
        int collections = 0;
        for (String line : lines) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                collections++;
                peak = Math.max(peak, bytes(m.group(1), m.group(2)));
                after = Math.max(after, bytes(m.group(3), m.group(4)));
                continue;
            }
            Matcher exit = EXIT.matcher(line);
            if (exit.find()) {
                peak = Math.max(peak, Long.parseLong(exit.group(1)) << 10);
            }
        }
        return new Heap(peak, after, collections);
    }

    private static long bytes(String n, String unit) {
        long v = Long.parseLong(n);
        return switch (unit.toUpperCase(Locale.ROOT)) {
            case "K" -> v << 10;
            case "M" -> v << 20;
            default -> v << 30;
        };
    }
}
