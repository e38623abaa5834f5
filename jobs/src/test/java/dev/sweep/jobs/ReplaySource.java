package dev.sweep.jobs;

import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.inbound.InboundDecoder;
import dev.sweep.jobs.records.Inbound;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The stations' topics without Kafka: records in exactly the order a test chooses, decoded by the job's own
 * {@link InboundDecoder}, with the event clock kept per Kafka partition as the Kafka source keeps it (each
 * partition's output exists from the start, so a partition not read yet holds the clock back, and a
 * partition read to its end lets go of it, as a bounded Kafka read does). One reader reads everything, so
 * the interleaving of partitions is the test's, not the threads'. The records stay in this JVM (the
 * MiniCluster's): the split names them.
 */
public final class ReplaySource implements Source<Inbound, ReplaySource.Split, Integer> {
    /** One record of an input topic as Kafka would hand it over. */
    public record Raw(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        /** The topic-partition: the unit whose order Kafka keeps and whose clock the source keeps. */
        public String topicPartition() {
            return topic + "-" + partition;
        }
    }

    private static final Map<String, List<Raw>> REPLAYS = new ConcurrentHashMap<>();

    private final String replay;
    private final InboundDecoder decoder;
    private final int perMilli;

    /** Reads {@code records} in this order, as fast as the job takes them; offsets and partitions as given. */
    public ReplaySource(List<Raw> records, Scenario campaign) {
        this(records, campaign, 0);
    }

    /**
     * As above, at about {@code perMilli} records a millisecond of wall time (0: no pacing), so the event clock
     * moves while the records are read, as it does reading from Kafka.
     */
    public ReplaySource(List<Raw> records, Scenario campaign, int perMilli) {
        this.replay = UUID.randomUUID().toString();
        REPLAYS.put(replay, List.copyOf(records));
        this.decoder = new InboundDecoder(campaign);
        this.perMilli = perMilli;
    }

    /** The replay: its records, and how far the reader has got (for checkpoints). */
    public record Split(String replay, int position) implements SourceSplit {
        @Override
        public String splitId() {
            return replay;
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<Inbound, Split> createReader(SourceReaderContext context) {
        return new Reader(decoder, perMilli);
    }

    @Override
    public SplitEnumerator<Split, Integer> createEnumerator(SplitEnumeratorContext<Split> context) {
        return new Enumerator(context, new Split(replay, 0));
    }

    @Override
    public SplitEnumerator<Split, Integer> restoreEnumerator(SplitEnumeratorContext<Split> context, Integer assigned) {
        return new Enumerator(context, assigned > 0 ? null : new Split(replay, 0));
    }

    @Override
    public SimpleVersionedSerializer<Split> getSplitSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Split split) {
                byte[] id = split.replay().getBytes(StandardCharsets.UTF_8);
                return ByteBuffer.allocate(8 + id.length).putInt(split.position()).putInt(id.length).put(id).array();
            }

            @Override
            public Split deserialize(int version, byte[] bytes) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                int position = b.getInt();
                byte[] id = new byte[b.getInt()];
                b.get(id);
                return new Split(new String(id, StandardCharsets.UTF_8), position);
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<Integer> getEnumeratorCheckpointSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Integer assigned) {
                return ByteBuffer.allocate(4).putInt(assigned).array();
            }

            @Override
            public Integer deserialize(int version, byte[] bytes) {
                return ByteBuffer.wrap(bytes).getInt();
            }
        };
    }

    /** Gives the one split to the first reader; every reader is told there is nothing more. */
    private static final class Enumerator implements SplitEnumerator<Split, Integer> {
        private final SplitEnumeratorContext<Split> context;
        private Split unassigned;

        Enumerator(SplitEnumeratorContext<Split> context, Split split) {
            this.context = context;
            this.unassigned = split;
        }

        @Override
        public void start() {}

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {}

        @Override
        public void addSplitsBack(List<Split> splits, int subtaskId) {
            unassigned = splits.isEmpty() ? unassigned : splits.get(0);
            addReader(subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            if (unassigned != null) {
                context.assignSplit(unassigned, subtaskId);
                unassigned = null;
            }
            context.signalNoMoreSplits(subtaskId);
        }

        @Override
        public Integer snapshotState(long checkpointId) {
            return unassigned == null ? 1 : 0;
        }

        @Override
        public void close() {}
    }

    /** Emits the records in order, each through its partition's own output (its own watermarks). */
    private static final class Reader implements SourceReader<Inbound, Split> {
        private final InboundDecoder decoder;
        private final int perMilli;
        private long started;
        private final Map<String, Integer> lastOfPartition = new HashMap<>();
        private final Map<String, SourceOutput<Inbound>> outputs = new HashMap<>();
        private Split split;
        private List<Raw> records;
        private int position;
        private boolean noMoreSplits;
        private final CompletableFuture<Void> splitArrived = new CompletableFuture<>();

        Reader(InboundDecoder decoder, int perMilli) {
            this.decoder = decoder;
            this.perMilli = perMilli;
        }

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<Inbound> output) {
            if (records == null) {
                return noMoreSplits ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
            }
            if (perMilli > 0) {
                if (started == 0) {
                    started = System.nanoTime();
                }
                long due = started + (long) position * 1_000_000L / perMilli;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            if (outputs.isEmpty()) {
                for (String p : lastOfPartition.keySet()) {
                    outputs.put(p, output.createOutputForSplit(p));
                }
            }
            if (position >= records.size()) {
                return InputStatus.END_OF_INPUT;
            }
            Raw r = records.get(position);
            outputs.get(r.topicPartition()).collect(decoder.decode(r.topic(), r.partition(), r.offset(), r.timestamp(),
                    r.key(), r.value(), System.currentTimeMillis()));
            if (lastOfPartition.get(r.topicPartition()) == position) {
                output.releaseOutputForSplit(r.topicPartition());
            }
            position++;
            return position < records.size() ? InputStatus.MORE_AVAILABLE : InputStatus.END_OF_INPUT;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            return split == null ? List.of() : List.of(new Split(split.replay(), position));
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return splitArrived;
        }

        @Override
        public void addSplits(List<Split> splits) {
            split = splits.get(0);
            records = REPLAYS.get(split.replay());
            position = split.position();
            for (int i = 0; i < records.size(); i++) {
                lastOfPartition.put(records.get(i).topicPartition(), i);
            }
            splitArrived.complete(null);
        }

        @Override
        public void notifyNoMoreSplits() {
            noMoreSplits = true;
            splitArrived.complete(null);
        }

        @Override
        public void close() {}
    }

    /** The partitions of a list of records, each in its own order, for tests that reorder them. */
    public static Map<String, List<Raw>> byPartition(List<Raw> records) {
        Map<String, List<Raw>> out = new java.util.TreeMap<>();
        for (Raw r : records) {
            out.computeIfAbsent(r.topicPartition(), p -> new ArrayList<>()).add(r);
        }
        return out;
    }
}
