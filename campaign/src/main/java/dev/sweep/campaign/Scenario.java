package dev.sweep.campaign;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A campaign as data: its areas as a tree of named levels (county -> township -> village; city -> district ->
 * street -> community), sites, waves and settings. Loaded and validated by {@link ScenarioLoader}; immutable.
 * The townships are the areas one level below the root: the level whose leads are paged (a city's
 * districts). Serializable, so a job loads it once where it is built and the value travels with the job
 * graph: workers on a cluster need no scenario folder.
 */
public final class Scenario implements Serializable {
    private static final long serialVersionUID = 2L;

    private final String name;
    private final String title;
    private final ZoneId zone;
    private final String areaCode;
    private final double retestShare;
    private final int poolSize;
    private final double targetCoverage;
    private final Instant deadline;
    private final List<String> levels;
    private final String planLevel;
    private final List<Area> areas;
    private final List<Township> townships;
    private final List<Site> sites;
    private final List<Wave> waves;
    private final Map<String, Area> areaById = new HashMap<>();
    private final Map<String, Integer> areaIndex = new HashMap<>();
    private final Map<String, List<Area>> childrenOf = new HashMap<>();
    private final Map<String, Township> townshipById = new LinkedHashMap<>();
    private final Map<String, Site> siteById = new LinkedHashMap<>();
    private final Map<String, Integer> siteIndex = new HashMap<>();
    /** For each area (by index), its own index and its ancestors' up to the root. */
    private final int[][] lineage;

    Scenario(String name, String title, ZoneId zone, String areaCode, double retestShare, int poolSize,
             double targetCoverage, Instant deadline, List<String> levels, String planLevel, List<Area> areas,
             List<Site> sites, List<Wave> waves) {
        this.name = name;
        this.title = title;
        this.zone = zone;
        this.areaCode = areaCode;
        this.retestShare = retestShare;
        this.poolSize = poolSize;
        this.targetCoverage = targetCoverage;
        this.deadline = deadline;
        this.levels = List.copyOf(levels);
        this.planLevel = planLevel;
        this.areas = List.copyOf(areas);
        this.sites = List.copyOf(sites);
        this.waves = List.copyOf(waves);
        for (int i = 0; i < areas.size(); i++) {
            Area a = areas.get(i);
            areaById.put(a.id(), a);
            areaIndex.put(a.id(), i);
            if (a.parentId() != null) {
                childrenOf.computeIfAbsent(a.parentId(), k -> new ArrayList<>()).add(a);
            }
        }
        this.lineage = new int[areas.size()][];
        for (int i = 0; i < areas.size(); i++) {
            List<Integer> up = new ArrayList<>();
            for (Area a = areas.get(i); a != null; a = a.parentId() == null ? null : areaById.get(a.parentId())) {
                up.add(areaIndex.get(a.id()));
            }
            lineage[i] = up.stream().mapToInt(Integer::intValue).toArray();
        }
        List<Township> level1 = new ArrayList<>();
        for (Area a : areas) {
            if (levels.size() > 1 && a.level().equals(levels.get(1))) {
                Township t = new Township(a.id(), a.nameZh(), a.name(), a.kind(), (int) a.population(), a.lat(), a.lon());
                level1.add(t);
                townshipById.put(t.id(), t);
            }
        }
        this.townships = List.copyOf(level1);
        sites.forEach(st -> siteById.put(st.id(), st));
        for (int i = 0; i < sites.size(); i++) {
            siteIndex.put(sites.get(i).id(), i);
        }
    }

    /** The scenario shipped with the project, or a directory with the same files. */
    public static Scenario load(String nameOrDirectory) {
        return ScenarioLoader.load(nameOrDirectory);
    }

    public String name() { return name; }
    public String title() { return title; }
    public ZoneId zone() { return zone; }
    /** First six digits of the residents' ID numbers. */
    public String areaCode() { return areaCode; }
    public double retestShare() { return retestShare; }
    public int poolSize() { return poolSize; }
    public double targetCoverage() { return targetCoverage; }
    public Instant deadline() { return deadline; }
    public List<Township> townships() { return townships; }
    public List<Site> sites() { return sites; }
    public List<Wave> waves() { return waves; }

    public Township township(String id) { return townshipById.get(id); }
    public Site site(String id) { return siteById.get(id); }
    /** The site's position in {@link #sites()}, or -1: a compact id for the job's records. */
    public int siteIndex(String id) { return siteIndex.getOrDefault(id, -1); }

    /** Everyone the campaign is for: the root area's population. */
    public long population() {
        return root().population();
    }

    /** The levels of the area tree, from the root's (county, city) down. */
    public List<String> levels() { return levels; }
    /** The level the behind-plan rule judges (a township by default; a street for a city). */
    public String planLevel() { return planLevel; }
    /** Every area, the root first, then each level in the order of the file. */
    public List<Area> areas() { return areas; }
    public Area root() { return areas.get(0); }
    public Area area(String id) { return areaById.get(id); }
    /** The area's position in {@link #areas()}, or -1: a compact id for the job's records. */
    public int areaIndex(String id) { return areaIndex.getOrDefault(id, -1); }
    public List<Area> childrenOf(String id) { return childrenOf.getOrDefault(id, List.of()); }
    /** The indexes of the area at {@code index} and of its ancestors, up to the root. */
    public int[] lineage(int index) { return lineage[index]; }
    /**
     * The township (the level below the root) an area lies in, whose leads are paged for it: the area itself at
     * that level, null for the root.
     */
    public Area townshipOf(String areaId) {
        Integer i = areaIndex.get(areaId);
        if (i == null || lineage[i].length < 2) {
            return null;
        }
        return areas.get(lineage[i][lineage[i].length - 2]);
    }

    /** The areas of one level, in the order of the file. */
    public List<Area> areasAt(String level) {
        return areas.stream().filter(a -> a.level().equals(level)).toList();
    }
    /** The depth of a level: 0 for the root's. */
    public int depthOf(String level) { return levels.indexOf(level); }

    public int samplers() {
        return sites.stream().mapToInt(Site::samplers).sum();
    }

    /**
     * The same campaign moved in time so that its first wave opens at {@code firstWaveOpens}: a drill on
     * today's date. Waves and deadline move together; everything else stays.
     */
    public Scenario startingAt(Instant firstWaveOpens) {
        Duration shift = Duration.between(waves.get(0).opens(), firstWaveOpens);
        List<Wave> moved = waves.stream()
                .map(w -> new Wave(w.name(), w.opens().plus(shift), w.closes().plus(shift), w.persons())).toList();
        return new Scenario(name, title, zone, areaCode, retestShare, poolSize, targetCoverage, deadline.plus(shift),
                levels, planLevel, areas, sites, moved);
    }

    /** How far before its first wave and after its end a record may still belong to the campaign. */
    public static final Duration WINDOW_MARGIN = Duration.ofHours(6);

    /** The earliest event time of the campaign: the first wave's opening, less {@link #WINDOW_MARGIN}. */
    public Instant windowStart() {
        return waves.get(0).opens().minus(WINDOW_MARGIN);
    }

    /** The latest event time of the campaign: its last close or its deadline, whichever is later, plus {@link #WINDOW_MARGIN}. */
    public Instant windowEnd() {
        Instant lastClose = waves.get(waves.size() - 1).closes();
        return (lastClose.isAfter(deadline) ? lastClose : deadline).plus(WINDOW_MARGIN);
    }

    public List<Site> sitesOf(String townshipId) {
        return sites.stream().filter(s -> s.townshipId().equals(townshipId)).toList();
    }
}
