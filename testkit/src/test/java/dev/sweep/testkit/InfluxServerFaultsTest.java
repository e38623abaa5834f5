package dev.sweep.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.InfluxException;
import com.influxdb.exceptions.InternalServerErrorException;
import com.influxdb.exceptions.ServiceUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Fault injection and lifecycle: each test owns its influxd. */
class InfluxServerFaultsTest {

    private static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void stopAndStartAgainKeepTheDataAndTheUrl() throws Exception {
        try (InfluxServer influx = InfluxServer.start();
                InfluxDBClient client = client(influx)) {
            WriteApiBlocking writes = client.getWriteApiBlocking();
            writes.writeRecord("sweep", "sweep", WritePrecision.MS, "f_restart,site=S1 v=1i 1714780800000");
            writes.writeRecord("sweep", "sweep", WritePrecision.MS, "f_restart,site=S1 v=2i 1714780860000");
            String url = influx.url();
            long pidBefore = influx.pid();
            long reached = influx.writeCount();

            influx.stop();
            assertFalse(influx.isRunning());
            assertFalse(ProcessHandle.of(pidBefore).map(ProcessHandle::isAlive).orElse(false));
            ServiceUnavailableException down = assertThrows(ServiceUnavailableException.class,
                    () -> writes.writeRecord("sweep", "sweep", WritePrecision.MS, "f_restart,site=S1 v=3i 1714780920000"));
            assertNull(down.headers().get("Retry-After"));
            assertEquals(reached, influx.writeCount(), "nothing reached influxd while it was down");
            assertFalse(client.ping());
            assertEquals(503, get(influx, "/health").statusCode());
            assertThrows(IllegalStateException.class, () -> influx.query("SELECT * FROM f_restart"));

            influx.startAgain();
            assertTrue(influx.isRunning());
            assertEquals(url, influx.url());
            assertTrue(client.ping());
            assertEquals(2, influx.count("SELECT count(v) FROM f_restart"));
            writes.writeRecord("sweep", "sweep", WritePrecision.MS, "f_restart,site=S1 v=3i 1714780920000");
            assertEquals(3, influx.count("SELECT count(v) FROM f_restart"));
            assertEquals(6, influx.count("SELECT sum(v) FROM f_restart"));
            assertEquals(reached + 1, influx.writeCount());
        }
    }

    @Test
    void failNextWritesIsWhatTheClientSees() throws Exception {
        try (InfluxServer influx = InfluxServer.start();
                InfluxDBClient client = client(influx)) {
            WriteApiBlocking writes = client.getWriteApiBlocking();
            String line = "f_fail v=1i 1714780800000";

            influx.failNextWrites(1, 429);
            InfluxException throttled = assertThrows(InfluxException.class,
                    () -> writes.writeRecord("sweep", "sweep", WritePrecision.MS, line));
            assertEquals(429, throttled.status());
            assertEquals("1", throttled.headers().get("Retry-After"));
            assertEquals(0, influx.writeCount());
            writes.writeRecord("sweep", "sweep", WritePrecision.MS, line);
            assertEquals(1, influx.writeCount());

            influx.failNextWrites(2, 500);
            assertThrows(InternalServerErrorException.class,
                    () -> writes.writeRecord("sweep", "sweep", WritePrecision.MS, "f_fail v=2i 1714780800001"));
            assertThrows(InternalServerErrorException.class,
                    () -> writes.writeRecord("sweep", "sweep", WritePrecision.MS, "f_fail v=2i 1714780800001"));
            writes.writeRecord("sweep", "sweep", WritePrecision.MS, "f_fail v=2i 1714780800001");

            influx.failNextWrites(1, 503);
            ServiceUnavailableException unavailable = assertThrows(ServiceUnavailableException.class,
                    () -> writes.writeRecord("sweep", "sweep", WritePrecision.MS, line));
            assertNull(unavailable.headers().get("Retry-After"));

            influx.failNextWrites(1, 503, 7);
            ServiceUnavailableException later = assertThrows(ServiceUnavailableException.class,
                    () -> writes.writeRecord("sweep", "sweep", WritePrecision.MS, line));
            assertEquals("7", later.headers().get("Retry-After"));

            assertEquals(2, influx.writeCount());
            assertEquals(7, influx.writeRequests());
            assertEquals(2, influx.count("SELECT count(v) FROM f_fail"));
        }
    }

    @Test
    void twoServersAtOnceAreIndependentAndCloseLeavesNothing() throws Exception {
        // A temp dir left by a JVM that was killed is removed by the next start.
        Path stale = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "sweep-influxd-stale-test"));
        Files.writeString(stale.resolve("owner.pid"), "2147483646");
        InfluxServer a = InfluxServer.start();
        assertFalse(Files.exists(stale), "stale temp dir deleted");
        InfluxServer b = InfluxServer.start();
        long pidA = a.pid();
        Path dirA = a.dir();
        try (a; b; InfluxDBClient ca = client(a)) {
            assertNotEquals(a.url(), b.url());
            assertNotEquals(dirA, b.dir());
            ca.getWriteApiBlocking().writeRecord("sweep", "sweep", WritePrecision.MS, "f_two v=1i 1714780800000");
            assertEquals(1, a.count("SELECT count(v) FROM f_two"));
            assertEquals(0, b.count("SELECT count(v) FROM f_two"));
            assertTrue(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false));
            assertTrue(Files.isDirectory(dirA));
        }
        assertFalse(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false), "influxd is gone");
        assertFalse(Files.exists(dirA), "temp dir is gone");
        assertThrows(ConnectException.class, () -> get(a, "/ping"), "the adapter is closed");
        a.close(); // idempotent
    }

    @Test
    void startAgainMovesToAnotherPortWhenItsOwnIsTaken() throws Exception {
        try (InfluxServer influx = InfluxServer.start();
                InfluxDBClient client = client(influx)) {
            client.getWriteApiBlocking().writeRecord("sweep", "sweep", WritePrecision.MS, "f_port v=1i 1714780800000");
            String url = influx.url();
            int port = influx.influxdPort();
            influx.stop();
            try (ServerSocket squatter = new ServerSocket()) {
                squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                influx.startAgain();
            }
            assertNotEquals(port, influx.influxdPort());
            assertEquals(url, influx.url());
            assertEquals(1, influx.count("SELECT count(v) FROM f_port"));
            client.getWriteApiBlocking().writeRecord("sweep", "sweep", WritePrecision.MS, "f_port v=2i 1714780800001");
            assertEquals(2, influx.count("SELECT count(v) FROM f_port"));
        }
    }

    @Test
    void influxdSurvivesTheThreadThatStartedIt() throws Exception {
        AtomicReference<InfluxServer> started = new AtomicReference<>();
        Thread starter = new Thread(() -> started.set(InfluxServer.start()), "short-lived");
        starter.start();
        starter.join();
        try (InfluxServer influx = started.get()) {
            Thread.sleep(300);
            assertTrue(influx.isRunning());
            assertEquals(204, get(influx, "/ping").statusCode());
        }
    }

    private static InfluxDBClient client(InfluxServer influx) {
        return InfluxDBClientFactory.create(influx.url(), "test".toCharArray(), "sweep", "sweep");
    }

    private static HttpResponse<String> get(InfluxServer influx, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(influx.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
