package dev.sweep.hooks.page;

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
import java.util.List;
import java.util.Objects;

/**
 * What a lead reads: the alerts of one page in Chinese first, then in English, each saying what is
 * wrong, where (township and site names from the scenario), since when (in the scenario's time zone,
 * Asia/Shanghai for Neixiang) and the figure against its threshold. Rendered in the markup of each
 * service, within its size limit: when the lines do not fit, the last ones give way to a count of
 * the alerts not listed.
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

    /** The whole page in this markup, cut to at most {@code maxBytes} bytes of UTF-8. */
    public String render(Markup markup, int maxBytes) {
        for (int shown = alerts.size(); shown >= 0; shown--) {
            String text = listing(markup, shown);
            if (utf8Length(text) <= maxBytes) {
                return text;
            }
        }
        return cut(listing(markup, 0), maxBytes);
    }

    /** The whole page in this markup, every alert listed. */
    public String render(Markup markup) {
        return listing(markup, alerts.size());
    }

    /** The page with its first {@code shown} alerts listed and a count of the others. */
    private String listing(Markup m, int shown) {
        int hidden = alerts.size() - shown;
        StringBuilder sb = new StringBuilder();
        sb.append(heading(m, titleZh(m))).append("\n\n");
        for (int i = 0; i < shown; i++) {
            sb.append("- ").append(esc(m, lineZh(alerts.get(i), m))).append('\n');
        }
        if (hidden > 0) {
            sb.append("- ").append(esc(m, "……另有 " + hidden + " 条未列出")).append('\n');
        }
        sb.append('\n').append(heading(m, titleEn(m))).append("\n\n");
        for (int i = 0; i < shown; i++) {
            sb.append("- ").append(esc(m, lineEn(alerts.get(i), m))).append('\n');
        }
        if (hidden > 0) {
            sb.append("- ").append(esc(m, "… and " + hidden + " more not listed")).append('\n');
        }
        sb.append('\n').append(note(m, footer()));
        return sb.toString();
    }

    // ----- titles and lines -------------------------------------------------------------------------------------

    private String titleZh(Markup m) {
        long raised = raisedCount();
        long resolved = alerts.size() - raised;
        if (alerts.size() == 1) {
            Alert a = alerts.get(0);
            return (raised == 1 ? "【告警】" : "【已恢复】") + whereZh(a.getTownshipId(), m) + " · " + kindZh(a.getKind());
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
            return (raised == 1 ? "[ALERT] " : "[RESOLVED] ") + whereEn(a.getTownshipId(), m) + " · " + kindEn(a.getKind());
        }
        String counts = raised > 0 && resolved > 0 ? " (" + raised + " raised, " + resolved + " resolved)"
                : resolved == 0 ? "" : " (all resolved)";
        return "[ALERTS] " + scopeEn(m) + ": " + alerts.size() + counts;
    }

    private String lineZh(Alert a, Markup m) {
        StringBuilder sb = new StringBuilder();
        sb.append(a.getState() == AlertState.RAISED ? "【告警】" : "【已恢复】").append(kindZh(a.getKind()))
                .append(" · ").append(whereZh(a.getTownshipId(), m));
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
        sb.append(a.getState() == AlertState.RAISED ? "[ALERT] " : "[RESOLVED] ").append(kindEn(a.getKind()))
                .append(" · ").append(whereEn(a.getTownshipId(), m));
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
