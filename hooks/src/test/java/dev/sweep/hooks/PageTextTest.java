package dev.sweep.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.page.PageText;
import dev.sweep.hooks.page.PageText.Markup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    void whatDoesNotFitTheServiceIsCountedNotCutMidLine() {
        List<Alert> alerts = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            alerts.add(Alerts.raised("s" + i, AlertKind.SITE_SILENT, "CG", "NX-CG-%03d".formatted(i)));
        }
        PageText text = new PageText(alerts, RoutesTest.NEIXIANG, Page.derivedKey(alerts.stream().map(a -> a.getAlertId() + ":RAISED").toList()));
        String wecom = text.render(Markup.WECOM, 4096);
        assertTrue(wecom.getBytes(StandardCharsets.UTF_8).length <= 4096);
        int listed = wecom.split("- 【告警】", -1).length - 1;
        assertTrue(listed > 0 && listed < 40, listed + " listed");
        assertTrue(wecom.contains("……另有 " + (40 - listed) + " 条未列出") && wecom.contains("… and " + (40 - listed) + " more not listed"), wecom);
        assertTrue(wecom.startsWith("**【告警】城关镇 40 条**") && wecom.endsWith("</font>"), wecom);
        String all = text.render(Markup.DINGTALK, 20_000);
        assertEquals(40, all.split("- 【告警】", -1).length - 1, "DingTalk takes them all");
        assertTrue(all.startsWith("#### 【告警】城关镇 40 条"));
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
