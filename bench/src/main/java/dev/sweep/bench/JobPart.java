package dev.sweep.bench;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The coverage job in its own JVM ({@link JobMain}), seen from the bench: the order handed over as a file,
 * the job's answers read as typed records, commands sent. State: the child process.
 */
final class JobPart implements AutoCloseable {
    private final ChildProcess process;
    private final long heapBaseline;

    private JobPart(ChildProcess process, long heapBaseline) {
        this.process = process;
        this.heapBaseline = heapBaseline;
    }

    /** Writes the order, starts the job's JVM and waits until its cluster is up. */
    static JobPart start(Launcher launcher, String name, JobMain.Order order, Path work) {
        Path file = Path.of(order.workDir()).resolve("order.ser");
        try {
            Files.createDirectories(file.getParent());
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
                out.writeObject(order);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the job's order " + file, e);
        }
        return ChildProcess.startReady(name, launcher.withJvmOptions(GcLog.option(gcLog(order)))
                        .main(work.resolve("tmp"), JobMain.class.getName(), file.toString()), work.resolve("logs").resolve(name.replace(' ', '-') + ".log"),
                p -> new JobPart(p, p.await(JobMain.READY, JobMain.Heap.class, Duration.ofMinutes(3)).bytes()));
    }

    /** The job JVM's GC log ({@link GcLog}): its heap over the whole run. */
    static Path gcLog(JobMain.Order order) {
        return Path.of(order.workDir()).resolve("gc.log");
    }

    ChildProcess process() {
        return process;
    }

    /** Heap after GC with the cluster up, before the job was submitted. */
    long heapBaseline() {
        return heapBaseline;
    }

    /** Once every record of the order was read and every scan reached the person register. */
    JobMain.Reading awaitRead(Duration timeout) {
        return process.await(JobMain.READ, JobMain.Reading.class, timeout);
    }

    /** A bounded job's end. */
    JobMain.Reading awaitFinished(Duration timeout) {
        return process.await(JobMain.FINISHED, JobMain.Reading.class, timeout);
    }

    JobMain.Checkpointed checkpoint() {
        process.send("checkpoint");
        return process.await("checkpointed", JobMain.Checkpointed.class, Duration.ofMinutes(10));
    }

    long heapAfterGc() {
        process.send("heap");
        return process.await("heap", JobMain.Heap.class, Duration.ofMinutes(2)).bytes();
    }

    JobMain.Recovered killTaskManager(long lag) {
        process.send("kill-taskmanager " + lag);
        return process.await("recovered", JobMain.Recovered.class, JobMain.RECOVERY_LIMIT.plusMinutes(1));
    }

    /** Samples the JVM's CPU time, then cancels the job and lets the JVM end. */
    @Override
    public void close() {
        process.cpu();
        try {
            process.send("exit");
            process.awaitExit(Duration.ofMinutes(2));
        } catch (RuntimeException e) {
            // it ended already, or will be killed below
        }
        process.close();
    }
}
