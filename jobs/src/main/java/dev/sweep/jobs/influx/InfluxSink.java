package dev.sweep.jobs.influx;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.InfluxDBClientOptions;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.InfluxException;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes line protocol to InfluxDB (v2 write API, gzip), batched by size and by time. Each
 * checkpoint flushes and waits for InfluxDB's acknowledgement, so a completed checkpoint means
 * everything before it is stored; points are idempotent, so a restart from it is effectively
 * exactly-once. 429, 5xx and I/O errors are retried with backoff (honouring Retry-After) for a
 * bounded time; after that, or on a 4xx refusal, the job fails loudly with the server's message
 * and restarts from its last checkpoint: nothing is dropped silently.
 */
public final class InfluxSink implements Sink<String> {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxSink.class);

    /** Where and how to write; the token is read from the environment where the writer runs. */
    public record Target(String url, String org, String bucket, String tokenVariable, int batchSize,
                         Duration flushEvery, Duration retryFor) implements Serializable {
        public static Target of(String url, String org, String bucket) {
            return new Target(url, org, bucket, "INFLUX_TOKEN", 5_000, Duration.ofSeconds(1), Duration.ofMinutes(2));
        }

        public Target flushingEvery(Duration every) {
            return new Target(url, org, bucket, tokenVariable, batchSize, every, retryFor);
        }
    }

    private final Target target;

    public InfluxSink(Target target) {
        this.target = target;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        return new Writer(target, context);
    }

    static final class Writer implements SinkWriter<String> {
        private static final long FIRST_BACKOFF_MS = 250;
        private static final long MAX_BACKOFF_MS = 10_000;

        private final Target target;
        private final InfluxDBClient client;
        private final WriteApiBlocking writes;
        private final ProcessingTimeService time;
        private final Counter written;
        private final Counter retries;
        private final List<String> buffer = new ArrayList<>();
        private boolean timerPending;

        Writer(Target target, WriterInitContext context) {
            this.target = target;
            String token = System.getenv(target.tokenVariable());
            InfluxDBClientOptions options = InfluxDBClientOptions.builder()
                    .url(target.url())
                    .authenticateToken((token == null ? "" : token).toCharArray())
                    .org(target.org())
                    .bucket(target.bucket())
                    .build();
            this.client = InfluxDBClientFactory.create(options).enableGzip();
            this.writes = client.getWriteApiBlocking();
            this.time = context.getProcessingTimeService();
            this.written = context.metricGroup().counter("influx_points_written");
            this.retries = context.metricGroup().counter("influx_write_retries");
            LOG.info("writing to InfluxDB at {} (org {}, bucket {}); token from ${}{}", target.url(), target.org(),
                    target.bucket(), target.tokenVariable(), token == null ? " (not set)" : "");
        }

        @Override
        public void write(String line, Context context) throws IOException, InterruptedException {
            buffer.add(line);
            if (buffer.size() >= target.batchSize()) {
                writeBuffer();
            } else if (!timerPending) {
                timerPending = true;
                time.registerTimer(time.getCurrentProcessingTime() + target.flushEvery().toMillis(), t -> {
                    timerPending = false;
                    writeBuffer();
                });
            }
        }

        /** On every checkpoint (before its barrier goes on) and at end of input. */
        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writeBuffer();
        }

        private void writeBuffer() throws IOException, InterruptedException {
            for (int from = 0; from < buffer.size(); from += target.batchSize()) {
                List<String> batch = buffer.subList(from, Math.min(buffer.size(), from + target.batchSize()));
                writeWithRetries(batch);
                written.inc(batch.size());
            }
            buffer.clear();
        }

        private void writeWithRetries(List<String> batch) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + target.retryFor().toNanos();
            long backoff = FIRST_BACKOFF_MS;
            for (int attempt = 1; ; attempt++) {
                InfluxException failure;
                try {
                    writes.writeRecords(target.bucket(), target.org(), WritePrecision.MS, batch);
                    return;
                } catch (InfluxException e) {
                    failure = e;
                }
                int status = failure.status();
                boolean retryable = status == 0 || status == 429 || status >= 500;
                if (!retryable) {
                    throw new IOException("InfluxDB at " + target.url() + " refused a write of " + batch.size()
                            + " points (HTTP " + status + "): " + failure.getMessage(), failure);
                }
                long wait = retryAfterMillis(failure, backoff);
                if (System.nanoTime() + wait * 1_000_000 > deadline) {
                    throw new IOException("InfluxDB at " + target.url() + " did not take a write of " + batch.size()
                            + " points after " + attempt + " attempts over " + target.retryFor().toSeconds()
                            + " s; last error (HTTP " + status + "): " + failure.getMessage(), failure);
                }
                retries.inc();
                LOG.warn("InfluxDB write failed (HTTP {}: {}); retry {} in {} ms", status, failure.getMessage(),
                        attempt, wait);
                Thread.sleep(wait);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }

        private static long retryAfterMillis(InfluxException e, long backoff) {
            String header = e.headers() == null ? null : e.headers().entrySet().stream()
                    .filter(h -> h.getKey() != null && h.getKey().equalsIgnoreCase("Retry-After"))
                    .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
            if (header != null) {
                try {
                    return Math.max(0, Long.parseLong(header.trim()) * 1000);
                } catch (NumberFormatException ignored) {
                    // an HTTP date: fall back to our own backoff
                }
            }
            return backoff;
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
