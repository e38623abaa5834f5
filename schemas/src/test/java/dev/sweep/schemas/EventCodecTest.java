package dev.sweep.schemas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    static final Instant T = Instant.parse("2022-05-04T00:00:01.234Z");

    static ScanEvent scan() {
        return ScanEvent.newBuilder()
                .setScanId("NX-CG-001-000042").setSiteId("NX-CG-001").setTownshipId("CG")
                .setSamplerId("NX-CG-001-S03").setTubeId("NX-CG-001-T000005")
                .setPersonKey("0123456789abcdef0123456789abcdef")
                .setScannedAt(T).setPoolSize(10).setStationSeq(42).build();
    }

    static RejectedRecordException rejected(ScanEvent e) {
        byte[] bytes = EventCodec.SCANS.encode(e);
        return assertThrows(RejectedRecordException.class, () -> EventCodec.SCANS.decode(bytes));
    }

    @Test
    void everyEventRoundTrips() throws Exception {
        ScanEvent s = scan();
        byte[] bytes = EventCodec.SCANS.encode(s);
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals(s, EventCodec.SCANS.decode(bytes));

        StationStatus st = new StationStatus("NX-CG-001", "CG", T, SiteState.OPEN, 12, 3, 6);
        assertEquals(st, EventCodec.STATUSES.decode(EventCodec.STATUSES.encode(st)));

        SiteMinute m = new SiteMinute("CG", "NX-CG-001", T, 40, 39, 4, 6);
        assertEquals(m, EventCodec.SITE_MINUTES.decode(EventCodec.SITE_MINUTES.encode(m)));

        Coverage c = new Coverage(CoverageScope.COUNTY, null, "county", "NX", T, 478_609L, 550_125L, 0.87, 1200.0, null);
        assertEquals(c, EventCodec.COVERAGE.decode(EventCodec.COVERAGE.encode(c)));

        Alert a = new Alert("a-1", AlertKind.SITE_SILENT, AlertState.RAISED, "CG", "NX-CG-001", "NX-CG-CG01", T, T,
                12.0, 10.0, "采样点无扫码", "no scans");
        assertEquals(a, EventCodec.ALERTS.decode(EventCodec.ALERTS.encode(a)));
    }

    @Test
    void bytesWithoutTheHeaderAreCorrupt() {
        RejectedRecordException e = assertThrows(RejectedRecordException.class,
                () -> EventCodec.SCANS.decode("not avro at all".getBytes()));
        assertEquals(Rejection.CORRUPT, e.reason());
        assertEquals(Rejection.CORRUPT, assertThrows(RejectedRecordException.class,
                () -> EventCodec.SCANS.decode(null)).reason());
    }

    @Test
    void aTruncatedOrPaddedBodyIsCorrupt() {
        byte[] bytes = EventCodec.SCANS.encode(scan());
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 7);
        assertEquals(Rejection.CORRUPT, assertThrows(RejectedRecordException.class,
                () -> EventCodec.SCANS.decode(truncated)).reason());
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 3);
        RejectedRecordException e = assertThrows(RejectedRecordException.class,
                () -> EventCodec.SCANS.decode(padded));
        assertEquals(Rejection.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("3 bytes after the end"), e.getMessage());
    }

    @Test
    void anUnknownFingerprintIsNamed() {
        byte[] bytes = EventCodec.SCANS.encode(scan());
        bytes[5] ^= 0x5a;
        RejectedRecordException e = assertThrows(RejectedRecordException.class,
                () -> EventCodec.SCANS.decode(bytes));
        assertEquals(Rejection.UNKNOWN_FINGERPRINT, e.reason());
        assertTrue(e.getMessage().contains(EventCodec.fingerprintHex(bytes)), e.getMessage());
    }

    @Test
    void aStatusIsNotAScan() {
        byte[] status = EventCodec.STATUSES.encode(
                new StationStatus("NX-CG-001", "CG", T, SiteState.OPEN, 1, 1, 1));
        // Its fingerprint is kept, but a StationStatus cannot be resolved into a ScanEvent.
        assertEquals(Rejection.CORRUPT, assertThrows(RejectedRecordException.class,
                () -> EventCodec.SCANS.decode(status)).reason());
    }

    @Test
    void invalidFieldsAreNamed() {
        ScanEvent pool = scan();
        pool.setPoolSize(7);
        RejectedRecordException e = rejected(pool);
        assertEquals(Rejection.INVALID_FIELD, e.reason());
        assertTrue(e.getMessage().contains("poolSize"), e.getMessage());

        ScanEvent empty = scan();
        empty.setSiteId(" ");
        assertTrue(rejected(empty).getMessage().contains("siteId"));

        ScanEvent key = scan();
        key.setPersonKey("ABCDEF");
        e = rejected(key);
        assertEquals(Rejection.INVALID_FIELD, e.reason());
        assertTrue(e.getMessage().contains("personKey"));

        ScanEvent time = scan();
        time.setScannedAt(Instant.EPOCH);
        assertTrue(rejected(time).getMessage().contains("scannedAt"));

        StationStatus st = new StationStatus("NX-CG-001", "CG", T, SiteState.OPEN, -1, 1, 1);
        byte[] bytes = EventCodec.STATUSES.encode(st);
        e = assertThrows(RejectedRecordException.class, () -> EventCodec.STATUSES.decode(bytes));
        assertEquals(Rejection.INVALID_FIELD, e.reason());
        assertTrue(e.getMessage().contains("queueLength"));
    }

    @Test
    void rawIdNumbersAreRefusedWithoutRepeatingThem() {
        String first17 = "41132519900307123";
        String id = first17 + EventChecks.idCheckCharacter(first17);
        ScanEvent raw = scan();
        raw.setPersonKey(id);
        RejectedRecordException e = rejected(raw);
        assertEquals(Rejection.RAW_PERSONAL_ID, e.reason());
        assertFalse(e.getMessage().contains(id), "the message must not carry the ID itself");

        ScanEvent inTube = scan();
        inTube.setTubeId("T-" + id);
        assertEquals(Rejection.RAW_PERSONAL_ID, rejected(inTube).reason());

        ScanEvent firstGeneration = scan();
        firstGeneration.setPersonKey("411325900307123");
        assertEquals(Rejection.RAW_PERSONAL_ID, rejected(firstGeneration).reason());
    }

    @Test
    void digitRunsThatAreNotIdNumbersPass() {
        assertFalse(EventChecks.containsIdNumber("123456789012345678")); // no valid birth date
        String first17 = "41132519900307123";
        char wrong = EventChecks.idCheckCharacter(first17) == '1' ? '2' : '1';
        assertFalse(EventChecks.containsIdNumber(first17 + wrong));
        assertFalse(EventChecks.containsIdNumber("0123456789abcdef0123456789abcdef"));
    }

    @Test
    void rejectionCodesRoundTrip() {
        for (Rejection r : Rejection.values()) {
            assertEquals(r, Rejection.ofCode(r.code()));
        }
        assertArrayEquals(new String[] {"corrupt", "unknown-fingerprint", "invalid-field", "raw-personal-id",
                "unknown-site", "out-of-window"}, Arrays.stream(Rejection.values()).map(Rejection::code).toArray());
    }
}
