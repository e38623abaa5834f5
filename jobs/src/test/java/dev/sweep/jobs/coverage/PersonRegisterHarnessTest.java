package dev.sweep.jobs.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.records.Scan;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PersonRegister} keyed by personKey, as in {@link CoverageJob}: dedup, first scans, late counts, TTL. */
class PersonRegisterHarnessTest {
    static final long T0 = Instant.parse("2022-05-04T00:10:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, Scan, Scan> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Scan, Scan> register(Duration ttl) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Scan, Scan> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new PersonRegister(ttl), s -> s.personKey, Types.STRING);
        return h;
    }

    static Scan scan(String scanId, String person, long at) {
        Scan s = new Scan();
        s.scanId = scanId;
        s.siteId = "NX-QL-001";
        s.townshipId = "QL";
        s.samplerId = "sa1";
        s.tubeId = "tu1";
        s.personKey = person;
        s.scannedAt = at;
        s.poolSize = 10;
        return s;
    }

    private void send(Scan s) throws Exception {
        harness.processElement(s, s.scannedAt);
    }

    /** The scans emitted since the last call, as "scanId:firstTime". */
    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (Scan s : harness.extractOutputValues()) {
            out.add(s.scanId + ":" + s.firstTime);
        }
        harness.getOutput().clear();
        return out;
    }

    /** The tallies on PersonRegister.TALLIES since the last call, as "minute duplicates late". */
    private List<String> tallies() {
        List<String> out = new ArrayList<>();
        var side = harness.getSideOutput(PersonRegister.TALLIES);
        if (side != null) {
            for (StreamRecord<Tally> r : side) {
                Tally t = r.getValue();
                assertEquals(0, t.events + t.deadLetters(), "the register counts duplicates and late scans only");
                out.add((t.minute - T0) / MINUTE + "m dup=" + t.duplicates + " late=" + t.late);
            }
            side.clear();
        }
        return out;
    }

    @Test
    void dropsARepeatedScanIdAndCountsItAsADuplicate() throws Exception {
        harness = register(Duration.ofDays(1));
        send(scan("s1", "p1", T0 + 5_000));
        assertEquals(List.of("s1:true"), drain());
        assertEquals(List.of(), tallies());

        send(scan("s1", "p1", T0 + 5_000)); // the station's retry
        assertEquals(List.of(), drain(), "emitted once");
        assertEquals(List.of("0m dup=1 late=0"), tallies(), "counted as a duplicate in the scan's minute");

        send(scan("s1", "p1", T0 + 5_000));
        assertEquals(List.of(), drain());
        assertEquals(List.of("0m dup=1 late=0"), tallies(), "one partial tally per duplicate");
    }

    @Test
    void marksThePersonsFirstScanAndNotARetestWithAnotherScanId() throws Exception {
        harness = register(Duration.ofDays(1));
        send(scan("s1", "p1", T0 + 5_000));
        send(scan("s2", "p2", T0 + 6_000));
        send(scan("s3", "p1", T0 + 2 * MINUTE)); // re-test of p1
        send(scan("s4", "p2", T0 + 3 * MINUTE)); // re-test of p2
        assertEquals(List.of("s1:true", "s2:true", "s3:false", "s4:false"), drain());
        assertEquals(List.of(), tallies(), "a re-test is neither a duplicate nor late");
    }

    @Test
    void aScanBehindTheWatermarkIsEmittedAndCountedLate() throws Exception {
        harness = register(Duration.ofDays(1));
        harness.processWatermark(T0 + 2 * MINUTE);

        send(scan("s1", "p1", T0 + 30_000));
        assertEquals(List.of("s1:true"), drain(), "a late scan still counts");
        assertEquals(List.of("0m dup=0 late=1"), tallies(), "counted late in its own minute");

        send(scan("s2", "p2", T0 + 2 * MINUTE)); // exactly at the watermark: not late
        assertEquals(List.of("s2:true"), drain());
        assertEquals(List.of(), tallies());

        send(scan("s1", "p1", T0 + 30_000)); // a late duplicate is a duplicate, not late again
        assertEquals(List.of(), drain());
        assertEquals(List.of("0m dup=1 late=0"), tallies());
    }

    @Test
    void theSameScanIdIsAcceptedAgainAfterTheDedupTtl() throws Exception {
        harness = register(Duration.ofMillis(100));
        harness.setStateTtlProcessingTime(0);
        send(scan("s1", "p1", T0));
        assertEquals(List.of("s1:true"), drain());

        // Flink state TTL runs on processing time, but the harness keeps two separate clocks:
        // setProcessingTime drives timers only; the TTL time provider (a MockTtlTimeProvider)
        // moves with setStateTtlProcessingTime. So advancing processing time alone expires nothing.
        harness.setProcessingTime(10_000);
        send(scan("s1", "p1", T0));
        assertEquals(List.of(), drain(), "still a duplicate: setProcessingTime does not move the TTL clock");
        assertEquals(List.of("0m dup=1 late=0"), tallies());

        harness.setStateTtlProcessingTime(99);
        send(scan("s1", "p1", T0));
        assertEquals(List.of(), drain(), "within the TTL (OnCreateAndWrite: a read does not extend it)");
        tallies();

        harness.setStateTtlProcessingTime(100);
        send(scan("s1", "p1", T0));
        assertEquals(List.of("s1:false"), drain(),
                "after the TTL the scanId is forgotten and accepted again; the person stays sampled");
        assertEquals(List.of(), tallies());

        harness.setStateTtlProcessingTime(150);
        send(scan("s1", "p1", T0));
        assertEquals(List.of(), drain(), "re-remembered for another TTL");
        assertFalse(tallies().isEmpty());
    }

    @Test
    void keysAreIndependent() throws Exception {
        harness = register(Duration.ofDays(1));
        send(scan("same-id", "p1", T0));
        send(scan("same-id", "p2", T0)); // dedup is per person: another person's scanId never collides
        assertEquals(List.of("same-id:true", "same-id:true"), drain());
        assertTrue(tallies().isEmpty());
    }
}
