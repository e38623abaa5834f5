package dev.sweep.hooks;

import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import java.time.Instant;

/** Alert records as the job's rules write them, for the tests. */
final class Alerts {
    /** 4 May 2022 08:32 in Neixiang (Asia/Shanghai). */
    static final Instant SINCE = Instant.parse("2022-05-04T00:32:00Z");

    private Alerts() {}

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
