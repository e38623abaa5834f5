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
 * <p>
 * Who counts where: a person counts toward their home area (a leaf: village, community) and every area
 * above it, wherever they were sampled; their home area is the same on every scan. {@code areas} and the
 * {@code persons} and {@code coverage} of {@code townships} and {@code county} count people at home; what
 * a township's or a site's sites did ({@code scans}, {@code tubes}, {@code retests}, a site's
 * {@code persons}: people sampled there for the first time) counts where they were sampled.
 */
@JsonPropertyOrder({"scenario", "seed", "drills", "start", "end", "county", "areas", "townships", "sites",
        "duplicatesSent", "faults", "badRecords", "records"})
public record Ledger(
        String scenario,
        long seed,
        List<String> drills,
        String start,
        String end,
        County county,
        Map<String, AreaTally> areas,
        Map<String, TownshipTally> townships,
        Map<String, SiteTally> sites,
        long duplicatesSent,
        List<Fault> faults,
        Map<String, Long> badRecords,
        Map<String, Long> records) {

    /** {@code sampledOutsideHomeTownship}: people first sampled at a site of another township than their home's. */
    @JsonPropertyOrder({"scans", "persons", "tubes", "retests", "population", "coverage", "townships", "sites",
            "samplers", "sampledOutsideHomeTownship", "waves"})
    public record County(long scans, long persons, long tubes, long retests, long population, double coverage,
                         int townships, int sites, int samplers, long sampledOutsideHomeTownship,
                         List<WaveTally> waves) {}

    /** {@code personsInWindow}: first sampled between the wave's opening and closing. */
    @JsonPropertyOrder({"name", "opens", "closes", "scans", "persons", "personsInWindow"})
    public record WaveTally(String name, String opens, String closes, long scans, long persons,
                            long personsInWindow) {}

    /** Every area of the tree, the root first: its residents sampled (at home, wherever sampled). */
    @JsonPropertyOrder({"level", "parent", "population", "persons", "coverage"})
    public record AreaTally(String level, String parent, long population, long persons, double coverage) {}

    /**
     * {@code persons}, {@code coverage}: the township's residents sampled (as in {@code areas});
     * {@code scans}, {@code tubes}, {@code retests}, {@code personsAtSites}: what its sites did (people first
     * sampled there, wherever they live).
     */
    @JsonPropertyOrder({"nameZh", "name", "scans", "persons", "tubes", "retests", "population", "coverage",
            "sites", "samplers", "personsAtSites"})
    public record TownshipTally(String nameZh, String name, long scans, long persons, long tubes, long retests,
                                long population, double coverage, int sites, int samplers, long personsAtSites) {}

    /**
     * {@code persons}: people sampled here for the first time in the campaign; {@code fromOtherTownships}: of
     * them, those living in another township. {@code area}: the area the site stands in.
     */
    @JsonPropertyOrder({"township", "area", "scans", "persons", "tubes", "retests", "fromOtherTownships",
            "samplers", "capacityPerHour", "maxQueue", "firstScan", "lastScan"})
    public record SiteTally(String township, String area, long scans, long persons, long tubes, long retests,
                            long fromOtherTownships, int samplers, int capacityPerHour, int maxQueue,
                            String firstScan, String lastScan) {}

    /**
     * One injected fault in event time; {@code expectedAlert} is what a correct monitor raises
     * for it (null when none should be raised), about {@code site} (a site's alert) or {@code area}
     * (TOWNSHIP_BEHIND_PLAN: the area at the plan level). {@code area} is the site's own for a site's
     * fault; {@code township} is the township whose leads are paged.
     */
    @JsonPropertyOrder({"kind", "site", "township", "area", "start", "end", "expectedAlert", "detail"})
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Fault(String kind, String site, String township, String area, String start, String end,
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
