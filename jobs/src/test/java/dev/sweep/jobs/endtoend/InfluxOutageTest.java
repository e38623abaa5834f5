package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** InfluxDB goes away for 30 s in the middle of a live run: its writes are retried, not dropped. */
@Tag("e2e")
class InfluxOutageTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void totalsAreExactAfterThirtySecondsWithoutInfluxDb() throws Exception {
        try (LiveRun run = new LiveRun("outage", 11)) {
            // The wave is under way and points are being written (the job's start takes a while on a busy machine).
            long waitUntil = System.nanoTime() + 60_000_000_000L;
            while (run.influx.writeCount() == 0 && System.nanoTime() < waitUntil) {
                Thread.sleep(200);
            }
            Thread.sleep(2_000);
            long before = run.influx.writeCount();
            assertTrue(before > 0, "points were written before the outage");
            run.influx.stop();
            Thread.sleep(30_000);
            long refused = run.influx.writeRequests();
            run.influx.startAgain();
            assertTrue(refused > before, "the job kept trying during the outage");
            run.assertConvergesOnTheLedger();
        }
    }
}
