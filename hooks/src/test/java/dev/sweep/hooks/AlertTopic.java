package dev.sweep.hooks;

import dev.sweep.broker.LocalKafka;
import dev.sweep.events.Alert;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A fresh alerts topic for one test on the class's broker (4 partitions, like sweep.alerts), and a
 * producer that writes Alert records to it as the job does: keyed by township, "county" for job-wide ones.
 */
final class AlertTopic implements AutoCloseable {
    final String name;
    private final KafkaProducer<String, byte[]> producer;

    AlertTopic(LocalKafka kafka) throws Exception {
        this.name = "test.alerts." + UUID.randomUUID().toString().substring(0, 8);
        kafka.admin().createTopics(List.of(new NewTopic(name, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        // Created is not yet served: wait until every partition answers, as LocalKafka does for its own topics.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                kafka.endOffsetsSum(name);
                break;
            } catch (IllegalStateException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
        this.producer = new KafkaProducer<>(KafkaClients.producer(kafka.bootstrapServers(), name + "-producer"));
    }

    RecordMetadata send(Alert alert) throws Exception {
        String key = alert.getTownshipId() == null ? Routes.COUNTY : alert.getTownshipId();
        return producer.send(new ProducerRecord<>(name, key, EventCodec.ALERTS.encode(alert))).get(30, TimeUnit.SECONDS);
    }

    /** Sends all at once (one flush), so they reach the broker within milliseconds of each other. */
    void sendAll(List<Alert> alerts) {
        for (Alert a : alerts) {
            producer.send(new ProducerRecord<>(name, a.getTownshipId() == null ? Routes.COUNTY : a.getTownshipId(),
                    EventCodec.ALERTS.encode(a)));
        }
        producer.flush();
    }

    RecordMetadata sendRaw(String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(name, key, value)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}
