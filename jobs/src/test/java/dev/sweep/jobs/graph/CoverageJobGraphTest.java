package dev.sweep.jobs.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.jobs.GraphRun;
import dev.sweep.jobs.LineProtocol;
import dev.sweep.jobs.Replays;
import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.schemas.EventChecks;
import dev.sweep.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The middle tier: the job's whole graph on a MiniCluster with the stations' records read from memory and
 * the outputs kept in memory (no Kafka, no InfluxDB), against the simulator's ledger, exactly: the small
 * test campaign with a station outage, re-sent scans and bad records.
 */
class CoverageJobGraphTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static Ledger ledger;
    static GraphRun run;

    @BeforeAll
    static void runTheGraph() throws Exception {
        CampaignSimulator.Replay replay = new CampaignSimulator(Campaigns.TINY, 11,
                Drill.parse(List.of("site-outage", "duplicates", "bad-data")), 0, CampaignSimulator.DRILL_STATION_KEY).run();
        ledger = replay.ledger();
        run = GraphRun.of(Replays.asSent(replay), CoverageOptions.on("localhost:1", Campaigns.TINY).build());
    }

    @Test
    void siteMinutesAndCoverageAgreeWithTheLedger() {
        Map<String, long[]> sites = run.siteTotals();
        assertEquals(ledger.sites().keySet(), sites.keySet());
        ledger.sites().forEach((id, s) -> {
            assertEquals(s.scans(), sites.get(id)[0], "scans of " + id);
            assertEquals(s.persons(), sites.get(id)[1], "persons of " + id);
        });
        Map<String, Long> expected = new TreeMap<>();
        ledger.townships().forEach((id, t) -> expected.put(id, t.persons()));
        expected.put("county", ledger.county().persons());
        assertEquals(expected, run.sampled());
    }

    @Test
    void influxDbWouldHoldTheSameFigures() {
        Map<String, Map<String, String>> points = run.influx();
        Map<String, Long> scans = new TreeMap<>();
        long events = 0;
        long duplicates = 0;
        long dead = 0;
        for (var e : points.entrySet()) {
            String series = e.getKey();
            Map<String, String> f = e.getValue();
            if (series.startsWith("site_throughput,")) {
                String site = LineProtocol.parse(series.replace(" ", " x=1i ")).tags().get("site");
                scans.merge(site, integer(f.get("scans")), Long::sum);
            } else if (series.startsWith("pipeline,")) {
                events += integer(f.get("events"));
                duplicates += integer(f.get("duplicates"));
                dead += integer(f.get("dead_letters"));
            }
        }
        Map<String, Long> expected = new TreeMap<>();
        ledger.sites().forEach((id, s) -> expected.put(id, s.scans()));
        assertEquals(expected, scans);
        long bad = ledger.badRecords().values().stream().mapToLong(Long::longValue).sum();
        long sent = ledger.records().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(sent - bad, events, "events count what was accepted");
        assertEquals(bad, dead);
        assertEquals(ledger.duplicatesSent(), duplicates);
        assertEquals(ledger.records().get(Topics.STATION_STATUS),
                points.keySet().stream().filter(k -> k.startsWith("site_status,")).count(), "a point per heartbeat");
    }

    @Test
    void everyBadRecordIsADeadLetterWithItsReasonAndNoIdNumberInIt() {
        Map<String, Long> byReason = new TreeMap<>();
        for (DeadLetter d : run.outputs().deadLetters()) {
            byReason.merge(d.reason, 1L, Long::sum);
            assertFalse(EventChecks.containsIdNumber(new String(d.value, StandardCharsets.ISO_8859_1)), d.detail);
            assertFalse(EventChecks.containsIdNumber(d.detail), d.detail);
        }
        assertEquals(ledger.badRecords(), byReason);
    }

    @Test
    void eachOutageRaisesItsStationOfflineOnceAndResolvesIt() {
        List<String> alerts = run.alerts();
        for (Ledger.Fault f : ledger.faults()) {
            List<String> raised = alerts.stream().filter(a -> a.startsWith("STATION_OFFLINE/" + f.site() + "/")
                    && a.contains(" RAISED ")).toList();
            List<String> resolved = alerts.stream().filter(a -> a.startsWith("STATION_OFFLINE/" + f.site() + "/")
                    && a.contains(" RESOLVED ")).toList();
            assertEquals(1, raised.size(), f + ": " + alerts);
            assertEquals(1, resolved.size(), f.site() + ": " + alerts);
        }
        assertTrue(ledger.faults().size() == 3, "three outages: " + ledger.faults());
    }

    private static long integer(String field) {
        return Long.parseLong(field.endsWith("i") ? field.substring(0, field.length() - 1) : field);
    }
}
