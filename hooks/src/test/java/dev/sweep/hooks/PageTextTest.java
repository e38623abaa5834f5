package dev.sweep.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.page.PageText;
import dev.sweep.hooks.page.PageText.Markup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a lead reads: Chinese then English, names from the scenario, local time, figure against threshold, within each service's size. */
class PageTextTest {

    @Test
    void oneAlertSaysWhatWhereSinceWhenAndTheFigure() {
        Alert a = Alert.newBuilder(Alerts.raised("q1", AlertKind.SITE_CONGESTED, "TD", "NX-TD-001"))
                .setValue(57).setThreshold(50).setMessage("排队 57 人，已持续 5 分钟").setMessageEn("57 people queueing for 5 min").build();
        String text = new PageText(List.of(a), RoutesTest.NEIXIANG, "q1:RAISED").render(Markup.PLAIN);
        assertEquals("""
                【告警】湍东镇 · 采样点拥堵

                - 【告警】采样点拥堵 · 湍东镇 湍东镇第1采样点（NX-TD-001）：排队 57 人，已持续 5 分钟（数值 57 人，阈值 50 人；自 05-04 08:32 起）

                [ALERT] Tuandong · site congested

                - [ALERT] site congested · Tuandong, site NX-TD-001: 57 people queueing for 5 min (figure 57 people, threshold 50 people; since 05-04 08:32)

                Sweep 告警 · 内乡县全员核酸检测 2022-05 · 时间为北京时间 (times Asia/Shanghai) · ref q1:RAISED""", text);
    }

    @Test
    void aBatchCountsRaisedAndResolvedAndListsNewTroubleFirst() {
        Alert resolved = Alert.newBuilder(Alerts.of("r1", AlertKind.SITE_SLOW, AlertState.RESOLVED, "WT", "NX-WT-001"))
                .setValue(0.62).setThreshold(0.5).build();
        Alert raised = Alerts.raised("r2", AlertKind.STATION_OFFLINE, "WT", "NX-WT-002");
        Alert feed = Alerts.raised("f1", AlertKind.FEED_STALLED, null, null);
        String text = new PageText(List.of(resolved, raised), RoutesTest.NEIXIANG, null).render(Markup.PLAIN);
        assertTrue(text.startsWith("【告警】瓦亭镇 2 条（新告警 1，已恢复 1）"), text);
        assertTrue(text.indexOf("采样终端离线") < text.indexOf("【已恢复】采样进度慢"), "new trouble first:\n" + text);
        assertTrue(text.contains("数值 62%，阈值 50%；05-04 08:32 起，08:57 恢复"), text);
        assertTrue(text.contains("(figure 62%, threshold 50%; 05-04 08:32 to 08:57)"), text);
        assertTrue(text.contains("（数值 12 分钟，阈值 10 分钟；") && text.contains("(figure 12 min, threshold 10 min;"), "units: " + text);
        assertTrue(text.contains("[ALERTS] Wating: 2 (1 raised, 1 resolved)"), text);
        String county = new PageText(List.of(feed, raised), RoutesTest.NEIXIANG, null).render(Markup.PLAIN);
        assertTrue(county.startsWith("【告警】2 个乡镇 2 条") && county.contains("数据中断 · 全县") && county.contains("feed stalled · county-wide"), county);
    }

