package dev.sweep.cli.bench;

import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The raw limit: one plain KafkaConsumer on one thread reads topics from the beginning to their
 * end offsets and decodes every value with the project's codec (what the job's source does per
 * record), and nothing else.
 */
public final class RawRead {
    private RawRead() {}

    /** One pass: records read and decoded, and how long it took. */
    public record Pass(List<String> topics, long records, long rejected, double seconds) {
        public double rate() {
            return records / seconds;
        }
    }

    public static Pass pass(String bootstrap, List<String> topics) {
        Properties p = KafkaClients.consumer(bootstrap, null);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sweep-bench-raw");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long expected = end.values().stream().mapToLong(Long::longValue).sum();
            long records = 0;
            long rejected = 0;
            long sink = 0; // keeps the decoded values alive, so the JIT cannot drop the decoding
            long started = System.nanoTime();
            while (records < expected) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    try {
                        if (r.topic().equals(Topics.STATION_STATUS)) {
                            sink += EventCodec.STATUSES.decode(r.value()).getQueueLength();
                        } else {
                            sink += EventCodec.SCANS.decode(r.value()).getStationSeq();
                        }
                    } catch (RejectedRecordException e) {
                        rejected++;
                    }
                    records++;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            if (sink == 42) {
                System.err.print("");
            }
            return new Pass(topics, records, rejected, seconds);
        }
    }
}
