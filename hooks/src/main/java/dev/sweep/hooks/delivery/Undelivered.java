package dev.sweep.hooks.delivery;

import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Writes alerts that were not delivered to the undelivered topic: the original key and bytes (so they can
 * be replayed into sweep.alerts), with headers {@code reason} (refused, gave-up or corrupt), {@code detail},
 * {@code topic}, {@code partition}, {@code offset} of the original record, and {@code channel} and
 * {@code idempotency-key}. Each write waits for the broker's acknowledgement, so an offset is committed
 * only after its dead letter is safe. Shared by all destinations (the producer is thread-safe).
 */
public final class Undelivered implements AutoCloseable {
    public static final String REFUSED = "refused";
    public static final String GAVE_UP = "gave-up";
    public static final String CORRUPT = "corrupt";
    public static final String HEADER_CHANNEL = "channel";
    public static final String HEADER_IDEMPOTENCY_KEY = "idempotency-key";

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;

    public Undelivered(String bootstrap, KafkaClientConfig kafka, String topic, String clientId) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, kafka, clientId));
    }

    /** Writes one dead letter and waits for it to be acknowledged. */
    void write(ConsumerRecord<String, byte[]> original, String reason, String detail, String channelId, String key) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, original.key(), original.value());
        Headers h = r.headers();
        h.add(Topics.HEADER_REASON, bytes(reason));
        h.add(Topics.HEADER_DETAIL, bytes(detail));
        h.add(Topics.HEADER_TOPIC, bytes(original.topic()));
        h.add(Topics.HEADER_PARTITION, bytes(Integer.toString(original.partition())));
        h.add(Topics.HEADER_OFFSET, bytes(Long.toString(original.offset())));
        h.add(HEADER_CHANNEL, bytes(channelId));
        if (key != null) {
            h.add(HEADER_IDEMPOTENCY_KEY, bytes(key));
        }
        try {
            producer.send(r).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write to " + topic + ": " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
