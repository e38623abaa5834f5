package dev.sweep.bench;

import dev.sweep.schemas.LocalMachine;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One bench or soak's plumbing: its work directory under java.io.tmpdir (every part's data, logs and
 * temporary files; deleted at the end), the parts it started (for the CPU table), and its phases with the
 * machine's load around each. State: those.
 */
final class Session implements AutoCloseable {
    final BenchOptions options;
    final PrintStream log;
    final Path work;
    private final long startedNanos = System.nanoTime();
    private final List<ChildProcess> parts = new ArrayList<>();
    private final List<BenchReport.Phase> phases = new ArrayList<>();

    private Session(BenchOptions options, PrintStream log, Path work) {
        this.options = options;
        this.log = log;
        this.work = work;
    }

    static Session open(BenchOptions options, PrintStream log) {
        try {
            Path work = Files.createTempDirectory("sweep-bench-");
            Files.createDirectories(work.resolve("tmp"));
            return new Session(options, log, work);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the bench's work directory under "
                    + System.getProperty("java.io.tmpdir"), e);
        }
    }

    /** Runs one phase, noting its length and the load before and after. */
    <T> T phase(String name, Callable<T> body) throws Exception {
        log.println("bench: " + name);
        Machine.Load before = Machine.Load.now();
        long t = System.nanoTime();
        try {
            return body.call();
        } finally {
            phases.add(new BenchReport.Phase(name, (System.nanoTime() - t) / 1e9, before, Machine.Load.now()));
        }
    }

    KafkaPart kafka(String name, Path data) {
        return track(KafkaPart.start(options.launcher(), name, data, work), KafkaPart::process);
    }

    InfluxPart influx() {
        return track(InfluxPart.start(options.launcher(), work), InfluxPart::process);
    }

    JobPart job(String name, JobMain.Order order) {
        return track(JobPart.start(options.launcher(), name, order, work), JobPart::process);
    }

    ChildProcess child(String name, List<String> command) {
        return track(ChildProcess.start(name, command, work.resolve("logs").resolve(name + ".log")), p -> p);
    }

    Path dir(String name) {
        Path d = work.resolve(name);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    private <T> T track(T part, java.util.function.Function<T, ChildProcess> process) {
        synchronized (parts) {
            parts.add(process.apply(part));
        }
        return part;
    }

    /** Every part's CPU time, and this JVM's (the bench: the stations' sender, the poller, the generator). */
    List<BenchReport.ProcessCpu> cpu() {
        List<BenchReport.ProcessCpu> out = new ArrayList<>();
        synchronized (parts) {
            for (ChildProcess p : parts) {
                out.add(new BenchReport.ProcessCpu(p.name(), p.cpu().toMillis() / 1e3, p.wallSeconds()));
            }
        }
        double self = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9 : Double.NaN;
        out.add(new BenchReport.ProcessCpu("bench (this JVM)", self, seconds()));
        return out;
    }

    List<BenchReport.Phase> phases() {
        return List.copyOf(phases);
    }

    double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Stops every part still running and deletes the work directory. */
    @Override
    public void close() {
        synchronized (parts) {
            for (ChildProcess p : parts) {
                p.close();
            }
        }
        try {
            LocalMachine.deleteTree(work);
        } catch (UncheckedIOException e) {
            log.println("bench: could not delete " + work + ": " + e.getMessage());
        }
    }
}
