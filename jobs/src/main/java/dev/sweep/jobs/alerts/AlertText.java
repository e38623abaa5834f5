package dev.sweep.jobs.alerts;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes an incident's alert in the words of a township lead, Chinese and English: what is wrong,
 * where, since when (campaign time zone), and the figure against its threshold.
 */
public final class AlertText {
    private final Scenario scenario;
    private final DateTimeFormatter clock;

    public AlertText(Scenario scenario) {
        this.scenario = scenario;
        this.clock = DateTimeFormatter.ofPattern("M/d HH:mm", Locale.ROOT).withZone(scenario.zone());
    }

    public ZoneId zone() {
        return scenario.zone();
    }

    /**
     * One transition of an incident on a site (in its area), an area (siteId null) or the job (both null). The
     * alert names the township the area lies in: its leads are paged.
     */
    public Alert alert(AlertKind kind, AlertState state, String alertId, String areaId, String siteId,
                       long since, long at, double value, double threshold) {
        Site s = siteId == null ? null : scenario.site(siteId);
        Area area = s != null ? scenario.area(s.areaId()) : areaId == null ? null : scenario.area(areaId);
        Area township = area == null ? null : scenario.townshipOf(area.id());
        String[] text = words(kind, state, township, area, s, since, value, threshold);
        return Alert.newBuilder()
                .setAlertId(alertId)
                .setKind(kind)
                .setState(state)
                .setTownshipId(township == null ? null : township.id())
                .setSiteId(siteId)
                .setAreaId(area == null ? null : area.id())
                .setSince(Instant.ofEpochMilli(since))
                .setAt(Instant.ofEpochMilli(at))
                .setValue(value)
                .setThreshold(threshold)
                .setMessage(text[0])
                .setMessageEn(text[1])
                .build();
    }

    private String[] words(AlertKind kind, AlertState state, Area t, Area area, Site s, long since, double value,
                           double threshold) {
        Area root = scenario.root();
        // A site or an area below the township is named with its township, unless its own name already says it.
        String whereZh = s != null ? t.nameZh() + " " + s.name() + "（" + s.id() + "）"
                : area == null ? root.nameZh()
                : area.equals(t) || area.nameZh().startsWith(t.nameZh()) ? area.nameZh() : t.nameZh() + " " + area.nameZh();
        String whereEn = s != null ? t.name() + " site " + s.id()
                : area == null ? root.name()
                : area.equals(t) ? area.name() : t.name() + ", " + area.name();
        String from = clock.format(Instant.ofEpochMilli(since));
        if (state == AlertState.RESOLVED) {
            return new String[] {
                whereZh + "：" + nameZh(kind) + "已恢复（自 " + from + " 起）。",
                whereEn + ": " + nameEn(kind) + " is over (it began " + from + ")."};
        }
        return switch (kind) {
            case SITE_SILENT -> new String[] {
                whereZh + "：" + fmt(value) + " 分钟无扫码，仍有群众排队（阈值 " + fmt(threshold) + " 分钟），自 " + from + " 起。",
                whereEn + ": no scan for " + fmt(value) + " min while people queue (threshold " + fmt(threshold)
                        + " min), since " + from + "."};
            case SITE_SLOW -> new String[] {
                whereZh + "：近期采样速度仅为能力的 " + pct(value) + "（低于 " + pct(threshold) + "），仍有群众排队，自 " + from + " 起。",
                whereEn + ": sampling at " + pct(value) + " of capacity (under " + pct(threshold)
                        + ") while people queue, since " + from + "."};
            case SITE_CONGESTED -> new String[] {
                whereZh + "：排队 " + fmt(value) + " 人（阈值 " + fmt(threshold) + " 人），自 " + from + " 起，请增派采样人员或分流。",
                whereEn + ": " + fmt(value) + " people in line (threshold " + fmt(threshold)
                        + "), since " + from + "; add samplers or divert people."};
            case STATION_OFFLINE -> new String[] {
                whereZh + "：采样终端 " + fmt(value) + " 分钟未上报（阈值 " + fmt(threshold) + " 分钟），自 " + from + " 起，请检查设备和网络。",
                whereEn + ": the station has not reported for " + fmt(value) + " min (threshold " + fmt(threshold)
                        + " min), since " + from + "; check its device and network."};
            case TOWNSHIP_BEHIND_PLAN -> new String[] {
                whereZh + "：按当前速度，截止时覆盖率预计 " + pct(value) + "，低于目标 " + pct(threshold) + "，自 " + from + " 起。",
                whereEn + ": at the current rate coverage reaches " + pct(value) + " by the deadline, under the target "
                        + pct(threshold) + ", since " + from + "."};
            case FEED_STALLED -> new String[] {
                scenario.root().nameZh() + "数据中断：" + fmt(value) + " 秒未收到任何采样数据（阈值 " + fmt(threshold) + " 秒），自 " + from + " 起，请检查数据链路。",
                "Feed stalled: no data from any station for " + fmt(value) + " s (threshold " + fmt(threshold)
                        + " s), since " + from + "; check the data link."};
        };
    }

    private static String nameZh(AlertKind kind) {
        return switch (kind) {
            case SITE_SILENT -> "采样点无扫码";
            case SITE_SLOW -> "采样速度过慢";
            case SITE_CONGESTED -> "排队拥堵";
            case STATION_OFFLINE -> "终端离线";
            case TOWNSHIP_BEHIND_PLAN -> "进度落后";
            case FEED_STALLED -> "数据中断";
        };
    }

    private static String nameEn(AlertKind kind) {
        return switch (kind) {
            case SITE_SILENT -> "the silence";
            case SITE_SLOW -> "the slow sampling";
            case SITE_CONGESTED -> "the congestion";
            case STATION_OFFLINE -> "the station outage";
            case TOWNSHIP_BEHIND_PLAN -> "the shortfall against the plan";
            case FEED_STALLED -> "the feed stall";
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
