package dev.sweep.jobs.endtoend;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.broker.LocalKafka;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.testkit.InfluxServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;

/**
 * Every InfluxQL query of the Grafana dashboards (deploy/grafana/dashboards), with Grafana's macros
 * and template variables filled in as Grafana fills them, runs against the InfluxDB that a real
 * pipeline run filled (Neixiang, seed 7, every drill) plus the site capacities that the InfluxDB
 * setup writes: each returns series, and the county's stat panel says what the ledger says.
 */
@Tag("e2e")
class DashboardQueriesTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path DASHBOARDS = ROOT.resolve("deploy/grafana/dashboards");

    /** A Grafana macro or variable ($name, ${name}); a regex's end anchor ($/) is not one. */
    static final java.util.regex.Pattern MACRO = java.util.regex.Pattern.compile("\\$\\{?[A-Za-z_]");

    static LocalKafka kafka;
    static InfluxServer influx;
    static Ledger ledger;

    /** One query of a dashboard, and where it sits. */
    record Query(String dashboard, String where, String influxQl) {
        @Override
        public String toString() {
            return dashboard + " / " + where + ": " + influxQl;
        }
    }

    @BeforeAll
    static void fillInfluxDbFromARealRun() throws Exception {
        kafka = LocalKafka.start();
        influx = InfluxServer.start();
        ledger = Pipeline.replay(kafka, "neixiang", 7, Drill.parse(List.of("all"))).ledger();
        Pipeline.runToEnd(Pipeline.options(kafka, influx, "dashboards").bounded(true).build());
        writeSiteCapacities();
    }

    @AfterAll
    static void stop() {
        if (influx != null) {
            influx.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** What deploy/influxdb/init/01-sweep-setup.sh does on a fresh InfluxDB: the script's points, written with precision s. */
    static void writeSiteCapacities() throws Exception {
        Path sites = ROOT.resolve("campaign/src/main/resources/scenarios/neixiang");
        Process p = new ProcessBuilder("bash", ROOT.resolve("deploy/influxdb/site-capacity.sh").toString(), sites.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] lines = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), "site-capacity.sh");
        HttpResponse<String> written = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(influx.url() + "/api/v2/write?org=sweep&bucket=" + influx.database() + "&precision=s"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(lines)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, written.statusCode(), written.body());
        assertEquals(ledger.sites().size(), influx.count("SELECT count(capacity_per_hour) FROM site_capacity"));
    }

    /** Every {@code query} (InfluxQL) and {@code rawSql} in the dashboard files: panels, template variables, annotations. */
    static List<Query> queries() throws IOException {
        List<Query> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                collect(json.readTree(file.toFile()), file.getFileName().toString(), "dashboard", out);
            }
        }
        return out;
    }

    private static void collect(JsonNode node, String dashboard, String where, List<Query> out) {
        if (node.isObject()) {
            String here = node.has("title") ? "panel \"" + node.get("title").asText() + "\""
                    : node.has("name") ? "\"" + node.get("name").asText() + "\"" : where;
            for (String key : List.of("query", "rawSql")) {
                if (node.path(key).isTextual() && !node.get(key).asText().isBlank()) {
                    out.add(new Query(dashboard, here, node.get(key).asText()));
                }
            }
            node.fields().forEachRemaining(e -> collect(e.getValue(), dashboard, here, out));
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, dashboard, where, out));
        }
    }

    /** The township and site the dashboards are looked at with: where the slow-site drill struck. */
    static Ledger.Fault slowSite() {
        return ledger.faults().stream().filter(f -> "slow-site".equals(f.kind())).findFirst()
                .orElseThrow(() -> new AssertionError("the ledger has no slow-site drill: " + ledger.faults()));
    }

    /**
     * The query as Grafana sends it: the time range of the campaign, a one-minute interval, and the
     * template variables as one value each or as "All" (their allValue, .*), in the regex form the
     * dashboards use them in.
     */
    static String substitute(String q, String township, String site) {
        Instant start = Instant.parse(ledger.start()).minus(Duration.ofHours(1));
        Instant end = Instant.parse(ledger.end()).plus(Duration.ofHours(1));
        String out = q.replace("$timeFilter", "time >= " + start.toEpochMilli() + "ms and time <= " + end.toEpochMilli() + "ms")
                .replace("$__interval", "1m")
                .replace("$interval", "1m")
                .replace("$township", township)
                .replace("$site", site);
        assertFalse(MACRO.matcher(out).find(), "a macro or variable the test does not know: " + q);
        return out;
    }

    @Test
    void everyQueryReturnsSeries() throws IOException {
        List<Query> queries = queries();
        assertTrue(queries.size() >= 30, "the dashboards' queries: " + queries.size());
        Ledger.Fault slow = slowSite();
        List<Executable> checks = new ArrayList<>();
        for (Query q : queries) {
            Set<String> forms = new TreeSet<>(List.of(substitute(q.influxQl(), slow.township(), slow.site())));
            forms.add(substitute(q.influxQl(), ".*", ".*")); // the "All" selection
            for (String influxQl : forms) {
                checks.add(() -> {
                    List<Map<String, Object>> rows;
                    try {
                        rows = influx.query(influxQl);
                    } catch (InfluxServer.QueryException e) {
                        throw new AssertionError(q + "\n  failed: " + e.getMessage() + "\n  as run: " + influxQl);
                    }
                    assertFalse(rows.isEmpty(), q + "\n  returned no series\n  as run: " + influxQl);
                });
            }
        }
        assertAll("the dashboards' queries on a filled InfluxDB", checks);
    }

    @Test
    void theCountyStatPanelSaysWhatTheLedgerSays() throws IOException {
        Query stat = queries().stream()
                .filter(q -> q.dashboard().equals("county-overview.json") && q.where().equals("panel \"People sampled\""))
                .findFirst().orElseThrow();
        assertEquals(478_609, ledger.county().persons());
        assertEquals(ledger.county().persons(), influx.count(substitute(stat.influxQl(), "", "")));
    }

    @Test
    void theTemplateVariablesOfferTheCampaignsTownshipsAndSites() throws IOException {
        List<Query> variables = queries().stream().filter(q -> q.influxQl().startsWith("SHOW TAG VALUES")).toList();
        Query townships = variables.stream().filter(q -> q.where().equals("\"township\"")).findFirst().orElseThrow();
        Query sites = variables.stream().filter(q -> q.where().equals("\"site\"")).findFirst().orElseThrow();
        Ledger.Fault slow = slowSite();
        assertEquals(new TreeSet<>(ledger.townships().keySet()), values(substitute(townships.influxQl(), "", "")));
        Set<String> sitesOfTownship = ledger.sites().entrySet().stream()
                .filter(e -> e.getValue().township().equals(slow.township())).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(sitesOfTownship, values(substitute(sites.influxQl(), slow.township(), "")));
        assertEquals(new TreeSet<>(ledger.sites().keySet()), values(substitute(sites.influxQl(), ".*", "")));
    }

    private static Set<String> values(String showTagValues) {
        return influx.query(showTagValues).stream().map(r -> String.valueOf(r.get("value")))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
