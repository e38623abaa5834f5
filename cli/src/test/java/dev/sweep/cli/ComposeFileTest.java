package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.Drill;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;

/**
 * docker-compose.yml against the code: Compose accepts it, every {@code sweep ...} command in it
 * parses with the real command line, the images are the versions the project builds, every
 * variable it uses is in .env.example, and the files it mounts are where it says.
 */
class ComposeFileTest {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(?:[:?\\-][^}]*)?}");

    @Test
    void composeAcceptsTheFileWithEveryVariableFromEnvExample() {
        Deployment.Run r = Deployment.compose(Deployment.filledEnv(), "config", "-q");
        assertEquals(0, r.exit(), "docker-compose -f docker-compose.yml config -q: " + r.err());
        assertFalse(r.err().contains("is not set"), "a variable missing from .env.example: " + r.err());
        // Every profile's services are in the file too.
        Deployment.Run all = Deployment.compose(Deployment.filledEnv(), "--profile", "drill", "--profile", "rebuild",
                "config", "--services");
        assertEquals(0, all.exit(), all.err());
        assertEquals(Set.of("kafka", "kafka-topics", "influxdb", "jobmanager", "taskmanager", "grafana", "hooks",
                "board", "gateway", "simulator", "rebuild"), Set.of(all.out().strip().split("\\s+")));
    }

    @Test
    void secretsLeftBlankAreRefusedByName() {
        Map<String, String> env = Deployment.filledEnv();
        env.put("INFLUX_TOKEN", "");
        Deployment.Run r = Deployment.compose(env, "config", "-q");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("INFLUX_TOKEN"), r.err());
        // .env.example itself holds no secret: its secrets are blank.
        Map<String, String> example = Deployment.envExample();
        for (String secret : List.of("INFLUX_PASSWORD", "INFLUX_TOKEN", "GRAFANA_ADMIN_PASSWORD")) {
            assertEquals("", example.get(secret), secret + " must be blank in .env.example");
        }
        assertTrue(Deployment.read(".gitignore").lines().anyMatch(l -> l.strip().equals(".env")), ".env is ignored by git");
        assertTrue(Deployment.read(".dockerignore").lines().anyMatch(l -> l.strip().equals(".env")),
                ".env never enters an image build");
    }

    /** Nothing is open to the network unless the operator opts in; the board can ask for a login; out of memory, a JVM exits. */
    @Test
    void theBoardAndGrafanaAreOnLoopbackUnlessTheOperatorOptsIn() {
        Map<String, String> example = Deployment.envExample();
        for (String bind : List.of("BOARD_BIND", "GRAFANA_BIND", "KAFKA_EXTERNAL_BIND")) {
            assertEquals("127.0.0.1", example.get(bind), bind + " in .env.example");
        }
        assertTrue(Deployment.read("docker-compose.yml").contains("\"${BOARD_BIND}:${BOARD_PORT}:8080\""));
        assertTrue(Deployment.read("docker-compose.yml").contains("\"${GRAFANA_BIND}:${GRAFANA_PORT}:3000\""));
        List<String> board = Deployment.command("board");
        assertEquals("SWEEP_BOARD_LOGIN", board.get(board.indexOf("--login-env") + 1));
        assertTrue(Deployment.environment("board").containsKey("SWEEP_BOARD_LOGIN"), "passed to the board");
        assertEquals("", example.get("SWEEP_BOARD_LOGIN"), "a secret: blank in .env.example");
        assertTrue(Deployment.read("deploy/Dockerfile").contains("\"-XX:+ExitOnOutOfMemoryError\", \"-jar\", \"/opt/sweep/sweep-cli.jar\""),
                "the image's JVM exits on OutOfMemoryError");
        assertTrue(SweepProcess.launcherOptions().contains(LocalJvm.EXIT_ON_OOM), "so does ./sweep's");
    }

    @Test
    void everyVariableTheFileUsesIsInEnvExampleAndViceVersa() {
        Set<String> used = new TreeSet<>();
        Matcher m = VARIABLE.matcher(Deployment.read("docker-compose.yml"));
        while (m.find()) {
            used.add(m.group(1));
        }
        Set<String> declared = new TreeSet<>(Deployment.envExample().keySet());
        Set<String> undeclared = new TreeSet<>(used);
        undeclared.removeAll(declared);
        assertEquals(Set.of(), undeclared, "used in docker-compose.yml, missing from .env.example");
        Set<String> unused = new TreeSet<>(declared);
        unused.removeAll(used);
        unused.remove("COMPOSE_PROJECT_NAME"); // read by Compose itself
        assertEquals(Set.of(), unused, "in .env.example, used nowhere in docker-compose.yml");
    }

    /** Each service of the Sweep image runs a `sweep` command: parse it as the CLI will, and check its values. */
    @Test
    void everySweepCommandParsesWithTheRealCommandLine() {
        List<String> sweepServices = Deployment.services().keySet().stream()
                .filter(s -> "sweep".equals(Deployment.buildTarget(s))).toList();
        assertEquals(Set.of("hooks", "board", "gateway", "simulator", "rebuild"), Set.copyOf(sweepServices));
        List<Executable> checks = new ArrayList<>();
        for (String service : sweepServices) {
            checks.add(() -> checkSweepCommand(service, Deployment.command(service)));
        }
        assertAll("the sweep commands of docker-compose.yml", checks);
    }

    private static void checkSweepCommand(String service, List<String> args) {
        CommandLine.ParseResult parsed;
        try {
            parsed = Sweep.commandLine().parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError("service " + service + ": `sweep " + String.join(" ", args)
                    + "` does not parse with the sweep command line: " + e.getMessage(), e);
        }
        assertTrue(parsed.hasSubcommand(), "service " + service + " names no sweep command");
        CommandLine.ParseResult sub = parsed.subcommand();
        String bootstrap = sub.matchedOptionValue("--bootstrap", (String) null);
        assertEquals("kafka:9092", bootstrap,
                "service " + service + " reaches Kafka as the compose network names it");
        String scenario = sub.matchedOptionValue("--scenario", (String) null);
        assertTrue(scenario != null, "service " + service + " names the campaign's scenario");
        checkScenarioMount(service, scenario);
        Object command = sub.commandSpec().userObject();
        if (command instanceof JobCommand job) {
            CoverageOptions o = FlinkDeploymentTest.jobOptions(List.of(sub.originalArgs().toArray(String[]::new)).subList(1, sub.originalArgs().size()));
            assertEquals(Deployment.environment("influxdb").get("DOCKER_INFLUXDB_INIT_BUCKET"), o.influxBucket());
            assertEquals("http://influxdb:8086", o.influxUrl());
        } else if (command instanceof SimulateCommand simulate) {
            Drill.parse(simulate.drills);
            assertTrue(simulate.ledger.startsWith("/var/lib/sweep"), "the ledger lands on the drill volume");
            assertTrue(Deployment.mounts(service).containsKey("/var/lib/sweep"));
        }
        // Every file a flag names inside the container is mounted from one that exists.
        Map<String, String> mounts = Deployment.mounts(service);
        for (CommandLine.Model.OptionSpec option : sub.matchedOptions()) {
            Object raw = option.getValue();
            String value = String.valueOf(raw);
            if (value.startsWith("/etc/sweep/tls/")) {
                // TLS material is the operator's to make (README "Securing it") and never in the repo.
                assertEquals(Deployment.ROOT.resolve(Deployment.envExample().get("SWEEP_TLS_DIR")).normalize(),
                        Path.of(mounts.get("/etc/sweep/tls")).normalize(), "service " + service + ": the TLS directory");
            } else if (value.startsWith("/etc/sweep/")) {
                String source = mounts.get(value);
                assertTrue(source != null && Files.isRegularFile(Path.of(source)),
                        "service " + service + ": " + option.longestName() + " " + value + " is mounted from a file that exists: " + source);
            }
        }
    }

    /** The hooks get exactly the keys, tokens and secrets their routes file names (keyEnv, tokenEnv, ...). */
    @Test
    void theHooksGetEverySecretTheirRoutesNameAndNoOther() throws IOException {
        String routes = Deployment.mounts("hooks").get("/etc/sweep/routes.yaml");
        assertTrue(routes != null && Files.isRegularFile(Path.of(routes)), "the routes file the hooks are given exists: " + routes);
        Set<String> named = new TreeSet<>();
        collectEnvNames(new ObjectMapper(new YAMLFactory()).readTree(Path.of(routes).toFile()), named);
        assertFalse(named.isEmpty(), "the routes name the variables of their secrets");
        Set<String> expected = new TreeSet<>(named);
        expected.addAll(List.of("SWEEP_KAFKA_USER", "SWEEP_KAFKA_PASSWORD"));
        assertEquals(expected, new TreeSet<>(Deployment.environment("hooks").keySet()),
                "the hooks service's environment: the routes' secrets and its Kafka login, nothing else (no InfluxDB token)");
        Map<String, String> example = Deployment.envExample();
        for (String name : named) {
            assertEquals("", example.get(name), name + " is in .env.example, blank");
        }
    }

    private static void collectEnvNames(JsonNode node, Set<String> out) {
        node.fields().forEachRemaining(e -> {
            if (e.getKey().endsWith("Env") && e.getValue().isTextual()) {
                out.add(e.getValue().asText());
            }
            collectEnvNames(e.getValue(), out);
        });
        if (node.isArray()) {
            node.forEach(n -> collectEnvNames(n, out));
        }
    }

    /** --scenario names the mounted scenario directory, and that directory is a scenario the loader accepts. */
    static void checkScenarioMount(String service, String scenario) {
        String source = Deployment.mounts(service).get(scenario);
        assertTrue(source != null, "service " + service + ": --scenario " + scenario + " is not mounted");
        Scenario sc = Scenario.load(source);
        assertEquals(Deployment.ROOT.resolve(Deployment.envExample().get("SWEEP_SCENARIO_DIR")).normalize(),
                Path.of(source).normalize());
        assertTrue(sc.population() > 0);
    }

    @Test
    void imagesAreTheVersionsTheProjectBuilds() {
        var v = Deployment.versions();
        assertEquals("apache/kafka:" + v.getProperty("kafka.version"), Deployment.image("kafka"));
        assertEquals("apache/kafka:" + v.getProperty("kafka.version"), Deployment.image("kafka-topics"));
        assertEquals("influxdb:2.7", Deployment.image("influxdb"));
        assertTrue(Deployment.image("grafana").matches("grafana/grafana:\\d+\\.\\d+\\.\\d+"),
                "Grafana is pinned to a release: " + Deployment.image("grafana"));
        for (String s : Deployment.services().keySet()) {
            String target = Deployment.buildTarget(s);
            if (target != null) {
                String expected = (target.equals("sweep") ? "sweep:" : "sweep-flink:") + v.getProperty("project.version");
                assertEquals(expected, Deployment.image(s), "service " + s + " (target " + target + ")");
            }
        }
        // The Dockerfile's stages: a Maven build on Java 17, the CLI on a Java 17 JRE, Flink of our version.
        List<String> from = Deployment.read("deploy/Dockerfile").lines().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(List.of("FROM maven:3.9-eclipse-temurin-17 AS build",
                "FROM eclipse-temurin:17-jre AS sweep",
                "FROM flink:" + v.getProperty("flink.version") + "-java17 AS flink"), from);
        String dockerfile = Deployment.read("deploy/Dockerfile");
        assertTrue(dockerfile.contains("jobs/target/sweep-jobs-*-flink.jar"), "the job jar the jobs module shades");
        assertTrue(Deployment.read("jobs/pom.xml").contains("<shadedClassifierName>flink</shadedClassifierName>"));
        assertTrue(Deployment.read("jobs/pom.xml").contains("<mainClass>" + dev.sweep.jobs.CoverageJob.class.getName()));
    }

    @Test
    void grafanaIsProvisionedWithTheInfluxDbDatasourceAndTheDashboardFiles() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, String> mounts = Deployment.mounts("grafana");
        Path provisioning = Path.of(mounts.get("/etc/grafana/provisioning"));
        JsonNode ds = yaml.readTree(provisioning.resolve("datasources/influxdb.yaml").toFile()).path("datasources").get(0);
        assertEquals("sweep-influxdb", ds.path("uid").asText());
        assertEquals("influxdb", ds.path("type").asText());
        assertEquals("http://influxdb:8086", ds.path("url").asText());
        assertEquals("InfluxQL", ds.path("jsonData").path("version").asText());
        assertEquals(Deployment.environment("influxdb").get("DOCKER_INFLUXDB_INIT_BUCKET"), ds.path("jsonData").path("dbName").asText());
        assertEquals("Authorization", ds.path("jsonData").path("httpHeaderName1").asText());
        assertEquals("Token $INFLUX_TOKEN", ds.path("secureJsonData").path("httpHeaderValue1").asText());
        assertEquals(Deployment.environment("influxdb").get("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"),
                Deployment.environment("grafana").get("INFLUX_TOKEN"), "Grafana has the token its datasource reads");

        JsonNode provider = yaml.readTree(provisioning.resolve("dashboards/sweep.yaml").toFile()).path("providers").get(0);
        String dashboardsPath = provider.path("options").path("path").asText();
        Path dashboards = Path.of(mounts.get(dashboardsPath));
        assertEquals(Deployment.ROOT.resolve("deploy/grafana/dashboards"), dashboards);
        String home = Deployment.environment("grafana").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
        assertTrue(home.startsWith(dashboardsPath + "/") && Files.isRegularFile(dashboards.resolve(home.substring(dashboardsPath.length() + 1))),
                "the home dashboard is one of the files: " + home);

        ObjectMapper json = new ObjectMapper();
        Set<String> uids = new TreeSet<>();
        try (Stream<Path> files = Files.list(dashboards)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode d = json.readTree(file.toFile());
                assertTrue(uids.add(d.path("uid").asText()), "unique uid: " + file);
                assertTrue(d.path("schemaVersion").asInt() >= 39, file + " schemaVersion");
                // Every datasource reference is the provisioned one.
                List<JsonNode> refs = d.findValues("datasource");
                for (JsonNode ref : refs) {
                    String type = ref.path("type").asText();
                    if (!type.equals("grafana")) {
                        assertEquals("sweep-influxdb", ref.path("uid").asText(), file.getFileName() + ": " + ref);
                    }
                }
            }
        }
        assertEquals(Set.of("sweep-county", "sweep-township", "sweep-alerts", "sweep-pipeline"), uids);
    }

    @Test
    void influxDbIsSetUpForTheJobAndForInfluxQl() {
        Map<String, String> env = Deployment.environment("influxdb");
        assertEquals("setup", env.get("DOCKER_INFLUXDB_INIT_MODE"));
        assertEquals("sweep", env.get("DOCKER_INFLUXDB_INIT_BUCKET"), "the bucket of DESIGN's measurements");
        assertEquals(Deployment.filledEnv().get("INFLUX_TOKEN"), env.get("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"));
        assertEquals(env.get("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"), Deployment.environment("taskmanager").get("INFLUX_TOKEN"),
                "the job's InfluxDB writers run on the taskmanagers and read INFLUX_TOKEN there");
        assertEquals(env.get("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN"), Deployment.environment("rebuild").get("INFLUX_TOKEN"));
        assertFalse(Deployment.environment("jobmanager").containsKey("INFLUX_TOKEN"), "the jobmanager needs no token");

        // The init scripts run (executable, mounted where the image looks) and find what they use.
        Map<String, String> mounts = Deployment.mounts("influxdb");
        Path init = Path.of(mounts.get("/docker-entrypoint-initdb.d"));
        assertEquals(Deployment.ROOT.resolve("deploy/influxdb/init"), init);
        Path setup = init.resolve("01-sweep-setup.sh");
        assertTrue(Files.isExecutable(setup), setup + " must be executable for the image to run it");
        String script = Deployment.read("deploy/influxdb/init/01-sweep-setup.sh");
        assertTrue(script.contains("influx v1 dbrp create") && script.contains("--db \"$DOCKER_INFLUXDB_INIT_BUCKET\"")
                && script.contains("--default"), "the DBRP mapping db sweep -> bucket sweep for InfluxQL");
        Matcher paths = Pattern.compile("/opt/sweep/[\\w./-]+").matcher(script);
        while (paths.find()) {
            String used = paths.group();
            String mount = mounts.keySet().stream().filter(c -> used.equals(c) || used.startsWith(c + "/")).findFirst()
                    .orElseThrow(() -> new AssertionError("01-sweep-setup.sh uses " + used + ", which is not mounted"));
            Path host = Path.of(mounts.get(mount)).resolve(used.substring(mount.length()).replaceFirst("^/", ""));
            assertTrue(Files.isRegularFile(host) || Files.isDirectory(host), used + " is " + host + ", which exists");
        }
        assertTrue(Files.isExecutable(Deployment.ROOT.resolve("deploy/influxdb/site-capacity.sh")));
    }

    @Test
    void startOrderAndHealthChecks() {
        Function<String, Map<String, Object>> dependsOn = s -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> d = (Map<String, Object>) Deployment.service(s).get("depends_on");
            return d == null ? Map.of() : d;
        };
        assertEquals(Map.of("condition", "service_healthy"), dependsOn.apply("kafka-topics").get("kafka"));
        for (String s : List.of("jobmanager", "hooks", "board", "gateway", "simulator", "rebuild")) {
            assertEquals(Map.of("condition", "service_completed_successfully"), dependsOn.apply(s).get("kafka-topics"),
                    s + " starts once the topics exist");
        }
        for (String s : List.of("jobmanager", "taskmanager", "grafana", "rebuild")) {
            assertEquals(Map.of("condition", "service_healthy"), dependsOn.apply(s).get("influxdb"), s + " waits for InfluxDB");
        }
        for (String s : List.of("kafka", "influxdb", "jobmanager", "grafana", "board", "gateway")) {
            assertTrue(Deployment.service(s).containsKey("healthcheck"), s + " has a health check");
        }
        assertEquals(List.of("drill"), Deployment.service("simulator").get("profiles"));
        assertEquals(List.of("rebuild"), Deployment.service("rebuild").get("profiles"));
        // The Kafka listener the services use is the one the broker advertises.
        assertTrue(Deployment.environment("kafka").get("KAFKA_ADVERTISED_LISTENERS").contains("INTERNAL://kafka:9092"));
        assertEquals("false", Deployment.environment("kafka").get("KAFKA_AUTO_CREATE_TOPICS_ENABLE"));
    }

    /**
     * Secure by default: the broker authenticates every listener and authorizes with ACLs, the external listener is
     * TLS, and each service that talks to Kafka logs in as its own role with only that role's password, through
     * the one client properties file (which holds no secret and which Kafka's own checks accept).
     */
    @Test
    void everyServiceLogsInToKafkaAsItsOwnRole() {
        Map<String, String> kafka = Deployment.environment("kafka");
        assertEquals("CONTROLLER:SASL_PLAINTEXT,INTERNAL:SASL_PLAINTEXT,EXTERNAL:SASL_SSL", kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"));
        assertEquals("SCRAM-SHA-512", kafka.get("KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS"), "no PLAIN from outside");
        assertEquals("org.apache.kafka.metadata.authorizer.StandardAuthorizer", kafka.get("KAFKA_AUTHORIZER_CLASS_NAME"));
        assertEquals("false", kafka.get("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"));
        assertEquals("User:admin", kafka.get("KAFKA_SUPER_USERS"));
        // The health check logs in too, with a variable the image does not turn into a broker setting.
        assertTrue(String.valueOf(Deployment.service("kafka").get("healthcheck")).contains("$SWEEP_ADMIN_PASSWORD"));
        assertEquals(Deployment.filledEnv().get("KAFKA_ADMIN_PASSWORD"), kafka.get("SWEEP_ADMIN_PASSWORD"));

        Map<String, String> roles = Map.of("jobmanager", "job", "taskmanager", "job", "rebuild", "job", "hooks", "hooks",
                "board", "board", "gateway", "gateway", "simulator", "station");
        Map<String, String> filled = Deployment.filledEnv();
        roles.forEach((service, role) -> {
            Map<String, String> env = Deployment.environment(service);
            assertEquals(role, env.get("SWEEP_KAFKA_USER"), service);
            assertEquals(filled.get("SWEEP_KAFKA_" + role.toUpperCase() + "_PASSWORD"), env.get("SWEEP_KAFKA_PASSWORD"),
                    service + " gets its own role's password");
            for (String other : List.of("station", "gateway", "job", "hooks", "board")) {
                assertFalse(!other.equals(role) && env.containsValue(filled.get("SWEEP_KAFKA_" + other.toUpperCase() + "_PASSWORD")),
                        service + " must not get " + other + "'s password");
            }
            assertFalse(env.containsValue(filled.get("KAFKA_ADMIN_PASSWORD")), service + " must not get the admin password");
            if (!service.equals("taskmanager")) { // the taskmanager gets the properties with the job, and resolves the login here
                assertEquals(Deployment.ROOT.resolve("deploy/kafka/client.properties").normalize(),
                        Path.of(Deployment.mounts(service).get("/etc/sweep/kafka.properties")).normalize(), service);
                assertTrue(String.join(" ", Deployment.command(service)).contains("--kafka-config /etc/sweep/kafka.properties"), service);
            }
        });
        // The surefire configuration sets SWEEP_KAFKA_USER and SWEEP_KAFKA_PASSWORD, as the services' environments do.
        var client = dev.sweep.schemas.KafkaClientConfig.load(Deployment.ROOT.resolve("deploy/kafka/client.properties"));
        assertEquals("SASL_PLAINTEXT", client.securityProtocol());
        assertTrue(client.properties().get("sasl.jaas.config").contains("${env:SWEEP_KAFKA_PASSWORD}"), "no secret in the file");
        for (String secret : List.of("KAFKA_ADMIN_PASSWORD", "KAFKA_KEYSTORE_PASSWORD", "SWEEP_GATEWAY_KEYSTORE_PASSWORD",
                "SWEEP_KAFKA_JOB_PASSWORD", "SWEEP_KAFKA_GATEWAY_PASSWORD")) {
            assertEquals("", Deployment.envExample().get(secret), secret + " is blank in .env.example");
        }
        assertTrue(Deployment.read(".gitignore").lines().anyMatch(l -> l.strip().equals("/deploy/tls/")), "TLS material is never committed");
    }
}
