package dev.sweep.board.state;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The campaign's area tree, numbered for the board: each area by its index in {@link Scenario#areas()}, with its
 * depth and its place in a preorder walk, so "is this area under that one" is two comparisons (an area's subtree
 * is the range of preorder numbers from its own to {@link #last}), and each site by its index with the area it
 * stands in. Immutable.
 */
final class AreaTree {
    final Scenario scenario;
    final int size;
    final int[] depth;
    /** Preorder number of each area, and the largest preorder number in its subtree. */
    final int[] pre;
    final int[] last;
    final int[][] children;
    /** The area each site stands in (by site index). */
    final int[] siteArea;
    /** The deepest level's depth (villages, communities). */
    final int leafDepth;

    AreaTree(Scenario scenario) {
        this.scenario = scenario;
        List<Area> areas = scenario.areas();
        size = areas.size();
        depth = new int[size];
        pre = new int[size];
        last = new int[size];
        children = new int[size][];
        int deepest = 0;
        for (int i = 0; i < size; i++) {
            depth[i] = scenario.lineage(i).length - 1;
            deepest = Math.max(deepest, depth[i]);
            List<Area> kids = scenario.childrenOf(areas.get(i).id());
            children[i] = kids.stream().mapToInt(a -> scenario.areaIndex(a.id())).toArray();
        }
        leafDepth = deepest;
        // Iterative preorder walk: a generated tree may be deep.
        int n = 0;
        ArrayDeque<int[]> stack = new ArrayDeque<>(); // {area, next child}
        stack.push(new int[] {0, 0});
        pre[0] = n++;
        while (!stack.isEmpty()) {
            int[] top = stack.peek();
            int[] kids = children[top[0]];
            if (top[1] < kids.length) {
                int child = kids[top[1]++];
                pre[child] = n++;
                stack.push(new int[] {child, 0});
            } else {
                last[top[0]] = n - 1;
                stack.pop();
            }
        }
        List<Site> sites = scenario.sites();
        siteArea = new int[sites.size()];
        for (int i = 0; i < sites.size(); i++) {
            siteArea[i] = scenario.areaIndex(sites.get(i).areaId());
        }
    }

    /** Whether {@code area} is {@code ancestor} or lies under it. */
    boolean within(int area, int ancestor) {
        return pre[ancestor] <= pre[area] && pre[area] <= last[ancestor];
    }

    Area area(int index) {
        return scenario.areas().get(index);
    }
}
