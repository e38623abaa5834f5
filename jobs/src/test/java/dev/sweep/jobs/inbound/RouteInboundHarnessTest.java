package dev.sweep.jobs.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sweep.events.SiteState;
import dev.sweep.jobs.coverage.PipelineHealth;
import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.Ids;
import dev.sweep.jobs.records.Inbound;
import dev.sweep.jobs.records.Scan;
import dev.sweep.jobs.records.Tally;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RouteInbound}: scans on, heartbeats and dead letters aside, and event-time tallies of both. */
class RouteInboundHarnessTest {
    static final long T0 = Instant.parse("2022-05-04T00:10:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    private OneInputStreamOperatorTestHarness<Inbound, Scan> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new RouteInbound());
        harness.setProcessingTime(0);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    static Inbound scan(String scanId, long at) {
        Scan s = new Scan();
        s.scanId = Ids.hash(scanId);
        s.site = 0;
        s.sampler = Ids.hash("sa1");
        s.tube = Ids.hash("tu1");
        s.personKey = "0123456789abcdef0123456789abcdef";
        s.scannedAt = at;
        Inbound in = new Inbound();
        in.scan = s;
        return in;
    }

    static Inbound heartbeat(long at) {
        Heartbeat h = new Heartbeat();
        h.site = 0;
        h.reportedAt = at;
        h.state = SiteState.OPEN;
        h.queueLength = 12;
        h.lanesOpen = 2;
        h.samplersOnDuty = 4;
        Inbound in = new Inbound();
        in.heartbeat = h;
        return in;
    }

    static Inbound deadLetter(String reason, long kafkaTimestamp) {
        DeadLetter d = new DeadLetter();
        d.value = new byte[] {1, 2, 3};
        d.reason = reason;
        d.detail = "test";
        d.topic = "sweep.scans";
        d.partition = 1;
        d.offset = 42;
        d.timestamp = kafkaTimestamp;
        Inbound in = new Inbound();
        in.deadLetter = d;
        return in;
    }

    private void send(Inbound in) throws Exception {
        harness.processElement(in, in.eventTime());
    }

    private <T> List<StreamRecord<T>> side(OutputTag<T> tag) {
        List<StreamRecord<T>> out = new ArrayList<>();
        ConcurrentLinkedQueue<StreamRecord<T>> q = harness.getSideOutput(tag);
        if (q != null) {
            out.addAll(q);
            q.clear();
        }
        return out;
    }

    /** The tallies emitted since the last call, by minute after T0, as "events dead(corrupt,fp,invalid,raw,site)". */
    private TreeMap<Long, String> tallies() {
        TreeMap<Long, String> out = new TreeMap<>();
        for (StreamRecord<Tally> r : side(RouteInbound.TALLIES)) {
            Tally t = r.getValue();
            assertEquals(t.minute, r.getTimestamp(), "a tally is stamped with its minute");
            assertEquals(0, t.duplicates + t.late, "routing counts no duplicates or late scans");
            long m = (t.minute - T0) / MINUTE;
            assertEquals(null, out.get(m), "one tally per minute per emission");
            out.put(m, t.events + " dead(" + t.deadCorrupt + "," + t.deadUnknownFingerprint + ","
                    + t.deadInvalidField + "," + t.deadRawPersonalId + "," + t.deadUnknownSite + ")");
        }
        return out;
    }

    @Test
    void routesEachKindToItsOutput() throws Exception {
        Inbound s1 = scan("s1", T0 + 5_000);
        Inbound s2 = scan("s2", T0 + MINUTE + 5_000);
        Inbound hb = heartbeat(T0 + 10_000);
        Inbound dl = deadLetter("corrupt", T0 + 20_000);
        send(s1);
        send(hb);
        send(dl);
        send(s2);

        List<StreamRecord<? extends Scan>> scans = harness.extractOutputStreamRecords();
        assertEquals(2, scans.size());
        // the harness copies records through their serializer: compare contents
        assertEquals(Ids.hash("s1"), scans.get(0).getValue().scanId);
        assertEquals(T0 + 5_000, scans.get(0).getTimestamp());
        assertEquals(Ids.hash("s2"), scans.get(1).getValue().scanId);
        assertEquals(T0 + MINUTE + 5_000, scans.get(1).getValue().scannedAt);
        assertEquals(T0 + MINUTE + 5_000, scans.get(1).getTimestamp());

        List<StreamRecord<Heartbeat>> heartbeats = side(RouteInbound.HEARTBEATS);
        assertEquals(1, heartbeats.size());
        assertEquals(12, heartbeats.get(0).getValue().queueLength);
        assertEquals(SiteState.OPEN, heartbeats.get(0).getValue().state);
        assertEquals(T0 + 10_000, heartbeats.get(0).getTimestamp());

        List<StreamRecord<DeadLetter>> dead = side(RouteInbound.DEAD_LETTERS);
        assertEquals(1, dead.size());
        assertEquals("corrupt", dead.get(0).getValue().reason);
        assertEquals(42, dead.get(0).getValue().offset);
        assertEquals(T0 + 20_000, dead.get(0).getTimestamp(), "a dead letter keeps its Kafka timestamp");
    }

    @Test
    void talliesEventsAndDeadLettersPerReasonPerMinuteOnProcessingTime() throws Exception {
        send(scan("s1", T0 + 5_000));
        send(heartbeat(T0 + 10_000));
        send(deadLetter("corrupt", T0 + 20_000));
        send(deadLetter("raw-personal-id", T0 + 21_000));
        send(deadLetter("corrupt", T0 + 22_000));
        send(scan("s2", T0 + MINUTE + 5_000));
        send(deadLetter("unknown-site", T0 + MINUTE + 6_000));
        send(deadLetter("unknown-fingerprint", T0 + 2 * MINUTE));
        send(deadLetter("invalid-field", T0 + 2 * MINUTE + 1));
        send(scan("s0", T0 - 1)); // the minute before
        assertEquals(new TreeMap<>(), tallies(), "nothing before the first emit");

        harness.setProcessingTime(999);
        assertEquals(new TreeMap<>(), tallies());
        harness.setProcessingTime(1_000);
        TreeMap<Long, String> expected = new TreeMap<>();
        expected.put(-1L, "1 dead(0,0,0,0,0)");
        expected.put(0L, "2 dead(2,0,0,1,0)");
        expected.put(1L, "1 dead(0,0,0,0,1)");
        expected.put(2L, "0 dead(0,1,1,0,0)");
        assertEquals(expected, tallies());

        harness.setProcessingTime(2_000);
        assertEquals(new TreeMap<>(), tallies(), "emitted tallies are not emitted again");

        send(scan("s3", T0 + 30_000));
        harness.setProcessingTime(2_999);
        assertEquals(new TreeMap<>(), tallies());
        harness.setProcessingTime(3_000);
        TreeMap<Long, String> next = new TreeMap<>();
        next.put(0L, "1 dead(0,0,0,0,0)");
        assertEquals(next, tallies(), "a partial tally: only what came since the last emit");
        assertEquals(1, harness.getProcessingTimeService().getNumActiveTimers(), "the emit timer keeps itself scheduled");
    }

    @Test
    void emitsPendingTalliesBeforeTheCheckpointBarrier() throws Exception {
        send(scan("s1", T0 + 5_000));
        send(deadLetter("invalid-field", T0 + 6_000));
        harness.prepareSnapshotPreBarrier(1);
        TreeMap<Long, String> expected = new TreeMap<>();
        expected.put(0L, "1 dead(0,0,1,0,0)");
        assertEquals(expected, tallies(), "nothing pending is left out of the checkpoint");

        harness.snapshot(1, 500);
        harness.setProcessingTime(1_000);
        assertEquals(new TreeMap<>(), tallies(), "and nothing is counted twice");
    }

    @Test
    void emitsPendingTalliesWhenFinishing() throws Exception {
        send(scan("s1", T0 + 5_000));
        harness.close();
        List<StreamRecord<Tally>> out = side(RouteInbound.TALLIES);
        harness = null;
        assertEquals(1, out.size());
        assertEquals(1, out.get(0).getValue().events);
    }

    /**
     * BUG (RouteInbound): tallies still pending when the final watermark (Long.MAX_VALUE) passes are
     * only emitted in finish(), which a bounded job calls after it has sent that watermark on
     * (StreamTask.endData: advanceToEndOfEventTime, then finishOperators). Downstream, PipelineHealth
     * then gets them after its end-of-input event-time timer has fired, and its processing-time timer
     * never fires (finishing quiesces it): the last second of events and dead letters is missing from
     * the pipeline measurement. Fix: emit the pending tallies in processWatermark before forwarding a
     * Long.MAX_VALUE watermark.
     */
    @Test
    void bugPendingTalliesGoOutBeforeTheFinalWatermark() throws Exception {
        send(scan("s1", T0 + 5_000));
        send(deadLetter("corrupt", T0 + 6_000));
        harness.processWatermark(Long.MAX_VALUE);
        TreeMap<Long, String> expected = new TreeMap<>();
        expected.put(0L, "1 dead(1,0,0,0,0)");
        assertEquals(expected, tallies(), "the tallies must precede the end-of-input watermark downstream");
    }
}
