package dev.sweep.board.state;

import dev.sweep.campaign.Scenario;
import java.util.Map;
import java.util.Set;

/**
 * Which view a browser asks for, from the query of {@code /events} or {@code /api/view} (and the page's link,
 * {@code #area=CG&site=NX-CG-001&sort=queue&desc=1}): the area, the site looked for, the sites' order and page.
 * Everything is checked: an area or site the campaign does not have is refused by name, a page is bounded.
 *
 * @param sort   {@code worst} (alert state, then the shortfall of throughput against capacity), {@code name} (by id),
 *               {@code lastScan}, {@code load} (rate against capacity), {@code queue} or {@code sampled}
 * @param desc   the order reversed (figures missing stay last)
 * @param offset the first site of the page (0-based)
 * @param rows   sites on the page, 1 to {@link #MAX_ROWS}
 */
public record ViewKey(String area, String site, String sort, boolean desc, int offset, int rows) {
    public static final int MAX_ROWS = 100;
    public static final int DEFAULT_ROWS = 40;
    public static final int MAX_OFFSET = 1_000_000;
    public static final Set<String> SORTS = Set.of("worst", "name", "lastScan", "load", "queue", "sampled");

    /** The root, worst first, the first page. */
    public static ViewKey root(Scenario scenario) {
        return new ViewKey(scenario.root().id(), null, "worst", false, 0, DEFAULT_ROWS);
    }

    /**
     * From a request's parameters ({@code area}, {@code site}, {@code sort}, {@code desc}, {@code offset}, {@code rows}).
     * A site without an area opens the area it stands in.
     *
     * @throws IllegalArgumentException naming the parameter at fault
     */
    public static ViewKey of(Map<String, String> p, Scenario scenario) {
        String site = blankToNull(p.get("site"));
        if (site != null && scenario.site(site) == null) {
            throw new IllegalArgumentException("site: no site '" + clip(site) + "' in scenario " + scenario.name());
        }
        String area = blankToNull(p.get("area"));
        if (area == null) {
            area = site != null ? scenario.site(site).areaId() : scenario.root().id();
        } else if (scenario.area(area) == null) {
            throw new IllegalArgumentException("area: no area '" + clip(area) + "' in scenario " + scenario.name());
        }
        String sort = p.getOrDefault("sort", "worst");
        if (!SORTS.contains(sort)) {
            throw new IllegalArgumentException("sort: '" + clip(sort) + "' is not one of " + SORTS);
        }
        boolean desc = "1".equals(p.get("desc")) || "true".equals(p.get("desc"));
        int offset = Math.min(MAX_OFFSET, Math.max(0, number(p, "offset", 0)));
        int rows = Math.min(MAX_ROWS, Math.max(1, number(p, "rows", DEFAULT_ROWS)));
        return new ViewKey(area, site, sort, desc, offset, rows);
    }

    private static int number(Map<String, String> p, String name, int fallback) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        if (v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(name + ": '" + clip(v) + "' is not a number");
        }
        return Integer.parseInt(v);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** What the request said, cut short: an error message must not carry a long hostile value back. */
    private static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
