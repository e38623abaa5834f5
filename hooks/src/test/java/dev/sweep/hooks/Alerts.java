package dev.sweep.hooks;

import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Alert records as the job's rules write them, for the tests. */
final class Alerts {
    /** 4 May 2022 08:32 in Neixiang (Asia/Shanghai). */
    static final Instant SINCE = Instant.parse("2022-05-04T00:32:00Z");

    /** 20 Oct 2026 09:30 in the drill city (Asia/Shanghai): when its district's mobile network went down. */
    static final Instant OUTAGE = Instant.parse("2026-10-20T01:30:00Z");

    private Alerts() {}

    /**
     * The storm of a mobile network outage in 东城区 ({@link CityScenario}): its 1,000 stations, 800 of them
     * offline and 200 silent (their stations up, no scan coming through), as the job raises them
     * ({@code RAISED}), or as it resolves them when the network is back ({@code RESOLVED}); v2 alerts, each
     * with its site's community as its area.
     */
    static List<Alert> storm(AlertState state) {
        List<Alert> out = new ArrayList<>();
        for (int i = 1; i <= CityScenario.DC_SITES; i++) {
            String site = CityScenario.siteId(i);
            boolean offline = i <= 800;
            AlertKind kind = offline ? AlertKind.STATION_OFFLINE : AlertKind.SITE_SILENT;
            Instant since = OUTAGE.plusSeconds(i % 60);
            out.add(Alert.newBuilder()
                    .setAlertId(kind + "/" + site + "/" + since.toEpochMilli())
                    .setKind(kind)
                    .setState(state)
                    .setTownshipId("DC")
                    .setSiteId(site)
                    .setAreaId(CityScenario.streetOf(i) + "-C%02d".formatted((i - 1) % 100 / 10 + 1))
                    .setSince(since)
                    .setAt(state == AlertState.RAISED ? since.plusSeconds(offline ? 200 : 600) : since.plusSeconds(2400))
                    .setValue(offline ? 3.3 : 10.5)
                    .setThreshold(offline ? 3 : 10)
                    .setMessage(offline ? "采样终端 3.3 分钟未上报" : "已 10.5 分钟无扫码")
                    .setMessageEn(offline ? "the station has not reported for 3.3 min" : "no scan for 10.5 min")
                    .build());
        }
        return out;
    }

    static String key(Alert a) {
        return a.getAlertId() + ":" + a.getState();
    }

    static Alert raised(String id, AlertKind kind, String township, String site) {
        return of(id, kind, AlertState.RAISED, township, site);
    }

    static Alert of(String id, AlertKind kind, AlertState state, String township, String site) {
        return Alert.newBuilder()
                .setAlertId(id)
                .setKind(kind)
                .setState(state)
                .setTownshipId(township)
                .setSiteId(site)
                .setSince(SINCE)
                .setAt(state == AlertState.RAISED ? SINCE.plusSeconds(600) : SINCE.plusSeconds(1500))
                .setValue(12)
                .setThreshold(10)
                .setMessage(site == null ? "测试告警 " + id : "采样点 " + site + " 已 12 分钟无扫码")
                .setMessageEn(site == null ? "test alert " + id : "site " + site + " has had no scan for 12 min")
                .build();
    }
}
