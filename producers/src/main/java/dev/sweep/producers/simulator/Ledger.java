package dev.sweep.producers.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The truth of one replay, as JSON: what was sampled where, every fault injected and every bad
 * record sent. End-to-end tests compare what the pipeline reports with it, exactly.
 * Deterministic: the same seed, drills and start give byte-identical files.
 */
@JsonPropertyOrder({"scenario", "seed", "drills", "start", "end", "county", "townships", "sites",
        "duplicatesSent", "faults", "badRecords", "records"})
public record Ledger(
        String scenario,
        long seed,
        List<String> drills,
        String start,
        String end,
        County county,
        Map<String, TownshipTally> townships,
        Map<String, SiteTally> sites,
        long duplicatesSent,
        List<Fault> faults,
        Map<String, Long> badRecords,
        Map<String, Long> records) {

    @JsonPropertyOrder({"scans", "persons", "tubes", "retests", "population", "coverage", "townships", "sites",
            "samplers", "waves"})
    public record County(long scans, long persons, long tubes, long retests, long population, double coverage,
                         int townships, int sites, int samplers, List<WaveTally> waves) {}

    /** {@code personsInWindow}: first sampled between the wave's opening and closing. */
    @JsonPropertyOrder({"name", "opens", "closes", "scans", "persons", "personsInWindow"})
    public record WaveTally(String name, String opens, String closes, long scans, long persons,
                            long personsInWindow) {}

    @JsonPropertyOrder({"nameZh", "name", "scans", "persons", "tubes", "retests", "population", "coverage",
            "sites", "samplers"})
    public record TownshipTally(String nameZh, String name, long scans, long persons, long tubes, long retests,
                                long population, double coverage, int sites, int samplers) {}

    /** {@code persons}: people sampled here for the first time in the campaign. */
    @JsonPropertyOrder({"township", "scans", "persons", "tubes", "retests", "samplers", "capacityPerHour",
            "maxQueue", "firstScan", "lastScan"})
    public record SiteTally(String township, long scans, long persons, long tubes, long retests, int samplers,
                            int capacityPerHour, int maxQueue, String firstScan, String lastScan) {}

    /**
     * One injected fault in event time; {@code expectedAlert} is what a correct monitor raises
     * for it (null when none should be raised).
     */
    @JsonPropertyOrder({"kind", "site", "township", "start", "end", "expectedAlert", "detail"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Fault(String kind, String site, String township, String start, String end,
                        String expectedAlert, String detail) {}

    private static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, toJson());
    }

    public byte[] toJson() {
        try {
            return mapper().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("ledger does not serialise", e);
        }
    }

    public static Ledger read(Path file) throws IOException {
        return mapper().readValue(file.toFile(), Ledger.class);
    }
}