    @Test
    void moreThanTenAlertsMakeADigestThatNamesItsSitesAndCountsTheRest() {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            alerts.add(Alerts.raised("s" + i, AlertKind.SITE_SILENT, "CG", "NX-CG-%03d".formatted(i)));
        }
        PageText text = new PageText(alerts, RoutesTest.NEIXIANG, Page.derivedKey(alerts.stream().map(Alerts::key).toList()));
        String wecom = text.render(Markup.WECOM, 4096);
        assertTrue(wecom.getBytes(StandardCharsets.UTF_8).length <= 4096);
        assertTrue(wecom.startsWith("**【告警】城关镇 40 条**") && wecom.endsWith("</font>"), wecom);
        assertTrue(wecom.contains("- 【告警】采样点无扫码 · 城关镇 40 个采样点（最早自 05-04 08:32 起）：NX-CG-001、NX-CG-002、"), wecom);
        assertTrue(wecom.contains("NX-CG-020 …… 另有 20 个\n") && !wecom.contains("NX-CG-021"), "twenty named, the rest counted:\n" + wecom);
        assertTrue(wecom.contains("- [ALERT] site silent · Chengguan, 40 sites (earliest since 05-04 08:32): NX-CG-001, NX-CG-002, "), wecom);
        assertTrue(wecom.contains("NX-CG-020 … and 20 more\n"), wecom);
        assertEquals(40, counted(wecom));
        // Ten or fewer: each alert on its own line, as before.
        String ten = new PageText(alerts.subList(0, 10), RoutesTest.NEIXIANG, null).render(Markup.DINGTALK, 20_000);
        assertEquals(10, ten.split("- 【告警】采样点无扫码 · 城关镇 城关镇第", -1).length - 1, ten);
    }

    /**
     * A storm's page, the outage of a whole district, in every service's markup and size: one line per kind of
     * trouble with its count, at most twenty sites named on a line, every alert counted, within the limit.
     */
    @Test
    void aStormPageCountsEveryAlertWithinEachServicesSize(@TempDir Path dir) throws Exception {
        Scenario city = CityScenario.write(dir.resolve("city"));
        List<Alert> raised = Alerts.storm(AlertState.RAISED);
        List<Alert> mixed = new ArrayList<>(Alerts.storm(AlertState.RESOLVED).subList(0, 300));
        mixed.addAll(raised.subList(900, 1000));
        mixed.add(Alert.newBuilder(Alerts.raised("behind-DC-S03", AlertKind.TOWNSHIP_BEHIND_PLAN, "DC", null))
                .setAreaId("DC-S03").build());
        for (List<Alert> page : List.of(raised, mixed)) {
            PageText text = new PageText(page, city, Page.derivedKey(page.stream().map(Alerts::key).toList()));
            for (var limit : Map.of(Markup.WECOM, 4096, Markup.DINGTALK, 20_000, Markup.SLACK, 40_000, Markup.PLAIN, 40_000).entrySet()) {
                String t = text.render(limit.getKey(), limit.getValue());
                assertTrue(t.getBytes(StandardCharsets.UTF_8).length <= limit.getValue(), limit.getKey() + " size");
                assertEquals(page.size(), counted(t), limit.getKey() + " counts every alert:\n" + t);
                assertTrue(t.contains("东城区 " + page.size() + " 条") && t.contains("Dongcheng: " + page.size()), t);
                for (String line : t.split("\n")) {
                    Matcher names = NAMED.matcher(line);
                    if (names.find()) {
                        int named = names.group(2).split(", ").length;
                        int more = names.group(3) == null ? 0 : Integer.parseInt(names.group(3));
                        assertTrue(named <= PageText.NAMED_PER_LINE, line);
                        assertEquals(Integer.parseInt(names.group(1)), named + more, "named and counted: " + line);
                    }
                }
            }
        }
        String wecom = new PageText(raised, city, null).render(Markup.WECOM, 4096);
        assertTrue(wecom.contains("- 【告警】采样终端离线 · 东城区 800 个采样点（最早自 10-20 09:30 起）：DC-0001、DC-0002、"), wecom);
        assertTrue(wecom.contains("- 【告警】采样点无扫码 · 东城区 200 个采样点（最早自 10-20 09:30 起）：DC-0801、"), wecom);
        assertTrue(wecom.indexOf("采样终端离线") < wecom.indexOf("采样点无扫码"), "the most urgent first");
        String ding = new PageText(mixed, city, null).render(Markup.DINGTALK, 20_000);
        assertTrue(ding.startsWith("#### 【告警】东城区 401 条（新告警 101，已恢复 300）"), ding);
        assertTrue(ding.contains("- 【告警】区域进度落后 · 东城区 东城第3街道："), "one alert of its kind: its own full line\n" + ding);
        assertTrue(ding.indexOf("【告警】采样点无扫码 · 东城区 100 个采样点") < ding.indexOf("【已恢复】采样终端离线 · 东城区 300 个采样点（最晚 10-20 "),
                "new trouble first, then what recovered:\n" + ding);
    }

    /** Hundreds of kinds of trouble (alerts naming townships nobody knows) still fit, and are still all counted. */
    @Test
    void tooManyLinesForThePageAreCountedNotDropped() {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            alerts.add(Alerts.raised("f" + i, AlertKind.SITE_SLOW, "Z" + i, "NX-Z" + i + "-001"));
        }
        String wecom = new PageText(alerts, RoutesTest.NEIXIANG, null).render(Markup.WECOM, 4096);
        assertTrue(wecom.getBytes(StandardCharsets.UTF_8).length <= 4096);
        assertTrue(wecom.contains("条未列出") && wecom.contains("more not listed"), wecom);
        assertEquals(300, counted(wecom), wecom);
    }

    /** The area an alert is about (v2 areaId, else its site's area) is named from the scenario, in both languages. */
    @Test
    void theAreaOfAnAlertIsNamed(@TempDir Path dir) throws Exception {
        Scenario city = CityScenario.write(dir.resolve("city"));
        Alert street = Alert.newBuilder(Alerts.raised("behind-DC-S03", AlertKind.TOWNSHIP_BEHIND_PLAN, "DC", null))
                .setAreaId("DC-S03").setValue(0.71).setThreshold(0.9).build();
        Alert site = Alerts.raised("offline-DC-0011", AlertKind.STATION_OFFLINE, "DC", "DC-0011"); // v1: no areaId
        Alert forged = Alert.newBuilder(Alerts.raised("x", AlertKind.TOWNSHIP_BEHIND_PLAN, "DC", null)).setAreaId("<@all>").build();
        String text = new PageText(List.of(street, site, forged), city, null).render(Markup.WECOM, 4096);
        assertTrue(text.contains("【告警】区域进度落后 · 东城区 东城第3街道：") && text.contains("[ALERT] area behind plan · Dongcheng, Dongcheng street 3: "), text);
        assertTrue(text.contains("【告警】采样终端离线 · 东城区 第1街道第2社区 东城第11采样点（DC-0011）"), text);
        assertTrue(text.contains("station offline · Dongcheng, Street 1 community 2, site DC-0011"), text);
        assertTrue(text.contains("东城区 ＜＠all＞") && !text.contains("<@all>"), "an area nobody knows, as text:\n" + text);
        // In Neixiang the sites stand in their townships: no area beside the township.
        String nx = new PageText(List.of(Alerts.raised("a", AlertKind.SITE_SILENT, "CG", "NX-CG-001")), RoutesTest.NEIXIANG, null)
                .render(Markup.PLAIN);
        assertTrue(nx.contains("· 城关镇 城关镇第1采样点（NX-CG-001）"), nx);
    }

    private static final Pattern COUNT_LINE = Pattern.compile("^- \\[(?:ALERT|RESOLVED)\\] .*?, (\\d+) (?:sites?|areas?|alerts?) \\(");
    private static final Pattern ITEM_LINE = Pattern.compile("^- \\[(?:ALERT|RESOLVED)\\] ");
    private static final Pattern MORE_LINE = Pattern.compile("^- … and (\\d+) more not listed");
    private static final Pattern NAMED = Pattern.compile(", (\\d+) sites \\([^)]*\\): (.*?)(?: … and (\\d+) more)?$");

    /**
     * The alerts a page accounts for, read from its English half as a lead would: each digest line's count,
     * one for each alert on its own line, and the count of those not listed.
     */
    static int counted(String page) {
        int n = 0;
        for (String line : page.split("\n")) {
            Matcher c = COUNT_LINE.matcher(line);
            Matcher more = MORE_LINE.matcher(line);
            if (c.find()) {
                n += Integer.parseInt(c.group(1));
            } else if (ITEM_LINE.matcher(line).find()) {
                n++;
            } else if (more.find()) {
                n += Integer.parseInt(more.group(1));
            }
        }
        return n;
    }

    /**
     * A forged alert's text reaches no service as markup: no link, mention, font or emphasis of its own in WeCom,
     * DingTalk or Slack, and no bare URL a client would turn into a link. The words stay readable.
     */
    @Test
    void alertFieldsAreTextInEveryMarkup() {
        String forged = "<@all> 速来 [点此处理](https://evil.example/x) <font color=\"warning\">紧急</font> **立即** @所有人 "
                + "<!channel> <https://evil.example|here> www.evil.example `code` ~~x~~ # h &lt;b&gt; _i_ \\";
        Alert a = Alert.newBuilder(Alerts.raised("x", AlertKind.SITE_SLOW, "ZZ<@all>", "NX-ZZ-<b>1</b>"))
                .setMessage(forged).setMessageEn(forged).build();
        PageText text = new PageText(List.of(a), RoutesTest.NEIXIANG, null);
        for (Markup m : List.of(Markup.WECOM, Markup.DINGTALK, Markup.SLACK)) {
            String page = text.render(m, 40_000);
            for (String markup : List.of("<@all>", "[点此处理](", "https://", "<font color=\"warning\">", "**立即**", "@所有人",
                    "<!channel>", "<https", "www.evil", "`code`", "~~x~~", "# h", "&lt;b&gt;", "_i_", "\\", "<b>")) {
                assertFalse(page.contains(markup), m + " page has '" + markup + "' from the alert:\n" + page);
            }
            assertTrue(page.contains("＜＠all＞ 速来 ［点此处理］(https：//evil.example/x)"), m + ":\n" + page);
            assertTrue(page.contains("ZZ＜＠all＞") && page.contains("NX-ZZ-＜b＞1＜/b＞"), "ids the scenario lacks, as text:\n" + page);
            assertTrue(page.contains("www．evil.example") && page.contains("紧急"), page);
        }
        assertTrue(text.title(Markup.DINGTALK).contains("ZZ＜＠all＞"), text.title(Markup.DINGTALK));
        // The generic webhook's plain text carries the alert's words as they are (its receiver decides).
        assertTrue(text.render(Markup.PLAIN).contains("<@all> 速来 [点此处理](https://evil.example/x)"));
    }
}
