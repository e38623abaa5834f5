package dev.sweep.cli;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.campaign.Wave;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.CampaignStream;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.gateway.GatewayOptions;
import dev.sweep.gateway.Tls;
import dev.sweep.gateway.stations.Outgoing;
import dev.sweep.gateway.stations.StationCredentials;
import dev.sweep.gateway.stations.StationsViaGateway;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import dev.sweep.schemas.KafkaClientConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Station simulator: replays a campaign into Kafka (or through a station gateway), with drills, and writes the ledger (the truth).",
                "The stations' hash key comes from SWEEP_STATION_KEY (default: a drill key)."})
final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", converter = HostPort.class, description = "Kafka bootstrap servers, host:port (stations writing to Kafka directly).")
    String bootstrap;

    @Option(names = "--via-gateway", paramLabel = "URL", description = "Instead of Kafka: the stations post to this gateway (https://HOST:PORT/), each with its own credential from --stations, all at once.")
    URI viaGateway;

    @Option(names = "--stations", paramLabel = "FILE", description = "With --via-gateway: the stations' credentials (STATION SITE TOKEN lines, from sweep gateway issue).")
    Path stations;

    @Option(names = "--gateway-ca", paramLabel = "PEM", description = "With --via-gateway: the CA the stations trust the gateway's certificate by. Default: the JDK's CAs.")
    Path gatewayCa;

    @CommandLine.Mixin
    KafkaConfigFlag kafkaConfig;

    @Option(names = "--scenario", defaultValue = "neixiang", description = "A shipped scenario name or a directory with its files. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--speed", defaultValue = "60", description = "Replay speed: 60 replays an hour a minute; max sends as fast as the broker takes it. Default: ${DEFAULT-VALUE}.")
    String speed;

    @Option(names = "--start", defaultValue = "scenario", description = "scenario: the campaign's own dates; auto: shifted so the replay ends now; or an ISO instant at which the first wave opens. Default: ${DEFAULT-VALUE}.")
    String start;

    @Option(names = "--seed", defaultValue = "1", description = "Seed: the same seed gives the same events and ledger. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = {"--drill", "--drills"}, split = ",", paramLabel = "NAME", description = {
            "Faults to stage (repeatable, or comma-separated): site-outage, slow-site, congestion, partition, duplicates,"
                    + " bad-data, behind-plan (one area at the plan level falls behind), alert-storm (a township's"
                    + " stations cut off at once), or all (every one: each takes townships of its own, nine in all).",
            "README.md, \"Drills\", says what each does and which alert it expects."})
    List<String> drills = new ArrayList<>();

    @Option(names = "--ledger", description = "Write the ledger (JSON) here, once every record has been sent.")
    Path ledger;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        double pace = parseSpeed();
        KafkaClientConfig kafka = kafkaConfig.load(spec);
        if ((bootstrap == null) == (viaGateway == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bootstrap H:P (to Kafka) or --via-gateway URL (through a gateway), one of them");
        }
        if ((viaGateway == null) != (stations == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--via-gateway and --stations go together");
        }
        if (viaGateway != null && !"https".equals(viaGateway.getScheme())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--via-gateway: '" + viaGateway + "' is not an https:// URL");
        }
        Set<Drill> drillSet;
        try {
            drillSet = Drill.parse(drills);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--drill: " + e.getMessage());
        }
        Scenario sc;
        try {
            sc = Scenario.load(scenario);
        } catch (ScenarioException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: " + e.getMessage());
        }
        String key = System.getenv().getOrDefault("SWEEP_STATION_KEY", CampaignSimulator.DRILL_STATION_KEY);

        CampaignStream unshifted;
        try {
            unshifted = new CampaignSimulator(sc, seed, drillSet, 0, key).stream();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--drill: " + e.getMessage());
        }
        // --start auto needs the replay's length at this speed: one pass over the unshifted campaign measures
        // it (the records are generated and dropped), then the shifted one is sent.
        long shift = shiftMillis(sc, pace, unshifted);
        PrintStream progress = System.console() != null ? System.err : null;
        Ledger l;
        long sent;
        if (viaGateway != null) {
            // The gateway path posts every station's records at once: the replay is held in memory.
            CampaignSimulator.Replay replay = new CampaignSimulator(sc, seed, drillSet, shift, key).run();
            viaGateway(replay, pace);
            l = replay.ledger();
            sent = replay.emissions().size();
        } else {
            // Streamed: generated as they are sent, so a city's campaign needs no more memory than a county's.
            CampaignStream stream = shift == 0 && !start.equals("auto") ? unshifted
                    : new CampaignSimulator(sc, seed, drillSet, shift, key).stream(); // auto has spent the first
            try (StationFeed feed = new StationFeed(bootstrap, kafka)) {
                sent = feed.send(stream, pace, progress, sc.population(), sc.zone());
            }
            l = stream.ledger();
        }
        if (ledger != null) {
            l.write(ledger);
        }
        System.out.printf("simulate: %s seed %d%s: %,d scans of %,d people (coverage %.3f), %,d records sent %s%s%n",
                sc.name(), seed, drillSet.isEmpty() ? "" : " drills " + l.drills(), l.county().scans(),
                l.county().persons(), l.county().coverage(), sent, recordsText(l.records()),
                ledger == null ? "" : "; ledger " + ledger);
        return 0;
    }

    /** The replay through a gateway: every station credential a session of its own, paced like the Kafka path. */
    private void viaGateway(CampaignSimulator.Replay replay, double pace) throws InterruptedException {
        List<StationCredentials.Credential> credentials;
        try {
            credentials = StationCredentials.load(stations);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--stations: " + e.getMessage());
        }
        SSLContext trust;
        try {
            trust = gatewayCa == null ? null : Tls.trusting(gatewayCa);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gateway-ca: " + e.getMessage());
        }
        List<Emission> emissions = replay.emissions();
        long[] at = StationFeed.replayTimes(emissions);
        List<Outgoing> records = new ArrayList<>(emissions.size());
        for (int i = 0; i < emissions.size(); i++) {
            Emission e = emissions.get(i);
            records.add(new Outgoing(e.topic(), e.key(), e.value(), pace > 0 ? (long) (at[i] / pace) : 0));
        }
        StationsViaGateway.Result r = StationsViaGateway.run(viaGateway, trust, credentials, records, GatewayOptions.MAX_RECORDS,
                Duration.ofSeconds(60), Duration.ofDays(2));
        System.out.printf("simulate: %d stations through %s: accepted %s, refused %s; %,d requests (%,d posted again), "
                        + "%.1f s, %,.0f scans/s, request latency p50 %.0f ms, p99 %.0f ms%n", credentials.size(), viaGateway,
                r.accepted(), r.refused(), r.requests(), r.reposts(), r.seconds(), r.scansPerSecond(), r.latencyPercentile(50),
                r.latencyPercentile(99));
    }

    private double parseSpeed() {
        if (speed.equals("max")) {
            return 0;
        }
        try {
            double s = Double.parseDouble(speed);
            if (s > 0) {
                return s;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "--speed: '" + speed + "' is neither max nor a positive number");
    }

    private long shiftMillis(Scenario sc, double pace, CampaignStream unshifted) {
        Wave first = sc.waves().get(0);
        switch (start) {
            case "scenario":
                return 0;
            case "auto": {
                long[] lastEvent = {0};
                Iterator<Emission> measured = new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return unshifted.hasNext();
                    }

                    @Override
                    public Emission next() {
                        Emission e = unshifted.next();
                        lastEvent[0] = e.sendAt();
                        return e;
                    }
                };
                long wall = pace > 0 ? (long) (StationFeed.replayMillis(measured) / pace) : 0;
                return System.currentTimeMillis() + wall - lastEvent[0];
            }
            default:
                try {
                    return Instant.parse(start).toEpochMilli() - first.opens().toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--start: '" + start + "' is not scenario, auto or an ISO instant such as 2026-05-04T00:00:00Z");
                }
        }
    }

    private static String recordsText(Map<String, Long> records) {
        StringBuilder sb = new StringBuilder("(");
        records.forEach((topic, n) -> sb.append(sb.length() > 1 ? ", " : "").append(topic).append(' ').append(String.format("%,d", n)));
        return sb.append(')').toString();
    }
}
