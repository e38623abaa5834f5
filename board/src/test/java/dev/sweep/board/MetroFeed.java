package dev.sweep.board;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The job's outputs and the stations' heartbeats for the shipped {@code metro} city (10 districts, 80 streets, 800
 * communities, 10,000 sites) as they stand at a minute of its day, deterministic from a seed: a coverage point for
 * every area (each community at its own pace, every area above the sum of its children, with the job's keys and
 * scopes), a record of the minute for every site, a heartbeat for every site (a few closed, a few with long lines),
 * and the alerts of a street whose stations went offline together. What it sends is what the board must show.
 */
final class MetroFeed {
    static final Scenario METRO = Scenario.load("metro");
    static final long MIN = 60_000L;

    final Scenario scenario = METRO;
    final long seed;
    /** The street whose stations are offline, and the one behind plan. */
    final String offlineStreet;
    final String behindStreet;
    private final java.util.Set<String> offline = new java.util.HashSet<>();

    MetroFeed(long seed) {
        this.seed = seed;
        List<Area> streets = scenario.areasAt("street");
        offlineStreet = streets.get(streets.size() / 3).id();
        behindStreet = streets.get(streets.size() / 2).id();
        for (Site s : scenario.sites()) {
            if (scenario.area(s.areaId()).parentId().equals(offlineStreet)) {
                offline.add(s.id());
            }
        }
    }

    /** The campaign's minute {@code m} minutes after the wave opened. */
    long minute(int m) {
        return scenario.waves().get(0).opens().toEpochMilli() + m * MIN;
    }

    /** Each community's share of its residents sampled by minute {@code m}: its own pace, 0..0.95. */
    double share(Area community, int m) {
        double pace = 0.6 + 0.8 * new SplittableRandom(seed ^ community.id().hashCode()).nextDouble();
        double dayShare = Math.min(0.95, pace * m / (16 * 60.0));
        return community.parentId().equals(behindStreet) ? dayShare / 3 : dayShare;
    }

    /** People sampled in each area by minute {@code m}, by area index: communities by their pace, the rest summed. */
    long[] sampled(int m) {
        long[] out = new long[scenario.areas().size()];
        for (int i = scenario.areas().size() - 1; i >= 0; i--) { // children come after their parents in the file
            Area a = scenario.areas().get(i);
            if (scenario.childrenOf(a.id()).isEmpty()) {
                out[i] += Math.round(a.population() * share(a, m));
            }
            if (a.parentId() != null) {
                out[scenario.areaIndex(a.parentId())] += out[i];
            }
        }
        return out;
    }

    Coverage coverage(Area a, long minute, long sampled) {
        int depth = scenario.depthOf(a.level());
        CoverageScope scope = depth == 0 ? CoverageScope.COUNTY : depth == 1 ? CoverageScope.TOWNSHIP : CoverageScope.AREA;
        int[] up = scenario.lineage(scenario.areaIndex(a.id()));
        String township = depth == 0 ? null : scenario.areas().get(up[up.length - 2]).id();
        double coverage = (double) sampled / a.population();
        double rate = sampled * 60.0 / Math.max(1, (minute - minute(0)) / MIN);
        double remaining = scenario.targetCoverage() * a.population() - sampled;
        Double eta = remaining <= 0 ? 0.0 : rate <= 0 ? null : remaining / rate * 60;
        return new Coverage(scope, township, a.level(), a.id(), Instant.ofEpochMilli(minute), sampled, a.population(),
                coverage, rate, eta);
    }

    /** The job's key: {@code county} for the root, the area's id otherwise. */
    static String key(Coverage c) {
        return c.getScope() == CoverageScope.COUNTY ? "county" : c.getAreaId().toString();
    }

    /** Scans, people, queue of a site in minute {@code m}. */
    int[] site(int index, int m) {
        SplittableRandom r = new SplittableRandom(seed * 31 + index * 1_000_003L + m);
        Site s = scenario.sites().get(index);
        int scans = r.nextInt(s.capacityPerHour() / 60 + 2);
        int persons = scans - (scans > 0 && r.nextInt(10) == 0 ? 1 : 0);
        int queue = r.nextInt(100) < 3 ? 50 + r.nextInt(40) : r.nextInt(30);
        return new int[] {scans, persons, queue};
    }

