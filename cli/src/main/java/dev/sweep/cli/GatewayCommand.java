package dev.sweep.cli;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.campaign.Site;
import dev.sweep.gateway.GatewayOptions;
import dev.sweep.gateway.StationGateway;
import dev.sweep.gateway.Stations;
import dev.sweep.gateway.Tls;
import dev.sweep.gateway.stations.StationCredentials;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true,
        subcommands = {GatewayCommand.Issue.class, GatewayCommand.Revoke.class},
        description = {"HTTPS ingest for station devices in the field: POST /v1/scans and /v1/status (JSON or application/avro "
                + "batches), each station with its own credential from the stations file, each record checked as the job checks it, "
                + "answered only once Kafka has it. GET /healthz and /metrics. Until Ctrl-C (requests under way finish first).",
                "The keystore's password comes from SWEEP_GATEWAY_KEYSTORE_PASSWORD.",
                "Credentials: sweep gateway issue (new tokens), sweep gateway revoke (take a station's out)."})
final class GatewayCommand implements Callable<Integer> {
    static final String KEYSTORE_PASSWORD = "SWEEP_GATEWAY_KEYSTORE_PASSWORD";

    @Option(names = "--bootstrap", converter = HostPort.class, description = "Kafka bootstrap servers, host:port (required).")
    String bootstrap;

    @CommandLine.Mixin
    KafkaConfigFlag kafkaConfig;

    @Option(names = "--stations", paramLabel = "FILE", description = "The stations file (required): STATION SITE sha256:HASH or cert-sha256:FINGERPRINT per line. Read again when it changes.")
    Path stations;

