package dev.sweep.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped neixiang scenario loads with the report's figures, and a scenario directory with one
 * thing broken is refused with a message that names the file, the row (1 = the header) and the field.
 */
class ScenarioLoaderTest {
    private static final List<String> FILES =
            List.of("scenario.properties", "areas.csv", "sites.csv", "waves.csv");

    /** Column numbers of sites.csv. */
    private static final int SITE_ID = 0;
    private static final int SITE_AREA = 1;
    private static final int SAMPLERS = 3;
    private static final int LANES = 4;
    private static final int LAT = 6;
    private static final int LON = 7;

    @TempDir
    Path tmp;

    private Map<String, List<String>> files;

    @BeforeEach
    void copyShippedFiles() throws IOException {
        files = new LinkedHashMap<>();
        for (String file : FILES) {
            try (InputStream in = getClass().getResourceAsStream("/scenarios/neixiang/" + file)) {
                assertNotNull(in, "shipped " + file);
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                files.put(file, new ArrayList<>(Arrays.asList(text.replace("\r", "").split("\n"))));
            }
        }
    }

    // ----- the shipped scenario ------------------------------------------------------------------------------------

    @Test
    void shippedNeixiangHasTheReportsFigures() {
        Scenario s = Scenario.load("neixiang");
        assertEquals("neixiang", s.name());
        assertEquals(ZoneId.of("Asia/Shanghai"), s.zone());
        assertEquals(16, s.townships().size());
        assertEquals(381, s.sites().size());
        assertEquals(2_226, s.samplers());
        assertEquals(550_125, s.population());
        assertEquals(10, s.poolSize());
        assertEquals("411325", s.areaCode());

        // The real names of FACTS.md: 12 towns and 4 xiang.
        Map<String, String> names = s.townships().stream()
                .collect(Collectors.toMap(Township::nameZh, Township::kind));
        for (String town : List.of("城关镇", "夏馆镇", "师岗镇", "马山口镇", "湍东镇", "赤眉镇", "瓦亭镇", "王店镇",
                "灌涨镇", "桃溪镇", "岞曲镇", "余关镇")) {
            assertEquals("town", names.get(town), town);
        }
        for (String xiang : List.of("大桥乡", "赵店乡", "七里坪乡", "板场乡")) {
            assertEquals("xiang", names.get(xiang), xiang);
        }
        assertEquals("Chengguan", s.township("CG").name());
        assertEquals("城关镇", s.township("CG").nameZh());
        assertEquals("七里坪乡", s.township("QL").nameZh());
        // Chengguan, the county seat, is by far the most populous; the mountain xiang the least.
        Township biggest = s.townships().stream().max((a, b) -> Integer.compare(a.population(), b.population()))
                .orElseThrow();
        assertEquals("CG", biggest.id());
        List<String> smallest = s.townships().stream().sorted((a, b) -> Integer.compare(a.population(), b.population()))
                .limit(3).map(Township::name).toList();
        assertEquals(Set.of("Qiliping", "Banchang", "Xiaguan"), Set.copyOf(smallest));

        Pattern siteId = Pattern.compile("NX-([A-Z]{2})-[0-9]{3}");
        assertEquals("NX-CG-001", s.sites().get(0).id());
        assertNotNull(s.site("NX-CG-001"));
        for (Site site : s.sites()) {
            var m = siteId.matcher(site.id());
            assertTrue(m.matches(), site.id());
            assertEquals(m.group(1), site.townshipId(), site.id());
            assertNotNull(s.township(site.townshipId()));
            assertTrue(site.lanes() <= site.samplers(), site.id());
        }
        for (Township t : s.townships()) {
            assertTrue(!s.sitesOf(t.id()).isEmpty(), t.id() + " has sites");
        }

        assertEquals(2, s.waves().size());
        Wave first = s.waves().get(0);
        Wave countyWide = s.waves().get(1);
        assertEquals(100_828, first.persons());
        assertEquals(377_781, countyWide.persons());
        assertEquals(LocalDateTime.parse("2022-05-03T15:00").atZone(s.zone()).toInstant(), first.opens());
        assertEquals(LocalDateTime.parse("2022-05-03T19:00").atZone(s.zone()).toInstant(), first.closes());
        assertEquals(LocalDateTime.parse("2022-05-04T08:00").atZone(s.zone()).toInstant(), countyWide.opens());
        assertEquals(LocalDateTime.parse("2022-05-04T12:00").atZone(s.zone()).toInstant(), countyWide.closes());
        assertEquals(478_609, first.persons() + countyWide.persons());
        assertEquals(0.870, (double) (first.persons() + countyWide.persons()) / s.population(), 0.0005);
    }

