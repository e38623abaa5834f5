package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.broker.AccessPlan.Role;
import dev.sweep.broker.LocalKafka;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.gateway.GatewayOptions;
import dev.sweep.gateway.StationGateway;
import dev.sweep.gateway.Tls;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sweep gateway issue and revoke, and sweep simulate --via-gateway, as an operator runs them: a drill's stations
 * post through a real gateway (HTTPS) into the secure broker, and the topics hold exactly the ledger's records.
 */
class GatewayCommandTest {
    static final String TINY = Path.of("src/test/resources/scenarios/tiny").toAbsolutePath().toString();

    @TempDir
    Path dir;

    @Test
    void aDrillThroughTheGatewayLandsExactlyTheLedgersRecords() throws Exception {
        Path stations = dir.resolve("stations.txt");
        Path tokens = dir.resolve("tokens.txt");
        FlagsTest.Run issued = FlagsTest.run("gateway", "issue", "--stations", stations.toString(), "--credentials", tokens.toString(),
                "--scenario", TINY, "--per-site", "2");
        assertEquals(0, issued.exit(), issued.err());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)));
        String token = Files.readAllLines(tokens).get(1).split(" ")[2];
        assertFalse(Files.readString(stations).contains(token), "the stations file holds hashes only");

        // The CA is made once and shared by the module's tests (keytool is slow on a busy machine).
        try (LocalKafka kafka = LocalKafka.start(LocalKafka.Options.defaults().withPartitions(2).withSecureDir(Path.of("target/secure-ca")))) {
            Path store = kafka.ca().keystore("gateway", List.of("127.0.0.1"));
            GatewayOptions o = GatewayOptions.of(kafka.bootstrapServers(), kafka.clientConfig(Role.GATEWAY),
                    Tls.fromKeystore(store, kafka.ca().storePassword("gateway").toCharArray(), null), stations)
                    .withScenario(TINY).withAddress("127.0.0.1", 0);
            Path ledger = dir.resolve("ledger.json");
            try (StationGateway gateway = StationGateway.start(o)) {
                FlagsTest.Run sim = FlagsTest.run("simulate", "--scenario", TINY, "--seed", "3", "--speed", "max",
                        "--via-gateway", gateway.url().toString(), "--stations", tokens.toString(),
                        "--gateway-ca", kafka.ca().caPem().toString(), "--ledger", ledger.toString());
                assertEquals(0, sim.exit(), sim.err());
            }
            JsonNode l = new ObjectMapper().readTree(ledger.toFile());
            Set<String> scans = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : readAll(kafka, Topics.SCANS)) {
                ScanEvent e = EventCodec.SCANS.decode(r.value());
                assertEquals(e.getSiteId(), r.key());
                scans.add(e.getScanId());
            }
            assertEquals(l.get("county").get("scans").asLong(), scans.size());
            Set<String> heartbeats = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : readAll(kafka, Topics.STATION_STATUS)) {
                StationStatus s = EventCodec.STATUSES.decode(r.value());
                heartbeats.add(s.getSiteId() + "@" + s.getReportedAt());
            }
            assertEquals(l.get("records").get(Topics.STATION_STATUS).asLong(), heartbeats.size());
        }
    }

    @Test
    void aRotationKeepsTheNewestTokenAndRevokeTakesTheRest() throws Exception {
        Path stations = dir.resolve("stations.txt");
        Path tokens = dir.resolve("tokens.txt");
        for (int i = 0; i < 2; i++) {
            assertEquals(0, FlagsTest.run("gateway", "issue", "--stations", stations.toString(), "--credentials", tokens.toString(),
                    "--scenario", TINY, "--site", "NX-CG-001", "--station", "NX-CG-001-a").exit());
        }
        List<String> lines = Files.readAllLines(stations).stream().filter(x -> x.startsWith("NX-CG-001-a ")).toList();
        assertEquals(2, lines.size());
        assertEquals(0, FlagsTest.run("gateway", "revoke", "--stations", stations.toString(), "--station", "NX-CG-001-a", "--keep-newest").exit());
        assertEquals(List.of(lines.get(1)), Files.readAllLines(stations).stream().filter(x -> x.startsWith("NX-CG-001-a ")).toList());
        assertEquals(0, FlagsTest.run("gateway", "revoke", "--stations", stations.toString(), "--station", "NX-CG-001-a").exit());
        assertTrue(Files.readAllLines(stations).stream().noneMatch(x -> x.startsWith("NX-CG-001-a ")));
        FlagsTest.Run unknown = FlagsTest.run("gateway", "issue", "--stations", stations.toString(), "--credentials", tokens.toString(),
                "--scenario", TINY, "--site", "NX-ZZ-999");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("NX-ZZ-999"), unknown.err());
    }

    static List<ConsumerRecord<String, byte[]>> readAll(LocalKafka kafka, String topic) {
        Properties p = KafkaClients.consumer(kafka.bootstrapServers(), kafka.clientConfig(Role.ADMIN), null);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
