package dev.sweep.producers.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same scenario, seed and drills give byte-identical ledgers and emissions; another seed does not. */
@Tag("e2e")
class DeterminismTest {

    @TempDir
    Path tmp;

    @Test
    void sameSeedSameLedgerAndEmissions() throws Exception {
        CampaignSimulator.Replay one = Replays.clean();
        CampaignSimulator.Replay two = Replays.run(Replays.SEED, Set.of());
        assertArrayEquals(one.ledger().toJson(), two.ledger().toJson());
        assertEquals(one.emissions().size(), two.emissions().size());
        assertEquals(Replays.digest(one.emissions()), Replays.digest(two.emissions()));

        // The ledger survives a round trip through its file.
        Path file = tmp.resolve("ledgers/seed7.json");
        one.ledger().write(file);
        assertArrayEquals(one.ledger().toJson(), Files.readAllBytes(file));
        assertEquals(one.ledger(), Ledger.read(file));
    }

    /** The stream (what sweep simulate sends) and the list (what tests hold) are the same bytes. */
    @Test
    void streamAndListAreTheSameRecordsAndLedger() {
        CampaignSimulator.Replay listed = Replays.allDrills();
        CampaignStream stream = new CampaignSimulator(Replays.NEIXIANG, Replays.SEED, Drill.parse(List.of("all")), 0,
                CampaignSimulator.DRILL_STATION_KEY).stream();
        assertEquals(Replays.digest(listed.emissions()), Replays.digest(stream));
        assertArrayEquals(listed.ledger().toJson(), stream.ledger().toJson());
    }

    @Test
    void sameSeedSameDrills() {
        CampaignSimulator.Replay one = Replays.allDrills();
        CampaignSimulator.Replay two = Replays.run(Replays.SEED, Drill.parse(List.of("all")));
        assertArrayEquals(one.ledger().toJson(), two.ledger().toJson());
        assertEquals(Replays.digest(one.emissions()), Replays.digest(two.emissions()));
    }

    @Test
    void anotherSeedAnotherLedger() {
        CampaignSimulator.Replay seven = Replays.clean();
        CampaignSimulator.Replay eight = Replays.run(8, Set.of());
        assertFalse(Arrays.equals(seven.ledger().toJson(), eight.ledger().toJson()));
        assertNotEquals(Replays.digest(seven.emissions()), Replays.digest(eight.emissions()));
        assertNotEquals(seven.ledger().sites(), eight.ledger().sites());
        // The campaign's figures are data; how they spread over areas and sites is the seed's.
        assertEquals(478_609, eight.ledger().county().persons());
        assertEquals(seven.ledger().county().waves().get(0).persons(), eight.ledger().county().waves().get(0).persons());
        assertNotEquals(seven.ledger().areas(), eight.ledger().areas());
        assertEquals(8, eight.ledger().seed());
    }
}
