package dev.sweep.hooks.routes;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Township;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who is paged for which alert: each township's leads and their channels, and the county route,
 * which takes FEED_STALLED (and any alert without a township) and every township that has no lead.
 * Loaded from the routes file (YAML, see the README) and validated against the scenario and the
 * environment at start; immutable.
 */
public final class Routes {
    /** The scope of the county route, and the Kafka key of job-wide alerts. */
    public static final String COUNTY = "county";

    /**
     * What to do with a destination on a loopback, link-local or private address, or over plain http to
     * another host: refuse the file (the default), or allow it with a warning (a test rig, a receiver on
     * the same host or network that the operator means).
     */
    public enum RiskyTargets { REFUSE, ALLOW }

    private final String source;
    private final Scenario scenario;
    private final List<ChannelSpec> county;
    private final Map<String, List<ChannelSpec>> townships;
    private final List<String> warnings;

    Routes(String source, Scenario scenario, List<ChannelSpec> county, Map<String, List<ChannelSpec>> townships,
           List<String> warnings) {
        this.source = source;
        this.warnings = List.copyOf(warnings);
        this.scenario = scenario;
        this.county = List.copyOf(county);
        Map<String, List<ChannelSpec>> copy = new LinkedHashMap<>();
        townships.forEach((id, channels) -> copy.put(id, List.copyOf(channels)));
        this.townships = copy;
    }

    /**
     * Reads and validates a routes file. Secrets come from {@code env} (the process environment, or
     * a map in tests), never from the file.
     *
     * @throws RoutesException naming the file, line and field of every problem
     */
    public static Routes load(Path file, Map<String, String> env, Scenario scenario) {
        return load(file, env, scenario, RiskyTargets.REFUSE);
    }

    /** {@link #load(Path, Map, Scenario)}, with risky targets refused or allowed with a warning. */
    public static Routes load(Path file, Map<String, String> env, Scenario scenario, RiskyTargets risky) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RoutesException(List.of(file + ": cannot be read: " + e.getMessage()));
        }
        return parse(text, file.toString(), env, scenario, risky);
    }

    /** {@link #load} on text already read; {@code source} names it in errors. Risky targets are refused. */
    public static Routes parse(String yaml, String source, Map<String, String> env, Scenario scenario) {
        return parse(yaml, source, env, scenario, RiskyTargets.REFUSE);
    }

    public static Routes parse(String yaml, String source, Map<String, String> env, Scenario scenario, RiskyTargets risky) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(scenario, "scenario");
        return new RoutesParser(source, env, scenario, Objects.requireNonNull(risky, "risky")).parse(yaml);
    }

    /**
     * What the file may not mean, one line each naming the file, line and field: the risky targets that were
     * allowed (none when refused), and rate limits faster than the service's own.
     */
    public List<String> warnings() {
        return warnings;
    }

    /** The file (or name) the routes were read from. */
    public String source() {
        return source;
    }

    public Scenario scenario() {
        return scenario;
    }

    /** Every destination: the county route's first, then the townships' in file order. */
    public List<ChannelSpec> channels() {
        List<ChannelSpec> all = new ArrayList<>(county);
        townships.values().forEach(all::addAll);
        return all;
    }

    /** The county route's destinations. */
    public List<ChannelSpec> county() {
        return county;
    }

    /** The destinations of a township's leads; empty when it has no lead (its alerts go to the county). */
    public List<ChannelSpec> township(String townshipId) {
        return townships.getOrDefault(townshipId, List.of());
    }

    /** The scenario's townships that have no lead here: the county route pages their alerts. */
    public List<Township> townshipsWithoutLead() {
        return scenario.townships().stream().filter(t -> township(t.id()).isEmpty()).toList();
    }

    /**
     * Whose alert this is: the township id whose leads are paged, or {@link #COUNTY} for FEED_STALLED,
     * an alert without a township, and a township without a lead (or unknown to the scenario).
     */
    public String scopeOf(Alert alert) {
        String township = alert.getTownshipId();
        if (alert.getKind() == AlertKind.FEED_STALLED || township == null || township(township).isEmpty()) {
            return COUNTY;
        }
        return township;
    }

    /** The destinations that page this alert. */
    public List<ChannelSpec> route(Alert alert) {
        String scope = scopeOf(alert);
        return scope.equals(COUNTY) ? county : township(scope);
    }

    @Override
    public String toString() {
        return source + ": " + channels().size() + " channels, " + townships.size() + " townships with leads, "
                + county.size() + " county channels";
    }
}
