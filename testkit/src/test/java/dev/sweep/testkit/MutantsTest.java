package dev.sweep.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every mutant the fuzz tests send decodes to a valid record or to a rejection with a reason: nothing else. */
class MutantsTest {
    @Test
    void thirtyThousandMutantsAreEachAValidRecordOrARejection() {
        Instant t = Instant.parse("2022-05-04T00:00:01.234Z");
        byte[][] seeds = {
            EventCodec.SCANS.encode(ScanEvent.newBuilder().setScanId("NX-CG-001-000042").setSiteId("NX-CG-001")
                    .setTownshipId("CG").setSamplerId("NX-CG-001-S03").setTubeId("NX-CG-001-T000005")
                    .setPersonKey("0123456789abcdef0123456789abcdef").setScannedAt(t).setPoolSize(10).setStationSeq(42)
                    .build()),
            EventCodec.STATUSES.encode(new StationStatus("NX-CG-001", "CG", t, SiteState.CLOSED, 0, 0, 0))};
        SplittableRandom rng = new SplittableRandom(7);
        int[] outcomes = new int[2];
        for (int i = 0; i < 30_000; i++) {
            byte[] m = Mutants.mutate(seeds[i % 2], rng);
            try {
                if (rng.nextBoolean()) {
                    EventCodec.SCANS.decode(m);
                } else {
                    EventCodec.STATUSES.decode(m);
                }
                outcomes[0]++;
            } catch (RejectedRecordException e) {
                outcomes[1]++;
                assertFalse(e.getMessage().isBlank());
            }
        }
        assertTrue(outcomes[1] > 15_000, "most mutants are refused: " + Arrays.toString(outcomes));
    }
}
