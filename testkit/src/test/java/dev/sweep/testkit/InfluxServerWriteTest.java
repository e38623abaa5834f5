package dev.sweep.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import com.influxdb.exceptions.BadRequestException;
import com.influxdb.exceptions.NotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Writes through the v2 adapter with influxdb-client-java and reads back with InfluxQL, on one influxd. */
class InfluxServerWriteTest {

    private static final String ORG = "sweep";
    private static final String BUCKET = "sweep";

    private static InfluxServer influx;
    private static InfluxDBClient client;
    private static WriteApiBlocking writes;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startInflux() {
        influx = InfluxServer.start();
        client = InfluxDBClientFactory.create(influx.url(), "test".toCharArray(), ORG, BUCKET);
        writes = client.getWriteApiBlocking();
    }

    @AfterAll
    static void stopInflux() {
        if (client != null) {
            client.close();
        }
        if (influx != null) {
            influx.close();
        }
    }

    @Test
    void millisecondPointsReadBackExactly() {
        long t = 1_714_780_800_123L; // 2024-05-04T00:00:00.123Z
        writes.writePoint(BUCKET, ORG, Point.measurement("w_ms")
                .addTag("township", "Chengguan").addTag("site", "S001")
                .addField("scans", 42L).addField("coverage", 0.875).addField("state", "OPEN").addField("ok", true)
                .time(t, WritePrecision.MS));
        writes.writePoint(BUCKET, ORG, Point.measurement("w_ms")
                .addTag("township", "Chengguan").addTag("site", "S002")
                .addField("scans", 7L).addField("coverage", 0.5).addField("state", "PAUSED").addField("ok", false)
                .time(Instant.ofEpochMilli(t + 60_000), WritePrecision.MS));

        List<Map<String, Object>> rows = influx.query("SELECT * FROM w_ms ORDER BY time");
        assertEquals(2, rows.size());
        Map<String, Object> first = rows.get(0);
        assertEquals(t, first.get("time"));
        assertEquals("Chengguan", first.get("township"));
        assertEquals("S001", first.get("site"));
        assertEquals(42L, first.get("scans"));
        assertEquals(0.875, first.get("coverage"));
        assertEquals("OPEN", first.get("state"));
        assertEquals(true, first.get("ok"));
        assertEquals(t + 60_000, rows.get(1).get("time"));
        assertEquals(7L, rows.get(1).get("scans"));
        assertEquals(false, rows.get(1).get("ok"));

        // GROUP BY puts the series tags into each row.
        List<Map<String, Object>> grouped = influx.query("SELECT sum(scans) FROM w_ms GROUP BY site");
        assertEquals(2, grouped.size());
        assertEquals("S001", grouped.get(0).get("site"));
        assertEquals(42L, grouped.get(0).get("sum"));
        assertEquals(49, influx.count("SELECT sum(scans) FROM w_ms"));
        assertEquals(2, influx.count("SELECT count(scans) FROM w_ms"));
    }

    @Test
    void nanosecondPointsKeepEveryDigit() {
        long t = 1_714_780_800_123_456_789L;
        writes.writePoint(BUCKET, ORG, Point.measurement("w_ns").addTag("site", "S001")
                .addField("scans", 1L).time(t, WritePrecision.NS));
        writes.writeRecord(BUCKET, ORG, WritePrecision.NS, "w_ns,site=S002 scans=2i " + (t + 1));

        List<Map<String, Object>> rows = influx.query("SELECT scans, site FROM w_ns ORDER BY time", "ns");
        assertEquals(2, rows.size());
        assertEquals(t, rows.get(0).get("time"));
        assertEquals(t + 1, rows.get(1).get("time"));
        assertEquals("S002", rows.get(1).get("site"));
        // epoch=ms (the default) truncates.
        assertEquals(t / 1_000_000, influx.query("SELECT scans FROM w_ns WHERE site = 'S001'").get(0).get("time"));
    }

    @Test
    void microsecondPrecisionIsMappedNotMisread() {
        long t = 1_714_780_800_123_456L;
        writes.writePoint(BUCKET, ORG, Point.measurement("w_us").addField("v", 3L).time(t, WritePrecision.US));
        writes.writeRecord(BUCKET, ORG, WritePrecision.US, "w_us v=4i " + (t + 1));

        List<Map<String, Object>> rows = influx.query("SELECT v FROM w_us ORDER BY time", "u");
        assertEquals(2, rows.size());
        assertEquals(t, rows.get(0).get("time"));
        assertEquals(t + 1, rows.get(1).get("time"));
        assertEquals(t * 1000, influx.query("SELECT v FROM w_us ORDER BY time", "ns").get(0).get("time"));
    }

    @Test
    void secondPrecisionAndRetentionPolicyInBucket() {
        long t = 1_714_780_800L;
        writes.writeRecord("sweep/autogen", ORG, WritePrecision.S, "w_s v=5i " + t);
        assertEquals(t * 1000, influx.query("SELECT v FROM autogen.w_s").get(0).get("time"));
    }

