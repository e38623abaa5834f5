package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.Alert;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import dev.sweep.testkit.TopicReader;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lagging-site rules on real parts, against the ledger: the clean Neixiang replay raises no
 * alert at all; with every drill, replayed live at a steady pace as stations would send it, each
 * fault raises its one alert within the rule's delay and resolves after it, on the topic and in
 * InfluxDB alike.
 */
@Tag("e2e")
class AlertsEndToEndTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** The campaign's eight hours of sampling in under a minute. */
    static final double SPEED = 600;

    @Test
    void theCleanReplayRaisesNoAlert() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            CampaignSimulator.Replay replay = Pipeline.replay(kafka, "neixiang", 7, Set.of());
            int busiest = replay.ledger().sites().values().stream().mapToInt(s -> s.maxQueue()).max().orElse(0);
            assertTrue(busiest > 10 && busiest < 50,
                    "the busiest line of the clean campaign stays under the congestion threshold: " + busiest);
            Pipeline.runToEnd(Pipeline.options(kafka, null, "clean").bounded(true).build());
            assertEquals(List.of(), alerts(kafka).stream().map(a -> a.getKind() + " " + a.getTownshipId() + " "
                    + a.getSiteId() + " at " + a.getAt()).toList());
        }
    }

    @Test
    void everyDrilledFaultRaisesItsAlertOnceAndResolvesAfterIt() throws Exception {
        Scenario neixiang = Scenario.load("neixiang");
        CampaignSimulator.Replay replay = new CampaignSimulator(neixiang, 7, Drill.parse(List.of("all")), 0,
                CampaignSimulator.DRILL_STATION_KEY).run();
        try (LocalKafka kafka = LocalKafka.start(); InfluxServer influx = InfluxServer.start()) {
            JobClient job = Pipeline.start(Pipeline.options(kafka, influx, "drills").build());
            try (StationFeed stations = new StationFeed(kafka.bootstrapServers())) {
                stations.send(replay.emissions(), SPEED, null, neixiang.population(), ZoneOffset.UTC);
            }
            // The feed has sent everything. The job catches up (on a busy machine it may lag well behind the
            // feed), and the verdict must stand once its outputs have stopped growing for a minute.
            long lastProgress = System.nanoTime();
            long written = -1;
            List<Alert> alerts;
            while (true) {
                alerts = alerts(kafka);
                try {
                    AlertLedger.assertAlertsMatchTheFaults(alerts, replay.ledger(), neixiang);
                    break;
                } catch (AssertionError notYet) {
                    long now = kafka.endOffsetsSum(Topics.SITE_MINUTES) + kafka.endOffsetsSum(Topics.COVERAGE);
                    if (now != written) {
                        written = now;
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > Duration.ofMinutes(1).toNanos()) {
                        throw notYet;
                    }
                    Thread.sleep(1000);
                }
            }
            job.cancel().get();

            // The same transitions in InfluxDB's alerts measurement, one point each.
            Set<String> onTopic = new TreeSet<>();
            alerts.forEach(a -> onTopic.add(a.getAlertId() + " " + a.getState()));
            Set<String> inInflux = new TreeSet<>();
            for (var row : influx.query("SELECT alert_id, state FROM alerts")) {
                inInflux.add(row.get("alert_id") + " " + row.get("state"));
            }
            assertEquals(onTopic, inInflux);
            assertFalse(influx.query("SHOW TAG KEYS FROM alerts").toString().matches(".*(person|tube|scan).*"));
            assertTrue(alerts.stream().allMatch(a -> a.getMessage().length() > 10 && a.getMessageEn().length() > 10));
        }
    }

    /** Every alert on the topic, in order per township (the key). */
    static List<Alert> alerts(LocalKafka kafka) throws Exception {
        List<Alert> out = new ArrayList<>();
        for (var r : TopicReader.readAll(kafka.bootstrapServers(), Topics.ALERTS)) {
            out.add(EventCodec.ALERTS.decode(r.value()));
        }
        return out;
    }
}
