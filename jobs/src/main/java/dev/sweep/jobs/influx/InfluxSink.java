package dev.sweep.jobs.influx;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes line protocol to InfluxDB's v2 write API (gzip), on Flink's async sink base: batches by size and
 * time, backpressure when InfluxDB falls behind, and a task thread that never waits on the network. One
 * request is in flight at a time, so a newer version of a point can never land before an older one that
 * is being retried (the latest minute must win). A failed write is retried with backoff, honouring
 * Retry-After, for {@link Target#retryFor()}; after that, or on a 4xx refusal, the job fails loudly with
 * InfluxDB's message and restarts from its last checkpoint: nothing is dropped silently. Each checkpoint
 * waits until everything before its barrier is written and acknowledged, so a completed checkpoint means
 * InfluxDB has it; points are idempotent, so a restart from it is effectively exactly-once.
 */
public final class InfluxSink extends AsyncSinkBase<String, String> {
    private static final long serialVersionUID = 1L;

    /** Where and how to write; the token is read from the environment where the writer runs. */
    public record Target(String url, String org, String bucket, String tokenVariable, int batchSize,
                         Duration flushEvery, Duration retryFor) implements Serializable {
        public static Target of(String url, String org, String bucket) {
            return new Target(url, org, bucket, "INFLUX_TOKEN", 5_000, Duration.ofSeconds(1), Duration.ofMinutes(2));
        }

        public Target flushingEvery(Duration every) {
            return new Target(url, org, bucket, tokenVariable, batchSize, every, retryFor);
        }

        public Target retryingFor(Duration retry) {
            return new Target(url, org, bucket, tokenVariable, batchSize, flushEvery, retry);
        }
    }

    /** A point larger than this is refused (a line of an alert with its messages is well under 4 KiB). */
    static final long MAX_POINT_BYTES = 256 * 1024;

    private final Target target;

    public InfluxSink(Target target) {
        super((ElementConverter<String, String>) (line, context) -> line, target.batchSize(), 1,
                target.batchSize() * 10, 8L * 1024 * 1024, target.flushEvery().toMillis(), MAX_POINT_BYTES,
                target.retryFor().plusSeconds(30).toMillis(), true);
        this.target = target;
    }

    @Override
    public StatefulSinkWriter<String, BufferedRequestState<String>> createWriter(WriterInitContext context) {
        return new Writer(this, context, List.of());
    }

    @Override
    public StatefulSinkWriter<String, BufferedRequestState<String>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<String>> recovered) {
        return new Writer(this, context, recovered);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<String>> getWriterStateSerializer() {
        return new AsyncSinkWriterStateSerializer<>() {
            @Override
            protected void serializeRequestToStream(String line, DataOutputStream out) throws IOException {
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                out.writeInt(bytes.length);
                out.write(bytes);
            }

            @Override
            protected String deserializeRequestFromStream(long size, DataInputStream in) throws IOException {
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }

            @Override
            public int getVersion() {
                return 1;
            }
        };
    }

    /** One subtask's writer. State: what Flink's base buffers, and the pending retry of the request in flight. */
    static final class Writer extends AsyncSinkWriter<String, String> {
        private static final Logger LOG = LoggerFactory.getLogger(InfluxSink.class);
        private static final long FIRST_BACKOFF_MS = 250;
        private static final long MAX_BACKOFF_MS = 10_000;

        private final Target target;
        private final URI writeUri;
        private final String authorization;
        private final HttpClient http;
        private final ScheduledExecutorService retries;
        private final Counter written;
        private final Counter retried;

        Writer(InfluxSink sink, WriterInitContext context, Collection<BufferedRequestState<String>> recovered) {
            super(sink.getElementConverter(), context, AsyncSinkWriterConfiguration.builder()
                    .setMaxBatchSize(sink.getMaxBatchSize())
                    .setMaxBatchSizeInBytes(sink.getMaxBatchSizeInBytes())
                    .setMaxInFlightRequests(sink.getMaxInFlightRequests())
                    .setMaxBufferedRequests(sink.getMaxBufferedRequests())
                    .setMaxTimeInBufferMS(sink.getMaxTimeInBufferMS())
                    .setMaxRecordSizeInBytes(sink.getMaxRecordSizeInBytes())
                    .setRequestTimeoutMS(sink.getRequestTimeoutMS())
                    .setFailOnTimeout(sink.getFailOnTimeout())
                    .build(), recovered);
            this.target = sink.target;
            String token = System.getenv(target.tokenVariable());
            this.authorization = token == null ? null : "Token " + token;
            this.writeUri = URI.create(target.url().replaceAll("/+$", "") + "/api/v2/write?org=" + enc(target.org())
                    + "&bucket=" + enc(target.bucket()) + "&precision=ms");
            this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "influx-sink-retry");
                t.setDaemon(true);
                return t;
            });
            this.written = context.metricGroup().counter("influx_points_written");
            this.retried = context.metricGroup().counter("influx_write_retries");
            LOG.info("writing to InfluxDB at {} (org {}, bucket {}); token from ${}{}", target.url(), target.org(),
                    target.bucket(), target.tokenVariable(), token == null ? " (not set)" : "");
        }

        @Override
        protected void submitRequestEntries(List<String> lines, ResultHandler<String> result) {
            byte[] body = gzip(lines);
            attempt(body, lines.size(), result, System.nanoTime() + target.retryFor().toNanos(), FIRST_BACKOFF_MS, 1);
        }

        /** One HTTP attempt; its outcome completes the request, or schedules the next attempt. */
        private void attempt(byte[] body, int points, ResultHandler<String> result, long deadline, long backoff,
                             int attempt) {
            HttpRequest.Builder request = HttpRequest.newBuilder(writeUri)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            CompletableFuture<HttpResponse<String>> response =
                    http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
            response.whenComplete((r, error) -> {
                int status = r == null ? 0 : r.statusCode();
                if (error == null && status / 100 == 2) {
                    written.inc(points);
                    result.complete();
                    return;
                }
                String why = error != null ? error.toString() : "HTTP " + status + ": " + brief(r.body());
                boolean retryable = error != null || status == 429 || status >= 500;
                if (!retryable) {
                    result.completeExceptionally(new IOException("InfluxDB at " + target.url() + " refused a write of "
                            + points + " points (" + why + ")"));
                    return;
                }
                long wait = r == null ? backoff : retryAfterMillis(r, backoff);
                if (System.nanoTime() + wait * 1_000_000 > deadline) {
                    result.completeExceptionally(new IOException("InfluxDB at " + target.url() + " did not take a write of "
                            + points + " points after " + attempt + " attempts over " + target.retryFor().toSeconds()
                            + " s; last error " + why));
                    return;
                }
                retried.inc();
                LOG.warn("InfluxDB write of {} points failed ({}); retry {} in {} ms", points, why, attempt, wait);
                retries.schedule(() -> attempt(body, points, result, deadline, Math.min(MAX_BACKOFF_MS, backoff * 2),
                        attempt + 1), wait, TimeUnit.MILLISECONDS);
            });
        }

        @Override
        protected long getSizeInBytes(String line) {
            return line.length();
        }

        /** At every checkpoint, not only at the end: everything before the barrier is in InfluxDB. */
        @Override
        public void flush(boolean endOfInput) throws InterruptedException {
            super.flush(true);
        }

        @Override
        public void close() {
            retries.shutdownNow();
            super.close();
        }

        private static long retryAfterMillis(HttpResponse<?> r, long backoff) {
            return r.headers().firstValue("Retry-After").map(v -> {
                try {
                    return Math.max(0, Long.parseLong(v.trim()) * 1000);
                } catch (NumberFormatException e) {
                    return backoff; // an HTTP date: our own backoff instead
                }
            }).orElse(backoff);
        }

        private static byte[] gzip(List<String> lines) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(lines.size() * 40);
            try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 64 * 1024)) {
                for (String line : lines) {
                    gz.write(line.getBytes(StandardCharsets.UTF_8));
                    gz.write('\n');
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        private static String brief(String body) {
            String b = body == null ? "" : body.strip();
            return b.length() > 300 ? b.substring(0, 300) + "…" : b;
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
