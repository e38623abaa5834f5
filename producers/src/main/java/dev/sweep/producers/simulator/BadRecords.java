package dev.sweep.producers.simulator;

import dev.sweep.events.ScanEvent;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Rejection;
import dev.sweep.schemas.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The bad-data drill: records on sweep.scans that a correct pipeline sends to dead letters. */
final class BadRecords {
    static final int CORRUPT = 20;
    static final int UNKNOWN_FINGERPRINT = 20;
    static final int RAW_PERSONAL_ID = 20;
    static final int UNKNOWN_SITE = 20;
    static final int INVALID_FIELD = 10;

    private BadRecords() {}

    /** Makes the records, spread over the real scans' time, and counts them by rejection code. */
    static List<Emission> make(List<ScanEvent> scans, Residents residents, SplittableRandom rng,
                               Map<String, Long> counts) {
        List<Emission> out = new ArrayList<>();
        int n = 0;
        for (int i = 0; i < CORRUPT; i++, n++) {
            ScanEvent like = variant(scans, rng, n);
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = new byte[20 + rng.nextInt(60)]; // a station's garbled buffer
                for (int k = 0; k < bytes.length; k++) {
                    bytes[k] = (byte) rng.nextInt(256);
                }
                bytes[0] = (byte) 0x7b;
            } else {
                byte[] whole = EventCodec.SCANS.encode(like); // cut short in transit
                bytes = Arrays.copyOf(whole, whole.length - 1 - rng.nextInt(8));
            }
            out.add(emission(like, bytes));
        }
        for (int i = 0; i < UNKNOWN_FINGERPRINT; i++, n++) {
            ScanEvent like = variant(scans, rng, n);
            byte[] bytes = EventCodec.SCANS.encode(like);
            for (int k = 2; k < 10; k++) { // a station on a schema this pipeline never saw
                bytes[k] = (byte) rng.nextInt(256);
            }
            out.add(emission(like, bytes));
        }
        for (int i = 0; i < RAW_PERSONAL_ID; i++, n++) {
            ScanEvent like = variant(scans, rng, n);
            like.setPersonKey(residents.idNumber(0, 900_000 + rng.nextInt(90_000))); // the hash step skipped
            out.add(emission(like, EventCodec.SCANS.encode(like)));
        }
        for (int i = 0; i < UNKNOWN_SITE; i++, n++) {
            ScanEvent like = variant(scans, rng, n);
            like.setSiteId("NX-" + like.getTownshipId() + "-9" + String.format("%02d", i)); // never commissioned
            out.add(emission(like, EventCodec.SCANS.encode(like)));
        }
        for (int i = 0; i < INVALID_FIELD; i++, n++) {
            ScanEvent like = variant(scans, rng, n);
            like.setPoolSize(7);
            out.add(emission(like, EventCodec.SCANS.encode(like)));
        }
        counts.put(Rejection.CORRUPT.code(), (long) CORRUPT);
        counts.put(Rejection.UNKNOWN_FINGERPRINT.code(), (long) UNKNOWN_FINGERPRINT);
        counts.put(Rejection.RAW_PERSONAL_ID.code(), (long) RAW_PERSONAL_ID);
        counts.put(Rejection.UNKNOWN_SITE.code(), (long) UNKNOWN_SITE);
        counts.put(Rejection.INVALID_FIELD.code(), (long) INVALID_FIELD);
        return out;
    }

    /** A copy of a real scan at a random moment, with its own scanId so it never dedups with one. */
    private static ScanEvent variant(List<ScanEvent> scans, SplittableRandom rng, int n) {
        ScanEvent real = scans.get(rng.nextInt(scans.size()));
        ScanEvent copy = ScanEvent.newBuilder(real).build();
        copy.setScanId("BAD-" + String.format("%04d", n));
        copy.setStationSeq(-1);
        return copy;
    }

    private static Emission emission(ScanEvent like, byte[] bytes) {
        long at = like.getScannedAt().toEpochMilli();
        return new Emission(Topics.SCANS, like.getSiteId(), bytes, at, at, 0);
    }
}
