package dev.sweep.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.gateway.stations.StationCredentials.Credential;
import dev.sweep.schemas.EventChecks;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway over real HTTPS, writing to the secure broker as its own principal: who may post what, what is
 * refused and how, and what reaches the topics (exactly the accepted records, nothing of the refused ones).
 */
class GatewayTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant AT = Instant.parse("2022-05-04T01:30:00Z"); // 09:30 in Neixiang, in the county-wide wave
    /** A resident's ID number, as a careless station app might send it: it must go nowhere. */
    static final String RAW_ID = "41132519850312" + "123" + EventChecks.idCheckCharacter("41132519850312123");
    static final String RAW_ID_MIDDLE = RAW_ID.substring(6, 17);

    static SecureRig rig;
    static Path stationsFile;
    static List<Credential> stations;
    static StationGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        rig = new SecureRig("gateway-test");
        stationsFile = rig.dir.resolve("stations.txt");
        stations = rig.issue(stationsFile, "NX-CG-001-a", "NX-CG-001", "NX-CG-002-a", "NX-CG-002");
        gateway = StationGateway.start(rig.options(stationsFile));
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (rig != null) {
            rig.close();
        }
        // Whatever the tests did, no station token and no Kafka password reached a log line.
        String log = Files.readString(Path.of("target/gateway-tests.log"));
        for (Credential c : stations) {
            assertFalse(log.contains(c.token()), "a station's token in the log");
        }
        java.util.Properties passwords = new java.util.Properties();
        try (var in = Files.newBufferedReader(rig.kafka.ca().dir().resolve("passwords.properties"))) {
            passwords.load(in);
        }
        assertFalse(passwords.isEmpty());
        for (String name : passwords.stringPropertyNames()) {
            assertFalse(log.contains(passwords.getProperty(name)), "the password of " + name + " in the log");
        }
    }

    static ScanEvent scan(String scanId, String site, String township, String personKey) {
        return ScanEvent.newBuilder().setScanId(scanId).setSiteId(site).setTownshipId(township).setSamplerId(site + "-s1")
                .setTubeId("T-" + scanId).setPersonKey(personKey).setScannedAt(AT).setPoolSize(10).setStationSeq(1).build();
    }

    static String json(ScanEvent e) {
        return "{\"scanId\":\"" + e.getScanId() + "\",\"siteId\":\"" + e.getSiteId() + "\",\"townshipId\":\"" + e.getTownshipId()
                + "\",\"samplerId\":\"" + e.getSamplerId() + "\",\"tubeId\":\"" + e.getTubeId() + "\",\"personKey\":\""
                + e.getPersonKey() + "\",\"scannedAt\":\"2022-05-04T09:30:00+08:00\",\"poolSize\":" + e.getPoolSize() + ",\"stationSeq\":" + e.getStationSeq() + "}";
    }

    static String token(int i) {
        return stations.get(i).token();
    }

    @Test
    void aGoodJsonBatchIsStoredAsTheSameAvroTheStationsWouldWrite() throws Exception {
        ScanEvent a = scan("json-ok-1", "NX-CG-001", "CG", "0123456789abcdef0123456789abcdef");
        ScanEvent b = scan("json-ok-2", "NX-CG-001", "CG", "fedcba9876543210fedcba9876543210");
        HttpResponse<String> r = rig.post(gateway.url(), "v1/scans", token(0), "application/json",
                ("[" + json(a) + "," + json(b) + "]").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, JSON.readTree(r.body()).get("accepted").asInt());
        List<ConsumerRecord<String, byte[]>> on = rig.readAll(Topics.SCANS).stream()
                .filter(c -> new String(c.value(), StandardCharsets.ISO_8859_1).contains("json-ok-")).toList();
        assertEquals(2, on.size());
        assertEquals("NX-CG-001", on.get(0).key());
        assertTrue(on.stream().anyMatch(c -> java.util.Arrays.equals(EventCodec.SCANS.encode(a), c.value())),
                "the same bytes as the station's own encoding");
    }

    @Test
    void anAvroBatchOfHeartbeatsIsStored() throws Exception {
        StationStatus s = StationStatus.newBuilder().setSiteId("NX-CG-002").setTownshipId("CG").setReportedAt(AT)
                .setState(SiteState.OPEN).setQueueLength(12).setLanesOpen(3).setSamplersOnDuty(6).build();
        HttpResponse<String> r = rig.post(gateway.url(), "v1/status", token(1), "application/avro",
                Batch.avroBody(List.of(EventCodec.STATUSES.encode(s))));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(rig.readAll(Topics.STATION_STATUS).stream().anyMatch(c -> java.util.Arrays.equals(c.value(), EventCodec.STATUSES.encode(s))));
    }

    @Test
    void aWrongOrMissingTokenIs401() throws Exception {
        byte[] body = ("[" + json(scan("no-auth", "NX-CG-001", "CG", "0123456789abcdef0123456789abcdef")) + "]").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> wrong = rig.post(gateway.url(), "v1/scans", Stations.newToken(), "application/json", body);
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertEquals(401, rig.post(gateway.url(), "v1/scans", null, "application/json", body).statusCode());
        assertTrue(rig.readAll(Topics.SCANS).stream().noneMatch(c -> new String(c.value(), StandardCharsets.ISO_8859_1).contains("no-auth")));
    }

    @Test
    void anotherSitesRecordIs403NamingItAndNothingOfTheBatchIsStored() throws Exception {
        String body = "[" + json(scan("own-site", "NX-CG-001", "CG", "0123456789abcdef0123456789abcdef")) + ","
                + json(scan("other-site", "NX-CG-002", "CG", "0123456789abcdef0123456789abcdef")) + "]";
        HttpResponse<String> r = rig.post(gateway.url(), "v1/scans", token(0), "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("NX-CG-002") && r.body().contains("record 1"), r.body());
        assertTrue(rig.readAll(Topics.SCANS).stream().noneMatch(c -> new String(c.value(), StandardCharsets.ISO_8859_1).contains("own-site")));
    }

    @Test
    void aRawIdNumberIs422ForThatRecordOnlyAndGoesNowhere() throws Exception {
        String body = "[" + json(scan("raw-neighbour-1", "NX-CG-001", "CG", "0123456789abcdef0123456789abcdef")) + ","
                + json(scan("raw-1", "NX-CG-001", "CG", RAW_ID)) + ","
                + json(scan("raw-neighbour-2", "NX-CG-001", "CG", "0123456789abcdef0123456789abcdef")).replace("\"poolSize\":10", "\"poolSize\":3")
                + "]";
        HttpResponse<String> r = rig.post(gateway.url(), "v1/scans", token(0), "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(422, r.statusCode(), r.body());
        JsonNode answer = JSON.readTree(r.body());
        assertEquals(1, answer.get("accepted").asInt());
        JsonNode refused = answer.get("refused");
        assertEquals(2, refused.size());
        assertEquals(1, refused.get(0).get("index").asInt());
        assertEquals("personKey", refused.get(0).get("field").asText());
        assertEquals("raw-personal-id", refused.get(0).get("reason").asText());
        assertEquals(2, refused.get(1).get("index").asInt());
        assertEquals("poolSize", refused.get(1).get("field").asText());
        assertEquals("invalid-field", refused.get(1).get("reason").asText());
        assertFalse(r.body().contains(RAW_ID_MIDDLE), r.body());

        // Not in any topic, not in any log line, not in a dead letter.
        for (String topic : Topics.ALL) {
            for (ConsumerRecord<String, byte[]> c : rig.readAll(topic)) {
                String text = new String(c.value(), StandardCharsets.ISO_8859_1) + c.key() + c.headers();
                assertFalse(text.contains(RAW_ID_MIDDLE), "raw ID in " + topic);
                assertFalse(text.contains("raw-1\u0014") || text.contains("T-raw-1"), "the refused record in " + topic);
            }
        }
        List<String> scans = rig.readAll(Topics.SCANS).stream().map(c -> new String(c.value(), StandardCharsets.ISO_8859_1)).toList();
        assertTrue(scans.stream().anyMatch(v -> v.contains("raw-neighbour-1")), "the good record of the batch is stored: " + scans);
        Path log = Path.of("target/gateway-tests.log");
        assertTrue(Files.exists(log));
        assertFalse(Files.readString(log).contains(RAW_ID_MIDDLE), "raw ID in the log");
    }

    @Test
    void oversizedBatchesAre413AndOtherBodiesAreRefusedByName() throws Exception {
        byte[] big = new byte[GatewayOptions.MAX_BODY_BYTES + 1];
        assertEquals(413, rig.post(gateway.url(), "v1/scans", token(0), "application/avro", big).statusCode());
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i <= GatewayOptions.MAX_RECORDS; i++) {
            many.append(i == 0 ? "" : ",").append("{}");
        }
        HttpResponse<String> tooMany = rig.post(gateway.url(), "v1/scans", token(0), "application/json",
                many.append(']').toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(413, tooMany.statusCode());
        assertTrue(tooMany.body().contains("more than " + GatewayOptions.MAX_RECORDS + " records"), tooMany.body());
        assertEquals(415, rig.post(gateway.url(), "v1/scans", token(0), "text/csv", "a,b".getBytes()).statusCode());
        assertEquals(400, rig.post(gateway.url(), "v1/scans", token(0), "application/avro", new byte[] {5}).statusCode());
        HttpResponse<String> unknownField = rig.post(gateway.url(), "v1/scans", token(0), "application/json",
                "[{\"scanId\":\"x\",\"nickname\":\"y\"}]".getBytes(StandardCharsets.UTF_8));
        assertEquals(422, unknownField.statusCode());
        assertTrue(unknownField.body().contains("'nickname' is not a field of ScanEvent"), unknownField.body());
    }

    @Test
    void aStationPostingTooFastIs429WithRetryAfter() throws Exception {
        Path file = rig.dir.resolve("rate-stations.txt");
        List<Credential> c = rig.issue(file, "NX-CG-003-a", "NX-CG-003");
        try (StationGateway slow = StationGateway.start(rig.options(file).withLimits(500, 1 << 20, 0.5, 2))) {
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            assertEquals(200, rig.post(slow.url(), "v1/scans", c.get(0).token(), "application/json", body).statusCode());
            assertEquals(200, rig.post(slow.url(), "v1/scans", c.get(0).token(), "application/json", body).statusCode());
            HttpResponse<String> limited = rig.post(slow.url(), "v1/scans", c.get(0).token(), "application/json", body);
            assertEquals(429, limited.statusCode());
            long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
        }
    }

    @Test
    void aStationMayUseItsClientCertificate() throws Exception {
        Path file = rig.dir.resolve("cert-stations.txt");
        Path store = rig.kafka.ca().keystore("NX-CG-004-a", List.of("localhost"));
        char[] pw = rig.kafka.ca().storePassword("NX-CG-004-a").toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, pw);
        }
        String fingerprint = Stations.sha256(ks.getCertificate("NX-CG-004-a").getEncoded());
        Files.writeString(file, "NX-CG-004-a NX-CG-004 cert-sha256:" + fingerprint + "\n");
        try (StationGateway g = StationGateway.start(rig.options(file).withStationCertificates(true))) {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", Tls.certificates(rig.kafka.ca().caPem()).get(0));
            tmf.init(trust);
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpClient withCert = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest req = HttpRequest.newBuilder(g.url().resolve("v1/scans")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("[" + json(scan("by-cert", "NX-CG-004", "CG", "0123456789abcdef0123456789abcdef")) + "]"))
                    .build();
            HttpResponse<String> r = withCert.send(req, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            // Without the certificate (and without a token) the same gateway does not know the station.
            assertEquals(401, rig.post(g.url(), "v1/scans", null, "application/json", "[]".getBytes()).statusCode());
        }
    }

    @Test
    void aRotatedTokenWorksAlongsideTheOldOneUntilTheOldLineGoes() throws Exception {
        Path file = rig.dir.resolve("rotate-stations.txt");
        List<Credential> old = rig.issue(file, "NX-CG-005-a", "NX-CG-005");
        try (StationGateway g = StationGateway.start(rig.options(file))) {
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            List<Credential> fresh = rig.issue(file, "NX-CG-005-a", "NX-CG-005");
            awaitStatus(g, fresh.get(0).token(), 200);
            assertEquals(200, rig.post(g.url(), "v1/scans", old.get(0).token(), "application/json", body).statusCode());
            String oldLine = Stations.line("NX-CG-005-a", "NX-CG-005", old.get(0).token());
            Files.write(file, Files.readAllLines(file).stream().filter(l -> !l.equals(oldLine)).toList());
            awaitStatus(g, old.get(0).token(), 401);
            assertEquals(200, rig.post(g.url(), "v1/scans", fresh.get(0).token(), "application/json", body).statusCode());
        }
    }

    @Test
    void aGatewayTakesItsCertificateAndKeyAsPem() throws Exception {
        // What an operator gets from a CA: the chain and an unencrypted PKCS#8 key, as PEM files.
        Path store = rig.kafka.ca().keystore("gateway", List.of("127.0.0.1", "localhost"));
        char[] pw = rig.kafka.ca().storePassword("gateway").toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, pw);
        }
        java.util.Base64.Encoder b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
        StringBuilder chain = new StringBuilder();
        for (java.security.cert.Certificate c : ks.getCertificateChain("gateway")) {
            chain.append("-----BEGIN CERTIFICATE-----\n").append(b64.encodeToString(c.getEncoded())).append("\n-----END CERTIFICATE-----\n");
        }
        Path cert = rig.dir.resolve("gateway-chain.pem");
        Path key = rig.dir.resolve("gateway-key.pem");
        Files.writeString(cert, chain);
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(ks.getKey("gateway", pw).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        GatewayOptions pem = rig.options(stationsFile);
        pem = new GatewayOptions(pem.bootstrap(), pem.kafka(), Tls.fromPem(cert, key, null), false, stationsFile, pem.scenario(),
                "127.0.0.1", 0, 500, 1 << 20, 10, 20, 8, Duration.ofSeconds(30), Duration.ofSeconds(5));
        try (StationGateway g = StationGateway.start(pem)) {
            assertEquals(200, rig.post(g.url(), "v1/scans", token(0), "application/json", "[]".getBytes()).statusCode());
        }
        Files.writeString(key, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        String refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Tls.fromPem(cert, key, null)).getMessage();
        assertTrue(refused.contains("unencrypted PKCS#8"), refused);
    }

    @Test
    void healthAndMetricsAnswerWithoutCredentials() throws Exception {
        HttpResponse<String> health = rig.http.send(HttpRequest.newBuilder(gateway.url().resolve("healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        rig.post(gateway.url(), "v1/scans", Stations.newToken(), "application/json", "[]".getBytes());
        HttpResponse<String> metrics = rig.http.send(HttpRequest.newBuilder(gateway.url().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("sweep_gateway_requests_total{endpoint=\"/v1/scans\",status=\"401\"}"), metrics.body());
        assertTrue(metrics.body().contains("sweep_gateway_request_seconds_count"), metrics.body());
    }

    /** The stations file is read again every 2 s: wait until the token gets {@code status}. */
    static void awaitStatus(StationGateway g, String token, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int last;
        do {
            last = rig.post(g.url(), "v1/scans", token, "application/json", "[]".getBytes()).statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        assertEquals(status, last, "after the stations file changed");
    }
}
