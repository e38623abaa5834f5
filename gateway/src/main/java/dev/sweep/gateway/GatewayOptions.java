package dev.sweep.gateway;

import dev.sweep.schemas.Durations;
import dev.sweep.schemas.KafkaClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How a gateway runs. Immutable; start from {@link #of} and use the {@code with...} methods. Refused values
 * name the flag of {@code sweep gateway} that sets them.
 *
 * @param bootstrap       Kafka bootstrap servers
 * @param kafka           the gateway's Kafka client properties (its own principal: it may only write the inputs)
 * @param tls             the server's TLS (certificate and key; client certificates asked for when it trusts a station CA)
 * @param stationCertificates whether stations may present client certificates (the TLS context trusts their CA)
 * @param stationsFile    the stations file ({@link Stations}); read again when it changes
 * @param scenario        the campaign the records are checked against
 * @param bind            address to listen on
 * @param port            port (0: any free one)
 * @param maxRecords      most records in one batch (more: 413)
 * @param maxBodyBytes    largest body (more: 413)
 * @param ratePerSecond   requests a station may make per second, on average (more: 429 with Retry-After)
 * @param burst           requests a station may make at once after a quiet spell
 * @param threads         requests handled at once (the rest wait their turn)
 * @param ackTimeout      how long a request waits for Kafka's acknowledgement before it answers 503
 * @param drainTimeout    on close, how long requests under way may take to finish
 */
public record GatewayOptions(String bootstrap, KafkaClientConfig kafka, SSLContext tls, boolean stationCertificates,
                             Path stationsFile, String scenario, String bind, int port, int maxRecords, int maxBodyBytes,
                             double ratePerSecond, int burst, int threads, Duration ackTimeout, Duration drainTimeout) {
    /** The batch limit: two hours of a busy sampler's scans, a few seconds of a station's posting at full speed. */
    public static final int MAX_RECORDS = 500;
    /** 500 JSON scans take about 150 KB; the limit leaves room without letting a body hold a thread for long. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    public GatewayOptions {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(tls, "--tls-cert or --keystore: TLS is required");
        Objects.requireNonNull(stationsFile, "--stations: the stations file is required");
        if (bootstrap == null || !bootstrap.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
            throw new IllegalArgumentException("--bootstrap: '" + bootstrap + "' is not host:port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port: " + port + " is outside 0..65535");
        }
        if (maxRecords < 1 || maxRecords > 10_000) {
            throw new IllegalArgumentException("--max-records: " + maxRecords + " is outside 1..10000");
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 64 << 20) {
            throw new IllegalArgumentException("--max-body: " + maxBodyBytes + " bytes is outside 1 KiB..64 MiB");
        }
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("--rate: must be positive, got " + ratePerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("--burst: must be at least 1, got " + burst);
        }
        if (threads < 1 || threads > 4096) {
            throw new IllegalArgumentException("--threads: " + threads + " is outside 1..4096");
        }
        Durations.requirePositive("--ack-timeout", ackTimeout);
        Durations.requireNotNegative("--drain-timeout", drainTimeout);
    }

    /** 127.0.0.1, port 8443, neixiang, 500 records or 1 MiB a batch, 10 requests/s per station (burst 20), 200 threads. */
    public static GatewayOptions of(String bootstrap, KafkaClientConfig kafka, SSLContext tls, Path stationsFile) {
        return new GatewayOptions(bootstrap, kafka, tls, false, stationsFile, "neixiang", "127.0.0.1", 8443, MAX_RECORDS,
                MAX_BODY_BYTES, 10, 20, 200, Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    public GatewayOptions withStationCertificates(boolean on) {
        return new GatewayOptions(bootstrap, kafka, tls, on, stationsFile, scenario, bind, port, maxRecords, maxBodyBytes, ratePerSecond, burst, threads, ackTimeout, drainTimeout);
    }

    public GatewayOptions withScenario(String scenario) {
        return new GatewayOptions(bootstrap, kafka, tls, stationCertificates, stationsFile, scenario, bind, port, maxRecords, maxBodyBytes, ratePerSecond, burst, threads, ackTimeout, drainTimeout);
    }

    public GatewayOptions withAddress(String bind, int port) {
        return new GatewayOptions(bootstrap, kafka, tls, stationCertificates, stationsFile, scenario, bind, port, maxRecords, maxBodyBytes, ratePerSecond, burst, threads, ackTimeout, drainTimeout);
    }

    public GatewayOptions withLimits(int maxRecords, int maxBodyBytes, double ratePerSecond, int burst) {
        return new GatewayOptions(bootstrap, kafka, tls, stationCertificates, stationsFile, scenario, bind, port, maxRecords, maxBodyBytes, ratePerSecond, burst, threads, ackTimeout, drainTimeout);
    }

    public GatewayOptions withThreads(int threads) {
        return new GatewayOptions(bootstrap, kafka, tls, stationCertificates, stationsFile, scenario, bind, port, maxRecords, maxBodyBytes, ratePerSecond, burst, threads, ackTimeout, drainTimeout);
    }

    public GatewayOptions withTimeouts(Duration ackTimeout, Duration drainTimeout) {
        return new GatewayOptions(bootstrap, kafka, tls, stationCertificates, stationsFile, scenario, bind, port, maxRecords, maxBodyBytes, ratePerSecond, burst, threads, ackTimeout, drainTimeout);
    }
}
