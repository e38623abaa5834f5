package dev.sweep.hooks;

import dev.sweep.broker.LocalKafka;
import dev.sweep.events.Alert;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A fresh alerts topic for one test on the class's broker (4 partitions, like sweep.alerts), and a
 * producer that writes Alert records to it as the job does: keyed by township, "county" for job-wide ones.
 */
final class AlertTopic implements AutoCloseable {
    final String name;
    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;
    private KafkaProducer<String, byte[]> transactional;

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
        this.bootstrap = kafka.bootstrapServers();
        this.producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, name + "-producer"));
    }

    /**
     * Sends all in one Kafka transaction, as the job's alert sink commits what it raised with a checkpoint: a
     * reader (read_committed, as the hooks read) sees none of them, then all at once.
     */
    void sendBurst(List<Alert> alerts) {
        if (transactional == null) {
            Properties p = KafkaClients.producer(bootstrap, name + "-burst");
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name + "-burst");
            transactional = new KafkaProducer<>(p);
            transactional.initTransactions();
        }
        transactional.beginTransaction();
        for (Alert a : alerts) {
            transactional.send(new ProducerRecord<>(name, a.getTownshipId() == null ? Routes.COUNTY : a.getTownshipId(),
                    EventCodec.ALERTS.encode(a)));
        }
        transactional.commitTransaction();
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
        if (transactional != null) {
            transactional.close();
        }
    }
}
