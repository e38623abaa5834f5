package dev.sweep.jobs.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.jobs.Campaigns;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PlanAlerts} keyed by area at the plan level (the township) on the tiny campaign: one wave 08:00-10:00, the
 * deadline at its close, Chengguan 6,500 people against a target of 85% (5,525).
 */
class PlanAlertsHarnessTest {
    static final long OPENS = Instant.parse("2022-05-04T00:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, Coverage, Alert> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new PlanAlerts(Campaigns.TINY, 0.85, AlertRules.defaults()), c -> c.getAreaId(), Types.STRING);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void point(long minute, long sampled, double ratePerHour) throws Exception {
        harness.processElement(Coverage.newBuilder().setScope(CoverageScope.TOWNSHIP).setTownshipId("CG").setLevel("township").setAreaId("CG")
                .setMinute(Instant.ofEpochMilli(OPENS + minute * MINUTE)).setSampled(sampled).setPopulation(6500)
                .setCoverage(sampled / 6500.0).setRatePerHour(ratePerHour).setEtaMinutes(null).build(),
                OPENS + minute * MINUTE);
    }

    private void clockAt(long minute) throws Exception {
        harness.processWatermark(OPENS + minute * MINUTE);
    }

    private List<String> alerts() {
        List<String> out = new ArrayList<>();
        for (Alert a : harness.extractOutputValues()) {
            assertEquals(a.getTownshipId(), a.getAreaId(), "at the township level, the area is the township");
            out.add(a.getState() + " " + a.getKind() + " " + a.getTownshipId() + " since+"
                    + (a.getSince().toEpochMilli() - OPENS) / MINUTE + " at+" + (a.getAt().toEpochMilli() - OPENS) / MINUTE
                    + " " + Math.round(a.getValue() * 100) / 100.0);
        }
        harness.getOutput().clear();
        return out;
    }

    @Test
    void aTownshipWhoseRateMissesTheTargetByTheDeadlineIsBehindPlanUntilItCatchesUp() throws Exception {
        for (long m = 0; m < 30; m++) {
            point(m, 40 * m, 2400); // 40 a minute: 4,760 by 10:00 as seen at 08:30, short of 5,525
        }
        clockAt(29);
        assertEquals(List.of(), alerts(), "judged from 08:15, raised after 15 minutes behind");
        clockAt(30);
        assertEquals(List.of("RAISED TOWNSHIP_BEHIND_PLAN CG since+15 at+30 0.73"), alerts());
        for (long m = 30; m < 60; m++) {
            point(m, 1200 + 80 * (m - 30), 4800);
        }
        clockAt(35);
        assertEquals(List.of(), alerts(), "on track from 08:31, for less than the clear delay");
        clockAt(36);
        assertEquals(List.of("RESOLVED TOWNSHIP_BEHIND_PLAN CG since+15 at+36 1.28"), alerts());
        clockAt(60);
        assertEquals(List.of(), alerts(), "on track to the last point");
    }

    @Test
    void pointsAheadOfTheEventClockAreNotUsedBeforeTheirMinute() throws Exception {
        // A backlog: the whole wave's points arrive at once; at 08:15 only what was known by then counts.
        for (long m = 0; m < 60; m++) {
            point(m, m < 30 ? 40 * m : 1200 + 80 * (m - 30), m < 30 ? 2400 : 4800);
        }
        clockAt(30);
        assertEquals(List.of("RAISED TOWNSHIP_BEHIND_PLAN CG since+15 at+30 0.73"), alerts());
    }

    @Test
    void theDeadlineSettlesThePlanAndResolvesWhatIsStillBehindIt() throws Exception {
        for (long m = 0; m < 120; m++) {
            point(m, 40 * m, 2400); // behind all the way
        }
        clockAt(30);
        assertEquals(List.of("RAISED TOWNSHIP_BEHIND_PLAN CG since+15 at+30 0.73"), alerts());
        clockAt(119);
        assertEquals(List.of(), alerts());
        clockAt(120);
        assertEquals(List.of("RESOLVED TOWNSHIP_BEHIND_PLAN CG since+15 at+120 0.73"), alerts(),
                "at 10:00 the campaign is over: its shortfall is final, no longer an incident");
        clockAt(200);
        assertEquals(List.of(), alerts());
    }
}
