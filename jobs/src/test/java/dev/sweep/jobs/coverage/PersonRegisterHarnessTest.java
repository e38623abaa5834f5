package dev.sweep.jobs.coverage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.records.Counted;
import dev.sweep.jobs.records.Ids;
import dev.sweep.jobs.records.Scan;
import dev.sweep.jobs.records.Tally;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PersonRegister} keyed by personKey, as in {@link CoverageJob}: dedup, first scans by event time, late counts, TTL. */
class PersonRegisterHarnessTest {
    static final long T0 = Instant.parse("2022-05-04T00:10:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, Scan, Counted> harness;
    /** The test's scan names by the tube hash each scan is given, to read the output by name. */
    private static final Map<Long, String> NAMES = new HashMap<>();

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Scan, Counted> register(Duration ttl) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Scan, Counted> h = ProcessFunctionTestHarnesses
                .forKeyedProcessFunction(new PersonRegister(ttl, FORGET_AFTER), s -> s.personKey, Types.STRING);
        h.setStateTtlProcessingTime(0);
        return h;
    }

    static Scan scan(String scanId, String person, long at) {
        return scan(scanId, person, at, 0);
    }

    /** A scan at the {@code site}-th site of the campaign; its tube tells the test which scan came out. */
    static Scan scan(String scanId, String person, long at, int site) {
        Scan s = new Scan();
        s.scanId = Ids.hash(scanId);
        s.site = site;
        s.sampler = Ids.hash("sa1");
        s.tube = Ids.hash("tube of " + scanId + "@" + at);
        NAMES.put(s.tube, scanId);
        s.personKey = person;
        s.scannedAt = at;
        return s;
    }

    private void send(Scan s) throws Exception {
        harness.processElement(s, s.scannedAt);
    }

    /**
     * What was let through since the last call: "scanId:true" for a scan that counts the person in,
     * "scanId:false" for one that does not, "back@site+minutes" for a person taken back from a site and time.
     */
    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (Counted c : harness.extractOutputValues()) {
            out.add(c.persons < 0 ? "back@" + c.site + "+" + (c.at - T0) / MINUTE : NAMES.get(c.tube) + ":" + (c.persons > 0));
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

    static final Duration FORGET_AFTER = Duration.ofDays(3);

    @Test
    void aPersonIsRememberedForTheCampaignAndForgottenAfterIt() throws Exception {
        harness = register(Duration.ofDays(1));
        send(scan("s1", "p1", T0));
        assertEquals(List.of("s1:true"), drain());
        harness.setStateTtlProcessingTime(FORGET_AFTER.toMillis() - 1);
        send(scan("s2", "p1", T0 + MINUTE));
        assertEquals(List.of("s2:false"), drain(), "a re-test within the campaign is not a new person");

        // No scan of p1 for the whole span after their last one: the campaign is over and the register lets go.
        harness.setStateTtlProcessingTime(2 * FORGET_AFTER.toMillis());
        send(scan("s3", "p1", T0 + 2 * MINUTE));
        assertEquals(List.of("s3:true"), drain());
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
    void theSameScanIdIsAcceptedAgainOnceTheDedupTtlOfEventTimeHasPassed() throws Exception {
        harness = register(Duration.ofMinutes(10));
        send(scan("s1", "p1", T0));
        assertEquals(List.of("s1:true"), drain());

        send(scan("s2", "p1", T0 + 9 * MINUTE)); // a re-test within the TTL: s1 is still remembered
        assertEquals(List.of("s2:false"), drain());
        send(scan("s1", "p1", T0));
        assertEquals(List.of(), drain(), "a re-send of s1 within the TTL is a duplicate");
        tallies();

        send(scan("s3", "p1", T0 + 10 * MINUTE + 1)); // more than the TTL after s1: s1 is forgotten
        assertEquals(List.of("s3:false"), drain());
        send(scan("s1", "p1", T0));
        assertEquals(List.of("s1:false"), drain(),
                "after the TTL of event time the scanId is forgotten and accepted again; the person stays sampled once");
        assertEquals(List.of(), tallies());
        send(scan("s3", "p1", T0 + 10 * MINUTE + 1));
        assertEquals(List.of(), drain(), "s3 is within the TTL: a duplicate");
    }

    @Test
    void anEarlierScanReadLaterTakesThePersonOverWhateverTheOrder() throws Exception {
        harness = register(Duration.ofDays(1));
        // Read from a backlog: the re-test an hour later, at another site, comes first.
        send(scan("later", "p1", T0 + 60 * MINUTE, 7));
        assertEquals(List.of("later:true"), drain());
        send(scan("earlier", "p1", T0, 3));
        assertEquals(List.of("back@7+60", "earlier:true"), drain(),
                "the earlier scan counts the person at its site; the later one gives the person back");
        send(scan("third", "p1", T0 + 30 * MINUTE, 5));
        assertEquals(List.of("third:false"), drain(), "a scan between them changes nothing");

        // A tie in time goes to the lower scanId's hash, in either order.
        long a = Ids.hash("tie-a");
        long b = Ids.hash("tie-b");
        String low = a < b ? "tie-a" : "tie-b";
        String high = a < b ? "tie-b" : "tie-a";
        send(scan(high, "p2", T0, 1));
        send(scan(low, "p2", T0, 2));
        assertEquals(List.of(high + ":true", "back@1+0", low + ":true"), drain());
        send(scan(low, "p3", T0, 2));
        send(scan(high, "p3", T0, 1));
        assertEquals(List.of(low + ":true", high + ":false"), drain());
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
