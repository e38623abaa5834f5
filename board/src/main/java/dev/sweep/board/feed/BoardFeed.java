package dev.sweep.board.feed;

import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The board's one Kafka reader: every partition of its five topics, assigned (no group) and read
 * from the beginning, so a restarted board folds the same records into the same picture.
 * State: the partitions assigned, the end offsets to reach before the picture is whole, the
 * status (connecting, rebuilding, live, lost), and when its loop last came round.
 *
 * <p>A feed that dies (any throwable out of its loop) or stops coming round while live is lost: the page
 * and {@code /api/summary} say so, rather than showing a frozen picture as live.
 */
public final class BoardFeed implements AutoCloseable {
    /** What is done with each record read (under the lock). */
    @FunctionalInterface
    public interface Folder {
        void fold(ConsumerRecord<String, byte[]> record);
    }

    private static final Logger LOG = LoggerFactory.getLogger(BoardFeed.class);

    /** What the board reads: the job's outputs, and the stations' heartbeats for queues and states. */
    public static final List<String> TOPICS =
            List.of(Topics.COVERAGE, Topics.SITE_MINUTES, Topics.ALERTS, Topics.STATION_STATUS, Topics.PIPELINE);

    /**
     * Where the board is: no broker yet, reading the history, following as records arrive, or
     * cut off from a broker it was following (the picture is the last one it had).
     */
    public enum Status {
        CONNECTING, REBUILDING, LIVE, LOST;

        public String code() {
            return name().toLowerCase();
        }
    }

    private static final Duration POLL = Duration.ofMillis(200);
    private static final long RECHECK_MISSING_NANOS = 5_000_000_000L;
    private static final long RECHECK_ALL_NANOS = 60_000_000_000L;
    /** How often a live board asks the broker for its end offsets, to notice when it is gone. */
    private static final long PROBE_NANOS = 5_000_000_000L;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    /** A live loop comes round every poll (200 ms) or probe (3 s): one that has not in this long is stuck. */
    static final long STUCK_NANOS = 60_000_000_000L;

    private final String bootstrap;
    private final KafkaClientConfig kafka;
    private final Folder folder;
    private final Object lock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Status status = Status.CONNECTING;
    private volatile long lastTurn = System.nanoTime();
    private volatile Throwable died;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final Map<TopicPartition, Long> rebuildTo = new HashMap<>();

    /** @param lock what the folding holds; readers of the state take it too */
    public BoardFeed(String bootstrap, KafkaClientConfig kafka, Folder folder, Object lock) {
        this.bootstrap = bootstrap;
        this.kafka = kafka;
        this.folder = folder;
        this.lock = lock;
        this.thread = new Thread(this::run, "board-feed");
        thread.setDaemon(true);
    }

    public BoardFeed start() {
        thread.start();
        return this;
    }

    /** The status; LOST too when the feed died or its loop is stuck. */
    public Status status() {
        if (died != null || (status == Status.LIVE && System.nanoTime() - lastTurn > STUCK_NANOS)) {
            return Status.LOST;
        }
        return status;
    }

    private void run() {
        try {
            follow();
        } catch (Throwable t) {
            died = t;
            LOG.error("board: the feed stopped ({}): the page and /api/summary say lost; restart the board", t.toString(), t);
            if (t instanceof VirtualMachineError e) {
                throw e; // out of memory: with -XX:+ExitOnOutOfMemoryError the JVM exits and is restarted
            }
        }
    }

    private void follow() {
        Properties p = KafkaClients.consumer(bootstrap, kafka, null);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sweep-board");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // read-only: never creates a topic
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            consumer = c;
            long lastCheck = 0;
            long lastProbe = System.nanoTime();
            long started = System.nanoTime();
            long folded = 0;
            boolean contacted = false;
            while (running) {
                lastTurn = System.nanoTime();
                try {
                    boolean missing = assigned.stream().map(TopicPartition::topic).distinct().count() < TOPICS.size();
                    long now = System.nanoTime();
                    if (!contacted || now - lastCheck > (missing ? RECHECK_MISSING_NANOS : RECHECK_ALL_NANOS)) {
                        lastCheck = now;
                        if (discover(c, !contacted)) {
                            contacted = true;
                        }
                    }
                    if (status == Status.REBUILDING && caughtUp(c)) {
                        status = Status.LIVE;
                        LOG.info("board: rebuilt the picture from {} records in {} s; following the topics live",
                                folded, String.format("%.1f", (System.nanoTime() - started) / 1e9));
                    }
                    if ((status == Status.LIVE || status == Status.LOST) && now - lastProbe > PROBE_NANOS) {
                        lastProbe = now;
                        probe(c);
                    }
                    if (assigned.isEmpty()) {
                        Thread.sleep(POLL.toMillis());
                        continue;
                    }
                    ConsumerRecords<String, byte[]> records = c.poll(POLL);
                    if (!records.isEmpty()) {
                        synchronized (lock) {
                            for (ConsumerRecord<String, byte[]> r : records) {
                                folder.fold(r);
                            }
                        }
                        folded += records.count();
                    }
                } catch (WakeupException e) {
                    // close() asked us to stop
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (KafkaException e) {
                    LOG.warn("board: Kafka at {}: {}; retrying", bootstrap, e.toString());
                    sleepQuietly();
                }
            }
        }
    }

    /**
     * Assigns the partitions found (new ones from their beginning). On the first success the end
     * offsets are noted: the picture is whole once they are read. Returns whether the broker answered.
     */
    private boolean discover(KafkaConsumer<String, byte[]> c, boolean firstContact) {
        List<TopicPartition> found = new ArrayList<>();
        for (String topic : TOPICS) {
            List<PartitionInfo> infos;
            try {
                infos = c.partitionsFor(topic, Duration.ofSeconds(5));
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                if (firstContact) {
                    LOG.warn("board: no answer from Kafka at {} yet; retrying", bootstrap);
                }
                return false;
            }
            if (infos == null || infos.isEmpty()) {
                if (firstContact) {
                    LOG.info("board: topic {} does not exist yet; will look again", topic);
                }
                continue;
            }
            infos.forEach(i -> found.add(new TopicPartition(topic, i.partition())));
        }
        List<TopicPartition> added = found.stream().filter(tp -> !assigned.contains(tp)).toList();
        if (!added.isEmpty()) {
            assigned.addAll(added);
            c.assign(assigned);
            c.seekToBeginning(added);
        }
        if (firstContact) {
            rebuildTo.putAll(c.endOffsets(added, Duration.ofSeconds(30)));
            status = Status.REBUILDING;
        }
        return true;
    }

    /** A consumer with no broker just gets nothing from poll: asking for end offsets tells. */
    private void probe(KafkaConsumer<String, byte[]> c) {
        try {
            c.endOffsets(assigned, PROBE_TIMEOUT);
            if (status == Status.LOST) {
                LOG.info("board: Kafka at {} is back; following the topics live", bootstrap);
                status = Status.LIVE;
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            if (status == Status.LIVE) {
                LOG.warn("board: Kafka at {} does not answer; showing the last picture until it does", bootstrap);
                status = Status.LOST;
            }
        }
    }

    private boolean caughtUp(KafkaConsumer<String, byte[]> c) {
        for (Map.Entry<TopicPartition, Long> e : rebuildTo.entrySet()) {
            if (c.position(e.getKey(), Duration.ofSeconds(5)) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
