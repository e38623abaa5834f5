package dev.sweep.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --kafka-config files as Kafka would take them, and as it would refuse them: each refusal names the file and
 * the key, and none quotes a secret. The surefire configuration sets SWEEP_TEST_KAFKA_PASSWORD for the
 * environment-variable provider.
 */
class KafkaClientConfigTest {
    static final String SECRET = "s3cret-Pa55word";
    static final String SCRAM = "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n";

    @TempDir
    Path dir;

    Path file(String text) throws Exception {
        Path f = Files.createTempFile(dir, "client", ".properties");
        Files.writeString(f, text);
        return f;
    }

    String refusal(String text) throws Exception {
        Path f = file(text);
        String message = assertThrows(IllegalArgumentException.class, () -> KafkaClientConfig.load(f)).getMessage();
        assertTrue(message.startsWith(f.toString()), message);
        assertFalse(message.contains(SECRET), "a secret in: " + message);
        return message;
    }

    static String jaas(String password) {
        return "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"station\" password=\""
                + password + "\";\n";
    }

    @Test
    void aScramFileIsTakenAndItsSecretNeverShown() throws Exception {
        KafkaClientConfig c = KafkaClientConfig.load(file(SCRAM + jaas(SECRET)));
        assertEquals("SASL_SSL", c.securityProtocol());
        assertFalse(c.toString().contains(SECRET), c.toString());
        assertTrue(c.toString().contains("sasl.jaas.config=[hidden]"), c.toString());
        Properties p = KafkaClients.producer("127.0.0.1:9092", c, "test");
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("all", p.get("acks"), "Sweep's own settings stay");
        assertEquals("PLAINTEXT", KafkaClientConfig.NONE.securityProtocol());
        assertTrue(KafkaClientConfig.isSecret("ssl.keystore.password"));
        assertFalse(KafkaClientConfig.isSecret("ssl.keystore.location"));
    }

    @Test
    void secretsComeFromTheEnvironmentThroughKafkasOwnProvider() throws Exception {
        String providers = "config.providers=env\nconfig.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider\n";
        KafkaClientConfig c = KafkaClientConfig.load(file(SCRAM + providers + jaas("${env:SWEEP_TEST_KAFKA_PASSWORD}")));
        assertTrue(c.properties().get("sasl.jaas.config").contains("${env:SWEEP_TEST_KAFKA_PASSWORD}"),
                "kept as written: resolved inside each client, never copied");
        assertEquals(SECRET, System.getenv("SWEEP_TEST_KAFKA_PASSWORD"), "the surefire configuration sets it");

        String unset = refusal(SCRAM + providers + jaas("${env:SWEEP_TEST_NOT_SET}"));
        assertTrue(unset.contains("key 'sasl.jaas.config'") && unset.contains("SWEEP_TEST_NOT_SET")
                && unset.contains("not set"), unset);
    }

    @Test
    void aBadFileIsRefusedNamingTheKey() throws Exception {
        assertTrue(refusal("securty.protocol=SASL_SSL\n").contains("key 'securty.protocol': not a Kafka client setting"));
        String protocol = refusal("security.protocol=SASL_SSLX\n" + jaas(SECRET));
        assertTrue(protocol.contains("key 'security.protocol'") && protocol.contains("SASL_SSLX"), protocol);
        assertTrue(refusal("request.timeout.ms=soon\n").contains("key 'request.timeout.ms'"));
        assertTrue(refusal("acks=1\n").contains("key 'acks': set by Sweep"));
        assertTrue(refusal("bootstrap.servers=kafka:9092\n").contains("--bootstrap"));
        assertTrue(refusal("enable.idempotence=false\n").contains("key 'enable.idempotence'"));
        assertTrue(refusal(SCRAM).contains("key 'sasl.jaas.config': missing"));
        String jaas = refusal(SCRAM + "sasl.jaas.config=ScramLoginModule username=\"a\" password=\"" + SECRET + "\"\n");
        assertTrue(jaas.contains("key 'sasl.jaas.config': not a JAAS entry"), jaas);

        Path missing = dir.resolve("nowhere.properties");
        String unreadable = assertThrows(IllegalArgumentException.class, () -> KafkaClientConfig.load(missing)).getMessage();
        assertTrue(unreadable.startsWith(missing + ": cannot read"), unreadable);
    }

    @Test
    void storesAreOpenedAtStartWithTheirPasswords() throws Exception {
        Path store = dir.resolve("truststore.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (OutputStream out = Files.newOutputStream(store)) {
            ks.store(out, SECRET.toCharArray());
        }
        String base = "security.protocol=SSL\nssl.truststore.type=PKCS12\nssl.truststore.location=" + store + "\n";
        KafkaClientConfig.load(file(base + "ssl.truststore.password=" + SECRET + "\n"));
        assertTrue(refusal(base + "ssl.truststore.password=" + SECRET + "x\n").contains("key 'ssl.truststore.password': does not open"));
        assertTrue(refusal("security.protocol=SSL\nssl.keystore.location=" + dir.resolve("gone.p12") + "\n")
                .contains("key 'ssl.keystore.location': cannot read"));
    }
}
