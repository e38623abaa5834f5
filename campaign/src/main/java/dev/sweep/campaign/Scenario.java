package dev.sweep.campaign;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A campaign as data: townships, sites, waves and settings. Loaded and validated by
 * {@link ScenarioLoader}; immutable. Serializable, so a job loads it once where it is built and the
 * value travels with the job graph: workers on a cluster need no scenario folder.
 */
public final class Scenario implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String title;
    private final ZoneId zone;
    private final String areaCode;
    private final double retestShare;
    private final int poolSize;
    private final double targetCoverage;
    private final Instant deadline;
    private final List<Township> townships;
    private final List<Site> sites;
    private final List<Wave> waves;
    private final Map<String, Township> townshipById = new LinkedHashMap<>();
    private final Map<String, Site> siteById = new LinkedHashMap<>();
    private final Map<String, Integer> siteIndex = new HashMap<>();

    Scenario(String name, String title, ZoneId zone, String areaCode, double retestShare, int poolSize,
             double targetCoverage, Instant deadline, List<Township> townships, List<Site> sites, List<Wave> waves) {
        this.name = name;
        this.title = title;
        this.zone = zone;
        this.areaCode = areaCode;
        this.retestShare = retestShare;
        this.poolSize = poolSize;
        this.targetCoverage = targetCoverage;
        this.deadline = deadline;
        this.townships = List.copyOf(townships);
        this.sites = List.copyOf(sites);
        this.waves = List.copyOf(waves);
        townships.forEach(t -> townshipById.put(t.id(), t));
        sites.forEach(s -> siteById.put(s.id(), s));
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

    public long population() {
        return townships.stream().mapToLong(Township::population).sum();
    }

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
                townships, sites, moved);
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
