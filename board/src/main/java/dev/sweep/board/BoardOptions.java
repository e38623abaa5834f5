package dev.sweep.board;

import dev.sweep.campaign.Scenario;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run the board: where Kafka is, where to listen, which campaign, how often to push, and whether a
 * login is required. Refused values name the field at fault.
 *
 * @param bootstrap Kafka bootstrap servers, host:port[,host:port]
 * @param bind      address to listen on (127.0.0.1 by default: the board is for the command center's screen)
 * @param port      port to listen on; 0 takes any free one
 * @param scenario  the campaign (names, populations, sites, its window in time), loaded and possibly moved in time
 *                  ({@link Scenario#startingAt}) by the caller
 * @param pushEvery how often browsers get what changed (1 s to 1 min)
 * @param login     the user name and password every request must carry (HTTP basic auth), or null for none
 */
public record BoardOptions(String bootstrap, String bind, int port, Scenario scenario, Duration pushEvery, Login login) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    /** A user name and password for HTTP basic auth; {@link #toString()} never shows the password. */
    public record Login(String user, String password) {
        public Login {
            if (user == null || user.isBlank() || user.contains(":")) {
                throw new IllegalArgumentException("login: a user name without ':' is needed");
            }
            if (password == null || password.length() < 12) {
                throw new IllegalArgumentException("login: the password must have at least 12 characters");
            }
        }

        /** {@code user:password}, as the environment variable holds it. */
        public static Login parse(String userColonPassword) {
            int colon = userColonPassword == null ? -1 : userColonPassword.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("login: expected user:password");
            }
            return new Login(userColonPassword.substring(0, colon), userColonPassword.substring(colon + 1));
        }

        @Override
        public String toString() {
            return user + ":***";
        }
    }

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
        Objects.requireNonNull(scenario, "scenario");
        if (pushEvery == null || pushEvery.compareTo(Duration.ofSeconds(1)) < 0
                || pushEvery.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("pushEvery: " + pushEvery + " is outside 1 s..1 min");
        }
    }

    /** 127.0.0.1:8080, the neixiang campaign on its own dates, a push a second, no login. */
    public static BoardOptions of(String bootstrap) {
        return new BoardOptions(bootstrap, DEFAULT_BIND, DEFAULT_PORT, Scenario.load("neixiang"), Duration.ofSeconds(1), null);
    }

    public BoardOptions withBind(String bind) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery, login);
    }

    public BoardOptions withPort(int port) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery, login);
    }

    public BoardOptions withScenario(Scenario scenario) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery, login);
    }

    /** A shipped scenario or a directory, on its own dates. @throws dev.sweep.campaign.ScenarioException */
    public BoardOptions withScenario(String nameOrDirectory) {
        return withScenario(Scenario.load(nameOrDirectory));
    }

    public BoardOptions withPushEvery(Duration pushEvery) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery, login);
    }

    public BoardOptions withLogin(Login login) {
        return new BoardOptions(bootstrap, bind, port, scenario, pushEvery, login);
    }
}
