package dev.sweep.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a bench run measured, typed: the figures (each the median, min and max of its runs, with its aim
 * and how it was measured), every run's own values, the CPU time of every process, the machine's load
 * around every phase, and, for {@code --soak}, the soak's accounting. Printed as a table by
 * {@link #print(PrintStream)}, written as JSON by {@link #writeJson(Path)}. Immutable.
 */
public record BenchReport(String mode, Machine machine, Setup setup, Campaign campaign, List<Figure> figures,
                          List<Round> rounds, List<LiveRun> liveRuns, SoakRun soak, List<ProcessCpu> processes,
                          List<Phase> phases, double seconds) {

    /** What was asked: the bench's options as they shape the figures. */
    public record Setup(String scenario, long seed, int runs, int parallelism, String stateBackend,
                        List<Integer> latencyRates, double latencySeconds, double warmupSeconds,
                        Double soakMinutes, Integer soakRate) {}

    /**
     * The campaign in Kafka: records of each input topic (as the simulator's ledger counts them), the instant
     * its first wave was moved to, its span (first opening to last closing), and the one-hour backlog read beside it.
     */
    public record Campaign(String scenario, long seed, String firstWaveOpens, long spanHours, long scans, long heartbeats,
                           long records, long hourScans, long hourHeartbeats, String hourFrom, Simulator simulator) {}

    /**
     * The simulator sending the campaign into Kafka ({@code sweep simulate --speed max}, a JVM of its own, once):
     * start to exit, its CPU, and its heap from its own GC log: the most used, and the most held after a collection.
     */
    public record Simulator(double seconds, double cpuSeconds, double recordsPerSecond, long peakHeapBytes,
                            long maxHeapAfterGcBytes, int collections) {}

    /** One figure: its value over the runs, in {@code unit}, the aim it is held to (or none), and how. */
    public record Figure(String id, String name, String unit, Stats stats, String aim, Boolean met, String how) {}

    /** One round of the alternating throughput runs. */
    public record Round(int round, RawRun raw, JobRun withInflux, JobRun kafkaOnly, JobRun hourBacklog) {}

    /** The raw read: one consumer thread reading and decoding both input topics. */
    public record RawRun(long records, double seconds, double recordsPerSecond, double cpuSeconds,
                         double processCpuSeconds, Machine.Load loadBefore, Machine.Load loadAfter) {}

    /**
     * A bounded job over a backlog: sustained = records / (last read - first read); overall = records /
     * (submit -> finished); CPU of the job's JVM from its first record read to its end, per record, and
     * from half the records read to the last, per record of that half, and the same without the JIT
     * compilers' threads (the JVM's warm-up, which a short run carries in a larger share); its threads' CPU
     * over that half by name; the
     * broker's and InfluxDB's CPU over the same run; each task's busy ms per second while reading.
     */
    public record JobRun(long records, double sustainedPerSecond, double overallPerSecond, double firstReadSeconds,
                         double lastReadSeconds, double finishedSeconds, double firstInfluxSeconds,
                         double cpuSeconds, double cpuMicrosPerRecord, double secondHalfCpuMicrosPerRecord,
                         double secondHalfJitSeconds, double secondHalfCpuMicrosPerRecordWithoutJit,
                         double processCpuSeconds,
                         double brokerCpuSeconds, double influxCpuSeconds, long influxPoints, JobMain.Checkpoints checkpoints,
                         Map<String, Double> busyMsPerSecond, Map<String, Double> threadCpuSecondHalf,
                         Exactness exact, GcLog.Heap heap, Machine.Load loadBefore, Machine.Load loadAfter) {}

    /**
     * After a bounded run with InfluxDB: how many areas (every level) end in InfluxDB ({@code last(sampled)} of
     * {@code coverage} by area) at the ledger's people at home, of how many, and the first that does not. Null
     * without InfluxDB.
     */
    public record Exactness(int areas, int exact, String firstDifference) {
        public boolean all() {
            return exact == areas;
        }
    }

    /** One live job: caught up with the whole campaign, then checkpointed, weighed, fed live and its task manager killed. */
    public record LiveRun(int run, double catchUpSeconds, double catchUpPerSecond, long heapBaselineBytes,
                          long heapBytes, Checkpoint checkpoint, List<LiveLatency> latency, Recovery recovery,
                          double processCpuSeconds, Machine.Load loadBefore, Machine.Load loadAfter) {}

    public record Checkpoint(long id, long stateBytes, long checkpointedBytes, long durationMillis, long directoryBytes) {}

    /** Scan -> InfluxDB at a steady rate; seconds. */
    public record LiveLatency(int rate, double achievedPerSecond, long sent, double seconds, int trackedSites,
                              long samples, long unresolved, double p50, double p90, double p99, double max) {}

    /** A task manager killed while the stations kept sending; seconds from the kill. */
    public record Recovery(int rate, double runningSeconds, double caughtUpSeconds, long lagAtCaughtUp,
                           double worstLatencySeconds, long unresolved) {}

    /** The soak: what was sent and what arrived, the heap each minute, latency, InfluxDB's outages. */
    public record SoakRun(double minutes, int rate, double achievedPerSecond, long scansSent, long scansInInflux,
                          long heartbeatsSent, Map<String, Long> refusedSent, Map<String, Long> deadLetters,
                          List<Outage> outages, List<Long> heapBytesPerMinute, List<Long> residentBytesPerMinute,
                          double heapTrendMiBPerHour, LiveLatency latency, LiveLatency latencyOutsideOutages,
                          List<Double> p99ByMinute, long pollsFailed) {}

    /** InfluxDB stopped, seconds after the live feed started. */
    public record Outage(double stoppedAt, double startedAt) {}

    /** The CPU time a process used (its kernel's account), over its wall time. */
    public record ProcessCpu(String name, double cpuSeconds, double wallSeconds) {}

    /** A phase of the run and the machine's load around it. */
    public record Phase(String name, double seconds, Machine.Load loadBefore, Machine.Load loadAfter) {}

    /** Writes the report as JSON (every run's values, not only the table's). */
    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ChildProcess.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }

    // ---------------------------------------------------------------- the table

    /** The table (figure, median, min, max, aim, met), then how each figure was measured, the processes and phases. */
    public void print(PrintStream o) {
        o.println();
        o.printf(Locale.ROOT, "sweep %s: %s seed %d, job parallelism %d%s; %s%n", mode, setup.scenario(),
                setup.seed(), setup.parallelism(),
                setup.stateBackend() == null ? "" : ", state backend " + setup.stateBackend(),
                soak != null ? String.format(Locale.ROOT, "%.1f min at %,d scans/s", soak.minutes(), soak.rate())
                        : setup.runs() + " run" + (setup.runs() == 1 ? "" : "s") + " of each figure (median, min, max)");
        o.printf(Locale.ROOT, "machine: %d cores, %s, %s, %,d MiB; load %s at the start%n", machine.cores(),
                machine.java(), machine.os(), machine.memoryMiB(), load(machine.load()));
        if (campaign != null) {
            o.printf(Locale.ROOT, "campaign: %,d scans + %,d heartbeats = %,d records (first wave moved to %s)",
                    campaign.scans(), campaign.heartbeats(), campaign.records(), campaign.firstWaveOpens());
            if (campaign.hourScans() > 0) {
                o.printf(Locale.ROOT, "; 1-hour backlog from %s: %,d scans + %,d heartbeats", campaign.hourFrom(),
                        campaign.hourScans(), campaign.hourHeartbeats());
            }
            o.println();
        }
        if (setup.runs() < 3 && soak == null) {
            o.println("note: fewer than 3 runs: the min and max say little about the spread");
        }
        o.println();
        String row = "%-4s %-56s %14s %14s %14s   %-16s %s%n";
        o.printf(Locale.ROOT, row, "", "figure", "median", "min", "max", "aim", "");
        for (Figure f : figures) {
            Stats s = f.stats();
            o.printf(Locale.ROOT, row, f.id(), f.name(), value(s.median(), f.unit()), value(s.min(), f.unit()),
                    value(s.max(), f.unit()), f.aim() == null ? "" : f.aim(),
                    f.met() == null ? "" : f.met() ? "met" : "NOT MET");
        }
        o.println();
        o.println("how:");
        for (Figure f : figures) {
            if (f.how() != null && !f.how().isBlank()) {
                o.println(wrap(f.id().isEmpty() ? "  -" : f.id(), f.how()));
            }
        }
        if (!rounds.isEmpty()) {
            o.println();
            o.println(wrap("where the job's time goes:", "CPU seconds of the job's threads (by the kernel's 15-character"
                    + " names) over the second half of the whole campaign, job + InfluxDB, median over the rounds:"));
            medians(rounds, r -> r.withInflux().threadCpuSecondHalf()).entrySet().stream().limit(14)
                    .forEach(e -> o.printf(Locale.ROOT, "  %7.2f s  %s%n", e.getValue(), e.getKey()));
            o.println(wrap("and each task's busy ms per second", "(Flink's busyTimeMsPerSecond, its subtasks summed, while"
                    + " it read; on a machine short of CPU a task waiting for a core counts as busy too):"));
            medians(rounds, r -> r.withInflux().busyMsPerSecond()).entrySet().stream().limit(8)
                    .forEach(e -> o.printf(Locale.ROOT, "  %7.0f    %s%n", e.getValue(), e.getKey()));
        }
        o.println();
        o.println("CPU time of every process (the kernel's account, sampled before each ended):");
        for (ProcessCpu p : processes) {
            o.printf(Locale.ROOT, "  %-34s %9.1f s CPU over %8.1f s (%.2f cores)%n", p.name(), p.cpuSeconds(),
                    p.wallSeconds(), p.wallSeconds() > 0 ? p.cpuSeconds() / p.wallSeconds() : 0);
        }
        o.println();
        o.println("phases and the machine's load (1-minute average) before and after:");
        for (Phase p : phases) {
            o.printf(Locale.ROOT, "  %-50s %8.1f s   load %5.2f -> %5.2f%n", p.name(), p.seconds(),
                    p.loadBefore().one(), p.loadAfter().one());
        }
        double worst = phases.stream().mapToDouble(p -> Math.max(p.loadBefore().one(), p.loadAfter().one())).max()
                .orElse(0);
        if (worst > machine.cores()) {
            o.printf(Locale.ROOT, "%nnote: the load average reached %.1f on %d cores: other work competed for the CPU,"
                    + " so the rates are lower and the latencies higher than on an idle machine; the spread between"
                    + " min and max shows how much.%n", worst, machine.cores());
        }
        o.printf(Locale.ROOT, "%nsweep %s: %.0f s in all%n", mode, seconds);
    }

    /** Per key, the median over the rounds of what {@code values} gives, largest first. */
    private static Map<String, Double> medians(List<Round> rounds, java.util.function.Function<Round, Map<String, Double>> values) {
        Map<String, List<Double>> all = new java.util.TreeMap<>();
        rounds.forEach(r -> values.apply(r).forEach((k, v) -> all.computeIfAbsent(k, x -> new java.util.ArrayList<>()).add(v)));
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        all.entrySet().stream().map(e -> Map.entry(e.getKey(), Stats.of(e.getValue()).median()))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static String load(Machine.Load l) {
        return String.format(Locale.ROOT, "%.2f %.2f %.2f", l.one(), l.five(), l.fifteen());
    }

    /** A value in its unit, as the table shows it. */
    static String value(double v, String unit) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return switch (unit) {
            case "rec/s", "scans/s" -> String.format(Locale.ROOT, "%,.0f %s", v, unit);
            case "s" -> String.format(Locale.ROOT, "%.2f s", v);
            case "ms" -> String.format(Locale.ROOT, "%,.0f ms", v);
            case "us" -> String.format(Locale.ROOT, "%.2f µs", v);
            case "%" -> String.format(Locale.ROOT, "%.1f %%", v);
            case "MiB" -> String.format(Locale.ROOT, "%,.1f MiB", v);
            case "MiB/h" -> String.format(Locale.ROOT, "%+,.1f MiB/h", v);
            case "x" -> String.format(Locale.ROOT, "%.2f x", v);
            default -> String.format(Locale.ROOT, "%,.0f %s", v, unit).trim();
        };
    }

    /** {@code label text}, wrapped at 110 columns, continuation lines indented. */
    static String wrap(String label, String text) {
        StringBuilder out = new StringBuilder(label);
        int col = label.length();
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (col + word.length() + 1 > 110) {
                out.append("\n     ");
                col = 5;
            } else {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
        }
        return out.toString();
    }
}