    SiteMinute siteMinute(int index, int m) {
        Site s = scenario.sites().get(index);
        int[] f = site(index, m);
        return new SiteMinute(s.townshipId(), s.id(), Instant.ofEpochMilli(minute(m)), f[0], f[1], Math.max(1, f[1] / 10), s.samplers());
    }

    /** Every site OPEN, but one in 500 CLOSED for the day. */
    StationStatus heartbeat(int index, int m, long at) {
        Site s = scenario.sites().get(index);
        SiteState state = index % 500 == 7 ? SiteState.CLOSED : SiteState.OPEN;
        return new StationStatus(s.id(), s.townshipId(), Instant.ofEpochMilli(at), state, state == SiteState.CLOSED ? 0 : site(index, m)[2],
                s.lanes(), s.samplers());
    }

    /** The sites of the street whose stations went offline together. */
    List<Site> offline() {
        return scenario.sites().stream().filter(s -> offline.contains(s.id())).toList();
    }

    boolean isOffline(String site) {
        return offline.contains(site);
    }

    List<Alert> alerts(int m) {
        List<Alert> out = new ArrayList<>();
        Instant since = Instant.ofEpochMilli(minute(m) - 20 * MIN);
        Instant at = Instant.ofEpochMilli(minute(m) - 17 * MIN);
        for (Site s : offline()) {
            out.add(new Alert("STATION_OFFLINE/" + s.id() + "/" + since.toEpochMilli(), AlertKind.STATION_OFFLINE,
                    AlertState.RAISED, s.townshipId(), s.id(), s.areaId(), since, at, 20.0, 3.0,
                    s.name() + " 已 20 分钟未上报", s.id() + " has not reported for 20 min"));
        }
        Area behind = scenario.area(behindStreet);
        int[] up = scenario.lineage(scenario.areaIndex(behind.id()));
        out.add(new Alert("TOWNSHIP_BEHIND_PLAN/" + behind.id() + "/" + since.toEpochMilli(), AlertKind.TOWNSHIP_BEHIND_PLAN,
                AlertState.RAISED, scenario.areas().get(up[up.length - 2]).id(), null, behind.id(), since, at, 0.3, 0.9,
                behind.nameZh() + " 进度落后", behind.name() + " is behind plan"));
        return out;
    }

    /** Everything as it stands at minute {@code m}: coverage of every area, a minute and a heartbeat of every site, the alerts. */
    List<ProducerRecord<String, byte[]>> all(int m) {
        List<ProducerRecord<String, byte[]>> out = minute(m, true);
        for (Alert a : alerts(m)) {
            out.add(new ProducerRecord<>(Topics.ALERTS, a.getTownshipId().toString(), EventCodec.ALERTS.encode(a)));
        }
        return out;
    }

    /**
     * What minute {@code m} brings the whole city at once: a coverage point of every area, the site minute of every
     * site and (with {@code heartbeats}) a heartbeat of every station still reporting.
     */
    List<ProducerRecord<String, byte[]>> minute(int m, boolean heartbeats) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        long[] sampled = sampled(m);
        for (int i = 0; i < scenario.areas().size(); i++) {
            Coverage c = coverage(scenario.areas().get(i), minute(m), sampled[i]);
            out.add(new ProducerRecord<>(Topics.COVERAGE, key(c), EventCodec.COVERAGE.encode(c)));
        }
        for (int i = 0; i < scenario.sites().size(); i++) {
            String id = scenario.sites().get(i).id();
            out.add(new ProducerRecord<>(Topics.SITE_MINUTES, id, EventCodec.SITE_MINUTES.encode(siteMinute(i, m))));
            if (heartbeats && !isOffline(id)) {
                out.add(new ProducerRecord<>(Topics.STATION_STATUS, id,
                        EventCodec.STATUSES.encode(heartbeat(i, m, minute(m) + 30_000))));
            }
        }
        return out;
    }
}
