package dev.sweep.cli;

import dev.sweep.broker.AccessPlan;
import dev.sweep.broker.LocalKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = {"Runs a real single-node Kafka broker (KRaft) with the project's topics until Ctrl-C.",
                "With --secure DIR: a SASL_SSL listener (SCRAM-SHA-512), the standard authorizer with Sweep's ACLs, one user per role; "
                        + "the CA, the broker's certificate, a gateway certificate and each role's client properties file are kept in DIR."})
final class KafkaCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Port on 127.0.0.1 (0 = any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--data", description = "Log directory, kept across restarts. Default: a temporary one, deleted on exit.")
    Path data;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of each input and output topic. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--secure", paramLabel = "DIR", description = "Secure the broker; keep its CA, certificates, passwords and the roles' client properties in DIR (owner-only; made on the first start, reused after).")
    Path secure;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--port: " + port + " is outside 0..65535");
        }
        LocalKafka.Options options = LocalKafka.Options.defaults().withPort(port).withPartitions(partitions);
        if (data != null) {
            options = options.withDataDir(data).withDeleteOnClose(false);
        }
        if (secure != null) {
            options = options.withSecureDir(secure);
        }
        LocalKafka kafka = LocalKafka.start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-shutdown"));
        System.out.println("kafka: " + kafka.bootstrapServers() + " (topics " + String.join(", ",
                kafka.topicPartitions().keySet()) + "); Ctrl-C stops it");
        if (kafka.secure()) {
            System.out.println("kafka: SASL_SSL (SCRAM-SHA-512) with ACLs; each role's --kafka-config (secrets inside: keep them to their owner):");
            for (AccessPlan.Role role : AccessPlan.Role.values()) {
                System.out.printf("  %-8s %s%n", role.user(), kafka.clientConfigFile(role));
            }
            System.out.println("  e.g. " + kafka.clientConfig(AccessPlan.Role.STATION));
            Path gateway = kafka.ca().keystore("gateway", java.util.List.of("127.0.0.1", "localhost"));
            System.out.println("kafka: a gateway certificate from the same CA: " + gateway
                    + " (its password is 'gateway' in " + kafka.ca().dir().resolve("passwords.properties") + "); stations trust "
                    + kafka.ca().caPem());
        }
        System.out.flush();
        kafka.awaitTermination();
        return 0;
    }
}
