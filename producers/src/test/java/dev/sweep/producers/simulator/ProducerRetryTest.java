package dev.sweep.producers.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.TopicReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The broker restarts (same port, same data) while StationFeed's idempotent producer (acks=all) is sending
 * a full clean replay: the producer retries, and the topics end up with every record exactly once.
 */
@Tag("e2e")
class ProducerRetryTest {
    private static final Scenario S = Replays.NEIXIANG;

    @Test
    void brokerRestartsMidSendLeaveEveryScanExactlyOnce() throws Exception {
        CampaignSimulator.Replay r = Replays.clean();
        List<Emission> emissions = r.emissions();
        long scans = r.ledger().county().scans();
        long heartbeats = emissions.size() - scans;
        Set<String> expectedIds = new HashSet<>();
        for (Emission e : emissions) {
            if (Replays.isScan(e)) {
                expectedIds.add(Replays.scan(e).getScanId());
            }
        }
        assertEquals(scans, expectedIds.size());

        ExecutorService sender = Executors.newSingleThreadExecutor();
        try (LocalKafka kafka = LocalKafka.start()) {
            Replays.assertFreshBroker(kafka);
            List<Long> restartedAt = new ArrayList<>();
            try (StationFeed feed = new StationFeed(kafka.bootstrapServers())) {
                Future<?> sending = sender.submit(() -> {
                    feed.send(emissions, 0, null, S.population(), S.zone());
                    return null;
                });
                for (long threshold : new long[] {emissions.size() / 5, emissions.size() / 2}) {
                    long written = 0;
                    while (!sending.isDone() && (written = written(kafka)) < threshold) {
                        Thread.sleep(20);
                    }
                    if (sending.isDone()) {
                        break;
                    }
                    kafka.restart();
                    restartedAt.add(written);
                }
                sending.get(10, TimeUnit.MINUTES); // a hang guard, not a timing check
            }
            System.out.println("broker restarted with " + restartedAt + " of " + emissions.size()
                    + " records written");
            assertTrue(!restartedAt.isEmpty(), "the broker restarted while the feed was sending");
            assertTrue(restartedAt.get(0) < emissions.size());

            assertEquals(scans, kafka.endOffsetsSum(Topics.SCANS));
            assertEquals(heartbeats, kafka.endOffsetsSum(Topics.STATION_STATUS));

            List<ConsumerRecord<String, byte[]>> records = TopicReader.readAll(kafka.bootstrapServers(), Topics.SCANS);
            assertEquals(scans, records.size());
            Set<String> ids = new HashSet<>();
            Map<String, Long> lastSeq = new HashMap<>();
            for (ConsumerRecord<String, byte[]> rec : records) {
                ScanEvent e = EventCodec.SCANS.decode(rec.value());
                assertTrue(ids.add(e.getScanId()), "scanId " + e.getScanId() + " written twice");
                // Retries keep each site's order (idempotence with at most 5 requests in flight).
                assertEquals(lastSeq.getOrDefault(rec.key(), 0L) + 1, e.getStationSeq(), e.getScanId());
                lastSeq.put(rec.key(), e.getStationSeq());
            }
            assertEquals(expectedIds, ids);
        } finally {
            sender.shutdownNow();
        }
    }

    private static long written(LocalKafka kafka) {
        return kafka.endOffsetsSum(Topics.SCANS) + kafka.endOffsetsSum(Topics.STATION_STATUS);
    }
}
