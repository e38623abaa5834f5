package dev.sweep.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sweep.testkit.InfluxServer.QueryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * InfluxQL against one database of an {@link Influxd}, straight to influxd's {@code /query}, with the rows
 * flattened into maps the tests compare. State: none (the influxd and the database).
 */
final class InfluxQl {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Influxd influxd;
    private final String database;

    InfluxQl(Influxd influxd, String database) {
        this.influxd = influxd;
        this.database = database;
    }

    /**
     * Runs InfluxQL on database the database with {@code epoch=ms} and returns the rows of the
     * first statement: every series flattened, each row its tags (if grouped by tags) and then its
     * columns ({@code time} in epoch milliseconds). Integers come back as {@link Long}, floats as
     * {@link Double} (influxd writes a float with no fraction, such as 2.0, as {@code 2}, so that
     * reads back as a Long), strings and booleans as such. A statement without results (such as
     * {@code CREATE ...}) gives an empty list.
     *
     * @throws QueryException with influxd's message if the query fails
     */
    public List<Map<String, Object>> query(String influxQl) {
        return query(influxQl, "ms");
    }

    /**
     * As {@link #query(String)}, with timestamps in {@code epoch}: {@code ns}, {@code u},
     * {@code ms}, {@code s}, {@code m} or {@code h}; {@code null} gives RFC 3339 strings.
     */
    public List<Map<String, Object>> query(String influxQl, String epoch) {
        JsonNode result = firstResult(runQuery(influxQl, epoch), influxQl);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode series : result.path("series")) {
            Map<String, Object> tags = new LinkedHashMap<>();
            series.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), toJava(e.getValue())));
            List<String> columns = new ArrayList<>();
            series.path("columns").forEach(c -> columns.add(c.asText()));
            for (JsonNode values : series.path("values")) {
                Map<String, Object> row = new LinkedHashMap<>(tags);
                for (int i = 0; i < columns.size(); i++) {
                    row.put(columns.get(i), toJava(values.get(i)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * The single value of an InfluxQL query such as {@code SELECT count(scans) FROM site_throughput}:
     * the first column other than {@code time} of its only row, as a long; 0 when there is no row
     * (InfluxDB returns no series for an aggregate over nothing).
     *
     * @throws QueryException if the query fails, returns more than one row or a non-integral value
     */
    public long count(String influxQl) {
        JsonNode result = firstResult(runQuery(influxQl, "ms"), influxQl);
        JsonNode series = result.path("series");
        if (series.isEmpty()) {
            return 0;
        }
        JsonNode values = series.get(0).path("values");
        if (series.size() > 1 || values.size() != 1) {
            throw new QueryException("expected a single value but got " + series.size() + " series, "
                    + values.size() + " rows in the first, for: " + influxQl);
        }
        JsonNode columns = series.get(0).path("columns");
        for (int i = 0; i < columns.size(); i++) {
            if (!"time".equals(columns.get(i).asText())) {
                JsonNode v = values.get(0).get(i);
                if (v == null || v.isNull()) {
                    return 0;
                }
                if (v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
                    return v.asLong();
                }
                throw new QueryException("not an integer: " + v + " for: " + influxQl);
            }
        }
        throw new QueryException("no value column in the result of: " + influxQl);
    }

    JsonNode runQuery(String influxQl, String epoch) {
        HttpClient backend = influxd.client();
        if (backend == null) {
            throw new IllegalStateException("influxd is stopped (InfluxServer.stop()); call startAgain() first");
        }
        String form = "db=" + enc(database) + "&q=" + enc(influxQl) + (epoch == null ? "" : "&epoch=" + enc(epoch));
        HttpRequest request = HttpRequest.newBuilder(influxd.uri("/query"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response;
        try {
            response = backend.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("InfluxQL request to influxd failed: " + influxQl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new QueryException("influxd answered " + response.statusCode() + " with no JSON ("
                    + tail(response.body(), 500) + ") for: " + influxQl);
        }
        if (body.hasNonNull("error")) {
            throw new QueryException(body.get("error").asText() + " (query: " + influxQl + ")");
        }
        if (response.statusCode() != 200) {
            throw new QueryException("influxd answered " + response.statusCode() + " for: " + influxQl);
        }
        return body;
    }

    private static JsonNode firstResult(JsonNode body, String influxQl) {
        JsonNode result = body.path("results").path(0);
        if (result.hasNonNull("error")) {
            throw new QueryException(result.get("error").asText() + " (query: " + influxQl + ")");
        }
        return result;
    }

    private static Object toJava(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            BigInteger big = v.bigIntegerValue();
            return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        return v.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }

}
