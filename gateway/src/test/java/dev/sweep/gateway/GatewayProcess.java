package dev.sweep.gateway;

import dev.sweep.schemas.KafkaClientConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A gateway in a JVM of its own, so that a test can kill it as a machine would (SIGKILL: no shutdown hook runs).
 * Arguments: bootstrap, Kafka client properties file, keystore, stations file, scenario, port; the keystore's
 * password comes from the environment (SWEEP_GATEWAY_KEYSTORE_PASSWORD), as with sweep gateway.
 */
public final class GatewayProcess {
    private GatewayProcess() {}

    public static void main(String[] args) throws Exception {
        GatewayOptions options = GatewayOptions.of(args[0], KafkaClientConfig.load(Path.of(args[1])),
                        Tls.fromKeystore(Path.of(args[2]), System.getenv("SWEEP_GATEWAY_KEYSTORE_PASSWORD").toCharArray(), null),
                        Path.of(args[3]))
                .withScenario(args[4]).withAddress("127.0.0.1", Integer.parseInt(args[5]));
        StationGateway gateway = StationGateway.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }));
        System.out.println("gateway up " + gateway.url());
        System.out.flush();
        stopped.await();
    }
}
