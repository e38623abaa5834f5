package dev.sweep.bench;

import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The raw limit, in a JVM of its own: one plain KafkaConsumer on one thread reads both input topics from
 * the beginning to their end offsets and decodes every value with the project's codec (what the job's
 * source does per record before its checks), and nothing else. One pass warms the JVM up, the next is
 * measured. Answers {@code @bench read} ({@link Pass}), then waits for its stdin to close, so the bench
 * reads its CPU time before it ends. Stateless.
 */
public final class RawRead {
    private RawRead() {}

    /** One pass: records read and decoded (and of them refused), how long it took, and this JVM's CPU time for it. */
    public record Pass(long records, long rejected, double seconds, long cpuNanos) {
        public double rate() {
            return records / seconds;
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: RawRead BOOTSTRAP");
            System.exit(2);
        }
        pass(args[0]);
        JobMain.answer("read", pass(args[0]));
        while (System.in.read() >= 0) {
            // until the bench closes our stdin
        }
    }

    static Pass pass(String bootstrap) {
        Properties p = KafkaClients.consumer(bootstrap, null);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sweep-bench-raw");
        long[] counts = new long[3]; // records, rejected, a sum that keeps the decoded values alive for the JIT
        long cpu = JobMain.cpuNanos();
        long started = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            readToEnd(consumer, List.of(Topics.SCANS, Topics.STATION_STATUS), r -> {
                try {
                    counts[2] += r.topic().equals(Topics.STATION_STATUS)
                            ? EventCodec.STATUSES.decode(r.value()).getQueueLength()
                            : EventCodec.SCANS.decode(r.value()).getStationSeq();
                } catch (RejectedRecordException e) {
                    counts[1]++;
                }
                counts[0]++;
            });
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (counts[2] == 42) {
            System.err.print("");
        }
        return new Pass(counts[0], counts[1], seconds, JobMain.cpuNanos() - cpu);
    }

    /** Reads {@code topics} (committed records) from their beginning to their end offsets as of now. */
    static <K> void readToEnd(KafkaConsumer<K, byte[]> consumer, List<String> topics,
                              Consumer<ConsumerRecord<K, byte[]>> each) {
        List<TopicPartition> parts = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
        while (parts.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
            consumer.poll(Duration.ofMillis(200)).forEach(each);
        }
    }
}
