package dev.sweep.campaign;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a scenario: {@code scenario.properties}, {@code townships.csv}, {@code sites.csv} and
 * {@code waves.csv}, from a directory or from the scenarios shipped on the classpath. Every
 * error names the file, the row (1 = the header) and the field.
 */
final class ScenarioLoader {
    static final String PROPERTIES = "scenario.properties";
    static final String TOWNSHIPS = "townships.csv";
    static final String SITES = "sites.csv";
    static final String WAVES = "waves.csv";

    private static final Pattern TOWNSHIP_ID = Pattern.compile("[A-Z]{2,4}");
    private static final Pattern SITE_ID = Pattern.compile("[A-Z]{2,4}-[A-Z]{2,4}-[0-9]{3,4}");

    private ScenarioLoader() {}

    static Scenario load(String nameOrDirectory) {
        Path dir = Path.of(nameOrDirectory);
        if (Files.isDirectory(dir)) {
            return parse(file -> {
                Path p = dir.resolve(file);
                if (!Files.isRegularFile(p)) {
                    throw new ScenarioException(p + ": missing");
                }
                try {
                    return Files.readString(p, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new ScenarioException(p + ": cannot be read: " + e.getMessage());
                }
            });
        }
        if (!nameOrDirectory.matches("[a-z0-9-]+")) {
            throw new ScenarioException("scenario '" + nameOrDirectory + "' is neither a shipped scenario nor a directory");
        }
        return parse(file -> {
            String resource = "/scenarios/" + nameOrDirectory + "/" + file;
            try (InputStream in = ScenarioLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new ScenarioException("no scenario named '" + nameOrDirectory + "' (missing " + file
                            + "); give a shipped name such as neixiang, or a directory");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ScenarioException(resource + ": cannot be read: " + e.getMessage());
            }
        });
    }

    /** Reads one of the scenario's files by name. */
    interface Source {
        String read(String file);
    }

    static Scenario parse(Source files) {
        Properties props = new Properties();
        String propsText = files.read(PROPERTIES);
        try {
            props.load(new StringReader(propsText));
        } catch (IOException e) {
            throw new ScenarioException(PROPERTIES + ": " + e.getMessage());
        }
        Settings s = new Settings(props, propsText);
        String name = s.text("name");
        String title = s.text("title");
        ZoneId zone;
        try {
            zone = ZoneId.of(s.text("timezone"));
        } catch (DateTimeException e) {
            throw new ScenarioException(s.at("timezone") + ": not a time zone: " + props.getProperty("timezone"));
        }
        String areaCode = s.text("areaCode");
        if (!areaCode.matches("[0-9]{6}")) {
            throw new ScenarioException(s.at("areaCode") + ": six digits expected, got " + areaCode);
        }
        double retestShare = s.number("retestShare", 0, 0.5);
        int poolSize = (int) s.number("poolSize", 1, 10);
        if (poolSize != 1 && poolSize != 5 && poolSize != 10) {
            throw new ScenarioException(s.at("poolSize") + ": 1, 5 or 10 expected, got " + poolSize);
        }
        double[] box = {s.number("minLat", -90, 90), s.number("maxLat", -90, 90),
                s.number("minLon", -180, 180), s.number("maxLon", -180, 180)};
        double target = s.number("targetCoverage", 0.01, 1);
        Instant deadline;
        try {
            deadline = LocalDateTime.parse(s.text("deadline")).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw new ScenarioException(s.at("deadline") + ": expected yyyy-MM-ddTHH:mm, got "
                    + props.getProperty("deadline"));
        }

        List<Township> townships = new ArrayList<>();
        Map<String, Township> townshipById = new HashMap<>();
        for (Row r : Csv.read(TOWNSHIPS, files.read(TOWNSHIPS),
                "townshipId", "nameZh", "name", "kind", "population", "lat", "lon")) {
            String id = r.matching("townshipId", TOWNSHIP_ID);
            if (townshipById.containsKey(id)) {
                throw r.error("townshipId", "duplicate id " + id);
            }
            String kind = r.text("kind");
            if (!kind.equals("town") && !kind.equals("xiang")) {
                throw r.error("kind", "town or xiang expected, got " + kind);
            }
            Township t = new Township(id, r.text("nameZh"), r.text("name"), kind,
                    r.integer("population", 1, 10_000_000),
                    r.decimal("lat", box[0], box[1]), r.decimal("lon", box[2], box[3]));
            townships.add(t);
            townshipById.put(id, t);
        }
        if (townships.isEmpty()) {
            throw new ScenarioException(TOWNSHIPS + ": no townships");
        }

        List<Site> sites = new ArrayList<>();
        Set<String> siteIds = new HashSet<>();
        Set<String> townshipsWithSites = new HashSet<>();
        for (Row r : Csv.read(SITES, files.read(SITES),
                "siteId", "townshipId", "name", "samplers", "lanes", "capacityPerHour", "lat", "lon")) {
            String id = r.matching("siteId", SITE_ID);
            if (!siteIds.add(id)) {
                throw r.error("siteId", "duplicate id " + id);
            }
            String townshipId = r.text("townshipId");
            if (!townshipById.containsKey(townshipId)) {
                throw r.error("townshipId", "no township " + townshipId + " in " + TOWNSHIPS);
            }
            int samplers = r.integer("samplers", 1, 100);
            int lanes = r.integer("lanes", 1, samplers);
            int capacity = r.integer("capacityPerHour", samplers * 10, samplers * 120);
            sites.add(new Site(id, townshipId, r.text("name"), samplers, lanes, capacity,
                    r.decimal("lat", box[0], box[1]), r.decimal("lon", box[2], box[3])));
            townshipsWithSites.add(townshipId);
        }
        for (Township t : townships) {
            if (!townshipsWithSites.contains(t.id())) {
                throw new ScenarioException(SITES + ": township " + t.id() + " has no site");
            }
        }

        List<Wave> waves = new ArrayList<>();
        long population = townships.stream().mapToLong(Township::population).sum();
        long persons = 0;
        Instant previousClose = Instant.MIN;
        for (Row r : Csv.read(WAVES, files.read(WAVES), "wave", "date", "opens", "closes", "persons")) {
            LocalDate date = r.parse("date", LocalDate::parse, "yyyy-MM-dd");
            LocalTime open = r.parse("opens", LocalTime::parse, "HH:mm");
            LocalTime close = r.parse("closes", LocalTime::parse, "HH:mm");
            Instant opens = date.atTime(open).atZone(zone).toInstant();
            Instant closes = date.atTime(close).atZone(zone).toInstant();
            if (!closes.isAfter(opens)) {
                throw r.error("closes", "must be after opens");
            }
            if (!opens.isAfter(previousClose)) {
                throw r.error("opens", "waves must be in order and not overlap");
            }
            int n = r.integer("persons", 0, Integer.MAX_VALUE);
            persons += n;
            if (persons > population) {
                throw r.error("persons", "the waves sample " + persons + " people, more than the population "
                        + population);
            }
            waves.add(new Wave(r.text("wave"), opens, closes, n));
            previousClose = closes;
        }
        if (waves.isEmpty()) {
            throw new ScenarioException(WAVES + ": no waves");
        }
        return new Scenario(name, title, zone, areaCode, retestShare, poolSize, target, deadline,
                townships, sites, waves);
    }

    /** scenario.properties, with errors that name the row (line) and the field. */
    private record Settings(Properties props, String source) {
        /** "scenario.properties row N, field KEY", N being the line that sets the key (the last one wins). */
        String at(String key) {
            String[] lines = source.replace("\r", "").split("\n", -1);
            int row = 0;
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].stripLeading();
                if (line.startsWith(key) && (line.length() == key.length()
                        || " \t=:".indexOf(line.charAt(key.length())) >= 0)) {
                    row = i + 1;
                }
            }
            return PROPERTIES + (row > 0 ? " row " + row : "") + ", field " + key;
        }