    @Test
    void aCopyOfTheShippedFilesInADirectoryLoadsTheSame() throws IOException {
        Scenario s = Scenario.load(write().toString());
        Scenario shipped = Scenario.load("neixiang");
        assertEquals(shipped.sites(), s.sites());
        assertEquals(shipped.townships(), s.townships());
        assertEquals(shipped.waves(), s.waves());
        assertEquals(shipped.deadline(), s.deadline());
    }

    @Test
    void anUnknownScenarioNameIsRefused() {
        ScenarioException e = assertThrows(ScenarioException.class, () -> Scenario.load("atlantis"));
        assertTrue(e.getMessage().contains("atlantis"), e.getMessage());
    }

    // ----- one thing broken each -----------------------------------------------------------------------------------

    @Test
    void duplicateSiteId() throws IOException {
        setCell("sites.csv", 11, SITE_ID, "NX-CG-001");
        assertRefused("sites.csv", 11, "siteId", "duplicate", "NX-CG-001");
    }

    @Test
    void siteInAnUnknownArea() throws IOException {
        setCell("sites.csv", 20, SITE_AREA, "XX");
        assertRefused("sites.csv", 20, "areaId", "XX");
    }

    @Test
    void populationThatIsNotANumber() throws IOException {
        setCell("areas.csv", 20, 6, "38k5");
        assertRefused("areas.csv", 20, "population", "38k5");
    }

    @Test
    void moreLanesThanSamplers() throws IOException {
        setCell("sites.csv", 3, SAMPLERS, "6");
        setCell("sites.csv", 3, LANES, "7");
        assertRefused("sites.csv", 3, "lanes", "7");
    }

    @Test
    void latitudeOutsideTheCounty() throws IOException {
        setCell("sites.csv", 7, LAT, "34.1");
        assertRefused("sites.csv", 7, "lat", "34.1");
    }

    @Test
    void longitudeOutsideTheCounty() throws IOException {
        setCell("sites.csv", 300, LON, "113.05");
        assertRefused("sites.csv", 300, "lon", "113.05");
    }

    @Test
    void townshipSeatOutsideTheCounty() throws IOException {
        setCell("areas.csv", 17, 7, "31.0");
        assertRefused("areas.csv", 17, "lat", "31.0");
    }

    // ----- the area tree -------------------------------------------------------------------------------------------

    @Test
    void neixiangIsATreeOfCountyTownshipsAndVillagesWhosePopulationsAddUp() {
        Scenario s = Scenario.load("neixiang");
        assertEquals(List.of("county", "township", "village"), s.levels());
        assertEquals("township", s.planLevel());
        assertEquals("NX", s.root().id());
        assertEquals(550_125, s.root().population());
        assertEquals(16, s.areasAt("township").size());
        assertTrue(s.areasAt("village").size() > 250, "plausible villages: " + s.areasAt("village").size());
        for (Area township : s.areasAt("township")) {
            long villages = s.childrenOf(township.id()).stream().mapToLong(Area::population).sum();
            assertEquals(township.population(), villages, township.id());
            assertEquals(township.population(), s.township(township.id()).population());
        }
        Area village = s.childrenOf("CG").get(3);
        int[] up = s.lineage(s.areaIndex(village.id()));
        assertEquals(List.of(village.id(), "CG", "NX"), java.util.Arrays.stream(up).mapToObj(i -> s.areas().get(i).id()).toList());
        assertEquals("CG", s.site("NX-CG-001").areaId());
        assertEquals("CG", s.townshipOf(village.id()).id());
        assertEquals("CG", s.townshipOf("CG").id());
        assertNull(s.townshipOf("NX"), "the root lies in no township");
        assertNull(s.townshipOf("nowhere"));
    }

    @Test
    void theLayoutBeforeAreasStillLoadsWithTheSameFigures() {
        Scenario old = Scenario.load(getClass().getResource("/scenarios/neixiang-townships").getPath());
        Scenario shipped = Scenario.load("neixiang");
        assertEquals(List.of("county", "township"), old.levels());
        assertEquals(shipped.townships(), old.townships());
        assertEquals(shipped.population(), old.population());
        assertEquals(shipped.waves(), old.waves());
        for (Site site : old.sites()) {
            assertEquals(shipped.site(site.id()).townshipId(), site.townshipId());
        }
    }

