package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.jobs.influx.InfluxLines;
import dev.sweep.testkit.InfluxServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards (deploy/grafana/dashboards) choose the level and the area of the campaign's tree: every
 * variable a query uses is a template variable of its dashboard (defined before it, for the variables' own queries),
 * and on a real influxd holding coverage points of every area of Neixiang and alerts written in the job's own line
 * format ({@link InfluxLines}), the variables offer the campaign's levels and areas and the queries that use them give
 * each area's figures, as Grafana runs them. (Every query of every dashboard on a whole replay is the jobs module's
 * {@code DashboardQueriesTest}.) Also the site capacities the InfluxDB setup writes, for a tree of areas.
 */
class GrafanaDashboardsTest {
    static final Path DASHBOARDS = Deployment.ROOT.resolve("deploy/grafana/dashboards");
    static final Scenario NEIXIANG = Scenario.load("neixiang");
    static final long T0 = Instant.parse("2022-05-04T01:00:00Z").toEpochMilli();
    /** A Grafana variable in a query: $name or ${name}, not a macro ($timeFilter, $__interval), an alias ($tag_x) or a data link. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z][A-Za-z0-9_]*)");
    static final Set<String> MACROS = Set.of("timeFilter", "interval", "tag_township", "tag_area", "tag_site", "tag_kind");

    static InfluxServer influx;

    static Map<String, JsonNode> dashboards() throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.put(f.getFileName().toString(), new ObjectMapper().readTree(f.toFile()));
            }
        }
        return out;
    }

    static List<String> queries(JsonNode node) {
        return node.findValues("query").stream().filter(JsonNode::isTextual).map(JsonNode::asText).toList();
    }

    static List<String> variablesUsed(String query) {
        List<String> out = new ArrayList<>();
        Matcher m = VARIABLE.matcher(query);
        while (m.find()) {
            if (!MACROS.contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void everyVariableAQueryUsesIsOneOfItsDashboard() throws IOException {
        for (Map.Entry<String, JsonNode> d : dashboards().entrySet()) {
            List<String> defined = new ArrayList<>();
            for (JsonNode v : d.getValue().at("/templating/list")) {
                for (String used : variablesUsed(v.path("query").asText())) {
                    assertTrue(defined.contains(used), d.getKey() + ": variable " + v.get("name") + " uses $" + used
                            + ", which is not defined before it");
                }
                defined.add(v.get("name").asText());
            }
            for (String q : queries(d.getValue().get("panels"))) {
                for (String used : variablesUsed(q)) {
                    assertTrue(defined.contains(used), d.getKey() + ": $" + used + " is not a variable of the dashboard: " + q);
                }
            }
            for (String q : queries(d.getValue().get("annotations"))) {
                assertEquals(List.of(), variablesUsed(q), d.getKey() + " annotation: " + q);
            }
        }
        Map<String, JsonNode> all = dashboards();
        assertEquals(List.of("level", "area"), names(all.get("county-overview.json")));
        assertEquals(List.of("township", "level", "area", "site"), names(all.get("township-detail.json")));
        assertEquals(List.of("township", "area"), names(all.get("alerts-timeline.json")));
    }

    static List<String> names(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.at("/templating/list").forEach(v -> out.add(v.get("name").asText()));
        return out;
    }

    @BeforeAll
    static void fill() throws Exception {
        influx = InfluxServer.start();
        StringBuilder lines = new StringBuilder();
        for (int m = 0; m < 2; m++) {
            for (Area a : NEIXIANG.areas()) {
                lines.append(InfluxLines.coverage(coverage(a, T0 + m * 60_000L))).append('\n');
            }
        }
        for (Alert a : List.of(
                alert("slow", AlertKind.SITE_SLOW, "CG", "NX-CG-001", "CG"),
                alert("plan", AlertKind.TOWNSHIP_BEHIND_PLAN, "XG", null, "XG"),
                alert("feed", AlertKind.FEED_STALLED, null, null, null))) {
            lines.append(InfluxLines.alert(a)).append('\n');
        }
        write(lines.toString(), "ms");
    }

    @AfterAll
    static void stop() {
        if (influx != null) {
            influx.close();
        }
    }

    /** A point as the job writes it: sampled grows with the area's index, so every area's figure is its own. */
    static Coverage coverage(Area a, long minute) {
        int depth = NEIXIANG.depthOf(a.level());
        int[] up = NEIXIANG.lineage(NEIXIANG.areaIndex(a.id()));
        String township = depth == 0 ? null : NEIXIANG.areas().get(up[up.length - 2]).id();
        long sampled = sampled(a);
        return new Coverage(depth == 0 ? CoverageScope.COUNTY : depth == 1 ? CoverageScope.TOWNSHIP : CoverageScope.AREA,
                township, a.level(), a.id(), Instant.ofEpochMilli(minute), sampled, a.population(),
                (double) sampled / a.population(), 600.0, 45.0);
    }

    static long sampled(Area a) {
        return Math.min(a.population(), 100 + NEIXIANG.areaIndex(a.id()));
    }

    static Alert alert(String id, AlertKind kind, String township, String site, String area) {
        return new Alert(id, kind, AlertState.RAISED, township, site, area, Instant.ofEpochMilli(T0),
                Instant.ofEpochMilli(T0 + 60_000), 1.0, 2.0, "消息", "message");
    }

