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
    static final String AREAS = "areas.csv";
    static final String TOWNSHIPS = "townships.csv";
    /** The root's id in the layout before areas.csv. */
    static final String COUNTY = "county";
    static final String SITES = "sites.csv";
    static final String WAVES = "waves.csv";

    private static final Pattern TOWNSHIP_ID = Pattern.compile("[A-Z]{2,4}");
    private static final Pattern SITE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{1,31}");
    private static final Pattern AREA_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,31}");

    private ScenarioLoader() {}

    static Scenario load(String nameOrDirectory) {
        Path dir = Path.of(nameOrDirectory);
        if (Files.isDirectory(dir)) {
            return parse(new Source() {
                @Override
                public String read(String file) {
                    Path p = dir.resolve(file);
                    if (!Files.isRegularFile(p)) {
                        throw new ScenarioException(p + ": missing");
                    }
                    try {
                        return Files.readString(p, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new ScenarioException(p + ": cannot be read: " + e.getMessage());
                    }
                }

                @Override
                public boolean exists(String file) {
                    return Files.isRegularFile(dir.resolve(file));
                }
            });
        }
        if (!nameOrDirectory.matches("[a-z0-9-]+")) {
            throw new ScenarioException("scenario '" + nameOrDirectory + "' is neither a shipped scenario nor a directory");
        }
        return parse(new Source() {
            @Override
            public String read(String file) {
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
            }

            @Override
            public boolean exists(String file) {
                return ScenarioLoader.class.getResource("/scenarios/" + nameOrDirectory + "/" + file) != null;
            }
        });
    }

    /** Reads one of the scenario's files by name. */
    interface Source {
        String read(String file);

        boolean exists(String file);
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

        Tree tree = files.exists(AREAS) ? areas(files, s, box) : townships(files, box);
        List<Site> sites = sites(files, tree, box);

        List<Wave> waves = new ArrayList<>();
        long population = tree.areas.get(0).population();
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
                tree.levels, tree.planLevel, tree.areas, sites, waves);
    }

    /** The areas read so far, with their levels. */
    private record Tree(List<String> levels, String planLevel, List<Area> areas, Map<String, Area> byId) {
        /** The area's ancestor one level below the root (itself, at that level). */
        Area townshipOf(Area a) {
            while (a.parentId() != null && byId.get(a.parentId()).parentId() != null) {
                a = byId.get(a.parentId());
            }
            return a;
        }
    }

    /**
     * areas.csv: the tree, the root first (no parentId), every parent before its children, each area one
     * level below its parent. A leaf gives its population; an inner area's is its children's sum (given, it
     * must be that sum).
     */
    private static Tree areas(Source files, Settings s, double[] box) {
        List<String> levels = new ArrayList<>();
        for (String level : s.text("levels").split(",")) {
            String l = level.strip();
            if (!l.matches("[a-z][a-z0-9_-]*") || levels.contains(l)) {
                throw new ScenarioException(s.at("levels") + ": '" + l + "' is not a new level name (a-z, 0-9, _ or -)");
            }
            levels.add(l);
        }
        if (levels.size() < 2) {
            throw new ScenarioException(s.at("levels") + ": at least two levels (the root's and one below it), got " + levels);
        }
        String planLevel = s.props().getProperty("planLevel", levels.get(1)).strip();
        if (!levels.contains(planLevel) || planLevel.equals(levels.get(0))) {
            throw new ScenarioException(s.at("planLevel") + ": '" + planLevel + "' is not a level below the root, one of "
                    + levels.subList(1, levels.size()));
        }
        List<Row> rows = Csv.read(AREAS, files.read(AREAS),
                "areaId", "parentId", "level", "nameZh", "name", "kind", "population", "lat", "lon");
        Map<String, Area> byId = new HashMap<>();
        Map<String, Row> rowOf = new HashMap<>();
        Map<String, Long> given = new HashMap<>();
        List<Area> ordered = new ArrayList<>();
        for (Row r : rows) {
            String id = r.matching("areaId", AREA_ID);
            if (byId.containsKey(id)) {
                throw r.error("areaId", "duplicate id " + id);
            }
            String parent = r.values().get("parentId").strip();
            String level = r.text("level");
            if (parent.isEmpty()) {
                if (!ordered.isEmpty()) {
                    throw r.error("parentId", "only the first area is the root; name this one's parent");
                }
                if (!level.equals(levels.get(0))) {
                    throw r.error("level", "the root's level is " + levels.get(0) + ", got " + level);
                }
            } else {
                Area up = byId.get(parent);
                if (up == null) {
                    throw r.error("parentId", "no area " + parent + " above this row (a parent comes before its children)");
                }
                int depth = levels.indexOf(up.level()) + 1;
                if (depth >= levels.size() || !level.equals(levels.get(depth))) {
                    throw r.error("level", "an area under a " + up.level() + " is a "
                            + (depth < levels.size() ? levels.get(depth) : "(nothing: " + up.level() + " is the last level)")
                            + ", got " + level);
                }
            }
            if (ordered.isEmpty() && !parent.isEmpty()) {
                throw r.error("parentId", "the first area is the root: its parentId is empty");
            }
            String pop = r.values().get("population").strip();
            if (!pop.isEmpty()) {
                given.put(id, (long) r.integer("population", 0, Integer.MAX_VALUE));
            }
            Area a = new Area(id, parent.isEmpty() ? null : parent, level, r.text("nameZh"), r.text("name"),
                    r.values().get("kind").strip(), 0, r.decimal("lat", box[0], box[1]), r.decimal("lon", box[2], box[3]));
            byId.put(id, a);
            rowOf.put(id, r);
            ordered.add(a);
        }
        if (ordered.isEmpty()) {
            throw new ScenarioException(AREAS + ": no areas");
        }
        // Populations bottom-up: leaves give theirs, inner areas add their children's.
        Map<String, Long> population = new HashMap<>();
        Map<String, Integer> children = new HashMap<>();
        for (Area a : ordered) {
            if (a.parentId() != null) {
                children.merge(a.parentId(), 1, Integer::sum);
            }
        }
        for (int i = ordered.size() - 1; i >= 0; i--) {
            Area a = ordered.get(i);
            boolean leaf = !children.containsKey(a.id());
            long sum = population.getOrDefault(a.id(), 0L);
            Long stated = given.get(a.id());
            if (leaf && stated == null) {
                throw rowOf.get(a.id()).error("population", "empty: an area without areas under it gives its population");
            }
            if (!leaf && stated != null && stated != sum) {
                throw rowOf.get(a.id()).error("population", stated + " is not the sum of the areas under it, " + sum);
            }
            long own = leaf ? stated : sum;
            population.put(a.id(), own);
            if (a.parentId() != null) {
                population.merge(a.parentId(), own, Long::sum);
            }
        }
        List<Area> areas = new ArrayList<>();
        for (Area a : ordered) {
            Area full = new Area(a.id(), a.parentId(), a.level(), a.nameZh(), a.name(), a.kind(), population.get(a.id()),
                    a.lat(), a.lon());
            areas.add(full);
            byId.put(full.id(), full);
        }
        return new Tree(levels, planLevel, areas, byId);
    }

    /**
     * The layout before areas.csv: townships.csv under a county. Still read as a two-level tree
     * (county -> township); a scenario with villages or streets describes its tree in areas.csv instead
     * (README, "Scenario files").
     */
    private static Tree townships(Source files, double[] box) {
        if (!files.exists(TOWNSHIPS)) {
            throw new ScenarioException(AREAS + ": missing (the areas as a tree: areaId,parentId,level,nameZh,name,kind,"
                    + "population,lat,lon; or, in the layout before it, " + TOWNSHIPS + ")");
        }
        List<Area> townships = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Row r : Csv.read(TOWNSHIPS, files.read(TOWNSHIPS),
                "townshipId", "nameZh", "name", "kind", "population", "lat", "lon")) {
            String id = r.matching("townshipId", TOWNSHIP_ID);
            if (!ids.add(id)) {
                throw r.error("townshipId", "duplicate id " + id);
            }
            String kind = r.text("kind");
            if (!kind.equals("town") && !kind.equals("xiang")) {
                throw r.error("kind", "town or xiang expected, got " + kind);
            }
            townships.add(new Area(id, COUNTY, "township", r.text("nameZh"), r.text("name"), kind,
                    r.integer("population", 1, 10_000_000), r.decimal("lat", box[0], box[1]),
                    r.decimal("lon", box[2], box[3])));
        }
        if (townships.isEmpty()) {
            throw new ScenarioException(TOWNSHIPS + ": no townships");
        }
        Area first = townships.get(0);
        Area county = new Area(COUNTY, null, "county", "全县", "County", "county",
                townships.stream().mapToLong(Area::population).sum(), first.lat(), first.lon());
        List<Area> areas = new ArrayList<>();
        areas.add(county);
        areas.addAll(townships);
        Map<String, Area> byId = new HashMap<>();
        areas.forEach(a -> byId.put(a.id(), a));
        return new Tree(List.of("county", "township"), "township", areas, byId);
    }

    /** sites.csv: each site in an area below the root (the old layout names a township: townshipId). */
    private static List<Site> sites(Source files, Tree tree, double[] box) {
        String text = files.read(SITES);
        boolean old = text.replace("\uFEFF", "").startsWith("siteId,townshipId,");
        String areaColumn = old ? "townshipId" : "areaId";
        List<Site> sites = new ArrayList<>();
        Set<String> siteIds = new HashSet<>();
        Set<String> areasWithSites = new HashSet<>();
        for (Row r : Csv.read(SITES, text,
                "siteId", areaColumn, "name", "samplers", "lanes", "capacityPerHour", "lat", "lon")) {
            String id = r.matching("siteId", SITE_ID);
            if (!siteIds.add(id)) {
                throw r.error("siteId", "duplicate id " + id);
            }
            String areaId = r.text(areaColumn);
            Area area = tree.byId().get(areaId);
            if (area == null || area.parentId() == null) {
                throw r.error(areaColumn, "no " + (old ? "township " : "area ") + areaId + " in "
                        + (old ? TOWNSHIPS : AREAS) + (area == null ? "" : " below the root"));
            }
            int samplers = r.integer("samplers", 1, 100);
            int lanes = r.integer("lanes", 1, samplers);
            int capacity = r.integer("capacityPerHour", samplers * 10, samplers * 120);
            Area township = tree.townshipOf(area);
            sites.add(new Site(id, township.id(), r.text("name"), samplers, lanes, capacity,
                    r.decimal("lat", box[0], box[1]), r.decimal("lon", box[2], box[3]), areaId));
            for (Area a = area; a != null; a = a.parentId() == null ? null : tree.byId().get(a.parentId())) {
                areasWithSites.add(a.id());
            }
        }
        for (Area a : tree.areas()) {
            if (a.level().equals(tree.levels().get(1)) && !areasWithSites.contains(a.id())) {
                throw new ScenarioException(SITES + ": " + tree.levels().get(1) + " " + a.id() + " has no site");
            }
        }
        return sites;
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
