package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep scenario generate writes what sweep scenario check (and every part of the pipeline) accepts. */
class ScenarioCommandTest {

    @Test
    void aGeneratedCityLoadsAndAnExistingOneIsKept(@TempDir Path dir) throws Exception {
        Path city = dir.resolve("city");
        String out = captured(() -> assertEquals(0, Sweep.commandLine().execute("scenario", "generate", "--out", city.toString(),
                "--name", "river-city", "--root-id", "RC", "--fan-out", "4,5,5", "--population", "1000000", "--sites", "200",
                "--seed", "3")));
        assertTrue(out.contains("wrote " + city + ": 125 areas, 200 sites, 1,000,000 residents, 920,000 to sample"), out);
        Scenario s = Scenario.load(city.toString());
        assertEquals("river-city", s.name());
        assertEquals(100, s.areasAt("community").size());
        assertEquals("street", s.planLevel());

        FlagsTest.Run again = FlagsTest.run("scenario", "generate", "--out", city.toString());
        assertEquals(2, again.exit());
        assertTrue(again.err().contains("--out: " + city + " already holds a scenario; --force replaces it"), again.err());
    }

    @Test
    void checkNamesTheFileRowAndFieldAtFault(@TempDir Path dir) throws Exception {
        Path county = dir.resolve("county");
        assertEquals(0, Sweep.commandLine().execute("scenario", "generate", "--out", county.toString(), "--name", "hills",
                "--levels", "county,township,village", "--fan-out", "5,6", "--population", "200000", "--sites", "20",
                "--site-level", "township"));
        String ok = captured(() -> assertEquals(0, Sweep.commandLine().execute("scenario", "check", county.toString())));
        assertTrue(ok.contains("township        5 areas"), ok);
        assertTrue(ok.contains("plan judged per township"), ok);

        Path areas = county.resolve("areas.csv");
        Files.writeString(areas, Files.readString(areas).replace("\nT02,MT,township,", "\nT02,MT,town,"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(1, Sweep.commandLine().execute("scenario", "check", county.toString()));
        } finally {
            System.setErr(before);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("areas.csv row 4, field level: an area under a county is a township, got town"), err.toString(StandardCharsets.UTF_8));
    }

    static String captured(Runnable r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream before = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(before);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
