package dev.sweep.cli;

import dev.sweep.broker.LocalKafka;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Runs a real single-node Kafka broker (KRaft) with the project's topics until Ctrl-C.")
final class KafkaCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "9092", description = "Port on 127.0.0.1 (0 = any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--data", description = "Log directory, kept across restarts. Default: a temporary one, deleted on exit.")
    Path data;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of each input and output topic. Default: ${DEFAULT-VALUE}.")
    int partitions;

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
        LocalKafka kafka = LocalKafka.start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "kafka-shutdown"));
        System.out.println("kafka: " + kafka.bootstrapServers() + " (topics " + String.join(", ",
                kafka.topicPartitions().keySet()) + "); Ctrl-C stops it");
        System.out.flush();
        kafka.awaitTermination();
        return 0;
    }
}
