package dev.sweep.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.AccessPlan.Role;
import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The secure broker as the roles meet it: each connects with its own client properties file and does its part of
 * the pipeline; what the ACL plan does not give it is refused, and so is a client with no or wrong credentials.
 */
class SecureKafkaTest {
    static LocalKafka kafka;
    static Path secureDir;

    @BeforeAll
    static void start() throws Exception {
        // The CA is made on the first run after a clean build (keytool is slow on a busy machine) and kept in target/.
        secureDir = Path.of("target/secure-ca");
        kafka = LocalKafka.start(LocalKafka.Options.defaults().withPartitions(2).withSecureDir(secureDir));
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The role's own properties file, read as --kafka-config reads it. */
    static KafkaClientConfig role(Role role) {
        return KafkaClientConfig.load(kafka.clientConfigFile(role));
    }

    static void write(KafkaClientConfig client, String topic, String value) throws Exception {
        Properties p = KafkaClients.producer(kafka.bootstrapServers(), client, "test-" + topic);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, "k", value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads a topic from the start (assigned, no group) or in {@code group}; returns the values seen. */
    static List<String> read(KafkaClientConfig client, String topic, String group) {
        Properties p = KafkaClients.consumer(kafka.bootstrapServers(), client, group);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            if (group == null) {
                c.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)).subList(0,
                        Topics.SINGLE_PARTITION.contains(topic) ? 1 : 2));
            } else {
                c.subscribe(List.of(topic));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
            if (group != null) {
                c.commitSync();
            }
        }
        return values;
    }

    /** The authorization failure somewhere in the cause chain of the refused write (the board, with no write at all, is refused its producer id first). */
    static Throwable refusedWrite(KafkaClientConfig client, String topic) {
        Throwable e = assertThrows(Exception.class, () -> write(client, topic, "must not land"));
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException) {
                return t;
            }
        }
        return e;
    }

    @Test
    void eachRoleDoesItsPartAndNothingElse() throws Exception {
        // Stations and the gateway write the inputs; they cannot read them back.
        write(role(Role.STATION), Topics.SCANS, "scan from a station");
        write(role(Role.GATEWAY), Topics.STATION_STATUS, "heartbeat through the gateway");
        assertInstanceOf(AuthorizationException.class,
                assertThrows(Exception.class, () -> read(role(Role.STATION), Topics.SCANS, null)));
        assertInstanceOf(AuthorizationException.class, refusedWrite(role(Role.STATION), Topics.ALERTS));

        // The job reads the inputs in its group and writes its outputs, dead letters in a transaction.
        assertEquals(List.of("scan from a station"), read(role(Role.JOB), Topics.SCANS, "sweep-coverage"));
        write(role(Role.JOB), Topics.COVERAGE, "county coverage");
        write(role(Role.JOB), Topics.ALERTS, "an alert");
        Properties tx = KafkaClients.producer(kafka.bootstrapServers(), role(Role.JOB), "test-tx");
        tx.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sweep-coverage-dead-letters-0");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(tx)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.DEAD_LETTERS, "k", "dead".getBytes(StandardCharsets.UTF_8)));
            producer.commitTransaction();
        }
        assertInstanceOf(AuthorizationException.class, refusedWrite(role(Role.JOB), Topics.SCANS));

        // The hooks read alerts in their groups and write what they could not deliver.
        assertEquals(List.of("an alert"), read(role(Role.HOOKS), Topics.ALERTS, "sweep-hooks.county.webhook"));
        write(role(Role.HOOKS), Topics.UNDELIVERED_ALERTS, "undelivered");
        assertInstanceOf(AuthorizationException.class, refusedWrite(role(Role.HOOKS), Topics.ALERTS));

        // The board reads and cannot write anything.
        assertEquals(List.of("county coverage"), read(role(Role.BOARD), Topics.COVERAGE, null));
        assertEquals(List.of("heartbeat through the gateway"), read(role(Role.BOARD), Topics.STATION_STATUS, null));
        assertInstanceOf(AuthorizationException.class, refusedWrite(role(Role.BOARD), Topics.COVERAGE));
        assertInstanceOf(AuthorizationException.class,
                assertThrows(Exception.class, () -> read(role(Role.BOARD), Topics.SCANS, null)));
    }

    @Test
    void noOrWrongCredentialsAreRefused() throws Exception {
        KafkaClientConfig station = role(Role.STATION);
        Map<String, String> wrong = new java.util.TreeMap<>(station.properties());
        wrong.put("sasl.jaas.config", wrong.get("sasl.jaas.config").replaceAll("password=\"[^\"]*\"", "password=\"guessed\""));
        Throwable bad = cluster(KafkaClientConfig.of(wrong, "wrong password"));
        assertInstanceOf(SaslAuthenticationException.class, bad, String.valueOf(bad));

        Map<String, String> stranger = new java.util.TreeMap<>(station.properties());
        stranger.put("sasl.jaas.config", wrong.get("sasl.jaas.config").replace("username=\"station\"", "username=\"stranger\""));
        assertInstanceOf(SaslAuthenticationException.class, cluster(KafkaClientConfig.of(stranger, "unknown user")));

        // Plaintext to the SASL_SSL port: no TLS handshake, nothing is served.
        assertTrue(cluster(KafkaClientConfig.NONE) != null);
        // TLS but no SASL login.
        assertTrue(cluster(KafkaClientConfig.of(Map.of("security.protocol", "SSL", "ssl.truststore.type", "PEM",
                "ssl.truststore.location", kafka.ca().caPem().toString()), "tls only")) != null);
    }

    @Test
    void theClientFilesAreTheOwnersAndTheirSecretsStayHidden() throws Exception {
        Path station = kafka.clientConfigFile(Role.STATION);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(station)));
        String text = Files.readString(station);
        assertTrue(text.contains("security.protocol=SASL_SSL") && text.contains("SCRAM-SHA-512"), text);
        KafkaClientConfig c = role(Role.STATION);
        String password = c.properties().get("sasl.jaas.config").replaceAll(".*password=\"([^\"]*)\".*", "$1");
        assertTrue(password.length() >= 32);
        assertFalse(c.toString().contains(password));
    }

    /** The failure of describing the cluster with these settings, or null when it works. */
    static Throwable cluster(KafkaClientConfig client) {
        Properties p = KafkaClients.admin(kafka.bootstrapServers(), client);
        p.put("default.api.timeout.ms", 6_000);
        p.put("request.timeout.ms", 3_000);
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }
}
