package dev.sweep.producers.simulator;

import dev.sweep.campaign.Allocation;
import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Wave;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Who lives where, how many of them are sampled in each wave, and at which sites: the campaign's plan, made
 * before any scan and small (per leaf area and per site, never per person), so the stations can be simulated
 * as a stream.
 * <ul>
 * <li><b>Residents.</b> Every person lives in a leaf area (a village, a community): leaf {@code l} holds
 * residents {@code leafFirst[l]} up to {@code leafFirst[l] + population - 1}, in the tree's order.</li>
 * <li><b>Coverage.</b> The campaign's people (the waves' total) go to the areas at the plan level by
 * population times a factor drawn from the seed, skewed so that every one of them ends at least
 * {@link #PLAN_MARGIN} above the target (a clean campaign is behind plan nowhere: the behind-plan drill's
 * alert is then its own), then to their leaves by population times a factor of 1 ± {@link #LEAF_SPREAD}.
 * Counts are exact integers that add up.</li>
 * <li><b>Pace.</b> The last wave brings each leaf a share of its population, as the scenario's capacity
 * plan expects (what a leaf cannot take, having fewer people left, goes to the others); each leaf's other
 * people came in the earlier waves. So areas that end higher were faster on the earlier days, and a
 * campaign of one wave carries every area's own coverage in it.</li>
 * <li><b>Sites.</b> A leaf's people go to the sites of its catchment: the nearest area up its lineage with
 * sites (a village's township, a community itself), split by capacity. Each catchment swaps a share of its
 * people ({@link #CROSS_MIN} to {@link #CROSS_MAX}, from the seed) with its {@link #PARTNERS} nearest
 * catchments: people cross township lines to the nearest site, and as many cross each way, so every site
 * keeps the load its capacity was planned for.</li>
 * </ul>
 * A person is sampled for the first time once, at one site, in one wave, and keeps their home area.
 */
final class Residence {
    /** A clean campaign ends every plan-level area at least this far above the target coverage. */
    static final double PLAN_MARGIN = 0.01;
    /** Leaves' coverage varies by this much either way around their plan-level area's. */
    static final double LEAF_SPREAD = 0.08;
    /** Nobody reaches everyone: no leaf is planned above this coverage. */
    static final double MAX_COVERAGE = 0.99;
    /** The share of a catchment's people sampled at a partner catchment's sites, before the partners' limits. */
    static final double CROSS_MIN = 0.06;
    static final double CROSS_MAX = 0.14;
    /** The nearest catchments a catchment swaps people with. */
    static final int PARTNERS = 2;

    /** The people of one site in one wave, sampled for the first time: runs of residents of leaf areas. */
    record Visitors(int[] leaf, long[] first, int[] count, int total) {
        static final Visitors NONE = new Visitors(new int[0], new long[0], new int[0], 0);
    }

    /** The behind-plan drill: in wave {@code wave}, only {@code keep} of the area's people due come. */
    record Shortfall(int area, int wave, double keep) {}

    private final Scenario scenario;
    /** Per leaf: its area's index, first resident, level-1 ancestor (township) index or -1. */
    final int[] leafArea;
    final long[] leafFirst;
    final int[] leafTownship;
    final String[] leafAreaId;
    /** Per leaf: people sampled in the campaign; per wave and leaf: first sampled in that wave. */
    final int[] persons;
    final int[][] wavePersons;
    /** Per site: its township's index. */
    final int[] siteTownship;
    private final Visitors[][] visitors;

    Residence(Scenario scenario, long seed, Shortfall shortfall) {
        this.scenario = scenario;
        List<Area> areas = scenario.areas();
        List<Site> sites = scenario.sites();
        List<Wave> waves = scenario.waves();
        SplittableRandom rng = new SplittableRandom(CampaignSimulator.mix(seed, -3, -3));

        // Leaves and the register.
        boolean[] inner = new boolean[areas.size()];
        for (Area a : areas) {
            if (a.parentId() != null) {
                inner[scenario.areaIndex(a.parentId())] = true;
            }
        }
        int leaves = 0;
        for (boolean b : inner) {
            leaves += b ? 0 : 1;
        }
        leafArea = new int[leaves];
        leafFirst = new long[leaves];
        leafTownship = new int[leaves];
        leafAreaId = new String[leaves];
        long next = 0;
        for (int i = 0, l = 0; i < areas.size(); i++) {
            if (!inner[i]) {
                leafArea[l] = i;
                leafFirst[l] = next;
                leafAreaId[l] = areas.get(i).id();
                leafTownship[l] = townshipIndex(i);
                next += areas.get(i).population();
                l++;
            }
        }
        if (next > Residents.CAPACITY) {
            throw new IllegalArgumentException("scenario " + scenario.name() + ": " + next
                    + " residents; the simulator's register numbers at most " + Residents.CAPACITY);
        }
        siteTownship = new int[sites.size()];
        for (int s = 0; s < sites.size(); s++) {
            siteTownship[s] = townshipIndex(scenario.areaIndex(sites.get(s).areaId()));
        }

        persons = coverage(rng);
        wavePersons = waves(waves);
        if (shortfall != null) {
            fallShort(shortfall);
        }
        visitors = sites(rng);
    }

    /** The site's newcomers in the wave. */
    Visitors visitors(int site, int wave) {
        return visitors[site][wave];
    }

    int leaves() {
        return leafArea.length;
    }

    /** The leaves under (or equal to) the area. */
    boolean isUnder(int leaf, int area) {
        for (int a : scenario.lineage(leafArea[leaf])) {
            if (a == area) {
                return true;
            }
        }
        return false;
    }

    private int townshipIndex(int area) {
        int[] up = scenario.lineage(area);
        if (up.length < 2) {
            return -1;
        }
        String id = scenario.areas().get(up[up.length - 2]).id();
        for (int t = 0; t < scenario.townships().size(); t++) {
            if (scenario.townships().get(t).id().equals(id)) {
                return t;
            }
        }
        return -1;
    }

    /** The area at the plan level above (or at) the leaf; the leaf itself when it lies above that level. */
    private int planAreaOf(int leaf) {
        int[] up = scenario.lineage(leafArea[leaf]);
        int depth = up.length - 1;
        int planDepth = scenario.depthOf(scenario.planLevel());
        return planDepth >= 0 && depth >= planDepth ? up[depth - planDepth] : leafArea[leaf];
    }

    /** People per leaf over the campaign: plan-level areas first, then their leaves. */
    private int[] coverage(SplittableRandom rng) {
        List<Area> areas = scenario.areas();
        long total = scenario.waves().stream().mapToLong(Wave::persons).sum();
        double county = (double) total / scenario.population();
        double floor = scenario.targetCoverage() + PLAN_MARGIN;

        TreeSet<Integer> planSet = new TreeSet<>();
        for (int l = 0; l < leaves(); l++) {
            planSet.add(planAreaOf(l));
        }
        int[] plan = planSet.stream().mapToInt(Integer::intValue).toArray();
        double[] factor = new double[plan.length];
        double popSum = 0;
        double weighted = 0;
        for (int k = 0; k < plan.length; k++) {
            double u = rng.nextDouble();
            factor[k] = 0.2 + 4 * u * u * u; // most near the floor, a few well ahead
            long pop = areas.get(plan[k]).population();
            popSum += pop;
            weighted += pop * factor[k];
        }
        double mean = weighted / popSum;
        double[] weights = new double[plan.length];
        long[] caps = new long[plan.length];
        for (int k = 0; k < plan.length; k++) {
            long pop = areas.get(plan[k]).population();
            // At least the floor, the population-weighted mean exactly the county's: a few areas well ahead.
            double c = county > floor ? floor + (county - floor) * factor[k] / mean : county;
            weights[k] = pop * c;
            caps[k] = pop;
        }
        int[] planPersons = Allocation.splitCapped(total, weights, limited(caps, total));

        int[] out = new int[leaves()];
        for (int k = 0; k < plan.length; k++) {
            List<Integer> mine = new ArrayList<>();
            for (int l = 0; l < leaves(); l++) {
                if (planAreaOf(l) == plan[k]) {
                    mine.add(l);
                }
            }
            double[] w = new double[mine.size()];
            long[] c = new long[mine.size()];
            for (int i = 0; i < mine.size(); i++) {
                long pop = areas.get(leafArea[mine.get(i)]).population();
                w[i] = pop * (1 + LEAF_SPREAD * (2 * rng.nextDouble() - 1));
                c[i] = pop;
            }
            int[] split = Allocation.splitCapped(planPersons[k], w, limited(c, planPersons[k]));
            for (int i = 0; i < mine.size(); i++) {
                out[mine.get(i)] = split[i];
            }
        }
        return out;
    }

    /** Caps at {@link #MAX_COVERAGE} of each population, unless that leaves too little room for the total. */
    private static long[] limited(long[] populations, long total) {
        long[] caps = new long[populations.length];
        long room = 0;
        for (int i = 0; i < caps.length; i++) {
            caps[i] = (long) Math.floor(populations[i] * MAX_COVERAGE);
            room += caps[i];
        }
        return room >= total ? caps : populations.clone();
    }

    /** People per wave and leaf: the last wave by population (the capacity plan), earlier waves the rest. */
    private int[][] waves(List<Wave> waves) {
        int n = waves.size();
        int[][] out = new int[n][];
        double[] population = new double[leaves()];
        long[] caps = new long[leaves()];
        for (int l = 0; l < leaves(); l++) {
            population[l] = scenario.areas().get(leafArea[l]).population();
            caps[l] = persons[l];
        }
        out[n - 1] = Allocation.splitCapped(waves.get(n - 1).persons(), population, caps);
        long[] rest = new long[leaves()];
        for (int l = 0; l < leaves(); l++) {
            rest[l] = persons[l] - out[n - 1][l];
        }
        for (int w = 0; w < n - 1; w++) {
            if (w == n - 2) {
                out[w] = Arrays.stream(rest).mapToInt(v -> (int) v).toArray();
            } else {
                out[w] = Allocation.splitCapped(waves.get(w).persons(),
                        Arrays.stream(rest).asDoubleStream().toArray(), rest.clone());
                for (int l = 0; l < leaves(); l++) {
                    rest[l] -= out[w][l];
                }
            }
        }
        return out;
    }

    /** The behind-plan drill: the area's people stay home; others make up for them, so the wave keeps its total. */
    private void fallShort(Shortfall s) {
        int[] wave = wavePersons[s.wave()];
        long missing = 0;
        double[] weights = new double[leaves()];
        long[] room = new long[leaves()];
        for (int l = 0; l < leaves(); l++) {
            long pop = scenario.areas().get(leafArea[l]).population();
            if (isUnder(l, s.area())) {
                int keep = (int) Math.floor(wave[l] * s.keep());
                missing += wave[l] - keep;
                persons[l] -= wave[l] - keep;
                wave[l] = keep;
            } else {
                weights[l] = wave[l];
                room[l] = Math.max(0, (long) Math.floor(pop * MAX_COVERAGE) - persons[l]);
            }
        }
        int[] more = Allocation.splitCapped(missing, weights, room);
        for (int l = 0; l < leaves(); l++) {
            wave[l] += more[l];
            persons[l] += more[l];
        }
    }

    /** Catchments, the swaps between them, and each site's share of its catchments' people. */
    private Visitors[][] sites(SplittableRandom rng) {
        List<Area> areas = scenario.areas();
        List<Site> sites = scenario.sites();
        int waves = scenario.waves().size();

        // A leaf's catchment: the nearest area up its lineage with a site in it or under it.
        boolean[] hasSites = new boolean[areas.size()];
        int[] siteArea = new int[sites.size()];
        for (int s = 0; s < sites.size(); s++) {
            siteArea[s] = scenario.areaIndex(sites.get(s).areaId());
            for (int a : scenario.lineage(siteArea[s])) {
                hasSites[a] = true;
            }
        }
        int[] catchmentOfArea = new int[areas.size()];
        Arrays.fill(catchmentOfArea, -1);
        List<Integer> catchmentArea = new ArrayList<>();
        int[] leafCatchment = new int[leaves()];
        TreeSet<Integer> chosen = new TreeSet<>();
        for (int l = 0; l < leaves(); l++) {
            for (int a : scenario.lineage(leafArea[l])) {
                if (hasSites[a]) {
                    chosen.add(a);
                    break;
                }
            }
        }
        for (int a : chosen) {
            catchmentOfArea[a] = catchmentArea.size();
            catchmentArea.add(a);
        }
        for (int l = 0; l < leaves(); l++) {
            for (int a : scenario.lineage(leafArea[l])) {
                if (catchmentOfArea[a] >= 0) {
                    leafCatchment[l] = catchmentOfArea[a];
                    break;
                }
            }
        }
        int k = catchmentArea.size();

        // The sites of a catchment: those standing in it or under it; a site above every catchment serves the nearest.
        List<List<Integer>> catchmentSites = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            catchmentSites.add(new ArrayList<>());
        }
        List<Integer> orphans = new ArrayList<>();
        for (int s = 0; s < sites.size(); s++) {
            boolean served = false;
            for (int a : scenario.lineage(siteArea[s])) {
                if (catchmentOfArea[a] >= 0) {
                    catchmentSites.get(catchmentOfArea[a]).add(s);
                    served = true;
                }
            }
            if (!served) {
                orphans.add(s);
            }
        }
        double[][] at = new double[k][2];
        for (int c = 0; c < k; c++) {
            for (int s : catchmentSites.get(c)) {
                at[c][0] += sites.get(s).lat() / catchmentSites.get(c).size();
                at[c][1] += sites.get(s).lon() / catchmentSites.get(c).size();
            }
        }
        for (int s : orphans) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (distance(sites.get(s).lat(), sites.get(s).lon(), at[c]) < distance(sites.get(s).lat(),
                        sites.get(s).lon(), at[best])) {
                    best = c;
                }
            }
            catchmentSites.get(best).add(s);
        }

        // Partners: each catchment's nearest, both ways; each catchment's share of people willing to cross.
        TreeSet<Long> edges = new TreeSet<>();
        for (int c = 0; c < k; c++) {
            final int from = c;
            List<Integer> others = new ArrayList<>();
            for (int d = 0; d < k; d++) {
                if (d != c) {
                    others.add(d);
                }
            }
            others.sort((x, y) -> {
                int byDistance = Double.compare(distance(at[from][0], at[from][1], at[x]),
                        distance(at[from][0], at[from][1], at[y]));
                return byDistance != 0 ? byDistance : Integer.compare(x, y);
            });
            for (int i = 0; i < Math.min(PARTNERS, others.size()); i++) {
                int d = others.get(i);
                edges.add((long) Math.min(c, d) * k + Math.max(c, d));
            }
        }
        int[] degree = new int[k];
        for (long e : edges) {
            degree[(int) (e / k)]++;
            degree[(int) (e % k)]++;
        }
        double[] cross = new double[k];
        for (int c = 0; c < k; c++) {
            cross[c] = CROSS_MIN + (CROSS_MAX - CROSS_MIN) * rng.nextDouble();
        }
        List<List<Integer>> leavesOf = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            leavesOf.add(new ArrayList<>());
        }
        for (int l = 0; l < leaves(); l++) {
            leavesOf.get(leafCatchment[l]).add(l);
        }

        List<List<List<long[]>>> blocks = new ArrayList<>(); // [site][wave] -> {leaf, first, count}
        for (int s = 0; s < sites.size(); s++) {
            List<List<long[]>> perWave = new ArrayList<>();
            for (int w = 0; w < waves; w++) {
                perWave.add(new ArrayList<>());
            }
            blocks.add(perWave);
        }
        long[] offset = new long[leaves()]; // resident number within the leaf where this wave's people begin
        for (int w = 0; w < waves; w++) {
            int[] wave = wavePersons[w];
            long[] people = new long[k];
            for (int l = 0; l < leaves(); l++) {
                people[leafCatchment[l]] += wave[l];
            }
            long[] cursor = offset.clone();
            long[] end = new long[leaves()];
            for (int l = 0; l < leaves(); l++) {
                end[l] = offset[l] + wave[l];
            }
            List<List<long[]>> pool = new ArrayList<>();
            for (int c = 0; c < k; c++) {
                pool.add(new ArrayList<>());
            }
            for (long e : edges) {
                int a = (int) (e / k);
                int b = (int) (e % k);
                long swap = (long) Math.floor(Math.min(cross[a] * people[a] / degree[a], cross[b] * people[b] / degree[b]));
                crossOver(b, swap, leavesOf.get(a), wave, end, cursor, pool);
                crossOver(a, swap, leavesOf.get(b), wave, end, cursor, pool);
            }
            for (int c = 0; c < k; c++) {
                for (int l : leavesOf.get(c)) {
                    long stay = offset[l] + wave[l] - cursor[l];
                    if (stay > 0) {
                        pool.get(c).add(new long[] {l, leafFirst[l] + cursor[l], stay});
                    }
                }
            }
            for (int c = 0; c < k; c++) {
                List<Integer> mine = catchmentSites.get(c);
                double[] capacity = mine.stream().mapToDouble(s -> sites.get(s).capacityPerHour()).toArray();
                List<long[]> runs = pool.get(c);
                for (int r = 0; r < runs.size(); r++) {
                    long[] run = runs.get(r);
                    int[] split = Allocation.split(run[2], capacity, r);
                    long first = run[1];
                    for (int i = 0; i < split.length; i++) {
                        if (split[i] > 0) {
                            blocks.get(mine.get(i)).get(w).add(new long[] {run[0], first, split[i]});
                            first += split[i];
                        }
                    }
                }
            }
            for (int l = 0; l < leaves(); l++) {
                offset[l] += wave[l];
            }
        }

        Visitors[][] out = new Visitors[sites.size()][waves];
        for (int s = 0; s < sites.size(); s++) {
            for (int w = 0; w < waves; w++) {
                List<long[]> runs = blocks.get(s).get(w);
                int n = runs.size();
                int[] leaf = new int[n];
                long[] first = new long[n];
                int[] count = new int[n];
                int total = 0;
                for (int i = 0; i < n; i++) {
                    leaf[i] = (int) runs.get(i)[0];
                    first[i] = runs.get(i)[1];
                    count[i] = (int) runs.get(i)[2];
                    total += count[i];
                }
                out[s][w] = n == 0 ? Visitors.NONE : new Visitors(leaf, first, count, total);
            }
        }
        return out;
    }

    /**
     * {@code swap} of one catchment's people (its {@code leaves}, by their people in the wave) go to the sites
     * of catchment {@code to}; {@code cursor} is where each leaf's people not yet placed begin, {@code end}
     * where they end.
     */
    private void crossOver(int to, long swap, List<Integer> leaves, int[] wave, long[] end, long[] cursor,
                           List<List<long[]>> pool) {
        if (swap == 0) {
            return;
        }
        double[] weights = leaves.stream().mapToDouble(l -> wave[l]).toArray();
        long[] left = new long[leaves.size()];
        long room = 0;
        for (int i = 0; i < left.length; i++) {
            int l = leaves.get(i);
            left[i] = end[l] - cursor[l];
            room += left[i];
        }
        int[] split = Allocation.splitCapped(Math.min(swap, room), weights, left);
        for (int i = 0; i < split.length; i++) {
            int l = leaves.get(i);
            if (split[i] > 0) {
                pool.get(to).add(new long[] {l, leafFirst[l] + cursor[l], split[i]});
                cursor[l] += split[i];
            }
        }
    }

    /** Equirectangular distance in degrees of latitude: enough to rank neighbours. */
    private static double distance(double lat, double lon, double[] to) {
        double dx = (lon - to[1]) * Math.cos(Math.toRadians((lat + to[0]) / 2));
        double dy = lat - to[0];
        return dx * dx + dy * dy;
    }
}
