package dev.sweep.broker;

import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.LocalMachine;
import dev.sweep.schemas.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller roles) running in this JVM,
 * with the project's topics ({@link Topics#ALL}). Used by {@code sweep kafka}, the demo and as the
 * tests' broker fixture.
 *
 * <p>Clients reach it on {@link #bootstrapServers()} ({@code 127.0.0.1:PORT}, plaintext). The data
 * directory is formatted once (when it holds no {@code meta.properties}) and reused afterwards, so a
 * broker started again on the same data directory finds its topics and records again. A fault that
 * would make Kafka end the JVM ({@code Exit.exit/halt}) throws an {@link IllegalStateException} instead.
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.start(LocalKafka.Options.defaults())) {
 *     String bootstrap = kafka.bootstrapServers();
 *     ...
 *     kafka.restart();   // same port, same data: records survive
 * }
 * }</pre>
 */
public final class LocalKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);

    /** Loopback only: the broker is never reachable from another machine. */
    public static final String HOST = "127.0.0.1";
    /** Default partitions of the input topics (and of the jobs' output topics). */
    public static final int DEFAULT_PARTITIONS = 4;

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String META_PROPERTIES = "meta.properties";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    /**
     * How to start the broker. Immutable; start from {@link #defaults()} and use the {@code with...} methods.
     *
     * @param port          the broker port on 127.0.0.1; 0 picks a free one (kept across {@link #restart()})
     * @param dataDir       the log directory; null = a fresh temp directory under {@code java.io.tmpdir}
     * @param partitions    partitions of sweep.scans, sweep.station-status, sweep.site-minutes, sweep.coverage
     *                      and sweep.alerts (sweep.dead-letters always has 1)
     * @param createTopics  whether to create the project's topics (idempotent: existing topics are kept)
     * @param deleteOnClose whether {@link #close()} deletes the data directory; null = only when it is a temp
     *                      directory ({@code dataDir == null})
     * @param secureDir     null: plaintext, no identity. Otherwise a SASL_SSL listener (SCRAM-SHA-512) with the
     *                      standard authorizer and the ACLs of {@link AccessPlan}: the CA, the broker's keystore,
     *                      the users' passwords and one client properties file per role are kept in this directory
     *                      (made on the first start, reused after)
     */
    public record Options(int port, Path dataDir, int partitions, boolean createTopics, Boolean deleteOnClose, Path secureDir) {
        public Options {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
            }
        }

        /** Port 0 (free port), temp data dir deleted on close, 4 partitions, topics created. */
        public static Options defaults() {
            return new Options(0, null, DEFAULT_PARTITIONS, true, null, null);
        }

        /** Secured: SASL_SSL with SCRAM-SHA-512 and ACLs, its certificates and client files in {@code dir}. */
        public Options withSecureDir(Path dir) {
            return new Options(port, dataDir, partitions, createTopics, deleteOnClose, dir);
        }

        public Options withPort(int port) {
            return new Options(port, dataDir, partitions, createTopics, deleteOnClose, secureDir);
        }

        public Options withDataDir(Path dataDir) {
            return new Options(port, dataDir, partitions, createTopics, deleteOnClose, secureDir);
        }

        public Options withPartitions(int partitions) {
            return new Options(port, dataDir, partitions, createTopics, deleteOnClose, secureDir);
        }

        public Options withCreateTopics(boolean createTopics) {
            return new Options(port, dataDir, partitions, createTopics, deleteOnClose, secureDir);
        }

        public Options withDeleteOnClose(boolean deleteOnClose) {
            return new Options(port, dataDir, partitions, createTopics, deleteOnClose, secureDir);
        }

        /** Whether close() deletes the data directory, after applying the default. */
        public boolean effectiveDeleteOnClose() {
            return deleteOnClose != null ? deleteOnClose : dataDir == null;
        }
    }

    private final Options options;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Null on a plaintext broker. */
    private final BrokerSecurity security;

    private volatile int port;
    private int controllerPort;
    private boolean everStarted;
    private KafkaRaftServer server;
    private Admin admin;
    private boolean exitInstalled;
    private boolean closed;

    private LocalKafka(Options options, Path dataDir) {
        this.options = options;
        this.dataDir = dataDir;
        this.deleteOnClose = options.effectiveDeleteOnClose();
        this.port = options.port();
        this.security = options.secureDir() == null ? null : new BrokerSecurity(options.secureDir());
    }

    /** Starts a broker with {@link Options#defaults()}. */
    public static LocalKafka start() {
        return start(Options.defaults());
    }

    /**
     * Starts a broker and returns once it serves requests and (if asked) the project's topics exist with a
     * leader for every partition.
     *
     * @throws IllegalStateException if the broker does not start or get ready within 60 s
     */
    public static LocalKafka start(Options options) {
        Objects.requireNonNull(options, "options");
        Path dir;
        try {
            if (options.dataDir() == null) {
                dir = Files.createTempDirectory("sweep-kafka-");
            } else {
                dir = options.dataDir().toAbsolutePath().normalize();
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory", e);
        }
        LocalKafka kafka = new LocalKafka(options, dir);
        try {
            kafka.boot();
            return kafka;
        } catch (RuntimeException | Error e) {
            try {
                kafka.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** "127.0.0.1:PORT". */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** Whether clients must come over SASL_SSL with a role's user ({@link Options#secureDir()}). */
    public boolean secure() {
        return security != null;
    }

    /** On a secure broker: what a client of {@code role} sets to reach it (its user, the CA to trust). */
    public KafkaClientConfig clientConfig(AccessPlan.Role role) {
        return requireSecure().client(role);
    }

    /** On a secure broker: the role's client properties file (for {@code --kafka-config}), in the secure directory. */
    public Path clientConfigFile(AccessPlan.Role role) {
        return requireSecure().clientFile(role);
    }

    /** On a secure broker: its CA (which can issue more server certificates, e.g. a gateway's). */
    public LocalCa ca() {
        return requireSecure().ca();
    }

    private BrokerSecurity requireSecure() {
        if (security == null) {
            throw new IllegalStateException("this broker is plaintext: start it with Options.withSecureDir");
        }
        return security;
    }

    /** The broker (client) port. */
    public int port() {
        return port;
    }

    /** The data (log) directory. */
    public Path dataDir() {
        return dataDir;
    }

    /** The options this broker was started with. */
    public Options options() {
        return options;
    }

    /** The project's topics and their partition counts, as created by this broker. */
    public Map<String, Integer> topicPartitions() {
        return topicPartitions(options.partitions());
    }

    /**
     * How long each topic keeps its records, the same as docker-compose's topic setup (deploy/kafka/create-topics.sh;
     * a test holds the two together): the inputs are the truth everything is rebuilt from and stay for the campaign and
     * its audit (30 days); the job's derived outputs feed only the board and the hooks (7 days); alerts, dead letters
     * and undelivered alerts are evidence for the after-action review (30 days).
     */
    public static Map<String, Duration> topicRetention() {
        Map<String, Duration> r = new LinkedHashMap<>();
        for (String topic : Topics.ALL) {
            boolean derived = topic.equals(Topics.SITE_MINUTES) || topic.equals(Topics.COVERAGE) || topic.equals(Topics.PIPELINE);
            r.put(topic, Duration.ofDays(derived ? 7 : 30));
        }
        return r;
    }

    /** The project's topics and their partition counts for {@code partitions} input partitions. */
    public static Map<String, Integer> topicPartitions(int partitions) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String topic : Topics.ALL) {
            topics.put(topic, Topics.SINGLE_PARTITION.contains(topic) ? 1 : partitions);
        }
        return topics;
    }

    /**
     * A shared Admin client on this broker. Do not close it: {@link #close()} does. It is replaced by a new one
     * on {@link #restart()}.
     */
    public synchronized Admin admin() {
        ensureOpen();
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sweep-local-kafka-admin");
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
            if (security != null) {
                security.client(AccessPlan.Role.ADMIN).applyTo(props);
            }
            admin = Admin.create(props);
        }
        return admin;
    }

    /** Sum over the topic's partitions of the end (latest) offsets: the number of records ever written to it. */
    public long endOffsetsSum(String topic) {
        Admin a = admin();
        try {
            TopicDescription description = a.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (TopicPartitionInfo p : description.partitions()) {
                request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets =
                    a.listOffsets(request).all().get(30, TimeUnit.SECONDS);
            long sum = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info : offsets.values()) {
                sum += info.offset();
            }
            return sum;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading end offsets of " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read end offsets of " + topic + ": " + rootMessage(e), e);
        }
    }

    /**
     * Stops the broker cleanly, keeping its data, and starts it again on the same port and data directory.
     * Returns once it is ready again. Clients keep the same {@link #bootstrapServers()}.
     */
    public synchronized void restart() {
        ensureOpen();
        LOG.info("Restarting Kafka on {}", bootstrapServers());
        closeAdmin();
        stopServer();
        boot();
    }

    /** Blocks until {@link #close()} has stopped the broker (for {@code sweep kafka}). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Whether close() has been called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Stops the broker cleanly (waits for its shutdown) and deletes the data directory if it is to be deleted. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            closeAdmin();
            stopServer();
            if (deleteOnClose) {
                try {
                    LocalMachine.deleteTree(dataDir);
                } catch (UncheckedIOException e) {
                    LOG.warn("Could not delete the Kafka data dir {}: {}", dataDir, e.getMessage());
                }
            }
            if (everStarted) {
                LOG.info("Kafka on {} stopped{}", bootstrapServers(),
                        deleteOnClose ? " and its data deleted" : ", data kept in " + dataDir);
            }
        } finally {
            releaseExitProcedures();
            terminated.countDown();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private synchronized void boot() {
        ensureOpen();
        if (!exitInstalled) {
            installExitProcedures();
            exitInstalled = true;
        }
        formatIfNeeded();
        boolean pickPort = port == 0;
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int brokerPort = pickPort ? LocalMachine.freePort() : port;
            int ctrlPort = LocalMachine.freePort();
            try {
                startServer(brokerPort, ctrlPort);
                port = brokerPort;
                controllerPort = ctrlPort;
                failure = null;
                break;
            } catch (RuntimeException e) {
                failure = e;
                LOG.warn("Kafka did not start on ports {}/{} (attempt {}/{}): {}",
                        brokerPort, ctrlPort, attempt, START_ATTEMPTS, rootMessage(e));
                if (attempt < START_ATTEMPTS) {
                    sleep(500);
                }
            }
        }
        if (failure != null) {
            throw new IllegalStateException("Kafka did not start: " + rootMessage(failure), failure);
        }
        awaitReady();
        LOG.info("Kafka {} ready on {} (KRaft broker+controller, node {}, controller port {}), data in {}{}",
                AppInfoParser.getVersion(), bootstrapServers(), NODE_ID, controllerPort, dataDir,
                options.createTopics() ? ", topics " + topicPartitions() : "");
    }

    private void startServer(int brokerPort, int ctrlPort) {
        KafkaConfig config = KafkaConfig.fromProps(brokerProperties(brokerPort, ctrlPort), false);
        KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            s.startup();
        } catch (RuntimeException e) {
            try {
                s.shutdown();
                s.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        server = s;
        everStarted = true;
    }

    private void stopServer() {
        KafkaRaftServer s = server;
        server = null;
        if (s != null) {
            s.shutdown();
            s.awaitShutdown();
        }
    }

    private Properties brokerProperties(int brokerPort, int ctrlPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        // A static single-voter quorum: the controller port is not recorded in the log, so it may change on restart.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ctrlPort);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + ctrlPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        if (security != null) {
            p.putAll(security.brokerProperties(HOST, brokerPort, CONTROLLER_LISTENER, ctrlPort));
        }
        p.put("log.dirs", dataDir.toString());
        p.put("metadata.log.dir", dataDir.toString());

        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", String.valueOf(options.partitions()));
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "4");
        p.put("group.initial.rebalance.delay.ms", "0");

        // Light on a small machine.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        return p;
    }

    /** Formats an empty data dir; reuses a formatted one; refuses a non-empty directory that is not a Kafka log. */
    private void formatIfNeeded() {
        if (Files.exists(dataDir.resolve(META_PROPERTIES))) {
            LOG.debug("Reusing the formatted Kafka data dir {}", dataDir);
            return;
        }
        try (Stream<Path> entries = Files.list(dataDir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalStateException("Kafka data dir " + dataDir
                        + " is not empty and holds no Kafka log (" + META_PROPERTIES + "): refusing to format it");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Kafka data dir " + dataDir, e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String clusterId = Uuid.randomUuid().toString();
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(ps)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dataDir.toString())
                    .addDirectory(dataDir.toString())
                    .setScramArguments(security == null ? List.of() : security.formatScramArguments())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka data dir " + dataDir + ": " + rootMessage(e), e);
        }
        // The formatter's report lists the bootstrap records, the admin's SCRAM keys among them: not for a log.
        LOG.debug("Formatted {} (cluster {}){}", dataDir, clusterId,
                security == null ? ": " + out.toString(StandardCharsets.UTF_8).trim() : "");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Admin a = admin();
        Map<String, Integer> wanted = options.createTopics() ? topicPartitions() : Map.of();
        Exception last = null;
        boolean created = false;
        while (System.nanoTime() < deadline) {
            try {
                if (a.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                    throw new IllegalStateException("no broker registered yet");
                }
                if (!created && security != null) {
                    security.apply(a);
                }
                if (!created && !wanted.isEmpty()) {
                    createTopics(a, wanted);
                }
                created = true;
                if (topicsReady(a, wanted)) {
                    return;
                }
                last = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka", e);
            } catch (Exception e) {
                last = e;
            }
            sleep(100);
        }
        throw new IllegalStateException("Kafka on " + bootstrapServers() + " not ready within " + READY_TIMEOUT
                + (last != null ? ": " + rootMessage(last) : ""), last);
    }

    private void createTopics(Admin a, Map<String, Integer> wanted) throws Exception {
        Set<String> existing = a.listTopics().names().get(30, TimeUnit.SECONDS);
        List<NewTopic> missing = new ArrayList<>();
        wanted.forEach((topic, partitions) -> {
            if (!existing.contains(topic)) {
                missing.add(new NewTopic(topic, partitions, (short) 1).configs(
                        Map.of("retention.ms", Long.toString(topicRetention().get(topic).toMillis()))));
            }
        });
        if (missing.isEmpty()) {
            return;
        }
        for (Map.Entry<String, KafkaFuture<Void>> e : a.createTopics(missing).values().entrySet()) {
            try {
                e.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw ex;
                }
            }
        }
        LOG.debug("Created topics {}", missing);
    }

    private boolean topicsReady(Admin a, Map<String, Integer> wanted) throws Exception {
        if (wanted.isEmpty()) {
            return true;
        }
        Map<String, TopicDescription> descriptions =
                a.describeTopics(wanted.keySet()).allTopicNames().get(30, TimeUnit.SECONDS);
        Set<String> mismatched = new HashSet<>();
        for (Map.Entry<String, Integer> e : wanted.entrySet()) {
            TopicDescription d = descriptions.get(e.getKey());
            if (d == null) {
                return false;
            }
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() == null || p.leader().isEmpty()) {
                    return false;
                }
            }
            if (d.partitions().size() != e.getValue()) {
                mismatched.add(e.getKey() + " has " + d.partitions().size() + " (wanted " + e.getValue() + ")");
            }
        }
        if (!mismatched.isEmpty()) {
            LOG.warn("Existing topics in {} keep their partition counts: {}", dataDir, mismatched);
        }
        // A leader in the metadata is not yet a partition that serves: an idempotent producer
        // sending at once can lose its first batch to Kafka 4.2's out-of-order-sequence bug
        // (KAFKA-19880). Ready means every partition answers ListOffsets.
        for (String topic : wanted.keySet()) {
            endOffsetsSum(topic);
        }
        return true;
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            try {
                admin.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Admin client did not close cleanly", e);
            }
            admin = null;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this LocalKafka is closed");
        }
    }

    // ----- Exit procedures: shared by all brokers of the JVM ------------------------------------------------------

    private static final Object EXIT_LOCK = new Object();
    private static int exitUsers;

    private static void installExitProcedures() {
        synchronized (EXIT_LOCK) {
            if (exitUsers++ == 0) {
                Exit.setExitProcedure((status, message) -> {
                    throw fault("exit", status, message);
                });
                Exit.setHaltProcedure((status, message) -> {
                    throw fault("halt", status, message);
                });
            }
        }
    }

    private void releaseExitProcedures() {
        if (!exitInstalled) {
            return;
        }
        exitInstalled = false;
        synchronized (EXIT_LOCK) {
            if (--exitUsers == 0) {
                Exit.resetExitProcedure();
                Exit.resetHaltProcedure();
            }
        }
    }

    private static IllegalStateException fault(String kind, int status, String message) {
        IllegalStateException e = new IllegalStateException(
                "Kafka broker fault: it asked to " + kind + " the JVM with status " + status
                        + (message != null ? ": " + message : ""));
        LOG.error(e.getMessage(), e);
        return e;
    }

    // ----- helpers --------------------------------------------------------------------------------------------------

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
    }
}
