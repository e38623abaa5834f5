package dev.sweep.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.ScanEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/** Every kept schema version still decodes with the current reader. */
class SchemaEvolutionTest {

    @Test
    void everyKeptVersionIsReadableByTheCurrentSchema() {
        KeptSchemas kept = KeptSchemas.get();
        assertFalse(kept.history().isEmpty());
        for (Schema old : kept.history()) {
            Schema current = kept.current().stream()
                    .filter(s -> s.getFullName().equals(old.getFullName())).findFirst().orElseThrow();
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE,
                    SchemaCompatibility.checkReaderWriterCompatibility(current, old).getType(),
                    old.getFullName() + " " + old.getDoc());
            assertNotEquals(KeptSchemas.fingerprint(current), KeptSchemas.fingerprint(old));
        }
    }

    @Test
    void fieldsAreOnlyAddedWithDefaults() {
        KeptSchemas kept = KeptSchemas.get();
        for (Schema old : kept.history()) {
            Schema current = kept.current().stream()
                    .filter(s -> s.getFullName().equals(old.getFullName())).findFirst().orElseThrow();
            for (Schema.Field f : old.getFields()) {
                assertNotNull(current.getField(f.name()), "field removed: " + f.name());
            }
            for (Schema.Field f : current.getFields()) {
                if (old.getField(f.name()) == null) {
                    assertNotNull(f.defaultVal(), "field added without a default: " + f.name());
                }
            }
        }
    }

    @Test
    void aScanWrittenByAVersionOneStationDecodes() throws Exception {
        Schema v1 = KeptSchemas.get().history().stream()
                .filter(s -> s.getName().equals("ScanEvent") && s.getField("stationSeq") == null).findFirst().orElseThrow();
        GenericRecord old = new GenericData.Record(v1);
        old.put("scanId", "NX-CG-001-000001");
        old.put("siteId", "NX-CG-001");
        old.put("townshipId", "CG");
        old.put("samplerId", "NX-CG-001-S01");
        old.put("tubeId", "NX-CG-001-T000001");
        old.put("personKey", "0123456789abcdef0123456789abcdef");
        old.put("scannedAt", Instant.parse("2022-05-04T00:00:00Z").toEpochMilli());
        old.put("poolSize", 10);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        ScanEvent read = EventCodec.SCANS.decode(bytes);
        assertEquals("NX-CG-001", read.getSiteId());
        assertEquals(Instant.parse("2022-05-04T00:00:00Z"), read.getScannedAt());
        assertEquals(-1L, read.getStationSeq(), "the default fills a field v1 did not have");
    }

    @Test
    void aScanWrittenByAVersionTwoStationHasNoHomeArea() throws Exception {
        Schema v2 = KeptSchemas.get().history().stream()
                .filter(s -> s.getName().equals("ScanEvent") && s.getField("stationSeq") != null).findFirst().orElseThrow();
        GenericRecord old = new GenericData.Record(v2);
        old.put("scanId", "NX-CG-001-000002");
        old.put("siteId", "NX-CG-001");
        old.put("townshipId", "CG");
        old.put("samplerId", "NX-CG-001-S01");
        old.put("tubeId", "NX-CG-001-T000001");
        old.put("personKey", "0123456789abcdef0123456789abcdef");
        old.put("scannedAt", Instant.parse("2022-05-04T00:00:00Z").toEpochMilli());
        old.put("poolSize", 10);
        old.put("stationSeq", 7L);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(old).array();

        ScanEvent read = EventCodec.SCANS.decode(bytes);
        assertEquals(7L, read.getStationSeq());
        assertNull(read.getHomeAreaId(), "a v2 station's person counts toward the site's area");
    }

    @Test
    void aCoveragePointOfTheFirstVersionHasNoArea() throws Exception {
        Schema v1 = KeptSchemas.get().history().stream()
                .filter(s -> s.getName().equals("Coverage")).findFirst().orElseThrow();
        GenericRecord old = new GenericData.Record(v1);
        old.put("scope", new GenericData.EnumSymbol(v1.getField("scope").schema(), "TOWNSHIP"));
        old.put("townshipId", "CG");
        old.put("minute", Instant.parse("2022-05-04T00:00:00Z").toEpochMilli());
        old.put("sampled", 10L);
        old.put("population", 100L);
        old.put("coverage", 0.1);
        old.put("ratePerHour", 40.0);
        byte[] bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old).array();

        Coverage read = EventCodec.COVERAGE.decode(bytes);
        assertEquals(CoverageScope.TOWNSHIP, read.getScope());
        assertEquals("CG", read.getTownshipId());
        assertNull(read.getAreaId());
        assertNull(read.getLevel());
    }

    @Test
    void theIndexListsEveryFileInTheHistoryFolder() throws IOException {
        Path dir = Path.of("src/main/resources/schema-history");
        Set<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".avsc"))
                    .collect(Collectors.toSet());
        }
        assertEquals(files, Set.copyOf(KeptSchemas.historyFiles()));
        List<String> current;
        try (Stream<Path> s = Files.list(Path.of("src/main/avro"))) {
            current = s.map(p -> p.getFileName().toString()).toList();
        }
        assertEquals(KeptSchemas.get().current().size(), current.size(),
                "every current schema is in KeptSchemas.current()");
    }
}
