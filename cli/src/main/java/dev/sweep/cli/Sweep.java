package dev.sweep.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The sweep command line: one subcommand per part of the pipeline. */
@Command(name = "sweep", mixinStandardHelpOptions = true, version = "sweep 0.1.0",
        description = "Real-time monitoring of a mass-testing campaign: stations -> (gateway ->) Kafka -> Flink -> InfluxDB.",
        subcommands = {KafkaCommand.class, SimulateCommand.class, GatewayCommand.class, JobCommand.class, HooksCommand.class,
                BoardCommand.class, DemoCommand.class, BenchCommand.class, ScenarioCommand.class,
                CommandLine.HelpCommand.class})
public final class Sweep implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Sweep());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // A refused configuration is the user's to fix: say what is wrong, no stack trace.
            if (e instanceof CommandLine.ParameterException p) {
                throw p;
            }
            cmd.getErr().println("sweep " + cmd.getCommandName() + ": " + e.getMessage());
            if (System.getenv("SWEEP_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
