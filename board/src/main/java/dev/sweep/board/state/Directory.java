package dev.sweep.board.state;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Finding an area or a site by its id or name, Chinese or English ({@code /api/search}). The names do not change
 * while the board runs, so each is normalised once (NFKC, so full-width letters and digits match their plain
 * forms; lower case; no spaces) and a search is one pass over them: about 11,000 entries for a city of 10,000
 * sites, a millisecond or two. Every word of the query must be in the entry's id, names or the names of the areas
 * above it ("城关 3" finds 城关镇第3采样点); exact ids and names come first, then those that start with the query, then
 * the rest; areas before sites, higher levels first, shorter names first. Immutable.
 */
public final class Directory {
    /** Results given back at most. */
    public static final int LIMIT = 20;
    /** Characters of a query read at most. */
    public static final int MAX_QUERY = 64;

    /** One result: an area, or a site with the area it stands in; {@code path}: the names above it, root first. */
    public record Entry(String kind, String id, String level, String nameZh, String name, String area, String pathZh,
                        String path) {}

    /** What a search found: the first {@link #LIMIT} of {@code total}. */
    public record Found(String query, int total, List<Entry> results) {}

    private final List<Entry> entries = new ArrayList<>();
    private final String[] ids;
    private final String[] names;
    private final String[] haystacks;
    private final int[] rank; // depth of an area; the leaf depth + 1 for a site

    public Directory(Scenario scenario) {
        AreaTree tree = new AreaTree(scenario);
        List<String> idList = new ArrayList<>();
        List<String> nameList = new ArrayList<>();
        List<String> hay = new ArrayList<>();
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < tree.size; i++) {
            Area a = tree.area(i);
            String[] path = path(scenario, i, false);
            entries.add(new Entry("area", a.id(), a.level(), a.nameZh(), a.name(), a.id(), path[0], path[1]));
            idList.add(norm(a.id()));
            nameList.add(norm(a.nameZh()) + "\n" + norm(a.name()));
            hay.add(norm(a.id()) + "\n" + norm(a.nameZh()) + "\n" + norm(a.name()) + "\n" + norm(path[0]) + "\n" + norm(path[1]));
            ranks.add(tree.depth[i]);
        }
        for (int i = 0; i < scenario.sites().size(); i++) {
            Site s = scenario.sites().get(i);
            String nameEn = BoardState.nameEn(scenario, s);
            String[] path = path(scenario, tree.siteArea[i], true);
            entries.add(new Entry("site", s.id(), null, s.name(), nameEn, s.areaId(), path[0], path[1]));
            idList.add(norm(s.id()));
            nameList.add(norm(s.name()) + "\n" + norm(nameEn));
            hay.add(norm(s.id()) + "\n" + norm(s.name()) + "\n" + norm(nameEn) + "\n" + norm(path[0]) + "\n" + norm(path[1]));
            ranks.add(tree.leafDepth + 1);
        }
        ids = idList.toArray(String[]::new);
        names = nameList.toArray(String[]::new);
        haystacks = hay.toArray(String[]::new);
        rank = ranks.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The names from the root down to the area at {@code index} ({@code inclusive}) or to its parent. */
    private static String[] path(Scenario scenario, int index, boolean inclusive) {
        int[] up = scenario.lineage(index);
        StringBuilder zh = new StringBuilder();
        StringBuilder en = new StringBuilder();
        for (int j = up.length - 1; j >= (inclusive ? 0 : 1); j--) {
            Area a = scenario.areas().get(up[j]);
            zh.append(zh.length() == 0 ? "" : " › ").append(a.nameZh());
            en.append(en.length() == 0 ? "" : " › ").append(a.name());
        }
        return new String[] {zh.toString(), en.toString()};
    }

    static String norm(String s) {
        if (s == null) {
            return "";
        }
        String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(n.length());
        n.codePoints().filter(c -> !Character.isWhitespace(c) && !Character.isSpaceChar(c)).forEach(out::appendCodePoint);
        return out.toString();
    }

    /** The entries matching {@code query}, best first (see the class). An empty query finds nothing. */
    public Found search(String query) {
        String q = query == null ? "" : query.length() > MAX_QUERY ? query.substring(0, MAX_QUERY) : query;
        List<String> words = new ArrayList<>();
        for (String w : Normalizer.normalize(q, Normalizer.Form.NFKC).split("[\\s\\p{Z}]+")) {
            String n = norm(w);
            if (!n.isEmpty()) {
                words.add(n);
            }
        }
        if (words.isEmpty()) {
            return new Found(q, 0, List.of());
        }
        String whole = String.join("", words);
        List<long[]> hits = new ArrayList<>(); // {score, index}
        for (int i = 0; i < haystacks.length; i++) {
            boolean all = true;
            for (String w : words) {
                if (!haystacks[i].contains(w)) {
                    all = false;
                    break;
                }
            }
            if (!all) {
                continue;
            }
            int match = ids[i].equals(whole) || ("\n" + names[i] + "\n").contains("\n" + whole + "\n") ? 0
                    : ids[i].startsWith(whole) || names[i].startsWith(whole) || names[i].contains("\n" + whole) ? 1
                    : ids[i].contains(whole) || names[i].contains(whole) ? 2 : 3;
            hits.add(new long[] {match, i});
        }
        hits.sort(Comparator.<long[]>comparingLong(h -> h[0]).thenComparingInt(h -> rank[(int) h[1]])
                .thenComparingInt(h -> names[(int) h[1]].length()).thenComparingLong(h -> h[1]));
        List<Entry> results = hits.stream().limit(LIMIT).map(h -> entries.get((int) h[1])).toList();
        return new Found(q, hits.size(), results);
    }
}
