package dev.sweep.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A Kafka broker as a user runs one, {@code sweep kafka --port 0 --data DIR}, in a JVM of its own. Its log
 * directory outlives it, so a campaign sent once can be copied and served again to every run that must
 * start from the same topics. State: the child process and its address.
 */
final class KafkaPart implements AutoCloseable {
    private final ChildProcess process;
    private final String bootstrap;
    private final Path data;

    private KafkaPart(ChildProcess process, String bootstrap, Path data) {
        this.process = process;
        this.bootstrap = bootstrap;
        this.data = data;
    }

    /** Starts a broker on {@code data} (formatted when empty, reused otherwise) and waits until it serves. */
    static KafkaPart start(Launcher launcher, String name, Path data, Path work) {
        return ChildProcess.startReady(name, launcher.sweep(work.resolve("tmp"), "kafka", "--port", "0", "--data",
                data.toString()), work.resolve("logs").resolve(name + ".log"),
                p -> new KafkaPart(p, p.awaitLine("kafka: ", Duration.ofMinutes(2)).split("\\s+")[0], data));
    }

    String bootstrap() {
        return bootstrap;
    }

    Path data() {
        return data;
    }

    ChildProcess process() {
        return process;
    }

    /** Stops the broker cleanly (its log directory stays, ready to be copied or served again). */
    @Override
    public void close() {
        process.close();
    }
}
