package dev.sweep.campaign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioGeneratorTest {
    static final List<String> FILES = List.of("scenario.properties", "areas.csv", "sites.csv", "waves.csv");

    @Test
    void theMetroPlanWritesAValidCityOfTwentyMillion(@TempDir Path dir) throws IOException {
        ScenarioGenerator.Written w = ScenarioGenerator.write(ScenarioGenerator.Plan.metro(), dir);
        Scenario metro = Scenario.load(dir.toString());

        assertEquals(List.of("city", "district", "street", "community"), metro.levels());
        assertEquals("street", metro.planLevel());
        assertEquals(10, metro.areasAt("district").size());
        assertEquals(80, metro.areasAt("street").size());
        assertEquals(800, metro.areasAt("community").size());
        assertEquals(891, w.areas());
        assertEquals(10_000, metro.sites().size());
        assertEquals(20_000_000L, metro.population());
        assertEquals(18_400_000L, metro.waves().stream().mapToLong(Wave::persons).sum());
        // Areas vary: not every district has the same number of streets, nor every community the same people.
        assertTrue(metro.areasAt("district").stream().map(d -> metro.childrenOf(d.id()).size()).distinct().count() > 1);
        long smallest = metro.areasAt("community").stream().mapToLong(Area::population).min().orElseThrow();
        long largest = metro.areasAt("community").stream().mapToLong(Area::population).max().orElseThrow();
        assertTrue(largest > 2 * smallest, smallest + ".." + largest);
        // Every site stands in a community, and every community has one; each can take what it should see.
        Map<String, Long> capacityByCommunity = new HashMap<>();
        for (Site s : metro.sites()) {
            assertEquals("community", metro.area(s.areaId()).level());
            capacityByCommunity.merge(s.areaId(), (long) s.capacityPerHour(), Long::sum);
        }
        assertEquals(800, capacityByCommunity.size());
        double hours = 16;
        for (Area c : metro.areasAt("community")) {
            double needed = c.population() * 0.92 * 1.01 / hours;
            assertTrue(capacityByCommunity.get(c.id()) >= needed, c.id() + " cannot sample its people in the day");
        }
    }

    @Test
    void theSamePlanWritesTheSameBytes(@TempDir Path a, @TempDir Path b) throws IOException {
        ScenarioGenerator.Plan plan = small(11);
        ScenarioGenerator.write(plan, a);
        ScenarioGenerator.write(plan, b);
        for (String f : FILES) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
        ScenarioGenerator.write(small(12), b);
        assertTrue(!Files.readString(a.resolve("areas.csv")).equals(Files.readString(b.resolve("areas.csv"))),
                "another seed, another city");
    }

    @Test
    void theShippedMetroIsTheGeneratorsOutput(@TempDir Path dir) throws IOException {
        ScenarioGenerator.write(ScenarioGenerator.Plan.metro(), dir);
        for (String f : FILES) {
            try (InputStream shipped = Scenario.class.getResourceAsStream("/scenarios/metro/" + f)) {
                assertArrayEquals(Files.readAllBytes(dir.resolve(f)), shipped.readAllBytes(),
                        f + " of the shipped metro differs: regenerate it (README, \"Bring your own county or city\")");
            }
        }
    }

    @Test
    void aCountyWithVillagesAndSeveralWaves(@TempDir Path dir) throws IOException {
        Scenario county = Scenario.load(ScenarioGenerator.write(small(3), dir).dir().toString());
        assertEquals(1 + 6 + 60, county.areas().size());
        assertEquals(300_000L, county.population());
        assertEquals(3, county.waves().size());
        assertEquals(Math.round(300_000 * 0.9), county.waves().stream().mapToLong(Wave::persons).sum());
        assertTrue(county.waves().get(0).persons() > county.waves().get(2).persons(), "the first wave samples the most");
        assertEquals("township", county.planLevel());
        county.sites().forEach(s -> assertEquals("township", county.area(s.areaId()).level()));
    }

    @Test
    void aBadPlanIsRefusedNamingTheField(@TempDir Path dir) {
        ScenarioGenerator.Plan p = small(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScenarioGenerator.write(
                new ScenarioGenerator.Plan(p.name(), p.title(), p.rootId(), p.timezone(), p.areaCode(), p.levels(),
                        List.of(6), p.planLevel(), p.population(), p.sites(), p.siteLevel(), p.waves(), p.firstDay(),
                        p.opens(), p.closes(), p.sampled(), p.targetCoverage(), p.retestShare(), p.poolSize(), p.lat(),
                        p.lon(), p.radiusKm(), p.seed()), dir));
        assertTrue(e.getMessage().startsWith("fanOut: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScenarioGenerator.write(
                new ScenarioGenerator.Plan(p.name(), p.title(), p.rootId(), p.timezone(), p.areaCode(), p.levels(),
                        p.fanOut(), p.planLevel(), p.population(), 5, p.siteLevel(), p.waves(), p.firstDay(),
                        p.opens(), p.closes(), p.sampled(), p.targetCoverage(), p.retestShare(), p.poolSize(), p.lat(),
                        p.lon(), p.radiusKm(), p.seed()), dir));
        assertTrue(e.getMessage().startsWith("sites: at least one per township (6)"), e.getMessage());
    }

    static ScenarioGenerator.Plan small(long seed) {
        return new ScenarioGenerator.Plan("hills", "山区县全员核酸", "HL", "Asia/Shanghai", "411300",
                List.of("county", "township", "village"), List.of(6, 10), "township", 300_000, 60, "township", 3,
                LocalDate.of(2022, 5, 3), LocalTime.of(8, 0), LocalTime.of(18, 0), 0.9, 0.85, 0.01, 10, 33.0, 111.8, 30,
                seed);
    }
}
