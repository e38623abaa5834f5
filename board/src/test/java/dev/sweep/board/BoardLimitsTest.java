package dev.sweep.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The board's limits under load, on loopback: 200 browsers opening the event stream at once get at most
 * the cap (the rest a 503), and 400 clients that send half a request and stall hold a bounded number of threads,
 * are cut off, and leave the board answering. The board runs without Kafka (it says "connecting"): its HTTP
 * side is what is under test.
 */
@Tag("e2e")
class BoardLimitsTest {
    static final int CROWD = 200;
    static final int SLOW = 400;

    /** The board's request threads (the test's own clients run in this JVM too). */
    static int threads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("board-http-")).count();
    }

    /** Opens a connection and sends {@code request}; null when the board refused the connection. */
    static Socket open(URI url, String request) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5_000);
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return s;
        } catch (IOException e) {
            return null;
        }
    }

    /** The status code of the answer's first line, or -1 when the connection was closed without one. */
    static int status(Socket s) {
        try {
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                if (s != null) {
                    s.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Test
    void twoHundredBrowsersAtOnceGetNoMoreThanTheCap() throws Exception {
        try (CoverageBoard board = CoverageBoard.start(BoardOptions.of("127.0.0.1:1").withPort(0))) {
            int before = threads();
            ExecutorService crowd = Executors.newFixedThreadPool(CROWD);
            List<Socket> sockets = new ArrayList<>();
            try {
                List<Future<Socket>> opened = new ArrayList<>();
                for (int i = 0; i < CROWD; i++) {
                    opened.add(crowd.submit(() -> open(board.url(), "GET /events HTTP/1.1\r\nHost: board\r\n\r\n")));
                }
                for (Future<Socket> f : opened) {
                    sockets.add(f.get());
                }
                List<Future<Integer>> statuses = new ArrayList<>();
                for (Socket s : sockets) {
                    statuses.add(crowd.submit(() -> s == null ? -1 : status(s)));
                }
                int admitted = 0;
                int refused = 0;
                for (Future<Integer> f : statuses) {
                    int code = f.get();
                    admitted += code == 200 ? 1 : 0;
                    refused += code == 503 ? 1 : 0;
                }
                int during = threads();
                System.out.printf("board limits: %d of %d browsers admitted (cap %d), %d refused with 503, %d without an answer;"
                        + " request threads %d -> %d%n", admitted, CROWD, 64, refused, CROWD - admitted - refused, before, during);
                assertEquals(64, admitted, "the cap, exactly: everyone else is refused");
                assertTrue(refused > 0);
                assertEquals(64, board.browsers());
                assertTrue(during <= 80, "request threads " + before + " -> " + during);
            } finally {
                closeAll(sockets);
                crowd.shutdownNow();
            }
        }
    }

    @Test
    void slowPartialRequestsHoldBoundedThreadsAndAreCutOff() throws Exception {
        try (CoverageBoard board = CoverageBoard.start(BoardOptions.of("127.0.0.1:1").withPort(0))) {
            HttpClient http = HttpClient.newHttpClient();
            int before = threads();
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < SLOW; i++) {
                    slow.add(open(board.url(), "GET /api/summary HTTP/1.1\r\nHost: board\r\nX-Slow: ")); // and no more
                }
                Thread.sleep(2_000);
                int during = threads();
                long connected = slow.stream().filter(s -> s != null).count();
                int all = ManagementFactory.getThreadMXBean().getThreadCount();
                System.out.printf("board limits: %d slow partial requests (%d connected): request threads %d -> %d (JVM %d)%n",
                        SLOW, connected, before, during, all);
                assertTrue(during <= 80, "request threads " + before + " -> " + during);

                // Cut off by the request deadline (10 s, checked every second): every connection is closed by the board.
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                int closed = 0;
                for (Socket s : slow) {
                    if (s == null) {
                        closed++;
                        continue;
                    }
                    s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                    closed += status(s) == -1 ? 1 : 0;
                }
                assertEquals(SLOW, closed, "every slow request cut off");
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(board.url().resolve("/api/summary"))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), "the board still answers");
                assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElseThrow());
                assertTrue(r.headers().firstValue("Content-Security-Policy").orElseThrow().contains("frame-ancestors 'none'"));
            } finally {
                closeAll(slow);
            }
        }
    }
}
