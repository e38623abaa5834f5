package dev.sweep.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Against a real in-process broker: no mocks. */
@Tag("e2e")
class LocalKafkaTest {

    private Path scratch;

    @BeforeEach
    void scratchDir() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(tmp);
        scratch = Files.createTempDirectory(tmp, "local-kafka-test-");
    }

    @AfterEach
    void deleteScratch() throws IOException {
        try (Stream<Path> paths = Files.walk(scratch)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void servesTheProjectTopicsAndRecords() throws Exception {
        Path dataDir;
        try (LocalKafka kafka = LocalKafka.start()) {
            dataDir = kafka.dataDir();
            assertTrue(Files.exists(dataDir.resolve("meta.properties")));
            assertTrue(dataDir.startsWith(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath()));
            assertTrue(kafka.bootstrapServers().matches("127\\.0\\.0\\.1:\\d+"), kafka.bootstrapServers());
            assertEquals("127.0.0.1:" + kafka.port(), kafka.bootstrapServers());

            Map<String, TopicDescription> topics = kafka.admin().describeTopics(Topics.ALL).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            assertEquals(Topics.ALL.size(), topics.size());
            for (String topic : Topics.ALL) {
                int expected = Topics.SINGLE_PARTITION.contains(topic) ? 1 : 4;
                assertEquals(expected, topics.get(topic).partitions().size(), topic);
                assertEquals(1, topics.get(topic).partitions().get(0).replicas().size(), topic);
            }
            assertEquals(0, kafka.endOffsetsSum(Topics.SCANS));

            produce(kafka, Topics.SCANS, "a", 100);
            assertEquals(100, kafka.endOffsetsSum(Topics.SCANS));
            assertEquals(0, kafka.endOffsetsSum(Topics.STATION_STATUS));

            List<ConsumerRecord<String, String>> records = consumeAll(kafka, Topics.SCANS, 100);
            assertEquals(100, records.size());
            assertEquals("a-0", records.stream().filter(r -> r.key().equals("site-0")).findFirst()
                    .orElseThrow().value());

            // Topic creation is idempotent.
            kafka.restart();
            assertEquals(100, kafka.endOffsetsSum(Topics.SCANS));
        }
        assertFalse(Files.exists(dataDir), "temp data dir deleted on close");
    }

    @Test
    void restartsOnTheSameDataDirAndPortWithTheRecords() throws Exception {
        Path dataDir = scratch.resolve("kafka");
        LocalKafka.Options options = LocalKafka.Options.defaults().withDataDir(dataDir).withPartitions(2);
        int port;
        try (LocalKafka kafka = LocalKafka.start(options)) {
            port = kafka.port();
            String bootstrap = kafka.bootstrapServers();
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                send(producer, Topics.SCANS, "before", 50);
                kafka.restart();
                assertEquals(bootstrap, kafka.bootstrapServers());
                assertEquals(50, kafka.endOffsetsSum(Topics.SCANS));
                // The same producer carries on after the restart.
                send(producer, Topics.SCANS, "after", 50);
            }
            assertEquals(100, kafka.endOffsetsSum(Topics.SCANS));
            assertEquals(100, consumeAll(kafka, Topics.SCANS, 100).size());
        }
        assertTrue(Files.exists(dataDir.resolve("meta.properties")), "a given data dir is kept");

        // A new instance on the same data dir and port, after close().
        try (LocalKafka again = LocalKafka.start(options.withPort(port))) {
            assertEquals(port, again.port());
            assertEquals(2, again.admin().describeTopics(List.of(Topics.SCANS)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.SCANS).partitions().size());
            assertEquals(100, again.endOffsetsSum(Topics.SCANS));
            List<ConsumerRecord<String, String>> records = consumeAll(again, Topics.SCANS, 100);
            assertEquals(50, records.stream().filter(r -> r.value().startsWith("before-")).count());
            assertEquals(50, records.stream().filter(r -> r.value().startsWith("after-")).count());
        }
    }

    @Test
    void twoBrokersAtOnceGetDifferentPorts() throws Exception {
        try (LocalKafka one = LocalKafka.start();
             LocalKafka two = LocalKafka.start(LocalKafka.Options.defaults().withCreateTopics(false))) {
            assertNotEquals(one.port(), two.port());
            assertNotEquals(one.dataDir(), two.dataDir());
            assertTrue(two.admin().listTopics().names().get(30, TimeUnit.SECONDS).isEmpty());
            produce(one, Topics.SCANS, "one", 3);
            assertEquals(3, one.endOffsetsSum(Topics.SCANS));
        }
    }

    @Test
    void refusesToFormatADirectoryThatIsNotAKafkaLog() throws Exception {
        Path notKafka = scratch.resolve("not-kafka");
        Files.createDirectories(notKafka);
        Files.writeString(notKafka.resolve("precious.txt"), "keep me");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LocalKafka.start(LocalKafka.Options.defaults().withDataDir(notKafka)));
        assertTrue(e.getMessage().contains("refusing to format"), e.getMessage());
        assertTrue(Files.exists(notKafka.resolve("precious.txt")));
    }

    // ---------------------------------------------------------------------------------------------------------

    private static KafkaProducer<String, String> producer(LocalKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static void produce(LocalKafka kafka, String topic, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = producer(kafka)) {
            send(producer, topic, prefix, count);
        }
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String prefix, int count)
            throws Exception {
        List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, "site-" + i, prefix + "-" + i)));
        }
        producer.flush();
        for (java.util.concurrent.Future<?> ack : acks) {
            ack.get(60, TimeUnit.SECONDS);
        }
    }

    private static List<ConsumerRecord<String, String>> consumeAll(LocalKafka kafka, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r));
            }
            // Nothing more than expected.
            consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r));
        }
        out.forEach(r -> assertTrue(r.value().getBytes(StandardCharsets.UTF_8).length > 0));
        return out;
    }
}
