package dev.sweep.cli;

import dev.sweep.board.BoardOptions;
import dev.sweep.board.CoverageBoard;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.schemas.KafkaClientConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "board", mixinStandardHelpOptions = true,
        description = {"The live coverage board for the command center's screen: the job's Kafka outputs "
                + "(coverage, site minutes, alerts, pipeline health) and the stations' heartbeats, pushed to the "
                + "browser as they arrive. Rebuilds its picture from the topics on start. Read-only; until Ctrl-C."})
final class BoardCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", required = true, converter = HostPort.class, description = "Kafka bootstrap servers, host:port.")
    String bootstrap;

    @CommandLine.Mixin
    KafkaConfigFlag kafkaConfig;

    @Option(names = "--port", defaultValue = "8080", description = "Port to serve the board on (0 = any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on; 0.0.0.0 shows the board to the whole network. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--scenario", defaultValue = "neixiang", description = "The campaign (names, populations, sites, target): a shipped scenario or a directory. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--campaign-start", description = "When the campaign's first wave opens (ISO-8601, e.g. 2026-10-20T08:00+08:00): the scenario moved in time, for a drill replayed on today's date. Heartbeats outside the campaign's window are refused as the job refuses them. Default: the scenario's own dates.")
    String campaignStart;

    @Option(names = "--login-env", paramLabel = "VAR", description = "Require a login (HTTP basic auth): the environment variable holding user:password (a password of 12 characters or more); set but empty, no login (said at start). Use it when the board is exposed, behind TLS (a reverse proxy: docs/operations.md).")
    String loginEnv;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** 2026-10-20T08:00+08:00, or an instant ending in Z. */
    private java.time.Instant instant(String text) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.Instant.parse(text);
            } catch (java.time.format.DateTimeParseException e2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--campaign-start: '" + text
                        + "' is not an ISO-8601 date and time with its offset, such as 2026-10-20T08:00+08:00");
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port: " + port + " is outside 0..65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bind: '" + bind + "' is not an address here");
        }
        Scenario campaign;
        try {
            campaign = Scenario.load(scenario);
        } catch (ScenarioException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: " + e.getMessage());
        }
        if (campaignStart != null) {
            campaign = campaign.startingAt(instant(campaignStart));
        }
        BoardOptions.Login login = null;
        if (loginEnv != null) {
            String value = System.getenv(loginEnv);
            if (value == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--login-env: environment variable " + loginEnv + " is not set");
            }
            try {
                login = value.isBlank() ? null : BoardOptions.Login.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--login-env: environment variable " + loginEnv
                        + " does not hold user:password with a password of 12 characters or more");
            }
        }
        KafkaClientConfig kafka = kafkaConfig.load(spec);
        LocalJvm.warnUnlessExitOnOutOfMemory("board");
        BoardOptions options = BoardOptions.of(bootstrap).withBind(bind).withPort(port).withScenario(campaign).withLogin(login);
        CoverageBoard board;
        try {
            board = CoverageBoard.start(options, kafka);
        } catch (BindException e) {
            throw new IOException("--port " + port + " on " + bind + ": " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            board.close();
            stopped.countDown();
        }, "board-shutdown"));
        System.out.println("board: " + board.url() + " reading " + bootstrap + " (scenario " + scenario + ", first wave "
                + campaign.waves().get(0).opens().atZone(campaign.zone()).toOffsetDateTime() + ")"
                + (login == null ? "" : "; login required") + "; Ctrl-C stops it");
        if (!address.isLoopbackAddress()) {
            System.out.println(login == null
                    ? "board: listening on " + bind + " without a login: anyone who can reach this machine can read the board (--login-env)"
                    : "board: listening on " + bind + ": the login crosses the network in clear unless TLS is in front (docs/operations.md)");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}
