package dev.sweep.jobs.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.sweep.campaign.Site;
import dev.sweep.events.ScanEvent;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.jobs.GraphRun;
import dev.sweep.jobs.ReplaySource;
import dev.sweep.jobs.Replays;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same records read live and as backlogs in other partition interleavings give the same coverage, site
 * figures, alerts and InfluxDB series: the small campaign with an outage, re-sent scans and bad records,
 * plus a person first sampled in Chengguan and re-tested an hour later in Qiliping, whose re-test sits on
 * another partition (read first in some of the orders). The person counts in Chengguan in every order.
 */
class ReadOrderTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String PERSON = "c0ffee00c0ffee00c0ffee00c0ffee00";
    static Ledger ledger;
    static List<ReplaySource.Raw> asSent;
    static Site first;
    static Site retest;

    @BeforeAll
    static void replay() {
        CampaignSimulator.Replay replay = new CampaignSimulator(Campaigns.TINY, 23,
                Drill.parse(List.of("site-outage", "duplicates", "bad-data")), 0, CampaignSimulator.DRILL_STATION_KEY).run();
        ledger = replay.ledger();
        asSent = new ArrayList<>(Replays.asSent(replay));
        // Two sites of different townships on different partitions: which scan is read first depends on the order.
        first = Campaigns.TINY.sitesOf("CG").get(0);
        retest = Campaigns.TINY.sitesOf("QL").stream().filter(s -> partition(s) != partition(first)).findFirst().orElseThrow();
        insertLive(scan("cross-1", first, "2022-05-04T00:30:00Z"));
        insertLive(scan("cross-2", retest, "2022-05-04T01:30:00Z"));
    }

    @Test
    void everyReadOrderGivesTheSameFigures() throws Exception {
        Map<String, List<ReplaySource.Raw>> orders = new LinkedHashMap<>();
        orders.put("as sent (live)", asSent);
        orders.put("partition after partition", Replays.partitionAfterPartition(asSent, false));
        orders.put("partition after partition, last first", Replays.partitionAfterPartition(asSent, true));
        orders.put("partitions shuffled (seed 1)", Replays.shuffledPartitions(asSent, 1));
        orders.put("partitions shuffled (seed 2)", Replays.shuffledPartitions(asSent, 2));
        assertNotEquals(orders.get("as sent (live)"), orders.get("partition after partition"));

        GraphRun live = null;
        for (Map.Entry<String, List<ReplaySource.Raw>> order : orders.entrySet()) {
            GraphRun run = GraphRun.of(order.getValue(), CoverageOptions.on("localhost:1", Campaigns.TINY).build());
            String how = order.getKey();
            Map<String, Long> expected = new TreeMap<>();
            ledger.townships().forEach((id, t) -> expected.put(id, t.persons() + (id.equals("CG") ? 1 : 0)));
            expected.put("county", ledger.county().persons() + 1);
            assertEquals(expected, run.sampled(), how + ": the re-tested person counts where first sampled");
            assertEquals(ledger.sites().get(first.id()).persons() + 1, run.siteTotals().get(first.id())[1], how);
            assertEquals(ledger.sites().get(retest.id()).persons(), run.siteTotals().get(retest.id())[1], how);
            if (live == null) {
                live = run;
                continue;
            }
            assertEquals(live.siteMinutes(), run.siteMinutes(), how + ": site minutes");
            assertEquals(live.coverage(), run.coverage(), how + ": coverage points");
            assertEquals(live.alerts(), run.alerts(), how + ": alerts");
            // The pipeline's late count and watermark lag describe how a run went, not the campaign.
            assertEquals(live.influx("late", "watermark_lag_ms"), run.influx("late", "watermark_lag_ms"),
                    how + ": InfluxDB series");
        }
    }

    private static ScanEvent scan(String scanId, Site site, String at) {
        return ScanEvent.newBuilder().setScanId(scanId).setSiteId(site.id()).setTownshipId(site.townshipId())
                .setSamplerId(site.id() + "-S1").setTubeId(scanId + "-tube").setPersonKey(PERSON)
                .setScannedAt(Instant.parse(at)).setPoolSize(1).setStationSeq(0).build();
    }

    /** Puts a scan into the sent stream where its station would have sent it, on its site's partition. */
    private static void insertLive(ScanEvent e) {
        long at = e.getScannedAt().toEpochMilli();
        int p = partition(Campaigns.TINY.site(e.getSiteId()));
        int index = 0;
        long offset = 0;
        for (int i = 0; i < asSent.size(); i++) {
            ReplaySource.Raw r = asSent.get(i);
            if (r.timestamp() <= at) {
                index = i + 1;
                if (r.topic().equals(Topics.SCANS) && r.partition() == p) {
                    offset = r.offset() + 1;
                }
            }
        }
        asSent.add(index, new ReplaySource.Raw(Topics.SCANS, p, offset, at,
                e.getSiteId().getBytes(StandardCharsets.UTF_8), EventCodec.SCANS.encode(e)));
    }

    private static int partition(Site site) {
        return Utils.toPositive(Utils.murmur2(site.id().getBytes(StandardCharsets.UTF_8))) % Replays.PARTITIONS;
    }
}
