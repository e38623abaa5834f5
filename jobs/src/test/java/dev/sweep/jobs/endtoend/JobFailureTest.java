package dev.sweep.jobs.endtoend;

import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A TaskManager dies mid-stream: the job restarts from its last checkpoint and the totals stay exact. */
@Tag("e2e")
class JobFailureTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2).setNumberSlotsPerTaskManager(2).build());

    @Test
    void totalsAreExactAfterATaskManagerIsKilledMidStream(@InjectMiniCluster MiniCluster cluster) throws Exception {
        try (LiveRun run = new LiveRun("failure", 12)) {
            Thread.sleep(12_000); // a few checkpoints (every 2 s) and a good part of the wave
            // Both TaskManagers go, so the job's tasks surely die; a fresh one takes over.
            cluster.terminateTaskManager(1).get();
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            run.assertConvergesOnTheLedger();
        }
    }
}
