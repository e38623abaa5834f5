package dev.sweep.cli;

import dev.sweep.schemas.KafkaClientConfig;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --kafka-config FILE}, the same on every command that talks to Kafka: the file, checked once at start. */
final class KafkaConfigFlag {
    static final String DESCRIPTION = "Kafka client properties (the format of Kafka's client.properties): "
            + "security.protocol, SASL, TLS stores; secrets as ${env:VAR} with config.providers=env. "
            + "Checked at start; a bad key is refused by name. Default: plaintext, no identity.";

    @Option(names = "--kafka-config", paramLabel = "FILE", description = DESCRIPTION)
    Path file;

    /** The checked properties ({@link KafkaClientConfig#NONE} without the flag). */
    KafkaClientConfig load(CommandLine.Model.CommandSpec spec) {
        if (file == null) {
            return KafkaClientConfig.NONE;
        }
        try {
            return KafkaClientConfig.load(file);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kafka-config: " + e.getMessage());
        }
    }
}
