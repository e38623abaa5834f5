package dev.sweep.board;

import java.time.Duration;

/**
 * How to run the board: where Kafka is, where to listen, which campaign, how often to push.
 * Refused values name the field at fault.
 *
 * @param bootstrap Kafka bootstrap servers, host:port[,host:port]
 * @param bind      address to listen on (127.0.0.1 by default: the board is for the command center's screen)
 * @param port      port to listen on; 0 takes any free one
 * @param scenario  a shipped scenario name or a directory with its files (names, populations, sites)
 * @param pushEvery how often browsers get what changed (1 s to 1 min)
 */
public record BoardOptions(String bootstrap, String bind, int port, String scenario, Duration pushEvery) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public BoardOptions {
        if (bootstrap == null || !bootstrap.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
            throw new IllegalArgumentException("bootstrap: '" + bootstrap + "' is not host:port");
        }
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind: an address is needed, e.g. 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " is outside 0..65535");
        }
        if (scenario == null || scenario.isBlank()) {
            throw new IllegalArgumentException("scenario: a name or a directory is needed");
        }
        if (pushEvery == null || pushEvery.compareTo(Duration.ofSeconds(1)) < 0
                || pushEvery.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("pushEvery: " + pushEvery + " is outside 1 s..1 min");
        }
    }

    /** 127.0.0.1:8080, the neixiang campaign, a push a second. */
    public static BoardOptions of(String bootstrap) {
        return new BoardOptions(bootstrap, DEFAULT_BIND, DEFAULT_PORT, "neixiang", Duration.ofSeconds(1));
    }

    public BoardOptions withBind(String bind) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery);
    }

    public BoardOptions withPort(int port) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery);
    }

    public BoardOptions withScenario(String scenario) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery);
    }

    public BoardOptions withPushEvery(Duration pushEvery) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery);
    }
}
