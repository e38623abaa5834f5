package dev.sweep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sweep.board.BoardOptions;
import dev.sweep.board.CoverageBoard;
import dev.sweep.board.web.Summary;
import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.hooks.AlertHooks;
import dev.sweep.hooks.HookOptions;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.StationFeed;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything on one machine, in this process: a Kafka broker, the coverage job on a local
 * MiniCluster, the alert hooks paging a receiver that prints each page, the live board, and the
 * simulator replaying the campaign with drills. Ctrl-C stops it all, newest part first.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Everything on one machine: Kafka, the coverage job, the alert hooks, the live board, and the "
                + "simulator replaying the campaign at 60x with every drill.",
                "Open the board's URL; Ctrl-C stops everything. With --influx-url the job also writes to InfluxDB "
                        + "(token from INFLUX_TOKEN)."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "The board's port on 127.0.0.1 (0: any free port). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--speed", defaultValue = "60", description = "Replay speed (60 replays an hour a minute). Default: ${DEFAULT-VALUE}.")
    double speed;

    @Option(names = "--scenario", defaultValue = "neixiang", description = "The campaign to replay. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--seed", defaultValue = "7", description = "The simulator's seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--drill", defaultValue = "all", split = ",", description = "Drills to stage (comma-separated, or all; none for a clean replay). Default: ${DEFAULT-VALUE}.")
    List<String> drills;

    @Option(names = "--influx-url", description = "Also write the time series to this InfluxDB (2.x, or 1.8+).")
    String influxUrl;

    @Option(names = "--influx-org", defaultValue = "sweep", description = "InfluxDB organisation. Default: ${DEFAULT-VALUE}.")
    String influxOrg;

    @Option(names = "--influx-bucket", defaultValue = "sweep", description = "InfluxDB bucket. Default: ${DEFAULT-VALUE}.")
    String influxBucket;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final List<AutoCloseable> running = new ArrayList<>();
    private final AtomicInteger pages = new AtomicInteger();

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port: " + port + " is not a port number");
        }
        if (!(speed > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--speed: must be positive");
        }
        Scenario sc;
        try {
            sc = Scenario.load(scenario);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: " + e.getMessage());
        }
        var drillSet = drills.equals(List.of("none")) ? java.util.Set.<Drill>of() : parseDrills();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            stopAll();
            stopped.countDown();
        }, "demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper);

        PrintStream out = System.out;
        LocalKafka kafka = started(LocalKafka.start());
        out.println("demo: Kafka on " + kafka.bootstrapServers());

        CoverageBoard board = started(CoverageBoard.start(BoardOptions.of(kafka.bootstrapServers())
                .withPort(port).withScenario(sc)));
        out.println("demo: the board is on " + board.url() + "  (open it in a browser)");

        JobClient job = startJob(kafka.bootstrapServers(), sc);
        running.add(() -> job.cancel().get());
        out.println("demo: coverage job running on a local MiniCluster"
                + (influxUrl == null ? "" : ", writing to " + influxUrl));

        HttpServer receiver = pageReceiver(sc);
        running.add(() -> receiver.stop(0));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString(key);
        // The console receiver is on loopback in this process: a risky target meant as such.
        Routes routes = Routes.parse(demoRoutes(receiver), "demo routes", Map.of("SWEEP_DEMO_SECRET", secret), sc,
                Routes.RiskyTargets.ALLOW);
        started(AlertHooks.start(kafka.bootstrapServers(), routes,
                HookOptions.defaults().withGroup("sweep-demo-hooks").withBatchWindow(Duration.ofSeconds(5))));
        out.println("demo: alert hooks paging the county desk, printed here as they arrive");

        CampaignSimulator.Replay replay =
                new CampaignSimulator(sc, seed, drillSet, 0, CampaignSimulator.DRILL_STATION_KEY).run();
        out.printf("demo: replaying %s (seed %d, drills %s) at %.0fx: %,d people, %,d records%n", sc.name(), seed,
                drillSet.isEmpty() ? "none" : replay.ledger().drills(), speed, replay.ledger().county().persons(),
                replay.emissions().size());
        Thread feed = new Thread(() -> {
            try (StationFeed stations = new StationFeed(kafka.bootstrapServers())) {
                stations.send(replay.emissions(), speed, null, sc.population(), sc.zone());
                out.println("\ndemo: the replay is over; the board stays up until Ctrl-C");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                out.println("\ndemo: the replay stopped: " + e.getMessage());
            }
        }, "demo-feed");
        feed.setDaemon(true);
        feed.start();

        boolean terminal = System.console() != null;
        while (!stopped.await(terminal ? 1 : 15, java.util.concurrent.TimeUnit.SECONDS)) {
            String line = status(board);
            out.print(terminal ? "\r" + line + "   " : line + System.lineSeparator());
            out.flush();
        }
        return 0;
    }

    private java.util.Set<Drill> parseDrills() {
        try {
            return Drill.parse(drills);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--drill: " + e.getMessage());
        }
    }

    private JobClient startJob(String bootstrap, Scenario sc) throws Exception {
        CoverageOptions o;
        try {
            o = CoverageOptions.on(bootstrap, sc).group("sweep-demo").from(CoverageOptions.StartFrom.EARLIEST)
                    .influx(influxUrl, influxOrg, influxBucket).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return CoverageJob.local(o).executeAsync("sweep " + CoverageJob.NAME + " (demo)");
    }

    /** Every alert to one signed webhook at the county desk: the receiver below. */
    private static String demoRoutes(HttpServer receiver) {
        return "county:\n"
                + "  leads:\n"
                + "    - name: demo county desk\n"
                + "      channels:\n"
                + "        - kind: webhook\n"
                + "          id: demo.console\n"
                + "          url: http://127.0.0.1:" + receiver.getAddress().getPort() + "/pages\n"
                + "          secretEnv: SWEEP_DEMO_SECRET\n"
                + "townships: {}\n";
    }

    /** Stands in for the leads' phones: prints the text of each page it is sent. */
    private HttpServer pageReceiver(Scenario sc) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ObjectMapper json = new ObjectMapper();
        server.createContext("/pages", exchange -> {
            try (exchange) {
                JsonNode page = json.readTree(exchange.getRequestBody());
                int n = pages.incrementAndGet();
                System.out.println("\npage " + n + " (" + page.path("alerts").size() + " alerts):\n  "
                        + page.path("text").asText().replace("\n", "\n  "));
                exchange.sendResponseHeaders(204, -1);
            } catch (RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
            }
        });
        server.start();
        return server;
    }

    private String status(CoverageBoard board) {
        Summary s = board.summary();
        int active = board.view().alerts() == null ? 0 : board.view().alerts().active().size();
        return String.format("demo: %s · clock %s · sampled %,d of %,d (%.1f%%) · %d alerts active · %d pages",
                s.status(), s.clock() == null ? "-" : s.clock(), s.county().sampled(), s.county().population(),
                100 * s.county().coverage(), active, pages.get());
    }

    private <T extends AutoCloseable> T started(T part) {
        running.add(part);
        return part;
    }

    private void stopAll() {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                System.err.println("demo: stopping: " + e.getMessage());
            }
        }
        running.clear();
        System.out.println("\ndemo: stopped");
    }
}
