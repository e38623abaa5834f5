package dev.sweep.cli;

import dev.sweep.bench.Bench;
import dev.sweep.bench.BenchOptions;
import dev.sweep.bench.BenchReport;
import dev.sweep.bench.Launcher;
import dev.sweep.jobs.CoverageFlags.DurationConverter;
import dev.sweep.jobs.CoverageOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sweep bench}: the flags, as typed {@link BenchOptions}; the bench itself lives in the bench module. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The coverage job's figures on this machine. Each part runs in a process of its own, as a user"
                + " runs it: Kafka (sweep kafka), InfluxDB (influxd, as the tests run it), the campaign (sweep simulate"
                + " --speed max), a raw reader and the job (each its own JVM). Every figure is measured --runs times"
                + " and printed as median, min and max, the things compared alternating; with each process's CPU time"
                + " and the machine's load around every phase.",
                "Figures: raw read-and-decode rate; the job's sustained rate with and without InfluxDB and its ratio to"
                        + " the raw rate; CPU per record, on a 1-hour and on the whole campaign's backlog; scan ->"
                        + " InfluxDB latency p50/p99 at each --latency-rates; checkpoint durations (p50, p99) while the"
                        + " job reads; heap after GC and checkpoint size and duration with the whole campaign in the"
                        + " job's state; time from a killed task manager to caught up; the simulator's time and heap"
                        + " for the campaign (--scenario neixiang, metro or a folder).",
                "--soak [DURATION] runs the soak instead: the live job at --soak-rate scans/s for DURATION (30m) with a"
                        + " refused record every second and InfluxDB stopped and started twice; it reports whether"
                        + " everything arrived, the heap each minute and its trend, and the latency.",
                "It measures; it asserts nothing. Everything binds 127.0.0.1 and lives in a directory under"
                        + " java.io.tmpdir, deleted at the end; needs influxd (apt: influxdb)."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Runs of each figure (median, min, max). Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "The job's parallelism. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--state-backend", paramLabel = "NAME", description = "The job's state backend: hashmap or rocksdb. Default: the job's own on a local run (hashmap).")
    String stateBackend;

    @Option(names = "--latency-rates", paramLabel = "N[,N...]", split = ",", defaultValue = "5000,20000", description = "Steady live rates (scans/s) at which scan -> InfluxDB latency is measured. Default: ${DEFAULT-VALUE}.")
    List<Integer> latencyRates;

    @Option(names = "--latency-for", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class, description = "How long each latency is measured, after a 5 s warm-up. Default: ${DEFAULT-VALUE}.")
    Duration latencyFor;

    @Option(names = "--no-comparisons", negatable = false, description = "Leave out the job with Kafka outputs only and the"
            + " job on the 1-hour backlog (figures 3, 4's second line and 6): each is one more read of the whole campaign,"
            + " half an hour and more for a city's.")
    boolean noComparisons;

    @Option(names = "--no-live", negatable = false, description = "Leave out the live runs (figures 7-11: latency, heap,"
            + " checkpoint, a killed task manager): each first catches up with the whole campaign, as long again as"
            + " figure 2's read for a city's day.")
    boolean noLive;

    @Option(names = "--soak", paramLabel = "DURATION", arity = "0..1", fallbackValue = "30m", converter = DurationConverter.class, description = "Run the soak instead of the bench, for DURATION (1m..6h). Default duration: ${FALLBACK-VALUE}.")
    Duration soak;

    @Option(names = "--soak-rate", paramLabel = "N", defaultValue = "5000", description = "The soak's steady rate, scans/s. Default: ${DEFAULT-VALUE}.")
    int soakRate;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "neixiang", description = "The campaign: a shipped scenario or a directory. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "7", description = "Simulator seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report (every run's values) as JSON to this file.")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        BenchOptions options = options();
        BenchReport report = Bench.run(options, System.err);
        report.print(System.out);
        if (json != null) {
            report.writeJson(json);
            System.out.println("bench: report written to " + json);
        }
        return 0;
    }

    /** The flags as typed options; a refused one names its flag. */
    BenchOptions options() {
        try {
            return new BenchOptions(Launcher.ofThisJvm(Sweep.class.getName()), scenario, seed, runs, parallelism,
                    CoverageOptions.StateBackend.parse(stateBackend), latencyRates, latencyFor, !noComparisons, !noLive, soak, soakRate);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