        String text(String key) {
            String v = props.getProperty(key);
            if (v == null || v.isBlank()) {
                throw new ScenarioException(PROPERTIES + ", field " + key + ": missing");
            }
            return v.strip();
        }

        double number(String key, double min, double max) {
            String v = text(key);
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new ScenarioException(at(key) + ": not a number: " + v);
            }
            if (d < min || d > max) {
                throw new ScenarioException(at(key) + ": " + v + " is outside " + min + ".." + max);
            }
            return d;
        }
    }

    /** One data row of a CSV file; {@code number} counts the header as row 1. */
    record Row(String file, int number, Map<String, String> values) {
        String text(String field) {
            String v = values.get(field);
            if (v == null || v.isBlank()) {
                throw error(field, "empty");
            }
            return v.strip();
        }

        String matching(String field, Pattern pattern) {
            String v = text(field);
            if (!pattern.matcher(v).matches()) {
                throw error(field, "'" + v + "' does not match " + pattern.pattern());
            }
            return v;
        }

        int integer(String field, int min, int max) {
            String v = text(field);
            int i;
            try {
                i = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw error(field, "not a whole number: " + v);
            }
            if (i < min || i > max) {
                throw error(field, v + " is outside " + min + ".." + max);
            }
            return i;
        }

        double decimal(String field, double min, double max) {
            String v = text(field);
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw error(field, "not a number: " + v);
            }
            if (d < min || d > max) {
                throw error(field, v + " is outside " + min + ".." + max + " (the county's bounds)");
            }
            return d;
        }

        <T> T parse(String field, java.util.function.Function<String, T> parser, String format) {
            String v = text(field);
            try {
                return parser.apply(v);
            } catch (DateTimeException e) {
                throw error(field, "expected " + format + ", got " + v);
            }
        }

        ScenarioException error(String field, String problem) {
            return ScenarioException.at(file, number, field, problem);
        }
    }

    /** Plain comma-separated files with a header; the data has no quoting. */
    static final class Csv {
        static List<Row> read(String file, String text, String... columns) {
            String[] lines = text.replace("\r", "").split("\n");
            if (lines.length == 0 || lines[0].isBlank()) {
                throw new ScenarioException(file + ": empty");
            }
            List<String> header = Arrays.stream(lines[0].replace("\uFEFF", "").split(",", -1)).map(String::strip).toList();
            if (!header.equals(List.of(columns))) {
                throw new ScenarioException(file + " row 1: header must be " + String.join(",", columns)
                        + ", got " + String.join(",", header));
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                String[] cells = lines[i].split(",", -1);
                if (cells.length != columns.length) {
                    throw new ScenarioException(file + " row " + (i + 1) + ": " + cells.length + " fields, "
                            + columns.length + " expected");
                }
                Map<String, String> values = new HashMap<>();
                for (int c = 0; c < columns.length; c++) {
                    values.put(columns[c], cells[c]);
                }
                rows.add(new Row(file, i + 1, values));
            }
            return rows;
        }
    }
}
