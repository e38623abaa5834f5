package dev.sweep.producers.simulator;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Rejection;
import dev.sweep.schemas.Topics;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The bad-data drill: records on sweep.scans that a correct pipeline sends to dead letters. Each is a
 * variant of a real scan, sent right after it: the scans to copy are chosen ahead by their place in the
 * stream, so nothing has to be kept.
 */
final class BadRecords {
    static final int CORRUPT = 20;
    static final int UNKNOWN_FINGERPRINT = 20;
    static final int RAW_PERSONAL_ID = 20;
    static final int UNKNOWN_SITE = 20;
    static final int INVALID_FIELD = 10;
    static final int ALL = CORRUPT + UNKNOWN_FINGERPRINT + RAW_PERSONAL_ID + UNKNOWN_SITE + INVALID_FIELD;

    private final Scenario scenario;
    private final Residents residents;
    private final SplittableRandom rng;
    /** The places (in the stream's order of real scans) of the scans to copy, ascending; and each one's number. */
    private final long[] at;
    private final int[] number;
    private int next;
    private final Map<String, Long> counts = new TreeMap<>();

    BadRecords(Scenario scenario, Residents residents, long scans, SplittableRandom rng) {
        this.scenario = scenario;
        this.residents = residents;
        this.rng = rng;
        int n = (int) Math.min(ALL, scans);
        Set<Long> picked = new HashSet<>();
        while (picked.size() < n) {
            picked.add(rng.nextLong(scans));
        }
        long[] chosen = picked.stream().mapToLong(Long::longValue).sorted().toArray();
        at = chosen;
        // Which bad record goes where: numbered by kind, spread over the campaign at random.
        number = new int[n];
        for (int i = 0; i < n; i++) {
            number[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = number[i];
            number[i] = number[j];
            number[j] = t;
        }
    }

    /** The bad record to send after the {@code ordinal}-th real scan, or null. */
    Emission after(long ordinal, Emission scan) {
        if (next >= at.length || at[next] != ordinal) {
            return null;
        }
        int n = number[next++];
        ScanEvent like;
        try {
            like = EventCodec.SCANS.decode(scan.value());
        } catch (RejectedRecordException e) {
            throw new IllegalStateException("the simulator's own scan does not decode", e);
        }
        // Its own scanId, so it never dedups with a real scan.
        like.setScanId("BAD-" + SiteWave.padded(n, 4));
        like.setStationSeq(-1);
        byte[] bytes;
        Rejection kind;
        if (n < CORRUPT) {
            kind = Rejection.CORRUPT;
            if (n % 2 == 0) {
                bytes = new byte[20 + rng.nextInt(60)]; // a station's garbled buffer
                for (int k = 0; k < bytes.length; k++) {
                    bytes[k] = (byte) rng.nextInt(256);
                }
                bytes[0] = (byte) 0x7b;
            } else {
                byte[] whole = EventCodec.SCANS.encode(like); // cut short in transit
                bytes = Arrays.copyOf(whole, whole.length - 1 - rng.nextInt(8));
            }
        } else if (n < CORRUPT + UNKNOWN_FINGERPRINT) {
            kind = Rejection.UNKNOWN_FINGERPRINT;
            bytes = EventCodec.SCANS.encode(like);
            for (int k = 2; k < 10; k++) { // a station on a schema this pipeline never saw
                bytes[k] = (byte) rng.nextInt(256);
            }
        } else if (n < CORRUPT + UNKNOWN_FINGERPRINT + RAW_PERSONAL_ID) {
            kind = Rejection.RAW_PERSONAL_ID;
            // The hash step skipped: the ID number of someone outside the campaign's register.
            like.setPersonKey(residents.idNumber(Residents.CAPACITY - 1 - rng.nextInt(90_000)));
            bytes = EventCodec.SCANS.encode(like);
        } else if (n < CORRUPT + UNKNOWN_FINGERPRINT + RAW_PERSONAL_ID + UNKNOWN_SITE) {
            kind = Rejection.UNKNOWN_SITE;
            like.setSiteId(neverCommissioned(like.getSiteId(), n));
            bytes = EventCodec.SCANS.encode(like);
        } else {
            kind = Rejection.INVALID_FIELD;
            like.setPoolSize(7);
            bytes = EventCodec.SCANS.encode(like);
        }
        counts.merge(kind.code(), 1L, Long::sum);
        return new Emission(Topics.SCANS, like.getSiteId().toString(), bytes, scan.eventTime(), scan.sendAt(), 0);
    }

    /** A site id like the real one's (its township's prefix) that the campaign does not have. */
    private String neverCommissioned(CharSequence real, int n) {
        String id = real.toString();
        String prefix = id.lastIndexOf('-') > 0 ? id.substring(0, id.lastIndexOf('-')) : id;
        for (int k = n; ; k += ALL) {
            String candidate = prefix + "-9" + SiteWave.padded(k % 100, 2);
            if (scenario.site(candidate) == null) {
                return candidate;
            }
            if (k > 100 * ALL) {
                return prefix + "-X" + n;
            }
        }
    }

    /** The records sent so far, by rejection code. */
    Map<String, Long> counts() {
        return counts;
    }
}
