package dev.sweep.jobs.kafka;

import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The jobs' Kafka sources and sinks, set up one way for every job. */
public final class KafkaEndpoints {
    private KafkaEndpoints() {}

    /**
     * A source over {@code topics}; offsets live in Flink's checkpoints (and are committed to the
     * group for monitoring). A fresh start reads the group's offsets, or everything.
     */
    public static <T> KafkaSource<T> source(String bootstrap, KafkaClientConfig kafka, String group, List<String> topics, boolean fromEarliest,
                                            boolean bounded, KafkaRecordDeserializationSchema<T> decoder) {
        KafkaSourceBuilder<T> b = KafkaSource.<T>builder()
                .setBootstrapServers(bootstrap)
                .setGroupId(group)
                .setTopics(topics)
                .setStartingOffsets(fromEarliest ? OffsetsInitializer.earliest()
                        : OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(decoder)
                .setProperty("isolation.level", "read_committed");
        kafka.properties().forEach(b::setProperty);
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        } else {
            b.setProperty("partition.discovery.interval.ms", "60000"); // a bounded read has a fixed set
        }
        return b.build();
    }

    /** Avro single-object records (encoded by a codec reached statically: codecs are not serializable) to {@code topic}, keyed by {@code key}; flushed on every checkpoint. */
    public static <T extends SpecificRecord> Sink<T> avroSink(String bootstrap, KafkaClientConfig kafka, String topic,
                                                            SerializableFunction<T, byte[]> encode,
                                                            SerializableFunction<T, String> key) {
        // No record timestamp: event times are in the past (or Long.MAX_VALUE for end-of-input
        // updates), which brokers refuse or expire; the append time is what retention wants.
        KafkaRecordSerializationSchema<T> serializer = (record, context, timestamp) -> new ProducerRecord<>(
                topic, key.apply(record).getBytes(StandardCharsets.UTF_8), encode.apply(record));
        return sink(bootstrap, kafka, serializer, DeliveryGuarantee.AT_LEAST_ONCE, null);
    }

    /**
     * The refused records (a bounded copy, ID numbers masked: {@link DeadLetter}), with why and where from in
     * the headers, and the original length when the copy is cut. Exactly once
     * (Kafka transactions committed with each checkpoint): each bad record is there once.
     */
    public static Sink<DeadLetter> deadLetterSink(String bootstrap, KafkaClientConfig kafka, String transactionPrefix) {
        KafkaRecordSerializationSchema<DeadLetter> serializer = (d, context, timestamp) -> {
            RecordHeaders headers = new RecordHeaders();
            headers.add(header(Topics.HEADER_REASON, d.reason));
            headers.add(header(Topics.HEADER_DETAIL, d.detail));
            headers.add(header(Topics.HEADER_TOPIC, d.topic));
            headers.add(header(Topics.HEADER_PARTITION, Integer.toString(d.partition)));
            headers.add(header(Topics.HEADER_OFFSET, Long.toString(d.offset)));
            if (d.truncated()) {
                headers.add(header(Topics.HEADER_ORIGINAL_LENGTH, Integer.toString(d.originalLength)));
            }
            return new ProducerRecord<>(Topics.DEAD_LETTERS, null, d.timestamp, d.key, d.value, headers);
        };
        return sink(bootstrap, kafka, serializer, DeliveryGuarantee.EXACTLY_ONCE, transactionPrefix);
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8));
    }

    private static <T> Sink<T> sink(String bootstrap, KafkaClientConfig kafka, KafkaRecordSerializationSchema<T> serializer,
                                    DeliveryGuarantee guarantee, String transactionPrefix) {
        KafkaSinkBuilder<T> b = KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(guarantee)
                .setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        kafka.properties().forEach(b::setProperty);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            // Within the broker's default transaction.max.timeout.ms (15 min).
            b.setTransactionalIdPrefix(transactionPrefix)
                    .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "600000");
        }
        return b.build();
    }
}
