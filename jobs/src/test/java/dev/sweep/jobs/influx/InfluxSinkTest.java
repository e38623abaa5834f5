package dev.sweep.jobs.influx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.testkit.InfluxServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link InfluxSink} on its own, in a job of nothing but the sink, against a real influxd: every point lands,
 * refusals are retried (honouring Retry-After) without losing one, an outage shorter than the retry limit
 * loses nothing, and a refusal for good or a longer outage fails the job loudly with InfluxDB's reason.
 */
class InfluxSinkTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static InfluxServer influx;

    @BeforeAll
    static void start() {
        influx = InfluxServer.start();
    }

    @AfterAll
    static void stop() {
        influx.close();
    }

    @BeforeEach
    void clean() {
        influx.startAgain();
        influx.failNextWrites(0, 500);
        influx.resetDatabase();
    }

    static List<String> points(int n) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(new InfluxLines.Line("sink_test").tag("batch", "b" + (i % 7)).field("n", (long) i)
                    .field("note", "a \"quoted\", spaced, = note").at(1_651_622_400_000L + i));
        }
        return lines;
    }

    /** A job that writes these points with the given sink and nothing else. */
    static void write(List<String> lines, InfluxSink.Target target) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromData(lines, Types.STRING).sinkTo(new InfluxSink(target));
        env.execute("influx sink test");
    }

    static InfluxSink.Target target() {
        return InfluxSink.Target.of(influx.url(), "sweep", InfluxServer.DATABASE).flushingEvery(Duration.ofMillis(100));
    }

    @Test
    void everyPointLandsWithItsEscapedValues() throws Exception {
        write(points(12_345), target());
        assertEquals(12_345, influx.count("SELECT count(n) FROM sink_test"));
        assertEquals("a \"quoted\", spaced, = note", influx.query("SELECT last(note) AS v FROM sink_test").get(0).get("v"));
        assertTrue(influx.writeRequests() >= 3, "batches of at most 5,000 points: " + influx.writeRequests());
    }

    @Test
    void refusalsAreRetriedHonouringRetryAfterAndNothingIsLost() throws Exception {
        influx.failNextWrites(3, 429, 1);
        long before = influx.writeRequests();
        write(points(2_000), target());
        assertEquals(2_000, influx.count("SELECT count(n) FROM sink_test"));
        assertTrue(influx.writeRequests() - before >= 4, "three refusals, then the write: " + (influx.writeRequests() - before));

        influx.resetDatabase();
        influx.failNextWrites(2, 503);
        write(points(500), target());
        assertEquals(500, influx.count("SELECT count(n) FROM sink_test"));
    }

    @Test
    void anOutageShorterThanTheRetryLimitLosesNothing() throws Exception {
        influx.stop();
        CompletableFuture<Void> back = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            influx.startAgain();
        });
        write(points(3_000), target());
        back.join();
        assertEquals(3_000, influx.count("SELECT count(n) FROM sink_test"));
    }

    @Test
    void aWriteRefusedForGoodFailsTheJobLoudly() {
        influx.failNextWrites(1, 400);
        Exception e = assertThrows(Exception.class, () -> write(points(10), target()));
        String why = ExceptionUtils.stringifyException(e);
        assertTrue(why.contains("refused a write of 10 points") && why.contains("HTTP 400"), why);
    }

    @Test
    void anOutageLongerThanTheRetryLimitFailsTheJobLoudly() {
        influx.stop();
        Exception e = assertThrows(Exception.class, () -> write(points(10), target().retryingFor(Duration.ofSeconds(2))));
        String why = ExceptionUtils.stringifyException(e);
        assertTrue(why.contains("did not take a write of 10 points"), why);
    }
}
