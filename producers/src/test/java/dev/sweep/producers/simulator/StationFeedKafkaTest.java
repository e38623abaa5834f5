package dev.sweep.producers.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.TopicReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** StationFeed against the real in-process KRaft broker: what the ledger says is what the topics hold. */
@Tag("e2e")
class StationFeedKafkaTest {
    private static final Scenario S = Replays.NEIXIANG;

    /** A replay with every drill (so duplicates and bad data too), sent as fast as the broker takes it. */
    @Test
    void maxSpeedReplayLandsExactlyAsTheLedgerSays() throws Exception {
        CampaignSimulator.Replay r = Replays.allDrills();
        Ledger ledger = r.ledger();
        long heartbeats = r.emissions().stream().filter(Replays::isStatus).count();
        long bad = ledger.badRecords().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(ledger.duplicatesSent() > 0 && bad > 0);

        try (LocalKafka kafka = LocalKafka.start()) {
            Replays.assertFreshBroker(kafka);
            try (StationFeed feed = new StationFeed(kafka.bootstrapServers())) {
                feed.send(r.emissions(), 0, null, S.population(), S.zone());
            }
            assertEquals(ledger.county().scans() + ledger.duplicatesSent() + bad, kafka.endOffsetsSum(Topics.SCANS));
            assertEquals(heartbeats, kafka.endOffsetsSum(Topics.STATION_STATUS));
            for (String topic : Topics.ALL) {
                assertEquals(ledger.records().getOrDefault(topic, 0L), kafka.endOffsetsSum(topic), topic);
            }

            // Byte for byte the records of the replay, keyed by site.
            List<Emission> consumed = new ArrayList<>();
            for (String topic : List.of(Topics.SCANS, Topics.STATION_STATUS)) {
                for (ConsumerRecord<String, byte[]> rec : TopicReader.readAll(kafka.bootstrapServers(), topic)) {
                    consumed.add(new Emission(rec.topic(), rec.key(), rec.value(), 0, 0, 0));
                }
            }
            assertEquals(r.emissions().size(), consumed.size());
            assertEquals(Replays.multisetDigest(r.emissions()), Replays.multisetDigest(consumed));
        }
    }

    /**
     * The first two minutes of event time at 60x (about two seconds of sending, paced): every site's records
     * arrive, in order.
     */
    @Test
    void pacedSliceArrivesInOrderPerSite() throws Exception {
        List<Emission> all = Replays.clean().emissions();
        long start = all.get(0).sendAt();
        List<Emission> slice = all.stream().filter(e -> e.sendAt() < start + 120_000).toList();
        long sliceScans = slice.stream().filter(Replays::isScan).count();
        long sliceStatuses = slice.size() - sliceScans;
        assertTrue(sliceScans > 100 && sliceStatuses > 381, slice.size() + " records in the slice");
        long replayMillis = StationFeed.replayMillis(slice);
        assertTrue(replayMillis > 110_000 && replayMillis < 120_000, "replay time " + replayMillis);

        try (LocalKafka kafka = LocalKafka.start()) {
            Replays.assertFreshBroker(kafka);
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            try (StationFeed feed = new StationFeed(kafka.bootstrapServers());
                 PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
                feed.send(slice, 60, out, S.population(), S.zone());
            }
            assertTrue(progress.toString(StandardCharsets.UTF_8).contains("sent " + String.format("%,d", slice.size())
                    + " events"), progress.toString(StandardCharsets.UTF_8));
            assertEquals(sliceScans, kafka.endOffsetsSum(Topics.SCANS));
            assertEquals(sliceStatuses, kafka.endOffsetsSum(Topics.STATION_STATUS));

            List<ConsumerRecord<String, byte[]>> scans = TopicReader.readAll(kafka.bootstrapServers(), Topics.SCANS);
            assertEquals(sliceScans, scans.size());
            Map<String, Long> lastSeq = new HashMap<>();
            long firstSent = Long.MAX_VALUE;
            long lastSent = Long.MIN_VALUE;
            for (ConsumerRecord<String, byte[]> rec : scans) {
                ScanEvent e = EventCodec.SCANS.decode(rec.value());
                assertEquals(e.getSiteId(), rec.key());
                long expected = lastSeq.getOrDefault(rec.key(), 0L) + 1;
                assertEquals(expected, e.getStationSeq(), "in order per site: " + e.getScanId());
                lastSeq.put(rec.key(), e.getStationSeq());
                firstSent = Math.min(firstSent, rec.timestamp());
                lastSent = Math.max(lastSent, rec.timestamp());
            }
            List<ConsumerRecord<String, byte[]>> statuses =
                    TopicReader.readAll(kafka.bootstrapServers(), Topics.STATION_STATUS);
            assertEquals(sliceStatuses, statuses.size());
            Map<String, Long> lastReport = new HashMap<>();
            for (ConsumerRecord<String, byte[]> rec : statuses) {
                StationStatus h = EventCodec.STATUSES.decode(rec.value());
                assertEquals(h.getSiteId(), rec.key());
                long t = h.getReportedAt().toEpochMilli();
                assertEquals(lastReport.getOrDefault(rec.key(), t - 30_000), t - 30_000, "every 30 s, in order");
                lastReport.put(rec.key(), t);
                firstSent = Math.min(firstSent, rec.timestamp());
                lastSent = Math.max(lastSent, rec.timestamp());
            }
            // Paced: reported, not asserted (no timing assertions on a shared 2-core machine).
            System.out.println("paced slice: " + slice.size() + " records, due over " + replayMillis / 60
                    + " ms of wall time, producer timestamps spread over " + (lastSent - firstSent) + " ms");
        }
    }
}
