package dev.sweep.cli;

import dev.sweep.jobs.coverage.CoverageJob;
import dev.sweep.jobs.coverage.CoverageOptions;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "job", mixinStandardHelpOptions = true,
        description = {"Runs the coverage job on a local MiniCluster (the same job ships as a jar for flink run).",
                "The InfluxDB token comes from INFLUX_TOKEN."})
final class JobCommand implements Callable<Integer> {

    @Mixin
    CoverageOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            options.validate();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (options.influxUrl == null) {
            System.out.println("job: no --influx-url: writing the Kafka outputs only (sweep.site-minutes, sweep.coverage, sweep.dead-letters)");
        }
        StreamExecutionEnvironment env = CoverageJob.local(options);
        System.out.println("job: coverage job reading " + options.bootstrap + (options.bounded ? " up to the current end offsets" : "")
                + (options.influxUrl == null ? "" : ", writing to " + options.influxUrl));
        long started = System.nanoTime();
        env.execute("sweep " + CoverageJob.NAME);
        System.out.printf("job: finished in %.1f s%n", (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