    @Test
    void anAreaAtTheWrongLevelIsRefused() throws IOException {
        setCell("areas.csv", 20, 2, "township");
        assertRefused("areas.csv", 20, "level", "village", "township");
    }

    @Test
    void aParentMustComeBeforeItsChildren() throws IOException {
        setCell("areas.csv", 20, 1, "ZZ");
        assertRefused("areas.csv", 20, "parentId", "ZZ");
    }

    @Test
    void aVillageWithoutItsPopulationIsRefused() throws IOException {
        setCell("areas.csv", 20, 6, "");
        assertRefused("areas.csv", 20, "population", "empty");
    }

    @Test
    void aTownshipWhosePopulationIsNotItsVillagesSumIsRefused() throws IOException {
        setCell("areas.csv", 3, 6, "135001");
        assertRefused("areas.csv", 3, "population", "135001", "135000");
    }

    @Test
    void aPlanLevelThatIsNoLevelIsRefused() throws IOException {
        List<String> props = files.get("scenario.properties");
        int row = props.indexOf("planLevel=township") + 1;
        props.set(row - 1, "planLevel=street");
        assertRefused("scenario.properties", row, "planLevel", "street");
    }

    @Test
    void wrongHeader() throws IOException {
        files.get("sites.csv").set(0, "siteId,areaId,name,samplers,lane,capacityPerHour,lat,lon");
        ScenarioException e = refused();
        assertTrue(e.getMessage().startsWith("sites.csv row 1"), e.getMessage());
        // Names the field that is wrong (lane) and the one expected (lanes).
        assertTrue(e.getMessage().contains(",lane,"), e.getMessage());
        assertTrue(e.getMessage().contains(",lanes,"), e.getMessage());
    }

    @Test
    void wavesSampleMoreThanThePopulation() throws IOException {
        setCell("waves.csv", 3, 4, "450000");
        ScenarioException e = assertRefused("waves.csv", 3, "persons", "550125");
        assertTrue(e.getMessage().contains("550828"), e.getMessage()); // 100,828 + 450,000
    }

    @Test
    void missingFile() throws IOException {
        files.remove("sites.csv");
        ScenarioException e = refused();
        assertTrue(e.getMessage().contains("sites.csv"), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void badTimezone() throws IOException {
        List<String> props = files.get("scenario.properties");
        int row = 0;
        for (int i = 0; i < props.size(); i++) {
            if (props.get(i).startsWith("timezone=")) {
                props.set(i, "timezone=Asia/Shangai");
                row = i + 1;
            }
        }
        assertTrue(row > 0);
        assertRefused("scenario.properties", row, "timezone", "Asia/Shangai");
    }

    @Test
    void badNumberInProperties() throws IOException {
        List<String> props = files.get("scenario.properties");
        int row = props.indexOf("retestShare=0.01") + 1;
        assertTrue(row > 0);
        props.set(row - 1, "retestShare=lots");
        assertRefused("scenario.properties", row, "retestShare", "lots");
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Sets one cell; {@code row} counts the header as row 1, as the loader's messages do. */
    private void setCell(String file, int row, int column, String value) {
        List<String> lines = files.get(file);
        String[] cells = lines.get(row - 1).split(",", -1);
        cells[column] = value;
        lines.set(row - 1, String.join(",", cells));
    }

    private Path write() throws IOException {
        Path dir = Files.createTempDirectory(tmp, "scenario-");
        for (Map.Entry<String, List<String>> f : files.entrySet()) {
            Files.writeString(dir.resolve(f.getKey()), String.join("\n", f.getValue()) + "\n", StandardCharsets.UTF_8);
        }
        return dir;
    }

    private ScenarioException refused() throws IOException {
        String dir = write().toString();
        return assertThrows(ScenarioException.class, () -> Scenario.load(dir));
    }

    private ScenarioException assertRefused(String file, int row, String field, String... mentions) throws IOException {
        ScenarioException e = refused();
        String m = e.getMessage();
        assertTrue(m.startsWith(file + " row " + row + ", field " + field + ":"),
                "names " + file + ", row " + row + " and field " + field + ": " + m);
        for (String s : mentions) {
            assertTrue(m.contains(s), "mentions " + s + ": " + m);
        }
        return e;
    }
}
