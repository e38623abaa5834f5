package dev.sweep.jobs.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sweep.events.Alert;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.records.Tally;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link FeedAlerts} keyed by job on wall-clock time (the harness's processing time), tiny campaign. */
class FeedAlertsHarnessTest {
    static final long IN_WAVE = Instant.parse("2022-05-04T00:30:00Z").toEpochMilli();
    static final long AFTER_WAVE = Instant.parse("2022-05-04T02:00:00Z").toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<String, Tally, Alert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new FeedAlerts(Campaigns.TINY, AlertRules.defaults()), t -> "coverage", Types.STRING);
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void input(long minute) throws Exception {
        Tally t = new Tally(minute);
        t.events = 10;
        harness.processElement(t, minute);
    }

    private List<String> alerts() {
        List<String> out = new ArrayList<>();
        for (Alert a : harness.extractOutputValues()) {
            out.add(a.getState() + " " + a.getKind() + " " + a.getTownshipId() + " since " + a.getSince().toEpochMilli()
                    + " at " + a.getAt().toEpochMilli() + " " + a.getValue());
        }
        harness.getOutput().clear();
        return out;
    }

    @Test
    void noInputForAMinuteOfWallTimeDuringAWaveStallsTheFeedUntilDataFlowsAgain() throws Exception {
        harness.setProcessingTime(1_000);
        input(IN_WAVE);
        harness.setProcessingTime(51_000);
        assertEquals(List.of(), alerts());
        harness.setProcessingTime(61_000);
        assertEquals(List.of("RAISED FEED_STALLED null since 1000 at 61000 60.0"), alerts());
        harness.setProcessingTime(120_000);
        assertEquals(List.of(), alerts(), "raised once");
        harness.setProcessingTime(121_000);
        input(IN_WAVE + 60_000);
        harness.setProcessingTime(125_000);
        input(IN_WAVE + 60_000);
        assertEquals(List.of(), alerts(), "flowing for less than 10 s");
        harness.setProcessingTime(131_000);
        input(IN_WAVE + 120_000);
        assertEquals(List.of("RESOLVED FEED_STALLED null since 1000 at 131000 6.0"), alerts(), "checked every 10 s");
    }

    @Test
    void silenceBetweenWavesIsExpected() throws Exception {
        input(AFTER_WAVE);
        harness.setProcessingTime(3_600_000);
        assertEquals(List.of(), alerts());
    }
}
