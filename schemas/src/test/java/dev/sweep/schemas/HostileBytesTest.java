package dev.sweep.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Bytes made to hurt a reader: every one is a rejection with a reason, never another exception and never an
 * allocation the record cannot pay for. (Avro trusts a length prefix: a string that claimed 2 GB threw
 * UnsupportedOperationException, which failed the task on every restart.)
 */
class HostileBytesTest {
    static final ScanEvent SCAN = EventCodecTest.scan();

    /** The scan's encoding with the scanId's length prefix (the first byte of the body) replaced. */
    static byte[] withScanIdLength(long claimed) {
        byte[] good = EventCodec.SCANS.encode(SCAN);
        int oldPrefix = 1; // "NX-CG-001-000042" is 16 characters: one varint byte
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(good, 0, 10);
        long zigzag = (claimed << 1) ^ (claimed >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        out.write(good, 10 + oldPrefix, good.length - 10 - oldPrefix);
        return out.toByteArray();
    }

    @Test
    void aStringClaimingTwoGigabytesIsCorruptNotAnAllocation() {
        for (long claimed : new long[] {2_147_483_639L, 2_147_483_647L, 1L << 30, 1L << 40, Long.MAX_VALUE, -1, -200}) {
            byte[] bytes = withScanIdLength(claimed);
            RejectedRecordException e = assertThrows(RejectedRecordException.class, () -> EventCodec.SCANS.decode(bytes),
                    "claimed " + claimed);
            assertEquals(Rejection.CORRUPT, e.reason(), e.getMessage());
        }
        // A length that fits but lies about the rest: still corrupt, never an exception of another kind.
        RejectedRecordException e = assertThrows(RejectedRecordException.class,
                () -> EventCodec.SCANS.decode(withScanIdLength(40)));
        assertEquals(Rejection.CORRUPT, e.reason());
    }

    @Test
    void aHeartbeatWhereAScanBelongsIsCorrupt() {
        byte[] heartbeat = EventCodec.STATUSES.encode(new StationStatus("NX-CG-001", "CG", EventCodecTest.T,
                SiteState.OPEN, 3, 2, 4));
        RejectedRecordException e = assertThrows(RejectedRecordException.class, () -> EventCodec.SCANS.decode(heartbeat));
        assertEquals(Rejection.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("StationStatus where a ScanEvent belongs"), e.getMessage());
    }

    @Test
    void idNumbersAreMaskedInTextAndInBytesKeepingTheAreaCodeAndTheLastCharacter() {
        String id = "41132519900307123" + EventChecks.idCheckCharacter("41132519900307123");
        assertEquals("site 411325***********" + id.charAt(17) + " is unknown", EventChecks.maskIdNumbers("site " + id + " is unknown"));
        assertEquals("411325********7", EventChecks.maskIdNumbers("411325900307127")); // first generation
        assertEquals("NX-CG-001 and 0123456789abcdef0123456789abcdef",
                EventChecks.maskIdNumbers("NX-CG-001 and 0123456789abcdef0123456789abcdef"));
        assertEquals("123456789012345678", EventChecks.maskIdNumbers("123456789012345678"), "no birth date: not an ID");

        ScanEvent withId = ScanEvent.newBuilder(SCAN).setPersonKey(id).build();
        byte[] masked = EventChecks.maskIdNumbers(EventCodec.SCANS.encode(withId));
        String text = new String(masked, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(id));
        assertTrue(text.contains("411325***********" + id.charAt(17)));
        assertEquals(EventCodec.SCANS.encode(withId).length, masked.length, "lengths unchanged: the record still parses");
    }
}
