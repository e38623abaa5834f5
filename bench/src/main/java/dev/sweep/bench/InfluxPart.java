package dev.sweep.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * InfluxDB as the tests run it: the testkit's {@code InfluxServer} main (Debian's influxd behind the v2
 * write adapter) in a JVM of its own, the job writing to its URL as to any InfluxDB 2.x. Outages are
 * staged through its stdin ({@code stop}, {@code start}). State: the child process, its URL.
 */
final class InfluxPart implements AutoCloseable {
    static final String MAIN = "dev.sweep.testkit.InfluxServer";
    /** InfluxServer's database, which a 2.x client names as its bucket. */
    static final String DATABASE = "sweep";

    private final ChildProcess process;
    private final String url;
    private final InfluxQuery query;

    private InfluxPart(ChildProcess process, String url) {
        this.process = process;
        this.url = url;
        this.query = new InfluxQuery(url, DATABASE);
    }

    static InfluxPart start(Launcher launcher, Path work) {
        return ChildProcess.startReady("influx", launcher.main(work.resolve("tmp"), MAIN),
                work.resolve("logs").resolve("influx.log"),
                p -> new InfluxPart(p, p.awaitLine("influx: ", Duration.ofMinutes(2))));
    }

    String url() {
        return url;
    }

    InfluxQuery query() {
        return query;
    }

    ChildProcess process() {
        return process;
    }

    /** Stops influxd (its data stays); the adapter answers 503 meanwhile, as a proxy before a dead server. */
    void stopInfluxd() {
        process.send("stop");
        process.awaitLine("influx: stopped", Duration.ofMinutes(1));
    }

    /** Starts influxd again on the same data. */
    void startInfluxd() {
        process.send("start");
        process.awaitLine("influx: started", Duration.ofMinutes(2));
    }

    /** Closes its stdin: it stops influxd, deletes its data and ends. */
    @Override
    public void close() {
        process.endInput(Duration.ofSeconds(30));
        process.close();
    }
}
