package dev.sweep.hooks;

import dev.sweep.broker.LocalKafka;

/**
 * One real Kafka broker for all the hooks tests of this JVM: a broker's first topic, producer and
 * consumer group cost seconds, so the test classes share one and each test uses its own topic and
 * groups. Closed (and its data deleted) when the JVM ends.
 */
final class SharedBroker {
    private static LocalKafka kafka;

    private SharedBroker() {}

    static synchronized LocalKafka get() {
        if (kafka == null) {
            kafka = LocalKafka.start();
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "hooks-test-broker-shutdown"));
        }
        return kafka;
    }
}
