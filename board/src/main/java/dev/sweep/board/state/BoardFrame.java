package dev.sweep.board.state;

import dev.sweep.board.state.BoardView.AlertRow;
import dev.sweep.board.state.BoardView.AreaRow;
import dev.sweep.board.state.BoardView.SiteRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The picture at one moment, immutable: every area's and site's row, the rankings (areas by their lag behind the
 * plan, sites worst first), the alerts by urgency with the area each is about, the chart's buckets, the health.
 * Built once per change under the state's lock; the views of the browsers are cut from it outside the lock, each
 * once however many browsers look at it ({@link #view}).
 */
public final class BoardFrame {
    /** What is rebuilt when a record is folded; the views cut from it are kept with it. */
    static final class Core {
        final long version;
        final AreaTree tree;
        final BoardView.Campaign campaign;
        final Long clock;
        final double planned;
        final BoardView.County county;
        final AreaRow[] areas;
        final SiteRow[] sites;
        final SiteCondition[] conditions;
        final int[] tier;
        final double[] shortfall;
        final List<AlertRow> active;
        final int[] activeArea;
        final List<AlertRow> resolved;
        final int[] resolvedArea;
        final List<BoardView.Bucket> buckets;
        /** Area indexes, most lagging first; and each area's place in that order. */
        final int[] areaRanking;
        final int[] areaRank;
        private final Map<String, int[]> orders = new ConcurrentHashMap<>();
        private final Map<ViewKey, AreaView> views = new ConcurrentHashMap<>();

        Core(long version, AreaTree tree, BoardView.Campaign campaign, Long clock, double planned,
             BoardView.County county, AreaRow[] areas, SiteRow[] sites, SiteCondition[] conditions, int[] tier,
             double[] shortfall,
             List<AlertRow> active, int[] activeArea, List<AlertRow> resolved, int[] resolvedArea,
             List<BoardView.Bucket> buckets) {
            this.version = version;
            this.tree = tree;
            this.campaign = campaign;
            this.clock = clock;
            this.planned = planned;
            this.county = county;
            this.areas = areas;
            this.sites = sites;
            this.conditions = conditions;
            this.tier = tier;
            this.shortfall = shortfall;
            this.active = active;
            this.activeArea = activeArea;
            this.resolved = resolved;
            this.resolvedArea = resolvedArea;
            this.buckets = buckets;
            // Most lagging first: furthest behind the plan, then the scenario's order. The plan expects the same
            // coverage of every area, so the largest lag is the lowest coverage.
            areaRanking = IntStream.range(0, areas.length).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> planned - areas[i].coverage()).reversed()
                            .thenComparingInt(i -> i))
                    .mapToInt(Integer::intValue).toArray();
            areaRank = new int[areas.length];
            for (int r = 0; r < areaRanking.length; r++) {
                areaRank[areaRanking[r]] = r;
            }
        }
    }

    /** Views kept per frame at most: a client asking for ever other pages must not grow the memory. */
    static final int VIEWS_KEPT = 256;

    private final Core core;
    private final String status;
    private final BoardView.Health health;

    BoardFrame(Core core, String status, BoardView.Health health) {
        this.core = core;
        this.status = status;
        this.health = health;
    }

    public String status() {
        return status;
    }

    public Long clock() {
        return core.clock;
    }

    /** The coverage the plan expects by the campaign clock. */
    public double planned() {
        return core.planned;
    }

    public BoardView.County county() {
        return core.county;
    }

    public BoardView.Health health() {
        return health;
    }

    public BoardView.Campaign campaign() {
        return core.campaign;
    }

    public List<BoardView.Bucket> buckets() {
        return core.buckets;
    }

    /** The areas one level below the root, in the scenario's order. */
    public List<AreaRow> townships() {
        return Arrays.stream(core.tree.children[0]).mapToObj(i -> core.areas[i]).toList();
    }

    public AreaRow area(String id) {
        int i = core.tree.scenario.areaIndex(id);
        return i < 0 ? null : core.areas[i];
    }

    public SiteRow site(String id) {
        int i = core.tree.scenario.siteIndex(id);
        return i < 0 ? null : core.sites[i];
    }

    /** The number of the state this frame was built from: equal numbers, equal pictures (but the health). */
    public long version() {
        return core.version;
    }

    /** The whole picture ({@code /api/board}). */
    public BoardView whole() {
        List<AreaRow> townships = Arrays.stream(core.areaRanking).filter(i -> core.tree.depth[i] == 1)
                .mapToObj(i -> core.areas[i]).toList();
        return new BoardView(status, core.clock, core.planned, core.county, townships, List.of(core.areas),
                List.of(core.sites), core.buckets, new BoardView.Alerts(core.active, core.resolved), health);
    }

    /** The view of one area (see {@link AreaView}); the same object for the same key while the frame lasts. */
    public AreaView view(ViewKey key) {
        AreaView v = core.views.get(key);
        if (v == null) {
            if (core.views.size() >= VIEWS_KEPT) {
                core.views.clear();
            }
            v = build(key);
            core.views.put(key, v);
        }
        return v;
    }

    private AreaView build(ViewKey key) {
        AreaTree tree = core.tree;
        int a = tree.scenario.areaIndex(key.area());
        if (a < 0) {
            throw new IllegalArgumentException("area: no area '" + key.area() + "'");
        }
        int[] up = tree.scenario.lineage(a);
        List<BoardView.Crumb> path = new ArrayList<>(up.length);
        for (int j = up.length - 1; j >= 0; j--) {
            var x = tree.area(up[j]);
            path.add(new BoardView.Crumb(x.id(), x.level(), x.nameZh(), x.name()));
        }

        int[] kids = tree.children[a].clone();
        sortByRank(kids);
        String childLevel = tree.depth[a] + 1 < core.campaign.levels().size()
                ? core.campaign.levels().get(tree.depth[a] + 1) : null;
        AreaView.Rows children = new AreaView.Rows(childLevel, kids.length, Arrays.stream(kids)
                .limit(AreaView.CHILDREN_SHOWN).mapToObj(i -> core.areas[i]).toList());

        AreaView.Rows worst = null;
        if (tree.leafDepth > tree.depth[a] + 1) {
            List<AreaRow> rows = new ArrayList<>(AreaView.WORST_SHOWN);
            int total = 0;
            for (int i : core.areaRanking) {
                if (tree.depth[i] == tree.leafDepth && tree.within(i, a)) {
                    if (total++ < AreaView.WORST_SHOWN) {
                        rows.add(core.areas[i]);
                    }
                }
            }
            worst = new AreaView.Rows(core.campaign.levels().get(tree.leafDepth), total, rows);
        }

        int[] order = order(key.sort(), key.desc());
        int[] matching = new int[order.length];
        int total = 0;
        int[] counts = new int[SiteCondition.values().length];
        for (int s : order) {
            if (tree.within(tree.siteArea[s], a)) {
                matching[total++] = s;
                counts[core.conditions[s].ordinal()]++;
            }
        }
        // A page past the end shows the last page.
        int offset = total == 0 ? 0 : Math.min(key.offset(), (total - 1) / key.rows() * key.rows());
        List<SiteRow> page = new ArrayList<>(key.rows());
        for (int i = offset; i < Math.min(total, offset + key.rows()); i++) {
            page.add(core.sites[matching[i]]);
        }
        Map<String, Integer> byCondition = new LinkedHashMap<>();
        for (SiteCondition c : SiteCondition.values()) {
            byCondition.put(c.code(), counts[c.ordinal()]); // every condition, so none goes away from a delta
        }
        AreaView.Sites sites = new AreaView.Sites(total, offset, byCondition, page);

        SiteRow site = key.site() == null ? null : site(key.site());

        List<AlertRow> active = new ArrayList<>();
        int activeTotal = 0;
        for (int i = 0; i < core.active.size(); i++) {
            if (tree.within(core.activeArea[i], a) && activeTotal++ < AreaView.ALERTS_SHOWN) {
                active.add(core.active.get(i));
            }
        }
        List<AlertRow> resolved = new ArrayList<>();
        for (int i = 0; i < core.resolved.size() && resolved.size() < AreaView.RESOLVED_SHOWN; i++) {
            if (tree.within(core.resolvedArea[i], a)) {
                resolved.add(core.resolved.get(i));
            }
        }
        return new AreaView(key, core.areas[a], path, children, worst, sites, site,
                new AreaView.AreaAlerts(activeTotal, active, resolved));
    }

    private void sortByRank(int[] areas) {
        Integer[] boxed = Arrays.stream(areas).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, Comparator.comparingInt(i -> core.areaRank[i]));
        for (int i = 0; i < areas.length; i++) {
            areas[i] = boxed[i];
        }
    }

    /** Site indexes in the order asked, computed once per frame and order. */
    int[] order(String sort, boolean desc) {
        return core.orders.computeIfAbsent(sort + (desc ? "-" : "+"), k -> sorted(sort, desc));
    }

    private int[] sorted(String sort, boolean desc) {
        SiteRow[] rows = core.sites;
        Comparator<Integer> cmp = switch (sort) {
            case "worst" -> Comparator.<Integer>comparingInt(i -> core.tier[i]).thenComparingDouble(i -> -core.shortfall[i]);
            case "name" -> Comparator.comparing(i -> rows[i].id());
            case "lastScan" -> Comparator.comparingLong(i -> rows[i].lastScan());
            case "load" -> Comparator.comparingDouble(i -> rows[i].capacity() > 0 ? rows[i].rate15() / rows[i].capacity() : 0);
            case "queue" -> Comparator.comparingInt(i -> rows[i].queue());
            case "sampled" -> Comparator.comparingLong(i -> rows[i].sampled());
            default -> throw new IllegalArgumentException("sort: " + sort);
        };
        if (desc) {
            cmp = cmp.reversed();
        }
        cmp = cmp.thenComparingInt(i -> i);
        // Figures not known yet (no scan, no heartbeat) go last whichever the direction.
        IntPredicate missing = switch (sort) {
            case "lastScan" -> i -> rows[i].lastScan() == null;
            case "queue" -> i -> rows[i].queue() == null;
            default -> i -> false;
        };
        Integer[] known = IntStream.range(0, rows.length).filter(missing.negate()).boxed().toArray(Integer[]::new);
        Arrays.sort(known, cmp);
        int[] out = new int[rows.length];
        int n = 0;
        for (Integer i : known) {
            out[n++] = i;
        }
        for (int i = 0; i < rows.length; i++) {
            if (missing.test(i)) {
                out[n++] = i;
            }
        }
        return out;
    }
}