    @Option(names = "--keystore", paramLabel = "FILE", description = "TLS: a PKCS12 (or .jks) keystore with the gateway's key and certificate; its password from " + KEYSTORE_PASSWORD + ".")
    Path keystore;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS: the certificate chain (PEM), with --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS: the private key (unencrypted PKCS#8 PEM), with --tls-cert.")
    Path tlsKey;

    @Option(names = "--station-ca", paramLabel = "PEM", description = "Also let stations in by client certificate, issued by these CAs (their fingerprints in the stations file).")
    Path stationCa;

    @Option(names = "--scenario", defaultValue = "neixiang", description = "The campaign the records are checked against. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (0.0.0.0 for stations on the network). Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--port", defaultValue = "8443", description = "Port (0 = any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--max-records", defaultValue = "" + GatewayOptions.MAX_RECORDS, description = "Most records in one batch (more: 413). Default: ${DEFAULT-VALUE}.")
    int maxRecords;

    @Option(names = "--max-body", defaultValue = "" + GatewayOptions.MAX_BODY_BYTES, description = "Largest body in bytes (more: 413). Default: ${DEFAULT-VALUE}.")
    int maxBody;

    @Option(names = "--rate", defaultValue = "10", description = "Requests a station may make per second on average (more: 429 with Retry-After). Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--burst", defaultValue = "20", description = "Requests a station may make at once after a quiet spell. Default: ${DEFAULT-VALUE}.")
    int burst;

    @Option(names = "--threads", defaultValue = "200", description = "Requests handled at once; the rest wait their turn. Default: ${DEFAULT-VALUE}.")
    int threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Not required by picocli: `sweep gateway issue` and `revoke` go without them.
        if (bootstrap == null) {
            throw refused("--bootstrap: missing (host:port of Kafka)");
        }
        if (stations == null) {
            throw refused("--stations: missing (the stations file; sweep gateway issue makes one)");
        }
        SSLContext tls = tls();
        GatewayOptions options;
        try {
            options = GatewayOptions.of(bootstrap, kafkaConfig.load(spec), tls, stations).withStationCertificates(stationCa != null)
                    .withScenario(scenario).withAddress(bind, port).withLimits(maxRecords, maxBody, rate, burst).withThreads(threads);
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage());
        }
        StationGateway gateway;
        try {
            gateway = StationGateway.start(options);
        } catch (ScenarioException e) {
            throw refused("--scenario: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw refused("--stations: " + e.getMessage());
        } catch (BindException e) {
            throw new IOException("--port " + port + " on " + bind + ": " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        System.out.println("gateway: " + gateway.url() + " for the stations of " + stations + ", writing to Kafka at " + bootstrap
                + "; Ctrl-C stops it");
        System.out.flush();
        stopped.await();
        return 0;
    }

    private SSLContext tls() {
        try {
            if (keystore != null && tlsCert == null && tlsKey == null) {
                String pw = System.getenv(KEYSTORE_PASSWORD);
                return Tls.fromKeystore(keystore, pw == null ? null : pw.toCharArray(), stationCa);
            }
            if (keystore == null && tlsCert != null && tlsKey != null) {
                return Tls.fromPem(tlsCert, tlsKey, stationCa);
            }
        } catch (IllegalArgumentException e) {
            throw refused((keystore != null ? "--keystore: " : "--tls-cert/--tls-key: ") + e.getMessage());
        }
        throw refused("--keystore FILE, or --tls-cert PEM with --tls-key PEM: the gateway speaks HTTPS only");
    }

    private CommandLine.ParameterException refused(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Issues new station tokens: each token's SHA-256 goes into the stations file, the token itself only into "
                    + "the credentials file (owner-only) that provisions the devices. A station that already has a token keeps it until "
                    + "revoked, so a device can be moved to its new token first (rotation)."})
    static final class Issue implements Callable<Integer> {
        @Option(names = "--stations", required = true, paramLabel = "FILE", description = "The gateway's stations file (made if missing).")
        Path stations;

        @Option(names = "--credentials", required = true, paramLabel = "FILE", description = "Where the tokens go, one STATION SITE TOKEN line per device (made owner-only; added to).")
        Path credentials;

        @Option(names = "--scenario", defaultValue = "neixiang", description = "The campaign whose sites the stations belong to. Default: ${DEFAULT-VALUE}.")
        String scenario;

        @Option(names = "--site", description = "The site of the station(s) to issue for.")
        String site;

        @Option(names = "--station", description = "The station's id (with --site). Default: SITE-1.")
        String station;

        @Option(names = "--per-site", description = "Issue this many stations for every site of the campaign (SITE-1, SITE-2, ...), for a drill.")
        Integer perSite;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Scenario sc;
            try {
                sc = Scenario.load(scenario);
            } catch (ScenarioException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: " + e.getMessage());
            }
            List<String[]> wanted = new ArrayList<>();
            if (perSite != null && site == null && station == null) {
                if (perSite < 1 || perSite > 100) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--per-site: " + perSite + " is outside 1..100");
                }
                for (Site s : sc.sites()) {
                    for (int i = 1; i <= perSite; i++) {
                        wanted.add(new String[] {s.id() + "-" + i, s.id()});
                    }
                }
            } else if (perSite == null && site != null) {
                wanted.add(new String[] {station != null ? station : site + "-1", site});
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), "--site SITE [--station ID], or --per-site N");
            }
            List<StationCredentials.Credential> issued;
            try {
                issued = Stations.issue(stations, credentials, sc, wanted);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            System.out.println("gateway issue: " + issued.size() + " token(s) for " + (issued.size() == 1 ? issued.get(0) : wanted.size() + " stations")
                    + "; hashes added to " + stations + ", tokens to " + credentials + " (give each device its own line)");
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Takes a station's credentials (or all but its newest) out of the stations file; a running gateway refuses them within seconds.")
    static final class Revoke implements Callable<Integer> {
        @Option(names = "--stations", required = true, paramLabel = "FILE", description = "The gateway's stations file.")
        Path stations;

        @Option(names = "--station", required = true, description = "The station whose credentials go.")
        String station;

        @Option(names = "--keep-newest", description = "Keep its newest credential (the end of a rotation: the old token goes, the new one stays).")
        boolean keepNewest;

        @Override
        public Integer call() {
            int n = Stations.revoke(stations, station, keepNewest);
            System.out.println("gateway revoke: " + n + " credential(s) of " + station + " taken out of " + stations);
            return n > 0 ? 0 : 1;
        }
    }
}