    static void write(String lines, String precision) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(influx.url()
                        + "/api/v2/write?org=sweep&bucket=" + influx.database() + "&precision=" + precision))
                .POST(HttpRequest.BodyPublishers.ofString(lines, StandardCharsets.UTF_8)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, r.statusCode(), r.body());
    }

    /** The query as Grafana sends it: the campaign's hour, a one-minute interval, each variable's value in its regex. */
    static String fill(String q, Map<String, String> values) {
        String out = q.replace("$timeFilter", "time >= " + (T0 - 3_600_000) + "ms and time <= " + (T0 + 3_600_000) + "ms")
                .replace("$__interval", "1m");
        for (Map.Entry<String, String> v : values.entrySet()) {
            out = out.replace("${" + v.getKey() + "}", v.getValue()).replace("$" + v.getKey(), v.getValue());
        }
        assertEquals(List.of(), variablesUsed(out), "a variable left in: " + out);
        return out;
    }

    static JsonNode variable(String dashboard, String name) throws IOException {
        for (JsonNode v : dashboards().get(dashboard).at("/templating/list")) {
            if (v.get("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError(dashboard + " has no variable " + name);
    }

    static Set<String> values(String dashboard, String name, Map<String, String> others) throws IOException {
        return influx.query(fill(variable(dashboard, name).get("query").asText(), others)).stream()
                .map(r -> String.valueOf(r.get("value"))).collect(Collectors.toCollection(TreeSet::new));
    }

    static String panel(String dashboard, String title) throws IOException {
        for (JsonNode p : dashboards().get(dashboard).get("panels")) {
            if (p.get("title").asText().equals(title)) {
                return p.at("/targets/0/query").asText();
            }
        }
        throw new AssertionError(dashboard + " has no panel " + title);
    }

    static Set<String> ids(List<Area> areas) {
        return areas.stream().map(Area::id).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theCityOrCountyOverviewRanksTheAreasOfTheLevelChosen() throws IOException {
        assertEquals(Set.of("township", "village"), values("county-overview.json", "level", Map.of()), "the levels below the root");
        assertEquals(ids(NEIXIANG.areasAt("village")), values("county-overview.json", "area", Map.of("level", "village")));
        String ranked = panel("county-overview.json", "Areas ranked (lowest coverage first)");
        List<Map<String, Object>> villages = influx.query(fill(ranked, Map.of("level", "village", "area", ".*")));
        assertEquals(290, villages.size(), "every village, one row each");
        for (Map<String, Object> row : villages) {
            Area a = NEIXIANG.area(row.get("area").toString());
            assertEquals(sampled(a), ((Number) row.get("sampled")).longValue(), a.id());
            assertEquals(a.parentId(), row.get("township"), "the township of " + a.id() + ", for the link to its detail");
        }
        assertEquals(List.of("CG-02"), influx.query(fill(ranked, Map.of("level", "village", "area", "CG-02"))).stream()
                .map(r -> r.get("area")).toList());
        String lines = panel("county-overview.json", "Coverage by area");
        assertEquals(16, influx.query(fill(lines, Map.of("level", "township", "area", ".*"))).stream()
                .map(r -> r.get("area")).distinct().count(), "a line per township");
    }

    @Test
    void theTownshipDetailRanksItsVillages() throws IOException {
        assertEquals(Set.of("village"), values("township-detail.json", "level", Map.of("township", "CG")), "the levels below it");
        assertEquals(ids(NEIXIANG.childrenOf("CG")), values("township-detail.json", "area", Map.of("township", "CG", "level", "village")));
        String ranked = panel("township-detail.json", "Areas of the township ranked (lowest coverage first)");
        List<Map<String, Object>> rows = influx.query(fill(ranked, Map.of("township", "CG", "level", "village", "area", ".*")));
        assertEquals(ids(NEIXIANG.childrenOf("CG")), rows.stream().map(r -> r.get("area").toString())
                .collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void theAlertsTimelineFiltersByTheAreaAnAlertIsAbout() throws IOException {
        assertEquals(Set.of("CG", "XG"), values("alerts-timeline.json", "area", Map.of("township", ".*")));
        String raised = panel("alerts-timeline.json", "Raised");
        assertEquals(3, influx.count(fill(raised, Map.of("township", ".*", "area", ".*"))), "All keeps the feed's alert, which has no area");
        assertEquals(1, influx.count(fill(raised, Map.of("township", ".*", "area", "XG"))));
        assertEquals(1, influx.count(fill(raised, Map.of("township", "CG", "area", ".*"))));
    }

    @Test
    void siteCapacitiesNameEachSitesTownshipAndAreaForATreeOfAreas() throws Exception {
        // The scenario's folder (as the InfluxDB setup passes it), or its sites.csv.
        for (String arg : List.of("neixiang", "metro/sites.csv")) {
            String scenario = arg.replace("/sites.csv", "");
            Process p = new ProcessBuilder("bash", Deployment.ROOT.resolve("deploy/influxdb/site-capacity.sh").toString(),
                    Deployment.ROOT.resolve("campaign/src/main/resources/scenarios/" + arg).toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertTrue(p.waitFor(1, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), "site-capacity.sh " + arg);
            Scenario s = Scenario.load(scenario);
            assertEquals(s.sites().size(), lines.size());
            for (int i = 0; i < lines.size(); i += 97) {
                var site = s.sites().get(i);
                assertTrue(lines.get(i).startsWith("site_capacity,township=" + site.townshipId() + ",area=" + site.areaId()
                        + ",site=" + site.id() + " capacity_per_hour=" + site.capacityPerHour() + "i,"), lines.get(i));
            }
        }
    }
}
