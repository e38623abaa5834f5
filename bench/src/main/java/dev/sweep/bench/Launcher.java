package dev.sweep.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the bench starts a part in a JVM of its own, as a user starts it: {@code java} with the options and
 * class path the bench itself was started with (those of {@code ./sweep}), then either the {@code sweep}
 * command's main class and a subcommand ({@code sweep kafka}, {@code sweep simulate}) or a main class of
 * the bench (the job, the raw read) or of the testkit (InfluxDB). The caller names the sweep main, so this
 * module does not depend on the CLI. Immutable.
 */
public record Launcher(List<String> java, List<String> jvmOptions, String classPath, String sweepMain) {

    public Launcher {
        java = List.copyOf(java);
        jvmOptions = List.copyOf(jvmOptions);
        if (java.isEmpty() || classPath == null || classPath.isBlank() || sweepMain == null || sweepMain.isBlank()) {
            throw new IllegalArgumentException("a launcher needs the java command, a class path and the sweep main class");
        }
    }

    /**
     * This JVM's java, options and class path, with {@code sweepMain} for the subcommands. A debugger's or
     * profiler's agent is not passed on: two JVMs cannot listen on one port.
     */
    public static Launcher ofThisJvm(String sweepMain) {
        List<String> options = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:") && !arg.startsWith("-javaagent:") && !arg.startsWith("-Djava.io.tmpdir=")) {
                options.add(arg);
            }
        }
        return new Launcher(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()), options,
                System.getProperty("java.class.path"), sweepMain);
    }

    /** The same launcher with {@code options} added to every JVM it starts. */
    public Launcher withJvmOptions(String... options) {
        List<String> all = new ArrayList<>(jvmOptions);
        all.addAll(List.of(options));
        return new Launcher(java, all, classPath, sweepMain);
    }

    /** {@code sweep ARGS} in a JVM of its own, its temporary files under {@code tmp}. */
    public List<String> sweep(Path tmp, String... args) {
        return command(tmp, sweepMain, args);
    }

    /** {@code main(ARGS)} of a class on the class path in a JVM of its own, its temporary files under {@code tmp}. */
    public List<String> main(Path tmp, String mainClass, String... args) {
        return command(tmp, mainClass, args);
    }

    private List<String> command(Path tmp, String mainClass, String... args) {
        List<String> command = new ArrayList<>(java);
        command.addAll(jvmOptions);
        command.add("-Djava.io.tmpdir=" + tmp.toAbsolutePath());
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(List.of(args));
        return command;
    }
}
