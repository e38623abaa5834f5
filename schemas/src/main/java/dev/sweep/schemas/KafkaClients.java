package dev.sweep.schemas;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How every part of Sweep talks to Kafka: keys are strings (site or township), values Avro bytes; the process's
 * {@link KafkaClientConfig} (security, identity) laid over every client.
 */
public final class KafkaClients {
    private KafkaClients() {}

    /**
     * An idempotent producer (acks=all): a retry after a lost acknowledgement never writes a
     * record twice. Batching and compression are tuned for throughput.
     */
    public static Properties producer(String bootstrap, String clientId) {
        return producer(bootstrap, KafkaClientConfig.NONE, clientId);
    }

    /** {@link #producer(String, String)} with the process's client properties (TLS, SASL). */
    public static Properties producer(String bootstrap, KafkaClientConfig client, String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
        return client.applyTo(p);
    }

    /** A consumer that reads from the start and commits only when told to. */
    public static Properties consumer(String bootstrap, String groupId) {
        return consumer(bootstrap, KafkaClientConfig.NONE, groupId);
    }

    /** {@link #consumer(String, String)} with the process's client properties (TLS, SASL). */
    public static Properties consumer(String bootstrap, KafkaClientConfig client, String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return client.applyTo(p);
    }

    public static Properties admin(String bootstrap) {
        return admin(bootstrap, KafkaClientConfig.NONE);
    }

    public static Properties admin(String bootstrap, KafkaClientConfig client) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return client.applyTo(p);
    }
}
