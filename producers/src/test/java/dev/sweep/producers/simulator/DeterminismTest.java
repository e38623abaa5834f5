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
        // The campaign itself is data: who is sampled where does not depend on the seed.
        assertEquals(478_609, eight.ledger().county().persons());
        assertEquals(seven.ledger().county().waves().get(0).persons(), eight.ledger().county().waves().get(0).persons());
        assertEquals(8, eight.ledger().seed());
    }
}
