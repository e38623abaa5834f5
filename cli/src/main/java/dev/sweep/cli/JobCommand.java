package dev.sweep.cli;

import dev.sweep.jobs.CoverageFlags;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "job", mixinStandardHelpOptions = true,
        description = {"Runs the coverage job on a local MiniCluster (the same job ships as a jar for flink run):"
                + " scans and heartbeats from Kafka -> sweep.site-minutes, sweep.coverage, sweep.alerts, sweep.pipeline"
                + " and sweep.dead-letters, and InfluxDB with --influx-url.",
                "The InfluxDB token comes from INFLUX_TOKEN."})
final class JobCommand implements Callable<Integer> {

    @Mixin
    CoverageFlags flags;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CoverageOptions options;
        try {
            options = flags.toOptions();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        System.out.println("job: coverage job reading " + options.bootstrap()
                + (options.bounded() ? " up to the current end offsets" : "") + ", writing "
                + String.join(", ", CoverageJob.OUTPUT_TOPICS)
                + (options.influxUrl() == null ? " (no --influx-url: Kafka only)" : " and InfluxDB at " + options.influxUrl()));
        long started = System.nanoTime();
        CoverageJob.local(options).execute("sweep " + CoverageJob.NAME);
        System.out.printf("job: finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
