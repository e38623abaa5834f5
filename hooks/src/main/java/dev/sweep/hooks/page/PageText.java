package dev.sweep.hooks.page;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a lead reads: the alerts of one page in Chinese first, then in English. A page of up to
 * {@link #ITEMIZED_UP_TO} alerts lists each one: what is wrong, where (township, area and site names from
 * the scenario), since when (in the scenario's time zone, Asia/Shanghai for Neixiang) and the figure against
 * its threshold. A bigger page, a storm's, is a digest: one line per kind of trouble in each township
 * ("37 sites offline in 城关镇: NX-CG-001, … and 30 more"), with its count, naming up to
 * {@link #NAMED_PER_LINE} of its sites or areas. Rendered in the markup of each service, within its size
 * limit: fewer names first, then whole lines give way to a count of the alerts not listed; every alert of
 * the page is always listed or counted.
 *
 * <p>What the alert carries (its messages, and ids the scenario does not know) is text, never markup:
 * anything that can write the alerts topic could otherwise put a link, a mention ({@code <@all>}) or a
 * {@code <font>} in front of every lead. Each markup gets those fields with its control characters turned
 * into their full-width look-alikes and links broken ({@link #untrusted}); links and mentions come only
 * from the routes file. The generic webhook's plain text and JSON carry the fields as they are.
 */
public final class PageText {

    /** The markup of a service. */
    public enum Markup {
        /** Plain text (the generic webhook's {@code text}). */
        PLAIN,
        /** WeCom markdown: {@code **bold**}, {@code <font color="comment">}. */
        WECOM,
        /** DingTalk markdown: headings, {@code **bold**}, blank lines between paragraphs. */
        DINGTALK,
        /** Slack mrkdwn: {@code *bold*}, with {@code & < >} escaped. */
        SLACK
    }

    /** A page of at most this many alerts lists each on its own line (when they fit); a bigger one is a digest. */
    public static final int ITEMIZED_UP_TO = 10;
    /** A digest line names at most this many sites or areas and counts the rest: a lead reads names, not walls. */
    public static final int NAMED_PER_LINE = 20;
    /** Most urgent first, as the board orders them. */
    private static final List<AlertKind> URGENCY = List.of(AlertKind.FEED_STALLED, AlertKind.STATION_OFFLINE,
            AlertKind.SITE_SILENT, AlertKind.SITE_CONGESTED, AlertKind.TOWNSHIP_BEHIND_PLAN, AlertKind.SITE_SLOW);

    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm");
    private static final String SHANGHAI = "Asia/Shanghai";

    private final Scenario scenario;
    private final List<Alert> alerts;
    private final String ref;

    /**
     * @param alerts the page's alerts (at least one)
     * @param ref    a short reference printed in the footer (the page's idempotency key or its start)
     */
    public PageText(List<Alert> alerts, Scenario scenario, String ref) {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("a page has at least one alert");
        }
        this.scenario = Objects.requireNonNull(scenario, "scenario");
        this.ref = ref;
        List<Alert> sorted = new ArrayList<>(alerts);
        // New trouble first, then what recovered; within each, by township and by when it began.
        sorted.sort(Comparator.comparing((Alert a) -> a.getState() == AlertState.RAISED ? 0 : 1)
                .thenComparing(a -> a.getTownshipId() == null ? "" : a.getTownshipId())
                .thenComparing(Alert::getSince)
                .thenComparing(Alert::getAlertId));
        this.alerts = List.copyOf(sorted);
    }

    /** A short title in Chinese, in this markup's text (DingTalk shows it in the notification). */
    public String title(Markup m) {
        return titleZh(m);
    }

    /**
     * The whole page in this markup, within {@code maxBytes} bytes of UTF-8: each alert on its line when there are
     * at most {@link #ITEMIZED_UP_TO} and they fit, otherwise the digest with as many names as fit.
     */
    public String render(Markup markup, int maxBytes) {
        if (alerts.size() <= ITEMIZED_UP_TO) {
            String text = listing(markup);
            if (utf8Length(text) <= maxBytes) {
                return text;
            }
        }
        List<Group> groups = groups();
        String bare = digest(markup, groups, 0, groups.size());
        if (utf8Length(bare) <= maxBytes) {
            // The text grows with the names per line: the most that fit, up to NAMED_PER_LINE.
            int most = Math.min(NAMED_PER_LINE, groups.stream().mapToInt(g -> g.alerts().size()).max().orElse(0));
            int lo = 0;
            String best = bare;
            while (lo < most) {
                int mid = (lo + most + 1) / 2;
                String text = digest(markup, groups, mid, groups.size());
                if (utf8Length(text) <= maxBytes) {
                    lo = mid;
                    best = text;
                } else {
                    most = mid - 1;
                }
            }
            return best;
        }
        // Too many kinds of trouble for even one bare line each: the first lines, and a count of the others.
        int lo = 0;
        int hi = groups.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (utf8Length(digest(markup, groups, 0, mid)) <= maxBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        String text = digest(markup, groups, 0, lo);
        return utf8Length(text) <= maxBytes ? text : cut(text, maxBytes);
    }

    /** The whole page in this markup, with no size limit (itemized or a digest by the same rule). */
    public String render(Markup markup) {
        return render(markup, Integer.MAX_VALUE);
    }

    /** Each alert on its own line. */
    private String listing(Markup m) {
        StringBuilder sb = new StringBuilder();
        sb.append(heading(m, titleZh(m))).append("\n\n");
        for (Alert a : alerts) {
            sb.append("- ").append(esc(m, lineZh(a, m))).append('\n');
        }
        sb.append('\n').append(heading(m, titleEn(m))).append("\n\n");
        for (Alert a : alerts) {
            sb.append("- ").append(esc(m, lineEn(a, m))).append('\n');
        }
        sb.append('\n').append(note(m, footer()));
        return sb.toString();
    }

    /**
     * One line per group of the first {@code shownGroups}, each naming up to {@code names} of its sites or areas,
     * and a line counting the alerts of the other groups.
     */
    private String digest(Markup m, List<Group> groups, int names, int shownGroups) {
        int hidden = 0;
        for (int i = shownGroups; i < groups.size(); i++) {
            hidden += groups.get(i).alerts().size();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(heading(m, titleZh(m))).append("\n\n");
        for (int i = 0; i < shownGroups; i++) {
            sb.append("- ").append(esc(m, groupZh(groups.get(i), names, m))).append('\n');
        }
        if (hidden > 0) {
            sb.append("- ").append(esc(m, "……另有 " + hidden + " 条未列出")).append('\n');
        }
        sb.append('\n').append(heading(m, titleEn(m))).append("\n\n");
        for (int i = 0; i < shownGroups; i++) {
            sb.append("- ").append(esc(m, groupEn(groups.get(i), names, m))).append('\n');
        }
        if (hidden > 0) {
            sb.append("- ").append(esc(m, "… and " + hidden + " more not listed")).append('\n');
        }
        sb.append('\n').append(note(m, footer()));
        return sb.toString();
    }

    /** The alerts of one state and kind in one township, the unit of a digest line. */
    private record Group(AlertState state, AlertKind kind, String townshipId, List<Alert> alerts) {}

    /** New trouble first, then what recovered; the most urgent kind first; townships in order; names sorted. */
    private List<Group> groups() {
        Map<List<Object>, List<Alert>> byKey = new LinkedHashMap<>();
        for (Alert a : alerts) {
            byKey.computeIfAbsent(List.of(a.getState(), a.getKind(), townshipOf(a)), k -> new ArrayList<>()).add(a);
        }
        List<Group> out = new ArrayList<>();
        byKey.forEach((k, list) -> {
            list.sort(Comparator.comparing(PageText::nameKey).thenComparing(Alert::getAlertId));
            out.add(new Group((AlertState) k.get(0), (AlertKind) k.get(1), (String) k.get(2), List.copyOf(list)));
        });
        out.sort(Comparator.comparing((Group g) -> g.state() == AlertState.RAISED ? 0 : 1)
                .thenComparing(g -> URGENCY.indexOf(g.kind()))
                .thenComparing(Group::townshipId));
        return out;
    }

    /** "" for county-wide alerts (FEED_STALLED, or no township). */
    private static String townshipOf(Alert a) {
        return a.getKind() == AlertKind.FEED_STALLED || a.getTownshipId() == null ? "" : a.getTownshipId();
    }

    private static String nameKey(Alert a) {
        return a.getSiteId() != null ? a.getSiteId() : a.getAreaId() != null ? a.getAreaId() : "";
    }

    private String groupZh(Group g, int names, Markup m) {
        Alert first = g.alerts().get(0);
        if (g.alerts().size() == 1 && names > 0) {
            return lineZh(first, m);
        }
        int n = g.alerts().size();
        StringBuilder sb = new StringBuilder();
        sb.append(g.state() == AlertState.RAISED ? "【告警】" : "【已恢复】").append(kindZh(first)).append(" · ")
                .append(whereZh(g.townshipId(), m)).append(' ').append(n).append(switch (noun(g)) {
                    case SITES -> " 个采样点";
                    case AREAS -> " 个区域";
                    case ALERTS -> " 条";
                });
        if (g.state() == AlertState.RAISED) {
            sb.append("（最早自 ").append(dayTime(earliestSince(g))).append(" 起）");
        } else {
            sb.append("（最晚 ").append(dayTime(latestAt(g))).append(" 恢复）");
        }
        if (names > 0) {
            sb.append('：');
            int shown = Math.min(names, n);
            for (int i = 0; i < shown; i++) {
                sb.append(i == 0 ? "" : "、").append(nameOf(g.alerts().get(i), true, m));
            }
            if (n > shown) {
                sb.append(" …… 另有 ").append(n - shown).append(" 个");
            }
        }
        return sb.toString();
    }

    private String groupEn(Group g, int names, Markup m) {
        Alert first = g.alerts().get(0);
        if (g.alerts().size() == 1 && names > 0) {
            return lineEn(first, m);
        }
        int n = g.alerts().size();
        StringBuilder sb = new StringBuilder();
        sb.append(g.state() == AlertState.RAISED ? "[ALERT] " : "[RESOLVED] ").append(kindEn(first)).append(" · ")
                .append(whereEn(g.townshipId(), m)).append(", ").append(n).append(switch (noun(g)) {
                    case SITES -> n == 1 ? " site" : " sites";
                    case AREAS -> n == 1 ? " area" : " areas";
                    case ALERTS -> n == 1 ? " alert" : " alerts";
                });
        if (g.state() == AlertState.RAISED) {
            sb.append(" (earliest since ").append(dayTime(earliestSince(g))).append(')');
        } else {
            sb.append(" (last resolved ").append(dayTime(latestAt(g))).append(')');
        }
        if (names > 0) {
            sb.append(": ");
            int shown = Math.min(names, n);
            for (int i = 0; i < shown; i++) {
                sb.append(i == 0 ? "" : ", ").append(nameOf(g.alerts().get(i), false, m));
            }
            if (n > shown) {
                sb.append(" … and ").append(n - shown).append(" more");
            }
        }
        return sb.toString();
    }

    private enum Noun { SITES, AREAS, ALERTS }

    private Noun noun(Group g) {
        if (g.alerts().stream().allMatch(a -> a.getSiteId() != null)) {
            return Noun.SITES;
        }
        return g.alerts().stream().allMatch(a -> areaIdOf(a) != null) ? Noun.AREAS : Noun.ALERTS;
    }

    /** What names an alert in a digest line: its site's id, else its area's name, else when it began. */
    private String nameOf(Alert a, boolean zh, Markup m) {
        if (a.getSiteId() != null) {
            Site site = site(a);
            return site != null ? site.id() : untrusted(m, a.getSiteId());
        }
        String area = areaIdOf(a);
        if (area != null) {
            return areaName(area, zh, m);
        }
        return dayTime(a.getSince());
    }

    private static Instant earliestSince(Group g) {
        return g.alerts().stream().map(Alert::getSince).min(Comparator.naturalOrder()).orElseThrow();
    }

    private static Instant latestAt(Group g) {
        return g.alerts().stream().map(Alert::getAt).max(Comparator.naturalOrder()).orElseThrow();
    }

    // ----- titles and lines -------------------------------------------------------------------------------------

    private String titleZh(Markup m) {
        long raised = raisedCount();
        long resolved = alerts.size() - raised;
        if (alerts.size() == 1) {
            Alert a = alerts.get(0);
            return (raised == 1 ? "【告警】" : "【已恢复】") + whereZh(a.getTownshipId(), m) + " · " + kindZh(a);
        }
        String counts = raised > 0 && resolved > 0 ? "（新告警 " + raised + "，已恢复 " + resolved + "）"
                : resolved == 0 ? "" : "（均已恢复）";
        return "【告警】" + scopeZh(m) + " " + alerts.size() + " 条" + counts;
    }

    private String titleEn(Markup m) {
        long raised = raisedCount();
        long resolved = alerts.size() - raised;
        if (alerts.size() == 1) {
            Alert a = alerts.get(0);
            return (raised == 1 ? "[ALERT] " : "[RESOLVED] ") + whereEn(a.getTownshipId(), m) + " · " + kindEn(a);
        }
        String counts = raised > 0 && resolved > 0 ? " (" + raised + " raised, " + resolved + " resolved)"
                : resolved == 0 ? "" : " (all resolved)";
        return "[ALERTS] " + scopeEn(m) + ": " + alerts.size() + counts;
    }

    private String lineZh(Alert a, Markup m) {
        StringBuilder sb = new StringBuilder();
        sb.append(a.getState() == AlertState.RAISED ? "【告警】" : "【已恢复】").append(kindZh(a))
                .append(" · ").append(whereZh(a.getTownshipId(), m));
        String area = areaIdOf(a);
        if (area != null) {
            sb.append(' ').append(areaName(area, true, m));
        }
        Site site = site(a);
        if (site != null) {
            sb.append(' ').append(site.name()).append('（').append(site.id()).append('）');
        } else if (a.getSiteId() != null) {
            sb.append(' ').append(untrusted(m, a.getSiteId()));
        }
        sb.append('：').append(untrusted(m, a.getMessage()));
        sb.append("（数值 ").append(measure(a.getKind(), a.getValue(), true)).append("，阈值 ")
                .append(measure(a.getKind(), a.getThreshold(), true)).append("；");
        if (a.getState() == AlertState.RAISED) {
            sb.append("自 ").append(dayTime(a.getSince())).append(" 起）");
        } else {
            sb.append(dayTime(a.getSince())).append(" 起，").append(laterTime(a.getSince(), a.getAt())).append(" 恢复）");
        }
        return sb.toString();
    }

    private String lineEn(Alert a, Markup m) {
        StringBuilder sb = new StringBuilder();
        sb.append(a.getState() == AlertState.RAISED ? "[ALERT] " : "[RESOLVED] ").append(kindEn(a))
                .append(" · ").append(whereEn(a.getTownshipId(), m));
        String area = areaIdOf(a);
        if (area != null) {
            sb.append(", ").append(areaName(area, false, m));
        }
        if (a.getSiteId() != null) {
            sb.append(", site ").append(site(a) != null ? site(a).id() : untrusted(m, a.getSiteId()));
        }
        sb.append(": ").append(untrusted(m, a.getMessageEn()));
        sb.append(" (figure ").append(measure(a.getKind(), a.getValue(), false)).append(", threshold ")
                .append(measure(a.getKind(), a.getThreshold(), false)).append("; ");
        if (a.getState() == AlertState.RAISED) {
            sb.append("since ").append(dayTime(a.getSince())).append(')');
        } else {
            sb.append(dayTime(a.getSince())).append(" to ").append(laterTime(a.getSince(), a.getAt())).append(')');
        }
        return sb.toString();
    }

    private String footer() {
        String zone = scenario.zone().getId();
        String zoneZh = zone.equals(SHANGHAI) ? "北京时间" : zone;
        // "告警" in every message: a DingTalk robot secured by keyword can be set to it.
        return "Sweep 告警 · " + scenario.title() + " · 时间为" + zoneZh + " (times " + zone + ")"
                + (ref == null ? "" : " · ref " + ref);
    }

    private long raisedCount() {
        return alerts.stream().filter(a -> a.getState() == AlertState.RAISED).count();
    }

    private String scopeZh(Markup m) {
        List<String> ids = townshipIds();
        if (ids.size() == 1) {
            return whereZh(ids.get(0), m);
        }
        return ids.size() + " 个乡镇";
    }

    private String scopeEn(Markup m) {
        List<String> ids = townshipIds();
        if (ids.size() == 1) {
            return whereEn(ids.get(0), m);
        }
        return ids.size() + " townships";
    }

    /** Distinct township ids of the page, "" for county-wide alerts. */
    private List<String> townshipIds() {
        return alerts.stream().map(a -> a.getKind() == AlertKind.FEED_STALLED || a.getTownshipId() == null
                ? "" : a.getTownshipId()).distinct().toList();
    }

    private String whereZh(String townshipId, Markup m) {
        if (townshipId == null || townshipId.isEmpty()) {
            return "全县";
        }
        Township t = scenario.township(townshipId);
        return t == null ? untrusted(m, townshipId) : t.nameZh();
    }

    private String whereEn(String townshipId, Markup m) {
        if (townshipId == null || townshipId.isEmpty()) {
            return "county-wide";
        }
        Township t = scenario.township(townshipId);
        return t == null ? untrusted(m, townshipId) : t.name();
    }

    private Site site(Alert a) {
        return a.getSiteId() == null ? null : scenario.site(a.getSiteId());
    }

    /**
     * The area the alert is about when it says more than its township (a village, a street, a community): the
     * alert's own areaId (v2), else its site's area; null when that is the township itself, or unknown.
     */
    private String areaIdOf(Alert a) {
        String id = a.getAreaId();
        if (id == null) {
            Site s = site(a);
            id = s == null ? null : s.areaId();
        }
        if (id == null || id.equals(a.getTownshipId())) {
            return null;
        }
        Area area = scenario.area(id);
        return area != null && area.isRoot() ? null : id;
    }

    /** The area's name from the scenario; an id it does not know, as text. */
    private String areaName(String id, boolean zh, Markup m) {
        Area area = scenario.area(id);
        if (area == null) {
            return untrusted(m, id);
        }
        return zh ? area.nameZh() : area.name();
    }

    /** TOWNSHIP_BEHIND_PLAN is about a township, or about an area at the campaign's plan level (a street). */
    private String kindZh(Alert a) {
        return a.getKind() == AlertKind.TOWNSHIP_BEHIND_PLAN && areaIdOf(a) != null ? "区域进度落后" : kindZh(a.getKind());
    }

    private String kindEn(Alert a) {
        return a.getKind() == AlertKind.TOWNSHIP_BEHIND_PLAN && areaIdOf(a) != null ? "area behind plan" : kindEn(a.getKind());
    }

    static String kindZh(AlertKind kind) {
        return switch (kind) {
            case SITE_SILENT -> "采样点无扫码";
            case SITE_SLOW -> "采样进度慢";
            case SITE_CONGESTED -> "采样点拥堵";
            case STATION_OFFLINE -> "采样终端离线";
            case TOWNSHIP_BEHIND_PLAN -> "乡镇进度落后";
            case FEED_STALLED -> "数据中断";
        };
    }

    static String kindEn(AlertKind kind) {
        return switch (kind) {
            case SITE_SILENT -> "site silent";
            case SITE_SLOW -> "site slow";
            case SITE_CONGESTED -> "site congested";
            case STATION_OFFLINE -> "station offline";
            case TOWNSHIP_BEHIND_PLAN -> "township behind plan";
            case FEED_STALLED -> "feed stalled";
        };
    }

    // ----- formatting -------------------------------------------------------------------------------------------

    private String dayTime(Instant t) {
        return ZonedDateTime.ofInstant(t, zone()).format(DAY_TIME);
    }

    /** The end of a span: only the time when it is the same day as the start. */
    private String laterTime(Instant start, Instant end) {
        ZonedDateTime s = ZonedDateTime.ofInstant(start, zone());
        ZonedDateTime e = ZonedDateTime.ofInstant(end, zone());
        return (s.toLocalDate().equals(e.toLocalDate()) ? TIME : DAY_TIME).format(e);
    }

    private ZoneId zone() {
        return scenario.zone();
    }

    /** 12, 0.45, 37.5: no trailing zeros, at most two decimals. */
    static String figure(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "—";
        }
        return BigDecimal.valueOf(v).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    /**
     * A figure with its unit, as the rules measure it: minutes for a silent site and an offline station,
     * people for a queue, a share of capacity or of the residents as a percentage, seconds for the feed.
     */
    static String measure(AlertKind kind, double v, boolean zh) {
        return switch (kind) {
            case SITE_SILENT, STATION_OFFLINE -> figure(v) + (zh ? " 分钟" : " min");
            case SITE_CONGESTED -> figure(v) + (zh ? " 人" : " people");
            case SITE_SLOW, TOWNSHIP_BEHIND_PLAN -> Double.isFinite(v) ? figure(v * 100) + "%" : figure(v);
            case FEED_STALLED -> figure(v) + (zh ? " 秒" : " s");
        };
    }

    /**
     * A field of the alert as text in this markup: one line (a stray newline would break a list), and for the
     * chat services every character their markdown or mrkdwn acts on replaced by its full-width look-alike, and
     * {@code ://} and {@code www.} broken so no client turns it into a link.
     */
    static String untrusted(Markup m, String s) {
        String line = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        if (m == Markup.PLAIN) {
            return line;
        }
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            int at = MARKUP_CHARS.indexOf(c);
            sb.append(at >= 0 ? FULL_WIDTH.charAt(at) : c);
        }
        return LINK.matcher(sb).replaceAll(r -> r.group().startsWith(":") ? "：//" : r.group().substring(0, 3) + "．");
    }

    private static final String MARKUP_CHARS = "<>[]*_`~#|@&\\!";
    private static final String FULL_WIDTH = "＜＞［］＊＿｀～＃｜＠＆＼！";
    private static final java.util.regex.Pattern LINK = java.util.regex.Pattern.compile("://|(?i:www)\\.");

    private static String heading(Markup m, String s) {
        return switch (m) {
            case PLAIN -> s;
            case WECOM -> "**" + s + "**";
            case DINGTALK -> "#### " + s;
            case SLACK -> "*" + slackEscape(s) + "*";
        };
    }

    private static String note(Markup m, String s) {
        return switch (m) {
            case PLAIN, DINGTALK -> s;
            case WECOM -> "<font color=\"comment\">" + s + "</font>";
            case SLACK -> "_" + slackEscape(s) + "_";
        };
    }

    private static String esc(Markup m, String s) {
        return m == Markup.SLACK ? slackEscape(s) : s;
    }

    /** Slack's three control characters; everything else is taken literally. */
    static String slackEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The longest prefix of {@code s} within {@code maxBytes} of UTF-8, never splitting a character. */
    private static String cut(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }
}
