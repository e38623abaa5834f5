package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.producers.simulator.Ledger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Holds the job's alerts to the ledger's faults: each fault raises exactly one alert of its
 * expected kind on its site (every site of its township, for a township-wide fault; on its area, for
 * behind-plan) within the rule's delay, resolved once, after the fault ends (at the deadline, for behind-plan); no other site raises anything, except a long
 * line that a fault left behind (SITE_CONGESTED on that site, when the ledger saw 50 or more), and
 * the sites of a township whose stations held their data back (partition): what the rules make of
 * that depends on when the data arrives (live, every station is offline until the burst; read
 * from a backlog, its scans may come after its heartbeats and the sites look slow), so there any
 * site alert may come, raised by the end of the fault plus the longest raise delay, and must be resolved.
 */
public final class AlertLedger {
    /** Event-time minutes the rules tick on, plus one heartbeat interval. */
    static final Duration SLACK = Duration.ofSeconds(90);

    private AlertLedger() {}

    /** The raise bound of each kind with the default rules: its threshold and raise delay. */
    static Duration raisedWithin(AlertKind kind) {
        return switch (kind) {
            case STATION_OFFLINE -> Duration.ofMinutes(3);
            case SITE_SLOW -> Duration.ofMinutes(15 + 5);
            // The surge lasts 10 minutes; the line passes 50 somewhere in it, then 5 minutes of raise delay.
            case SITE_CONGESTED -> Duration.ofMinutes(10 + 5);
            // From the wave's opening: judged once a 15-minute rate window lies in the wave, then 15 minutes' delay.
            case TOWNSHIP_BEHIND_PLAN -> Duration.ofMinutes(15 + 15);
            default -> throw new IllegalArgumentException("no drill expects " + kind);
        };
    }

    public static void assertAlertsMatchTheFaults(List<Alert> alerts, Ledger ledger, Scenario scenario) {
        Map<String, List<Alert>> byId = alerts.stream().collect(Collectors.groupingBy(a -> a.getAlertId().toString()));
        byId.forEach((id, transitions) -> {
            assertTrue(transitions.size() <= 2, id + " has " + transitions);
            assertEquals(AlertState.RAISED, transitions.get(0).getState(), id + " starts RAISED");
            if (transitions.size() == 2) {
                assertEquals(AlertState.RESOLVED, transitions.get(1).getState(), id + " ends RESOLVED");
            }
        });
        List<Alert> raised = alerts.stream().filter(a -> a.getState() == AlertState.RAISED).toList();
        Set<Alert> explained = new HashSet<>();
        for (Ledger.Fault f : ledger.faults()) {
            if (f.expectedAlert() == null) {
                continue;
            }
            AlertKind kind = AlertKind.valueOf(f.expectedAlert());
            if (kind == AlertKind.TOWNSHIP_BEHIND_PLAN) {
                // An area's fault (behind-plan): one alert about that area, raised in time, settled at the deadline.
                List<Alert> mine = raised.stream()
                        .filter(a -> a.getKind() == kind && f.area().equals(str(a.getAreaId()))).toList();
                assertEquals(1, mine.size(), f.kind() + " in " + f.area() + " raises one " + kind + ": " + mine);
                Alert up = mine.get(0);
                Instant start = Instant.parse(f.start());
                assertTrue(!up.getAt().isBefore(start) && !up.getAt().isAfter(start.plus(raisedWithin(kind)).plus(SLACK)),
                        f.kind() + " in " + f.area() + ": raised at " + up.getAt() + ", fault from " + start);
                Alert down = byId.get(up.getAlertId().toString()).stream()
                        .filter(a -> a.getState() == AlertState.RESOLVED).findFirst().orElse(null);
                assertNotNull(down, f.kind() + " in " + f.area() + " resolves");
                assertTrue(!down.getAt().isBefore(Instant.parse(f.end())), f.kind() + " in " + f.area()
                        + ": resolved at " + down.getAt() + ", before the deadline " + f.end());
                explained.add(up);
                continue;
            }
            List<String> sites = f.site() != null ? List.of(f.site())
                    : scenario.sitesOf(f.township()).stream().map(Site::id).toList();
            Instant start = Instant.parse(f.start());
            Instant end = Instant.parse(f.end());
            for (String site : sites) {
                List<Alert> mine = raised.stream()
                        .filter(a -> site.equals(str(a.getSiteId())) && a.getKind() == kind).toList();
                assertEquals(1, mine.size(), f.kind() + " at " + site + " raises one " + kind + ": " + mine);
                Alert up = mine.get(0);
                assertTrue(!up.getAt().isBefore(start) && !up.getAt().isAfter(start.plus(raisedWithin(kind)).plus(SLACK)),
                        f.kind() + " at " + site + ": raised at " + up.getAt() + ", fault from " + start);
                Alert down = byId.get(up.getAlertId().toString()).stream()
                        .filter(a -> a.getState() == AlertState.RESOLVED).findFirst().orElse(null);
                assertNotNull(down, f.kind() + " at " + site + " resolves");
                assertTrue(down.getAt().isAfter(end), f.kind() + " at " + site + ": resolved at " + down.getAt()
                        + ", before the fault's end " + end);
                explained.add(up);
            }
        }
        Map<String, Integer> lineLeftBehind = new HashMap<>();
        ledger.faults().stream().filter(f -> f.site() != null)
                .forEach(f -> lineLeftBehind.put(f.site(), ledger.sites().get(f.site()).maxQueue()));
        List<Alert> unexplained = new ArrayList<>();
        for (Alert a : raised) {
            boolean consequence = a.getKind() == AlertKind.SITE_CONGESTED && a.getSiteId() != null
                    && lineLeftBehind.getOrDefault(str(a.getSiteId()), 0) >= 50;
            boolean heldBack = a.getSiteId() != null && ledger.faults().stream().anyMatch(f -> f.site() == null
                    && f.expectedAlert() == null && f.township().equals(str(a.getTownshipId()))
                    && !a.getAt().isBefore(Instant.parse(f.start()))
                    && !a.getAt().isAfter(Instant.parse(f.end()).plus(raisedWithin(AlertKind.SITE_SLOW)).plus(SLACK))
                    && byId.get(a.getAlertId().toString()).size() == 2);
            if (!explained.contains(a) && !consequence && !heldBack) {
                unexplained.add(a);
            }
        }
        assertEquals(List.of(), unexplained.stream().map(a -> a.getKind() + " " + a.getTownshipId() + " "
                + a.getSiteId() + " at " + a.getAt()).toList(), "alerts no fault explains");
    }

    private static String str(CharSequence s) {
        return s == null ? null : s.toString();
    }
}
