package dev.sweep.cli;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.ScenarioException;
import dev.sweep.campaign.Township;
import dev.sweep.hooks.AlertHooks;
import dev.sweep.hooks.HookOptions;
import dev.sweep.hooks.routes.ChannelSpec;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.hooks.routes.RoutesException;
import dev.sweep.jobs.CoverageFlags.DurationConverter;
import dev.sweep.schemas.Durations;
import dev.sweep.schemas.KafkaClientConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

@Command(name = "hooks", mixinStandardHelpOptions = true,
        description = {"The alert dispatcher: pages the leads of each alert's township from sweep.alerts, through WeCom and "
                + "DingTalk group robots, Slack-compatible incoming webhooks and signed JSON webhooks.",
                "Keys, tokens, secrets and Slack URLs come from the environment variables that the routes file names.",
                "Durations are written 500ms, 30s, 10m, 1h."})
final class HooksCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(HooksCommand.class);

    @Option(names = "--bootstrap", converter = HostPort.class, description = "Kafka bootstrap servers, host:port (not needed with --check).")
    String bootstrap;

    @CommandLine.Mixin
    KafkaConfigFlag kafkaConfig;

    @Option(names = "--routes", required = true, description = "The routes file (YAML): townships -> leads -> channels, and the county route. Sample: hooks/routes/neixiang.yaml.")
    Path routes;

    @Option(names = "--scenario", defaultValue = "neixiang", description = "The campaign (township and site names, the township ids the routes may name): a shipped scenario or a directory. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--group", defaultValue = "sweep-hooks", description = "Prefix of the Kafka consumer groups: each destination commits its own offsets in <group>.<destination id>. Default: ${DEFAULT-VALUE}.")
    String group;

    @Option(names = "--batch-window", defaultValue = "30s", converter = DurationConverter.class, description = "Alerts for a destination within this window (from the first) go out as one message. Default: ${DEFAULT-VALUE}.")
    Duration batchWindow;

    @Option(names = "--max-alerts-per-page", defaultValue = "500", description = "At most this many alerts in one message; more go out as further messages. A storm's page counts what it cannot name, so this bounds the webhook's body (every alert in full, about 0.6 KB each). Default: ${DEFAULT-VALUE}.")
    int maxAlertsPerPage;

    @Option(names = "--give-up-after", defaultValue = "1h", converter = DurationConverter.class, description = "How long a page is retried before its alerts go to sweep.undelivered-alerts (and an ERROR is logged). Default: ${DEFAULT-VALUE}.")
    Duration giveUpAfter;

    @Option(names = "--max-backoff", defaultValue = "5m", converter = DurationConverter.class, description = "Longest wait between two attempts (1 s, doubling; a longer Retry-After is honoured). Default: ${DEFAULT-VALUE}.")
    Duration maxBackoff;

    @Option(names = "--request-timeout", defaultValue = "10s", converter = DurationConverter.class, description = "How long one HTTP attempt may take, all of it: connect, request, answer and its body (at most 64 KiB of which is read). An attempt after one that got no complete answer in time may take twice as long, up to 8 times this. Default: ${DEFAULT-VALUE}.")
    Duration requestTimeout;

    @Option(names = "--allow-risky-targets", description = "Accept destinations on loopback, link-local or private addresses, and plain http to another host (each is still named in a warning). Without it the routes file is refused.")
    boolean allowRiskyTargets;

    @Option(names = "--check", description = "Validate the routes file against the scenario and the environment, list the destinations, and exit.")
    boolean check;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HookOptions options = options();
        KafkaClientConfig kafka = kafkaConfig.load(spec);
        Scenario sc;
        try {
            sc = Scenario.load(scenario);
        } catch (ScenarioException e) {
            throw refused("--scenario: " + e.getMessage());
        }
        Routes r;
        try {
            r = Routes.load(routes, System.getenv(), sc, allowRiskyTargets ? Routes.RiskyTargets.ALLOW : Routes.RiskyTargets.REFUSE);
        } catch (RoutesException e) {
            throw refused("--routes: " + e.getMessage());
        }
        String viaCounty = r.townshipsWithoutLead().stream().map(Township::id).collect(Collectors.joining(", "));
        if (check) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("hooks: " + routes + " is valid for scenario " + sc.name() + ": " + r.channels().size() + " destinations");
            for (ChannelSpec c : r.channels()) {
                out.printf("  %-40s %-8s %-7s %-7s line %d%n", c.id(), c.kind().word(), c.scope(), c.rateLimit(), c.line());
            }
            out.println("  townships paged through the county route: " + (viaCounty.isEmpty() ? "none" : viaCounty));
            r.warnings().forEach(w -> out.println("  warning: " + w));
            out.flush();
            return 0;
        }
        if (bootstrap == null) {
            throw refused("--bootstrap: missing (host:port of Kafka); only --check runs without it");
        }
        r.warnings().forEach(w -> LOG.warn("hooks: {}", w));
        LocalJvm.warnUnlessExitOnOutOfMemory("hooks");
        AlertHooks hooks = AlertHooks.start(bootstrap, kafka, r, options);
        Runtime.getRuntime().addShutdownHook(new Thread(hooks::close, "hooks-shutdown"));
        System.out.println("hooks: " + r.channels().size() + " destinations from " + routes + ", reading " + options.topic()
                + " on " + bootstrap + " (groups " + group + ".*, batch window " + Durations.text(batchWindow)
                + ", at most " + maxAlertsPerPage + " alerts a page, give up after " + Durations.text(giveUpAfter) + ")" + (viaCounty.isEmpty() ? "" : "; via the county route: " + viaCounty)
                + "; Ctrl-C stops");
        System.out.flush();
        hooks.awaitTermination();
        return 0;
    }

    /** Checks what picocli cannot, naming the flag at fault. */
    private HookOptions options() {
        try {
            Durations.requireNotNegative("--batch-window", batchWindow);
            Durations.requirePositive("--give-up-after", giveUpAfter);
            Durations.requirePositive("--max-backoff", maxBackoff);
            Durations.requirePositive("--request-timeout", requestTimeout);
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage());
        }
        if (maxBackoff.compareTo(Duration.ofSeconds(1)) < 0) {
            throw refused("--max-backoff: must be at least the first retry's 1s");
        }
        if (maxAlertsPerPage < 1) {
            throw refused("--max-alerts-per-page: must be at least 1");
        }
        if (group.isBlank()) {
            throw refused("--group: must not be empty");
        }
        return HookOptions.defaults().withGroup(group).withBatchWindow(batchWindow).withMaxAlertsPerPage(maxAlertsPerPage)
                .withGiveUpAfter(giveUpAfter).withBackoff(Duration.ofSeconds(1), maxBackoff).withRequestTimeout(requestTimeout);
    }

    private CommandLine.ParameterException refused(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
