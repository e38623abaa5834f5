package dev.sweep.board.state;

import dev.sweep.board.state.BoardView.AlertRow;
import dev.sweep.board.state.BoardView.AreaRow;
import dev.sweep.board.state.BoardView.Crumb;
import dev.sweep.board.state.BoardView.SiteRow;
import java.util.List;
import java.util.Map;

/**
 * What one browser looks at: one area of the tree ({@link ViewKey}), its figures and the way up to the root, the
 * areas one level below it and the most lagging areas of the deepest level under it (worst first), one page of the
 * sites standing in it or below it (worst first, or in the order asked), the site looked for, and its alerts. Every
 * list is bounded, whatever the size of the campaign: this is what the event stream sends.
 *
 * @param children the areas one level below, worst first: the first {@link #CHILDREN_SHOWN} of {@code total}
 * @param worst    the most lagging areas of the deepest level under it, or null when the children are of that level
 * @param site     the site looked for (by search or a link), wherever it ranks; null when none
 */
public record AreaView(ViewKey key, AreaRow area, List<Crumb> path, Rows children, Rows worst, Sites sites,
                       SiteRow site, AreaAlerts alerts) {
    /** Areas one level below, at most: a tree wider than this is reached by search. */
    public static final int CHILDREN_SHOWN = 60;
    /** The most lagging areas of the deepest level, on the first screen. */
    public static final int WORST_SHOWN = 10;
    /** Active alerts sent, most urgent first (the wall shows what fits and counts the rest). */
    public static final int ALERTS_SHOWN = 30;
    /** Recently resolved alerts sent. */
    public static final int RESOLVED_SHOWN = 8;

    /** The first rows of a list of {@code total}; {@code level}: the level of the areas listed. */
    public record Rows(String level, int total, List<AreaRow> rows) {}

    /**
     * A page of the sites standing in the area or below it: {@code rows} from {@code offset} of {@code total} in the
     * key's order; {@code counts}: how many of all {@code total} are in each condition.
     */
    public record Sites(int total, int offset, Map<String, Integer> counts, List<SiteRow> rows) {}

    /** The area's active alerts ({@code total}; the most urgent of them in {@code active}) and its recently resolved. */
    public record AreaAlerts(int total, List<AlertRow> active, List<AlertRow> resolved) {}
}