    @Test
    void gzipWritesPassThrough() throws IOException, InterruptedException {
        try (InfluxDBClient gzipClient = InfluxDBClientFactory.create(influx.url(), "test".toCharArray(), ORG, BUCKET)) {
            gzipClient.enableGzip();
            long gzipBefore = influx.gzipWriteCount();
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                lines.add("w_gzip,site=S" + (i % 10) + " scans=" + i + "i " + (1_714_780_800_000L + i));
            }
            gzipClient.getWriteApiBlocking().writeRecords(BUCKET, ORG, WritePrecision.MS, lines);
            assertTrue(influx.gzipWriteCount() > gzipBefore, "the client sent gzip");
        }
        assertEquals(500, influx.count("SELECT count(scans) FROM w_gzip"));
        assertEquals(499L * 500 / 2, influx.count("SELECT sum(scans) FROM w_gzip"));

        // A body that claims gzip but is not: influxd's error comes back as a 2.x error.
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(
                        URI.create(influx.url() + "/api/v2/write?org=sweep&bucket=sweep&precision=ms"))
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofString("w_gzip v=1i 1"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("\"code\":\"invalid\""), bad.body());

        // Raw gzip with ns precision by default (no precision parameter).
        HttpResponse<String> raw = http.send(HttpRequest.newBuilder(
                        URI.create(influx.url() + "/api/v2/write?org=sweep&bucket=sweep"))
                .header("Content-Encoding", "gzip")
                .header("Authorization", "Token whatever")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip("w_gzip_raw v=1i 1714780800000000001\n")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, raw.statusCode(), raw.body());
        assertEquals(1_714_780_800_000_000_001L, influx.query("SELECT v FROM w_gzip_raw", "ns").get(0).get("time"));
    }

    @Test
    void writingTheSamePointAgainOverwritesIt() {
        long t = 1_714_780_860_000L;
        writes.writeRecord(BUCKET, ORG, WritePrecision.MS, "w_dup,township=A,site=S1 scans=1i,persons=1i " + t);
        writes.writeRecord(BUCKET, ORG, WritePrecision.MS, "w_dup,township=A,site=S1 scans=9i,persons=8i " + t);
        writes.writeRecord(BUCKET, ORG, WritePrecision.MS, "w_dup,township=A,site=S2 scans=5i,persons=5i " + t);

        assertEquals(2, influx.count("SELECT count(scans) FROM w_dup"));
        List<Map<String, Object>> s1 = influx.query("SELECT scans, persons FROM w_dup WHERE site = 'S1'");
        assertEquals(1, s1.size());
        assertEquals(t, s1.get(0).get("time"));
        assertEquals(9L, s1.get(0).get("scans"));
        assertEquals(8L, s1.get(0).get("persons"));
    }

    @Test
    void influxdErrorsReachTheClient() throws IOException, InterruptedException {
        BadRequestException parse = assertThrows(BadRequestException.class,
                () -> writes.writeRecord(BUCKET, ORG, WritePrecision.MS, "w_err v=notanumber 1"));
        assertTrue(parse.getMessage().contains("unable to parse"), parse.getMessage());

        writes.writeRecord(BUCKET, ORG, WritePrecision.MS, "w_err v=1i 1714780800000");
        BadRequestException conflict = assertThrows(BadRequestException.class,
                () -> writes.writeRecord(BUCKET, ORG, WritePrecision.MS, "w_err v=\"text\" 1714780800001"));
        assertTrue(conflict.getMessage().contains("field type conflict"), conflict.getMessage());

        NotFoundException noDb = assertThrows(NotFoundException.class,
                () -> writes.writeRecord("nope", ORG, WritePrecision.MS, "w_err v=1i 1"));
        assertTrue(noDb.getMessage().contains("database not found"), noDb.getMessage());
        assertEquals("not found", noDb.errorBody().get("code"));

        InfluxServer.QueryException bad = assertThrows(InfluxServer.QueryException.class,
                () -> influx.query("SELEKT nothing"));
        assertTrue(bad.getMessage().contains("error parsing query"), bad.getMessage());
        HttpResponse<String> precision = post("/api/v2/write?bucket=sweep&precision=h", "w_err v=1i 1");
        assertEquals(400, precision.statusCode());
        assertTrue(precision.body().contains("invalid precision"), precision.body());
        assertEquals(404, post("/api/v2/write?org=sweep", "w_err v=1i 1").statusCode());
    }

    @Test
    void pingHealthAndInfluxQlThroughTheSameUrl() throws IOException, InterruptedException {
        assertTrue(client.ping());
        assertTrue(client.version().startsWith("1.6"), client.version());

        HttpResponse<String> health = get("/health");
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"status\":\"pass\""), health.body());

        HttpResponse<String> databases = get("/query?q=" + URLEncoder.encode("SHOW DATABASES", StandardCharsets.UTF_8));
        assertEquals(200, databases.statusCode());
        assertTrue(databases.body().contains("\"sweep\""), databases.body());

        assertEquals(404, get("/api/v2/query").statusCode());
        assertEquals("sweep", influx.database());
        assertTrue(influx.url().matches("http://127\\.0\\.0\\.1:\\d+"), influx.url());
    }

    @Test
    void queryOfNothingIsEmpty() {
        assertTrue(influx.query("SELECT * FROM never_written").isEmpty());
        assertEquals(0, influx.count("SELECT count(v) FROM never_written"));
        writes.writeRecords(BUCKET, ORG, WritePrecision.S, List.of("w_multi v=1i 1714780800", "w_multi v=2i 1714780801"));
        assertThrows(InfluxServer.QueryException.class, () -> influx.count("SELECT v FROM w_multi"));
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(influx.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(influx.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
