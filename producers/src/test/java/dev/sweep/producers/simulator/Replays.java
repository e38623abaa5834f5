package dev.sweep.producers.simulator;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Replays shared by the test classes of this module (they run in one JVM): a full neixiang replay
 * takes seconds to generate and ~140 MB to hold, so the clean one and the all-drills one are made
 * once and kept; others are made by the test that needs them.
 */
final class Replays {
    static final long SEED = 7;
    static final Scenario NEIXIANG = Scenario.load("neixiang");
    /** Ten townships of two or three villages, two sites each: every drill at once, in a second. */
    static final Scenario SMALL = Scenario.load(Path.of("src/test/resources/scenarios/small-county").toAbsolutePath()
            .toString());

    private static CampaignSimulator.Replay clean;
    private static CampaignSimulator.Replay allDrills;

    private Replays() {}

    /** Seed 7, no drills, on the campaign's own dates. */
    static synchronized CampaignSimulator.Replay clean() {
        if (clean == null) {
            clean = run(SEED, Set.of());
        }
        return clean;
    }

    /** Seed 7 with every drill ({@code --drill all}). */
    static synchronized CampaignSimulator.Replay allDrills() {
        if (allDrills == null) {
            allDrills = run(SEED, Drill.parse(List.of("all")));
        }
        return allDrills;
    }

    static CampaignSimulator.Replay run(long seed, Set<Drill> drills) {
        return new CampaignSimulator(NEIXIANG, seed, drills.isEmpty() ? EnumSet.noneOf(Drill.class) : drills, 0,
                CampaignSimulator.DRILL_STATION_KEY).run();
    }

    /** A new broker's input topics are empty (LocalKafka returns only once every partition serves). */
    static void assertFreshBroker(LocalKafka kafka) {
        for (String topic : List.of(Topics.SCANS, Topics.STATION_STATUS)) {
            if (kafka.endOffsetsSum(topic) != 0) {
                throw new IllegalStateException(topic + " is not empty on a new broker");
            }
        }
    }

    static ScanEvent scan(Emission e) {
        try {
            return EventCodec.SCANS.decode(e.value());
        } catch (RejectedRecordException x) {
            throw new AssertionError("scan does not decode: " + x.getMessage(), x);
        }
    }

    static StationStatus status(Emission e) {
        try {
            return EventCodec.STATUSES.decode(e.value());
        } catch (RejectedRecordException x) {
            throw new AssertionError("heartbeat does not decode: " + x.getMessage(), x);
        }
    }

    static boolean isScan(Emission e) {
        return e.topic().equals(Topics.SCANS);
    }

    static boolean isStatus(Emission e) {
        return e.topic().equals(Topics.STATION_STATUS);
    }

    /** SHA-256 over every emission in order: topic, key, value, event time and send time. */
    static String digest(List<Emission> emissions) {
        return digest(emissions.iterator());
    }

    /** The same, over the records of a stream as they come (taking them). */
    static String digest(Iterator<Emission> emissions) {
        MessageDigest md = sha256();
        ByteBuffer longs = ByteBuffer.allocate(16);
        while (emissions.hasNext()) {
            Emission e = emissions.next();
            md.update(e.topic().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(e.key().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            longs.clear();
            longs.putLong(e.eventTime()).putLong(e.sendAt());
            md.update(longs.array());
            md.update(ByteBuffer.allocate(4).putInt(e.value().length).array());
            md.update(e.value());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * An order-independent digest of the records' topic, key and value (sum of per-record hashes):
     * equal for two lists holding the same records in any order.
     */
    static long multisetDigest(List<Emission> emissions) {
        long sum = 0;
        MessageDigest md = sha256();
        for (Emission e : emissions) {
            md.update(e.topic().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(e.key().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(e.value());
            sum += ByteBuffer.wrap(md.digest()).getLong();
        }
        return sum;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
