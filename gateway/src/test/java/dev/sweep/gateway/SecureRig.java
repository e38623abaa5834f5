package dev.sweep.gateway;

import dev.sweep.broker.AccessPlan.Role;
import dev.sweep.broker.LocalKafka;
import dev.sweep.gateway.stations.StationCredentials.Credential;
import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.KafkaClients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * The gateway tests' real parts: the secure broker (the gateway connects as its own principal), a gateway
 * certificate from the broker's CA, stations' credentials issued as an operator would, a station's HTTPS client
 * trusting that CA, and an admin's reader of whole topics.
 */
final class SecureRig implements AutoCloseable {
    final Path dir;
    final LocalKafka kafka;
    final SSLContext gatewayTls;
    final SSLContext stationTrust;
    final HttpClient http;

    SecureRig(String name) throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Files.createDirectories(tmp);
        dir = Files.createTempDirectory(tmp, name + "-");
        // The CA and certificates are made once (keytool is slow on a busy machine) and shared by the module's tests.
        kafka = LocalKafka.start(LocalKafka.Options.defaults().withPartitions(2).withSecureDir(Path.of("target/secure-ca")));
        Path store = kafka.ca().keystore("gateway", List.of("127.0.0.1", "localhost"));
        gatewayTls = Tls.fromKeystore(store, kafka.ca().storePassword("gateway").toCharArray(), kafka.ca().caPem());
        stationTrust = Tls.trusting(kafka.ca().caPem());
        http = HttpClient.newBuilder().sslContext(stationTrust).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20)).build();
    }

    KafkaClientConfig role(Role role) {
        return KafkaClientConfig.load(kafka.clientConfigFile(role));
    }

    /** Issues a token per station (STATION SITE pairs) into a stations file; returns the stations' side. */
    List<Credential> issue(Path stationsFile, String... stationSitePairs) throws IOException {
        List<Credential> out = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < stationSitePairs.length; i += 2) {
            String token = Stations.newToken();
            out.add(new Credential(stationSitePairs[i], stationSitePairs[i + 1], token));
            lines.append(Stations.line(stationSitePairs[i], stationSitePairs[i + 1], token)).append('\n');
        }
        Files.writeString(stationsFile, lines, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return out;
    }

    GatewayOptions options(Path stationsFile) {
        return GatewayOptions.of(kafka.bootstrapServers(), role(Role.GATEWAY), gatewayTls, stationsFile).withAddress("127.0.0.1", 0);
    }

    HttpResponse<String> post(URI url, String path, String token, String type, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every record of a topic, from the start to its end now, read as the admin. */
    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = KafkaClients.consumer(kafka.bootstrapServers(), role(Role.ADMIN), null);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic)) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public void close() {
        kafka.close();
    }
}
