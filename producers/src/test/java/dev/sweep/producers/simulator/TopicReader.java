package dev.sweep.producers.simulator;

import dev.sweep.broker.LocalKafka;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads a whole topic from the real broker, up to the end offsets it has when the read starts. */
final class TopicReader {
    private TopicReader() {}

    /**
     * Waits until the broker serves every partition of the input topics (ListOffsets answers on each; the admin
     * client retries NOT_LEADER_OR_FOLLOWER until it does), and checks they are empty.
     *
     * <p>LocalKafka reports ready once the metadata shows a leader for every partition, which can be a moment
     * before the broker's replica manager leads them. A producer that starts right then can have its first
     * batch refused with NOT_LEADER_OR_FOLLOWER while its next in-flight batch is accepted; with Kafka 4.2.0 the
     * retried first batch then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (300 s) expires
     * it (KAFKA-15591 / KAFKA-14312 / KAFKA-19880). Seen in this module's tests; hence this wait.
     */
    static void awaitServed(LocalKafka kafka) {
        for (String topic : List.of(Topics.SCANS, Topics.STATION_STATUS)) {
            if (kafka.endOffsetsSum(topic) != 0) {
                throw new IllegalStateException(topic + " is not empty on a new broker");
            }
        }
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
