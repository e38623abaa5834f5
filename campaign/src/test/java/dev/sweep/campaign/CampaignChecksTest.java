package dev.sweep.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventChecks;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Rejection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The checks every reader of the stations applies: the campaign's sites, townships and time window. */
class CampaignChecksTest {
    static final Scenario NEIXIANG = Scenario.load("neixiang");
    static final CampaignChecks CHECKS = new CampaignChecks(NEIXIANG);
    static final long NOW = Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
    static final String ID = "41132519900307123" + EventChecks.idCheckCharacter("41132519900307123");

    static ScanEvent scan(String siteId, String townshipId, Instant at) {
        return ScanEvent.newBuilder().setScanId("s-1").setSiteId(siteId).setTownshipId(townshipId)
                .setSamplerId("NX-CG-001-S01").setTubeId("t-1").setPersonKey("0123456789abcdef0123456789abcdef")
                .setScannedAt(at).setPoolSize(10).setStationSeq(1).build();
    }

    static Rejection reason(ScanEvent e) {
        return assertThrows(RejectedRecordException.class, () -> CHECKS.scan(EventCodec.SCANS.encode(e), NOW)).reason();
    }

    @Test
    void theWindowIsTheWavesWithSixHoursEitherSide() {
        assertEquals(Instant.parse("2022-05-03T01:00:00Z"), NEIXIANG.windowStart()); // 15:00 +08 less 6 h
        assertEquals(Instant.parse("2022-05-04T10:00:00Z"), NEIXIANG.windowEnd());   // 12:00 +08 plus 6 h
    }

    @Test
    void scansFromAnotherYearOrAheadOfTheClockAreOutOfWindow() throws Exception {
        for (String at : new String[] {"2001-05-04T00:00:00Z", "2021-12-31T00:00:00Z", "2024-05-04T00:00:00Z",
                "2099-12-31T00:00:00Z", "2022-05-03T00:59:59.999Z", "2022-05-04T10:00:00.001Z"}) {
            assertEquals(Rejection.OUT_OF_WINDOW, reason(scan("NX-CG-001", "CG", Instant.parse(at))), at);
        }
        CHECKS.scan(EventCodec.SCANS.encode(scan("NX-CG-001", "CG", Instant.parse("2022-05-03T01:00:00Z"))), NOW);
        CHECKS.scan(EventCodec.SCANS.encode(scan("NX-CG-001", "CG", Instant.parse("2022-05-04T10:00:00Z"))), NOW);
        long early = Instant.parse("2022-05-04T00:00:00Z").toEpochMilli();
        RejectedRecordException e = assertThrows(RejectedRecordException.class, () -> CHECKS.scan(
                EventCodec.SCANS.encode(scan("NX-CG-001", "CG", Instant.ofEpochMilli(early))), early - Duration.ofHours(2).toMillis()));
        assertEquals(Rejection.OUT_OF_WINDOW, e.reason(), "two hours ahead of the wall clock");
    }

    @Test
    void aHomeAreaMustBeAnAreaBelowTheRoot() throws Exception {
        Instant at = Instant.parse("2022-05-04T01:00:00Z");
        String village = NEIXIANG.childrenOf("XG").get(0).id();
        ScanEvent crossing = scan("NX-CG-001", "CG", at);
        crossing.setHomeAreaId(village); // sampled in Chengguan, registered in a village of Xiaguan
        assertEquals(village, CHECKS.scan(EventCodec.SCANS.encode(crossing), NOW).getHomeAreaId());
        crossing.setHomeAreaId("XG");
        CHECKS.scan(EventCodec.SCANS.encode(crossing), NOW);

        for (String bad : new String[] {"NX", "atlantis", " ", ID}) {
            ScanEvent e = scan("NX-CG-001", "CG", at);
            e.setHomeAreaId(bad);
            RejectedRecordException r = assertThrows(RejectedRecordException.class,
                    () -> CHECKS.scan(EventCodec.SCANS.encode(e), NOW), bad);
            assertEquals(bad.equals(ID) ? Rejection.RAW_PERSONAL_ID : Rejection.INVALID_FIELD, r.reason(), bad);
            assertTrue(r.getMessage().contains("homeAreaId"), r.getMessage());
            assertFalse(r.getMessage().contains(ID), r.getMessage());
        }
    }

    @Test
    void aShiftedCampaignMovesItsWindow() throws Exception {
        CampaignChecks today = new CampaignChecks(NEIXIANG.startingAt(Instant.parse("2026-11-29T07:00:00Z")));
        today.scan(EventCodec.SCANS.encode(scan("NX-CG-001", "CG", Instant.parse("2026-11-30T01:00:00Z"))), NOW + 86_400_000L);
        assertEquals(Instant.parse("2026-11-30T04:00:00Z"), today.campaign().deadline());
    }

    @Test
    void detailsNeverEchoAnIdNumberNorALongValue() {
        StationStatus hb = new StationStatus(ID, "CG", Instant.parse("2022-05-04T01:00:00Z"), SiteState.OPEN, 1, 1, 1);
        RejectedRecordException e = assertThrows(RejectedRecordException.class,
                () -> CHECKS.heartbeat(EventCodec.STATUSES.encode(hb), NOW));
        assertEquals(Rejection.RAW_PERSONAL_ID, e.reason());
        assertFalse(e.getMessage().contains(ID), e.getMessage());

        RejectedRecordException township = assertThrows(RejectedRecordException.class,
                () -> CHECKS.scan(EventCodec.SCANS.encode(scan("NX-CG-001", ID, Instant.parse("2022-05-04T01:00:00Z"))), NOW));
        assertEquals(Rejection.INVALID_FIELD, township.reason());
        assertFalse(township.getMessage().contains(ID), township.getMessage());
        assertTrue(township.getMessage().contains("411325"), "enough to debug: " + township.getMessage());

        String huge = "NX-" + "X".repeat(600_000);
        RejectedRecordException unknown = assertThrows(RejectedRecordException.class,
                () -> CHECKS.scan(EventCodec.SCANS.encode(scan(huge, "CG", Instant.parse("2022-05-04T01:00:00Z"))), NOW));
        assertEquals(Rejection.UNKNOWN_SITE, unknown.reason());
        assertTrue(unknown.getMessage().length() < 200, "the detail quotes 40 characters: " + unknown.getMessage().length());
    }
}
