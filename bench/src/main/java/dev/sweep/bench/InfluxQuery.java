package dev.sweep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * InfluxQL on the bench's InfluxDB, over HTTP ({@code /query}, which the testkit's adapter passes to
 * influxd): what the latency poller and the soak's count read. Rows come flattened, each its series' tags
 * then its columns, {@code time} in epoch ms. Stateless but for its HTTP client.
 */
final class InfluxQuery {
    private final String url;
    private final String database;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    InfluxQuery(String url, String database) {
        this.url = url;
        this.database = database;
    }

    /** The rows of one SELECT. @throws IOException when InfluxDB does not answer 200 or answers an error */
    List<Map<String, Object>> rows(String select) throws IOException, InterruptedException {
        JsonNode result = call("GET", select).path("results").path(0);
        if (result.hasNonNull("error")) {
            throw new IOException("InfluxQL error: " + result.get("error").asText());
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode series : result.path("series")) {
            List<String> columns = new ArrayList<>();
            series.path("columns").forEach(c -> columns.add(c.asText()));
            for (JsonNode values : series.path("values")) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> tags = series.path("tags").fields(); tags.hasNext(); ) {
                    Map.Entry<String, JsonNode> tag = tags.next();
                    row.put(tag.getKey(), tag.getValue().asText());
                }
                for (int i = 0; i < columns.size(); i++) {
                    JsonNode v = values.path(i);
                    row.put(columns.get(i), v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? v.asDouble()
                            : v.isNull() ? null : v.asText());
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** The single number a query such as {@code SELECT sum(scans) FROM site_throughput} returns; 0 without a row. */
    long number(String select) throws IOException, InterruptedException {
        for (Map<String, Object> row : rows(select)) {
            for (Map.Entry<String, Object> e : row.entrySet()) {
                if (!e.getKey().equals("time") && e.getValue() instanceof Number n) {
                    return n.longValue();
                }
            }
        }
        return 0;
    }

    /** A statement that changes something (CREATE, DROP). */
    void run(String statement) throws IOException, InterruptedException {
        JsonNode result = call("POST", statement).path("results").path(0);
        if (result.hasNonNull("error")) {
            throw new IOException("InfluxQL error on '" + statement + "': " + result.get("error").asText());
        }
    }

    /** Drops and creates the database again: the next live run starts on empty series. */
    void resetDatabase() throws IOException, InterruptedException {
        run("DROP DATABASE \"" + database + "\"");
        run("CREATE DATABASE \"" + database + "\"");
    }

    private JsonNode call(String method, String q) throws IOException, InterruptedException {
        String query = "db=" + enc(database) + "&epoch=ms&q=" + enc(q);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/query" + (method.equals("GET")
                        ? "?" + query : ""))).timeout(Duration.ofSeconds(30));
        request = method.equals("GET") ? request.GET()
                : request.header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(query));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("InfluxDB answered " + response.statusCode() + ": " + response.body());
        }
        return ChildProcess.JSON.readTree(response.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
