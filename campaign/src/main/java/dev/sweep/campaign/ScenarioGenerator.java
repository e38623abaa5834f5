package dev.sweep.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a scenario folder for a campaign of any size from a few figures ({@link Plan}): the area tree (levels
 * and fan-out, populations varying from area to area but adding up exactly), sites standing in the areas of
 * one level in proportion to who lives there, each staffed for what it will see, and the waves. The same plan
 * (seed included) always writes byte-identical files, which {@link Scenario#load} accepts.
 */
public final class ScenarioGenerator {
    /** How much more a site can swab in an hour than it should see on average: queues come and go. */
    static final double HEADROOM = 1.5;
    /** Swabs one sampler takes in an hour, on average. */
    static final int SWABS_PER_SAMPLER_HOUR = 60;

    private ScenarioGenerator() {}

    /**
     * What to generate. {@code fanOut.get(k)} is how many areas the level {@code k + 1} has per area of the level
     * above, on average (a district's streets vary; their total is exact). Sites stand in the areas of
     * {@code siteLevel}. {@code sampled} of the population is sampled over the waves.
     */
    public record Plan(String name, String title, String rootId, String timezone, String areaCode,
                       List<String> levels, List<Integer> fanOut, String planLevel, long population, int sites,
                       String siteLevel, int waves, LocalDate firstDay, LocalTime opens, LocalTime closes,
                       double sampled, double targetCoverage, double retestShare, int poolSize,
                       double lat, double lon, double radiusKm, long seed) {

        /** A synthetic city of 20 million: 10 districts, 80 streets, 800 communities, 10,000 sites, one day. */
        public static Plan metro() {
            return new Plan("metro", "某市全员核酸筛查（合成示例）", "MT", "Asia/Shanghai", "310000",
                    List.of("city", "district", "street", "community"), List.of(10, 8, 10), "street", 20_000_000L,
                    10_000, "community", 1, LocalDate.of(2022, 4, 4), LocalTime.of(6, 0), LocalTime.of(22, 0),
                    0.92, 0.90, 0.01, 10, 31.23, 121.47, 40, 7);
        }

        /** Checks the plan, naming the field at fault. */
        public Plan validate() {
            require(name != null && name.matches("[a-z0-9-]+"), "name", "lowercase letters, digits and - expected, got " + name);
            require(title != null && !title.isBlank() && title.chars().noneMatch(c -> c < 0x20 || c == '\\'), "title",
                    "one line of text without backslashes expected");
            require(rootId != null && rootId.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,15}"), "rootId",
                    "1-16 letters, digits, _ or - expected, got " + rootId);
            try {
                ZoneId.of(timezone);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("timezone: not a time zone: " + timezone);
            }
            require(areaCode != null && areaCode.matches("[0-9]{6}"), "areaCode", "six digits expected, got " + areaCode);
            require(levels != null && levels.size() >= 2 && levels.size() <= 6, "levels", "2 to 6 level names expected, got " + levels);
            for (String l : levels) {
                require(l.matches("[a-z][a-z0-9_-]*") && levels.indexOf(l) == levels.lastIndexOf(l), "levels",
                        "'" + l + "' is not a new level name (a-z, 0-9, _ or -)");
            }
            require(fanOut != null && fanOut.size() == levels.size() - 1, "fanOut",
                    "one figure per level below the root (" + (levels.size() - 1) + "), got " + fanOut);
            long leaves = 1;
            for (int f : fanOut) {
                require(f >= 1 && f <= 1000, "fanOut", "each figure in 1..1000, got " + fanOut);
                leaves *= f;
            }
            require(leaves <= 100_000, "fanOut", "at most 100,000 areas on the last level, got " + leaves);
            require(levels.indexOf(planLevel) >= 1, "planLevel", "a level below the root, one of "
                    + levels.subList(1, levels.size()) + ", got " + planLevel);
            require(levels.indexOf(siteLevel) >= 1, "siteLevel", "a level below the root, one of "
                    + levels.subList(1, levels.size()) + ", got " + siteLevel);
            require(population >= leaves && population <= 2_000_000_000L, "population",
                    "at least one person per area of the last level (" + leaves + ") and at most 2,000,000,000, got " + population);
            long siteAreas = areasOn(levels.indexOf(siteLevel));
            require(sites >= siteAreas && sites <= 1_000_000, "sites",
                    "at least one per " + siteLevel + " (" + siteAreas + ") and at most 1,000,000, got " + sites);
            require(waves >= 1 && waves <= 30, "waves", "1..30 expected, got " + waves);
            require(firstDay != null, "firstDay", "missing");
            require(opens != null && closes != null && closes.isAfter(opens), "closes", "must be after opens");
            require(sampled > 0 && sampled <= 1, "sampled", "a share in (0, 1] expected, got " + sampled);
            require(targetCoverage >= 0.01 && targetCoverage <= 1, "targetCoverage", "0.01..1 expected, got " + targetCoverage);
            require(retestShare >= 0 && retestShare <= 0.5, "retestShare", "0..0.5 expected, got " + retestShare);
            require(poolSize == 1 || poolSize == 5 || poolSize == 10, "poolSize", "1, 5 or 10 expected, got " + poolSize);
            require(Math.abs(lat) <= 80 && Math.abs(lon) <= 179, "lat", "a place on the map expected, got " + lat + "," + lon);
            require(radiusKm >= 1 && radiusKm <= 500, "radiusKm", "1..500 expected, got " + radiusKm);
            return this;
        }

        /** How many areas the level at {@code depth} has. */
        long areasOn(int depth) {
            long n = 1;
            for (int k = 0; k < depth; k++) {
                n *= fanOut.get(k);
            }
            return n;
        }

        private static void require(boolean ok, String field, String problem) {
            if (!ok) {
                throw new IllegalArgumentException(field + ": " + problem);
            }
        }
    }

    /** What was written: the folder, and the figures a user checks first. */
    public record Written(Path dir, int areas, int sites, long population, long sampled) {}

    /** Writes the scenario's four files into {@code dir} (created if missing; the files are replaced). */
    public static Written write(Plan plan, Path dir) throws IOException {
        plan.validate();
        Files.createDirectories(dir);
        Tree tree = tree(plan);
        List<String[]> sites = sites(plan, tree);
        long[] wavePersons = wavePersons(plan);
        Files.writeString(dir.resolve(ScenarioLoader.PROPERTIES), properties(plan), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(ScenarioLoader.AREAS), tree.csv(), StandardCharsets.UTF_8);
        StringBuilder s = new StringBuilder("siteId,areaId,name,samplers,lanes,capacityPerHour,lat,lon\n");
        for (String[] row : sites) {
            s.append(String.join(",", row)).append('\n');
        }
        Files.writeString(dir.resolve(ScenarioLoader.SITES), s, StandardCharsets.UTF_8);
        StringBuilder w = new StringBuilder("wave,date,opens,closes,persons\n");
        for (int i = 0; i < plan.waves(); i++) {
            w.append(plan.waves() == 1 ? "city-wide" : "round-" + (i + 1)).append(',')
                    .append(plan.firstDay().plusDays(i)).append(',').append(plan.opens()).append(',')
                    .append(plan.closes()).append(',').append(wavePersons[i]).append('\n');
        }
        Files.writeString(dir.resolve(ScenarioLoader.WAVES), w, StandardCharsets.UTF_8);
        long sampled = 0;
        for (long p : wavePersons) {
            sampled += p;
        }
        return new Written(dir, tree.rows.size(), sites.size(), plan.population(), sampled);
    }

    // ----- the tree -------------------------------------------------------------------------------------------

    /** One generated area; {@code index} counts it among its parent's children, from 1. */
    private record Node(String id, String parentId, int depth, int index, String nameZh, String name, double lat,
                        double lon, List<Node> children) {}

    private record Tree(Plan plan, List<Node> rows, long[] leafPopulation, Map<String, Integer> leafIndex) {
        String csv() {
            StringBuilder b = new StringBuilder("areaId,parentId,level,nameZh,name,kind,population,lat,lon\n");
            for (Node n : rows) {
                String level = plan.levels().get(n.depth());
                Integer leaf = leafIndex.get(n.id());
                b.append(n.id()).append(',').append(n.parentId() == null ? "" : n.parentId()).append(',')
                        .append(level).append(',').append(n.nameZh()).append(',').append(n.name()).append(',')
                        .append(level).append(',').append(leaf == null ? "" : Long.toString(leafPopulation[leaf]))
                        .append(',').append(coordinate(n.lat())).append(',').append(coordinate(n.lon())).append('\n');
            }
            return b.toString();
        }
    }

    private static Tree tree(Plan plan) {
        SplittableRandom rng = new SplittableRandom(plan.seed());
        int depthCount = plan.levels().size();
        String rootLevel = plan.levels().get(0);
        Node root = new Node(plan.rootId(), null, 0, 0, "全" + SUFFIX_ZH.getOrDefault(rootLevel, rootLevel), capitalized(plan.name()),
                plan.lat(), plan.lon(), new ArrayList<>());
        List<Node> rows = new ArrayList<>();
        rows.add(root);
        List<Node> above = List.of(root);
        double spread = plan.radiusKm() / 111.0; // degrees of latitude
        for (int depth = 1; depth < depthCount; depth++) {
            // The level's exact total, shared among the areas above it unevenly (each gets at least one).
            long total = plan.areasOn(depth);
            double[] weights = new double[above.size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = 0.6 + 0.8 * rng.nextDouble();
            }
            int[] counts = atLeastOne(total, weights);
            List<Node> level = new ArrayList<>();
            double radius = spread / Math.pow(2.2, depth - 1);
            for (int p = 0; p < above.size(); p++) {
                Node parent = above.get(p);
                for (int c = 1; c <= counts[p]; c++) {
                    String id = (parent.parentId() == null ? "" : parent.id() + "-")
                            + Character.toUpperCase(plan.levels().get(depth).charAt(0)) + twoDigits(c);
                    double lat = clamp(parent.lat() + (rng.nextDouble() * 2 - 1) * radius, plan.lat(), spread);
                    double lon = clamp(parent.lon() + (rng.nextDouble() * 2 - 1) * radius, plan.lon(), spread);
                    Node child = new Node(id, parent.id(), depth, c, nameZh(plan, parent, depth, c), name(plan, parent, depth, c),
                            lat, lon, new ArrayList<>());
                    parent.children().add(child);
                    level.add(child);
                }
            }
            rows.addAll(level);
            above = level;
        }
        // Who lives where: uneven, as real communities are, adding up to the population exactly.
        double[] weights = new double[above.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.exp(0.45 * gaussian(rng));
        }
        long[] leafPopulation = atLeastOneLong(plan.population(), weights);
        Map<String, Integer> leafIndex = new java.util.HashMap<>();
        for (int i = 0; i < above.size(); i++) {
            leafIndex.put(above.get(i).id(), i);
        }
        return new Tree(plan, rows, leafPopulation, leafIndex);
    }

    // ----- the sites ------------------------------------------------------------------------------------------

    private static List<String[]> sites(Plan plan, Tree tree) {
        int siteDepth = plan.levels().indexOf(plan.siteLevel());
        List<Node> where = new ArrayList<>();
        for (Node n : tree.rows()) {
            if (n.depth() == siteDepth) {
                where.add(n);
            }
        }
        long[] people = new long[where.size()];
        for (int i = 0; i < where.size(); i++) {
            people[i] = populationOf(where.get(i), tree);
        }
        double[] weights = new double[where.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = people[i];
        }
        int[] perArea = atLeastOne(plan.sites(), weights);
        double hours = plan.waves() * (java.time.Duration.between(plan.opens(), plan.closes()).toMinutes() / 60.0);
        SplittableRandom rng = new SplittableRandom(plan.seed() * 31 + 1);
        List<String[]> rows = new ArrayList<>();
        double spread = plan.radiusKm() / 111.0;
        double near = spread / Math.pow(2.2, siteDepth);
        for (int a = 0; a < where.size(); a++) {
            Node area = where.get(a);
            double perSiteHour = people[a] * plan.sampled() * (1 + plan.retestShare()) / perArea[a] / hours;
            for (int k = 1; k <= perArea[a]; k++) {
                double wanted = perSiteHour * HEADROOM * (0.8 + 0.4 * rng.nextDouble());
                int samplers = (int) Math.max(1, Math.min(100, Math.ceil(wanted / SWABS_PER_SAMPLER_HOUR)));
                int capacity = (int) Math.max(samplers * 10L, Math.min(samplers * 120L, Math.round(wanted)));
                int lanes = Math.max(1, (samplers + 1) / 2);
                double lat = clamp(area.lat() + (rng.nextDouble() * 2 - 1) * near, plan.lat(), spread);
                double lon = clamp(area.lon() + (rng.nextDouble() * 2 - 1) * near, plan.lon(), spread);
                rows.add(new String[] {area.id() + "-P" + twoDigits(k), area.id(), area.nameZh() + "第" + k + "采样点",
                        Integer.toString(samplers), Integer.toString(lanes), Integer.toString(capacity),
                        coordinate(lat), coordinate(lon)});
            }
        }
        return rows;
    }

    private static long populationOf(Node n, Tree tree) {
        Integer leaf = tree.leafIndex().get(n.id());
        if (leaf != null) {
            return tree.leafPopulation()[leaf];
        }
        long sum = 0;
        for (Node c : n.children()) {
            sum += populationOf(c, tree);
        }
        return sum;
    }

    // ----- the waves and the settings --------------------------------------------------------------------------

    /** The first wave samples the most; later ones mop up. */
    private static long[] wavePersons(Plan plan) {
        long total = Math.round(plan.population() * plan.sampled());
        double[] weights = new double[plan.waves()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.pow(0.5, i);
        }
        int[] parts = Allocation.split(total, weights);
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i];
        }
        return out;
    }

    private static String properties(Plan plan) {
        double spread = plan.radiusKm() / 111.0;
        LocalDate lastDay = plan.firstDay().plusDays(plan.waves() - 1);
        return String.join("\n",
                "# Generated by sweep scenario generate (seed " + plan.seed() + "): areas per level " + levelCounts(plan)
                        + "; " + plan.sites() + " sites.",
                "name=" + plan.name(),
                "title=" + plan.title(),
                "timezone=" + plan.timezone(),
                "areaCode=" + plan.areaCode(),
                "retestShare=" + plan.retestShare(),
                "poolSize=" + plan.poolSize(),
                "minLat=" + coordinate(plan.lat() - spread),
                "maxLat=" + coordinate(plan.lat() + spread),
                "minLon=" + coordinate(plan.lon() - spread),
                "maxLon=" + coordinate(plan.lon() + spread),
                "levels=" + String.join(",", plan.levels()),
                "planLevel=" + plan.planLevel(),
                "targetCoverage=" + plan.targetCoverage(),
                "deadline=" + lastDay + "T" + plan.closes(),
                "");
    }

    private static String levelCounts(Plan plan) {
        List<String> counts = new ArrayList<>();
        for (int d = 0; d < plan.levels().size(); d++) {
            counts.add(plan.levels().get(d) + " " + plan.areasOn(d));
        }
        return String.join(", ", counts);
    }

    private static final Map<String, String> SUFFIX_ZH = Map.of("city", "市", "district", "区", "street", "街道",
            "community", "社区", "county", "县", "township", "镇", "village", "村", "province", "省", "prefecture", "市");

    private static String nameZh(Plan plan, Node parent, int depth, int index) {
        String level = plan.levels().get(depth);
        String suffix = SUFFIX_ZH.getOrDefault(level, level);
        String base = parent.parentId() == null ? "" : parent.nameZh();
        return base + "第" + index + suffix;
    }

    private static String name(Plan plan, Node parent, int depth, int index) {
        String level = capitalized(plan.levels().get(depth));
        String path = parent.parentId() == null ? "" : parent.name().substring(parent.name().indexOf(' ') + 1) + "-";
        return level + " " + path + index;
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String twoDigits(int i) {
        return i < 10 ? "0" + i : Integer.toString(i);
    }

    private static String coordinate(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static double clamp(double v, double center, double spread) {
        return Math.max(center - spread, Math.min(center + spread, v));
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** Splits {@code total} by weights exactly, each part at least one (total >= parts). */
    private static int[] atLeastOne(long total, double[] weights) {
        int[] rest = Allocation.split(total - weights.length, weights);
        for (int i = 0; i < rest.length; i++) {
            rest[i]++;
        }
        return rest;
    }

    private static long[] atLeastOneLong(long total, double[] weights) {
        int[] parts = atLeastOne(total, weights);
        long[] out = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parts[i];
        }
        return out;
    }
}
