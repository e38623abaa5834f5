package dev.sweep.producers.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming simulator on a small county, every drill at once: the stream and the list are the same
 * records, in send order, and the ledger is what the records say.
 */
class CampaignStreamTest {
    private static final Scenario S = Replays.SMALL;
    private static final Set<Drill> ALL = Drill.parse(List.of("all"));

    /** Seed 3, every drill, as a list: made once for the tests of this class. */
    private static CampaignSimulator.Replay listed;

    @BeforeAll
    static void replay() {
        listed = simulator(3, ALL).run();
    }

    private static CampaignSimulator simulator(long seed, Set<Drill> drills) {
        return new CampaignSimulator(S, seed, drills, 0, CampaignSimulator.DRILL_STATION_KEY);
    }

    @Test
    void theStreamAndTheListAreTheSameRecordsAndLedger() {
        CampaignStream stream = simulator(3, ALL).stream();
        assertEquals(Replays.digest(listed.emissions()), Replays.digest(stream));
        assertArrayEquals(listed.ledger().toJson(), stream.ledger().toJson());
        assertEquals(8, listed.ledger().drills().size());
    }

    @Test
    void theLedgerIsCompleteOnlyOnceEveryRecordIsTaken() {
        CampaignStream stream = simulator(3, Set.of()).stream();
        assertTrue(stream.hasNext());
        stream.next();
        assertThrows(IllegalStateException.class, stream::ledger);
        while (stream.hasNext()) {
            stream.next();
        }
        assertNotNull(stream.ledger());
    }

    @Test
    void recordsComeInSendOrderEachStationInItsOwn() {
        List<Emission> es = listed.emissions();
        long previous = Long.MIN_VALUE;
        Map<String, Long> seq = new HashMap<>();
        for (Emission e : es) {
            assertTrue(e.sendAt() >= previous, "send order at " + e.sendAt());
            assertTrue(e.sendAt() >= e.eventTime(), "nothing is sent before it happens");
            previous = e.sendAt();
            if (Replays.isScan(e) && S.site(e.key()) != null) {
                ScanEvent scan;
                try {
                    scan = dev.sweep.schemas.EventCodec.SCANS.decode(e.value());
                } catch (dev.sweep.schemas.RejectedRecordException bad) {
                    continue;
                }
                if (scan.getStationSeq() > 0) {
                    long last = seq.getOrDefault(e.key(), 0L);
                    // A re-send repeats its scan; otherwise each station counts up by one.
                    assertTrue(scan.getStationSeq() == last + 1 || scan.getStationSeq() <= last, scan.getScanId().toString());
                    seq.put(e.key(), Math.max(last, scan.getStationSeq()));
                }
            }
        }
    }

    @Test
    void theLedgerIsWhatTheRecordsSay() {
        CampaignSimulator.Replay r = listed;
        Ledger ledger = r.ledger();
        Recount count = new Recount(S, r.emissions().iterator());
        assertEquals(0, count.homeChanges, "a person's home area is the same on every scan");
        assertEquals(0, count.withoutLeafHome, "every scan carries its person's home, a leaf area");
        assertEquals(ledger.county().scans(), count.scans);
        assertEquals(ledger.county().persons(), count.persons);
        assertEquals(ledger.county().sampledOutsideHomeTownship(), count.sampledOutsideHomeTownship);
        assertEquals(S.areas().size(), ledger.areas().size());
        ledger.areas().forEach((id, a) -> assertEquals(a.persons(), count.atHome.getOrDefault(id, 0L), id));
        ledger.townships().forEach((id, t) -> assertEquals(t.persons(), ledger.areas().get(id).persons(), id));
        ledger.sites().forEach((id, site) -> {
            long[] v = count.bySite.get(id);
            assertEquals(site.scans(), v[0], id);
            assertEquals(site.persons(), v[1], id);
            assertEquals(site.fromOtherTownships(), v[2], id);
            assertEquals(site.tubes(), v[3], id);
        });
        // The waves' people are the scenario's, whatever the drills.
        for (int w = 0; w < S.waves().size(); w++) {
            assertEquals(S.waves().get(w).persons(), ledger.county().waves().get(w).persons());
        }
        long records = r.emissions().size();
        assertEquals(records, ledger.records().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(ledger.county().scans() + ledger.duplicatesSent() + 90, ledger.records().get(Topics.SCANS));
    }

    @Test
    void drillsThatNeedMoreTownshipsThanTheCampaignHasAreRefusedByName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("scenario.properties"), Files.readString(
                Path.of("src/test/resources/scenarios/small-county/scenario.properties")));
        Files.writeString(dir.resolve("waves.csv"), "wave,date,opens,closes,persons\nonly,2022-05-04,08:00,12:00,1200\n");
        Files.writeString(dir.resolve("areas.csv"), """
                areaId,parentId,level,nameZh,name,kind,population,lat,lon
                SC,,county,小县,Small county,county,,33.200,111.800
                AN,SC,township,安乐镇,Anle,town,,33.000,111.600
                AN-01,AN,village,安乐第1村,Anle village 1,village,900,33.000,111.600
                BX,SC,township,白杏乡,Baixing,xiang,,33.020,111.700
                BX-01,BX,village,白杏第1村,Baixing village 1,village,700,33.020,111.700
                """);
        Files.writeString(dir.resolve("sites.csv"), """
                siteId,areaId,name,samplers,lanes,capacityPerHour,lat,lon
                SC-AN-001,AN,安乐镇第1采样点,4,2,220,33.0,111.6
                SC-BX-001,BX,白杏乡第1采样点,4,2,220,33.02,111.7
                """);
        Scenario two = Scenario.load(dir.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CampaignSimulator(two, 1, ALL, 0, CampaignSimulator.DRILL_STATION_KEY).stream());
        assertTrue(e.getMessage().contains("9 townships") && e.getMessage().contains("has 2"), e.getMessage());
        // One drill fits, and the two townships swap people across their line.
        Ledger ledger = new CampaignSimulator(two, 1, EnumSet.of(Drill.ALERT_STORM), 0,
                CampaignSimulator.DRILL_STATION_KEY).run().ledger();
        assertEquals(1200, ledger.county().persons());
        assertTrue(ledger.county().sampledOutsideHomeTownship() > 0);
    }
}
