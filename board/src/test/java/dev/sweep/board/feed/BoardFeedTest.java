package dev.sweep.board.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sweep.broker.LocalKafka;
import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A feed that dies says so: its status turns lost (what the page and /api/summary show), never a frozen "live". */
@Tag("e2e")
class BoardFeedTest {

    static void await(String what, Duration limit, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aFeedThatDiesIsLost() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            BoardFeed feed = new BoardFeed(kafka.bootstrapServers(), KafkaClientConfig.NONE, r -> {
                if ("poison".equals(r.key())) {
                    throw new OutOfMemoryError("test: the feed's thread runs out of memory on this record");
                }
            }, new Object()).start();
            try {
                await("live", Duration.ofSeconds(60), () -> feed.status() == BoardFeed.Status.LIVE);
                try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), "feed-test"))) {
                    p.send(new ProducerRecord<>(Topics.COVERAGE, "poison", "x".getBytes(StandardCharsets.UTF_8))).get();
                }
                await("lost", Duration.ofSeconds(30), () -> feed.status() == BoardFeed.Status.LOST);
                Thread.sleep(1_000);
                assertEquals(BoardFeed.Status.LOST, feed.status(), "and it stays lost");
            } finally {
                feed.close();
            }
        }
    }
}
