package dev.sweep.gateway;

import dev.sweep.campaign.Scenario;
import dev.sweep.gateway.stations.Outgoing;
import dev.sweep.gateway.stations.StationCredentials.Credential;
import dev.sweep.gateway.stations.StationsViaGateway;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The gateway's figure for the sizing table, measured by hand until {@code ./sweep bench} reports it (a measurement,
 * never a test): N stations at once post the first R records of the Neixiang replay through a gateway into the secure
 * broker, as fast as they are answered (speed 0) or at {@code speed} times event time (their latency under a steady
 * load). Arguments: stations (1000), records (100000), speed (0).
 */
public final class GatewayFigure {
    private GatewayFigure() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        double speed = args.length > 2 ? Double.parseDouble(args[2]) : 0;
        Scenario neixiang = Scenario.load("neixiang");
        List<dev.sweep.producers.simulator.Emission> replay = new CampaignSimulator(neixiang, 7, Set.of(), 0,
                CampaignSimulator.DRILL_STATION_KEY).run().emissions().subList(0, records);
        long[] at = dev.sweep.producers.simulator.StationFeed.replayTimes(replay);
        List<Outgoing> out = new java.util.ArrayList<>();
        for (int i = 0; i < replay.size(); i++) {
            var e = replay.get(i);
            out.add(new Outgoing(e.topic(), e.key(), e.value(), speed > 0 ? (long) (at[i] / speed) : 0));
        }
        try (SecureRig rig = new SecureRig("gateway-figure")) {
            Path file = rig.dir.resolve("stations.txt");
            List<String> sites = neixiang.sites().stream().map(s -> s.id()).toList();
            String[] pairs = new String[2 * n];
            for (int i = 0; i < n; i++) {
                pairs[2 * i] = sites.get(i % sites.size()) + "-" + (i / sites.size() + 1);
                pairs[2 * i + 1] = sites.get(i % sites.size());
            }
            List<Credential> stations = rig.issue(file, pairs);
            try (StationGateway gateway = StationGateway.start(rig.options(file).withLimits(500, 1 << 20, 1000, 1000))) {
                StationsViaGateway.Result r = StationsViaGateway.run(gateway.url(), rig.stationTrust, stations, out,
                        GatewayOptions.MAX_RECORDS, Duration.ofSeconds(120), Duration.ofMinutes(20));
                System.out.printf("gateway figure (speed " + speed + "): %d stations, %,d records (%,d scans) in %.1f s: %,.0f scans/s accepted; "
                                + "%,d requests (%d posted again); request latency p50 %.0f ms, p99 %.0f ms; on an open connection p50 %.0f ms, p99 %.0f ms%n", n,
                        out.size(), r.accepted().getOrDefault(Topics.SCANS, 0L), r.seconds(), r.scansPerSecond(), r.requests(),
                        r.reposts(), r.latencyPercentile(50), r.latencyPercentile(99), r.connectedLatencyPercentile(50),
                        r.connectedLatencyPercentile(99));
            }
        }
    }
}
