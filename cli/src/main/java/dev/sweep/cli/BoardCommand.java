package dev.sweep.cli;

import dev.sweep.board.BoardOptions;
import dev.sweep.board.CoverageBoard;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
        KafkaClientConfig kafka = kafkaConfig.load(spec);
        BoardOptions options = BoardOptions.of(bootstrap).withBind(bind).withPort(port).withScenario(scenario);
        CoverageBoard board;
        try {
            board = CoverageBoard.start(options, kafka);
        } catch (ScenarioException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scenario: " + e.getMessage());
        } catch (BindException e) {
            throw new IOException("--port " + port + " on " + bind + ": " + e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            board.close();
            stopped.countDown();
        }, "board-shutdown"));
        System.out.println("board: " + board.url() + " reading " + bootstrap + " (scenario " + scenario + "); Ctrl-C stops it");
        if (!address.isLoopbackAddress()) {
            System.out.println("board: listening on " + bind + ": anyone who can reach this machine can read the board");
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}
