package dev.sweep.hooks.routes;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Township;
import dev.sweep.hooks.channels.StandardWebhooks;
import dev.sweep.hooks.routes.YamlNode.Entry;
import dev.sweep.hooks.routes.YamlNode.Mapping;
import dev.sweep.hooks.routes.YamlNode.Scalar;
import dev.sweep.hooks.routes.YamlNode.Sequence;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Validates a routes file and builds its {@link Routes}. Collects every problem of the file (not just
 * the first), each naming the line and the field path, then refuses the file as a whole.
 */
final class RoutesParser {
    static final String WECOM_BASE = "https://qyapi.weixin.qq.com";
    static final String DINGTALK_BASE = "https://oapi.dingtalk.com";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    /** Fields that would put a secret in the file, and the field that names its variable instead. */
    private static final Map<String, String> LITERAL_SECRETS = Map.of(
            "secret", "secretEnv", "key", "keyEnv", "token", "tokenEnv", "accessToken", "tokenEnv",
            "access_token", "tokenEnv", "password", "secretEnv");

    private final String source;
    private final Map<String, String> env;
    private final Scenario scenario;
    private final Routes.RiskyTargets risky;
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** Channel ids seen so far, to refuse the same destination twice. */
    private final Map<String, ChannelSpec> ids = new HashMap<>();
    /** Destinations by what the service counts against (a robot, a webhook URL): one target has one rate limit. */
    private final Map<String, ChannelSpec> targets = new HashMap<>();

    RoutesParser(String source, Map<String, String> env, Scenario scenario, Routes.RiskyTargets risky) {
        this.source = source;
        this.env = env;
        this.scenario = scenario;
        this.risky = risky;
    }

    Routes parse(String text) {
        YamlNode root;
        try {
            root = YamlNode.parse(text);
        } catch (YamlNode.SyntaxException e) {
            throw new RoutesException(List.of(source + (e.line > 0 ? " line " + e.line : "") + ": " + e.getMessage()));
        }
        if (root == null) {
            throw new RoutesException(List.of(source + ": empty: a routes file needs a county route "
                    + "(county: leads: ...) and the townships' leads (townships: CG: leads: ...)"));
        }
        if (!(root instanceof Mapping top)) {
            throw new RoutesException(List.of(source + " line " + root.line()
                    + ": expected a mapping with the fields county and townships"));
        }
        checkFields(top, "", Set.of("county", "townships"));

        List<ChannelSpec> county = new ArrayList<>();
        Entry countyEntry = top.entries().get("county");
        if (countyEntry == null) {
            problem(top.line(), "county", "missing: the county route takes FEED_STALLED and the alerts of townships without a lead");
        } else {
            Mapping m = mapping(countyEntry, "county", "expected a mapping with leads");
            if (m != null) {
                checkFields(m, "county", Set.of("leads"));
                county = leads(m, "county", Routes.COUNTY);
                Entry leads = m.entries().get("leads");
                if (leads != null && leads.value() instanceof Sequence s && s.items().isEmpty()) {
                    problem(leads.keyLine(), "county.leads",
                            "the county route needs at least one lead: it takes FEED_STALLED and the townships without a lead");
                }
            }
        }

        Map<String, List<ChannelSpec>> townships = new LinkedHashMap<>();
        Entry townshipsEntry = top.entries().get("townships");
        if (townshipsEntry != null && !isNull(townshipsEntry.value())) {
            Mapping m = mapping(townshipsEntry, "townships", "expected a mapping of township ids to their leads");
            if (m != null) {
                for (Entry dup : m.duplicates()) {
                    problem(dup.keyLine(), "townships." + dup.key(), "township given twice (first on line "
                            + m.entries().get(dup.key()).keyLine() + ")");
                }
                for (Entry e : m.entries().values()) {
                    String path = "townships." + e.key();
                    if (scenario.township(e.key()) == null) {
                        problem(e.keyLine(), path, "no township '" + e.key() + "' in scenario " + scenario.name()
                                + " (one of: " + scenario.townships().stream().map(Township::id)
                                .collect(Collectors.joining(", ")) + ")");
                        continue;
                    }
                    Mapping t = mapping(e, path, "expected a mapping with leads (leads: [] for none)");
                    if (t == null) {
                        continue;
                    }
                    checkFields(t, path, Set.of("leads"));
                    List<ChannelSpec> channels = leads(t, path, e.key());
                    if (!channels.isEmpty()) {
                        townships.put(e.key(), channels);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RoutesException(problems);
        }
        return new Routes(source, scenario, county, townships, warnings);
    }

    /** The channels of every lead of a route ({@code leads: [...]}); {@code []} means no lead. */
    private List<ChannelSpec> leads(Mapping route, String path, String scope) {
        List<ChannelSpec> out = new ArrayList<>();
        Entry leadsEntry = route.entries().get("leads");
        if (leadsEntry == null) {
            problem(route.line(), path + ".leads", "missing: a list of leads, each with channels (leads: [] for none)");
            return out;
        }
        if (!(leadsEntry.value() instanceof Sequence leads)) {
            problem(leadsEntry.keyLine(), path + ".leads", "expected a list of leads, each with channels (leads: [] for none)");
            return out;
        }
        for (int i = 0; i < leads.items().size(); i++) {
            String leadPath = path + ".leads[" + i + "]";
            YamlNode node = leads.items().get(i);
            if (!(node instanceof Mapping lead)) {
                problem(node.line(), leadPath, "expected a lead: name and channels");
                continue;
            }
            checkFields(lead, leadPath, Set.of("name", "channels"));
            Entry name = lead.entries().get("name");
            if (name != null && !(name.value() instanceof Scalar s && s.text() != null && !s.text().isBlank())) {
                problem(name.keyLine(), leadPath + ".name", "expected a name (a duty or role, such as 城关镇值班室)");
            }
            Entry channels = lead.entries().get("channels");
            if (channels == null) {
                problem(lead.line(), leadPath + ".channels", "missing: a lead needs at least one channel");
                continue;
            }
            if (!(channels.value() instanceof Sequence list) || list.items().isEmpty()) {
                problem(channels.keyLine(), leadPath + ".channels", "expected a list of at least one channel");
                continue;
            }
            for (int j = 0; j < list.items().size(); j++) {
                ChannelSpec spec = channel(list.items().get(j), leadPath + ".channels[" + j + "]", scope);
                if (spec != null) {
                    out.add(spec);
                }
            }
        }
        return out;
    }

    private ChannelSpec channel(YamlNode node, String path, String scope) {
        if (!(node instanceof Mapping m)) {
            problem(node.line(), path, "expected a channel: kind and its fields");
            return null;
        }
        int before = problems.size();
        for (Entry e : m.entries().values()) {
            String instead = LITERAL_SECRETS.get(e.key());
            if (instead != null) {
                problem(e.keyLine(), path + "." + e.key(), "secrets come from the environment, never from the routes file: "
                        + "name the environment variable with " + instead);
            }
        }
        String kindWord = string(m, "kind", path, true);
        if (kindWord == null) {
            return null;
        }
        ChannelKind kind = ChannelKind.of(kindWord);
        if (kind == null) {
            problem(m.entries().get("kind").keyLine(), path + ".kind",
                    "unknown kind '" + kindWord + "' (one of: " + ChannelKind.words() + ")");
            return null;
        }
        String explicitId = string(m, "id", path, false);
        if (explicitId != null && !ID.matcher(explicitId).matches()) {
            problem(m.entries().get("id").keyLine(), path + ".id", "'" + explicitId
                    + "' is not an id (letters, digits, '.', '_', '-'; at most 100)");
        }
        URI url = null;
        String token = null;
        String secret = null;
        String destination = null;
        switch (kind) {
            case WEBHOOK -> {
                checkFields(m, path, Set.of("kind", "id", "url", "secretEnv", "rateLimit"), LITERAL_SECRETS.keySet());
                String u = string(m, "url", path, true);
                if (u != null) {
                    url = httpUrl(u, m.entries().get("url").keyLine(), path + ".url", false);
                    destination = shortHash(u);
                }
                secret = secretFromEnv(m, "secretEnv", path);
                if (secret != null) {
                    try {
                        StandardWebhooks.key(secret);
                    } catch (IllegalArgumentException e) {
                        problem(m.entries().get("secretEnv").keyLine(), path + ".secretEnv", "environment variable "
                                + string(m, "secretEnv", path, false) + " " + e.getMessage());
                        secret = null;
                    }
                }
            }
            case WECOM -> {
                checkFields(m, path, Set.of("kind", "id", "keyEnv", "baseUrl", "rateLimit"), LITERAL_SECRETS.keySet(),
                        "a WeCom robot's URL carries its key: name the key's environment variable with keyEnv "
                                + "(and give baseUrl to change the host)");
                url = baseUrl(m, path, WECOM_BASE);
                token = secretFromEnv(m, "keyEnv", path);
                destination = string(m, "keyEnv", path, false);
            }
            case DINGTALK -> {
                checkFields(m, path, Set.of("kind", "id", "tokenEnv", "secretEnv", "baseUrl", "rateLimit"), LITERAL_SECRETS.keySet(),
                        "a DingTalk robot's URL carries its access token: name the token's environment variable with "
                                + "tokenEnv (and give baseUrl to change the host)");
                url = baseUrl(m, path, DINGTALK_BASE);
                token = secretFromEnv(m, "tokenEnv", path);
                secret = secretFromEnv(m, "secretEnv", path);
                destination = string(m, "tokenEnv", path, false);
            }
            case SLACK -> {
                checkFields(m, path, Set.of("kind", "id", "urlEnv", "rateLimit"), LITERAL_SECRETS.keySet(),
                        "a Slack incoming-webhook URL is a secret: put it in an environment variable and name it with urlEnv");
                String name = envName(m, "urlEnv", path);
                String value = name == null ? null : envValue(name, m.entries().get("urlEnv").keyLine(), path + ".urlEnv");
                if (value != null) {
                    url = httpUrl(value, m.entries().get("urlEnv").keyLine(), path + ".urlEnv", true, name);
                }
                destination = name;
            }
            default -> throw new IllegalStateException(kind.toString());
        }
        RateLimit rateLimit = rateLimit(m, path, kind);
        if (problems.size() > before) {
            return null;
        }
        String id = explicitId != null ? explicitId : scope + "." + kind.word() + "." + destination;
        ChannelSpec spec = new ChannelSpec(id, kind, scope, path, m.line(), url, token, secret, rateLimit);
        ChannelSpec earlier = ids.putIfAbsent(id, spec);
        if (earlier != null) {
            problem(m.line(), path, (explicitId != null ? "id '" + id + "' is already used by" : "the same destination as")
                    + " " + earlier.field() + " (line " + earlier.line() + ")"
                    + (explicitId != null ? "" : ": it would be paged twice for each alert"));
            return null;
        }
        ChannelSpec sameTarget = targets.putIfAbsent(spec.target(), spec);
        if (sameTarget != null && !sameTarget.rateLimit().equals(rateLimit)) {
            Entry e = m.entries().get("rateLimit");
            problem(e != null ? e.keyLine() : m.line(), path + ".rateLimit", rateLimit + ", but it pages the same "
                    + (kind == ChannelKind.WECOM || kind == ChannelKind.DINGTALK ? "robot" : "URL") + " as "
                    + sameTarget.field() + " (line " + sameTarget.line() + "), which allows " + sameTarget.rateLimit()
                    + ": the service counts them together, so give both the same rateLimit");
            return null;
        }
        return spec;
    }

    /**
     * The channel's {@code rateLimit} ({@code 20/1m}), or its kind's default. One faster than the service's
     * published limit is taken (the service may have raised it) but warned about: the service would refuse the
     * excess as too fast, and those pages would wait.
     */
    private RateLimit rateLimit(Mapping m, String path, ChannelKind kind) {
        Entry e = m.entries().get("rateLimit");
        if (e == null) {
            return kind.defaultRateLimit();
        }
        String text = string(m, "rateLimit", path, false);
        if (text == null) {
            return null;
        }
        RateLimit limit;
        try {
            limit = RateLimit.parse(text);
        } catch (IllegalArgumentException ex) {
            problem(e.keyLine(), path + ".rateLimit", ex.getMessage());
            return null;
        }
        if (kind.serviceRule() != null && limit.fasterThan(kind.defaultRateLimit())) {
            warnings.add(source + " line " + e.keyLine() + ", " + path + ".rateLimit: " + limit + " is faster than "
                    + kind.serviceRule() + " (" + kind.defaultRateLimit() + "): the service will refuse the excess as too fast,"
                    + " and those pages wait for its advised delay");
        }
        return limit;
    }

    // ----- fields -----------------------------------------------------------------------------------------------

    private void checkFields(Mapping m, String path, Set<String> allowed) {
        checkFields(m, path, allowed, Set.of(), null);
    }

    private void checkFields(Mapping m, String path, Set<String> allowed, Set<String> reportedElsewhere) {
        checkFields(m, path, allowed, reportedElsewhere, null);
    }

    /** Refuses unknown and repeated fields; {@code urlAdvice} is the refusal of a {@code url} field. */
    private void checkFields(Mapping m, String path, Set<String> allowed, Set<String> reportedElsewhere, String urlAdvice) {
        String prefix = path.isEmpty() ? "" : path + ".";
        for (Entry dup : m.duplicates()) {
            problem(dup.keyLine(), prefix + dup.key(), "given twice (first on line " + m.entries().get(dup.key()).keyLine() + ")");
        }
        for (Entry e : m.entries().values()) {
            if (allowed.contains(e.key()) || reportedElsewhere.contains(e.key())) {
                continue;
            }
            if (e.key().equals("url") && urlAdvice != null) {
                problem(e.keyLine(), prefix + e.key(), urlAdvice);
            } else {
                problem(e.keyLine(), prefix + e.key(), "unknown field (expected "
                        + allowed.stream().sorted().collect(Collectors.joining(", ")) + ")");
            }
        }
    }

    private Mapping mapping(Entry e, String path, String expected) {
        if (e.value() instanceof Mapping m) {
            return m;
        }
        problem(e.keyLine(), path, expected);
        return null;
    }

    /** A scalar field as text; null (and a problem when required) when missing or not a scalar. */
    private String string(Mapping m, String field, String path, boolean required) {
        Entry e = m.entries().get(field);
        if (e == null) {
            if (required) {
                problem(m.line(), path + "." + field, "missing");
            }
            return null;
        }
        if (!(e.value() instanceof Scalar s) || s.text() == null || s.text().isBlank()) {
            problem(e.keyLine(), path + "." + field, "expected a value");
            return null;
        }
        return s.text().trim();
    }

    private String envName(Mapping m, String field, String path) {
        String name = string(m, field, path, true);
        if (name != null && !ENV_NAME.matcher(name).matches()) {
            problem(m.entries().get(field).keyLine(), path + "." + field, "'" + name
                    + "' is not an environment variable name (letters, digits and _)");
            return null;
        }
        return name;
    }

    private String envValue(String name, int line, String field) {
        String value = env.get(name);
        if (value == null) {
            problem(line, field, "environment variable " + name + " is not set");
            return null;
        }
        if (value.isBlank()) {
            problem(line, field, "environment variable " + name + " is empty");
            return null;
        }
        return value.trim();
    }

    private String secretFromEnv(Mapping m, String field, String path) {
        String name = envName(m, field, path);
        return name == null ? null : envValue(name, m.entries().get(field).keyLine(), path + "." + field);
    }

    private URI baseUrl(Mapping m, String path, String defaultBase) {
        String base = string(m, "baseUrl", path, false);
        if (base == null) {
            return URI.create(defaultBase);
        }
        int line = m.entries().get("baseUrl").keyLine();
        URI uri = httpUrl(base, line, path + ".baseUrl", false);
        if (uri != null && (uri.getRawQuery() != null || uri.getRawFragment() != null)) {
            problem(line, path + ".baseUrl", "a base URL has no query: the key or token comes from the environment");
            return null;
        }
        return uri == null ? null : URI.create(base.replaceAll("/+$", ""));
    }

    private URI httpUrl(String value, int line, String field, boolean secret) {
        return httpUrl(value, line, field, secret, null);
    }

    /**
     * An http(s) URL with a host; a secret one is never quoted back, only its variable. A literal URL with
     * credentials in it is refused; a risky target (loopback, link-local, private, plain http to another host)
     * is refused, or only warned about when risky targets are allowed.
     */
    private URI httpUrl(String value, int line, String field, boolean secret, String variable) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                if (!secret) {
                    var credentials = TargetCheck.credentials(uri);
                    if (credentials.isPresent()) {
                        problem(line, field, credentials.get() + ": secrets come from the environment, never from the routes file");
                        return null;
                    }
                }
                var risk = TargetCheck.risk(uri);
                if (risk.isPresent()) {
                    String where = (secret ? "environment variable " + variable + " points at " : "") + risk.get();
                    if (risky == Routes.RiskyTargets.ALLOW) {
                        warnings.add(source + (line > 0 ? " line " + line : "") + ", " + field + ": " + where
                                + " (allowed by --allow-risky-targets)");
                    } else {
                        problem(line, field, where + "; refused unless risky targets are allowed (--allow-risky-targets)");
                        return null;
                    }
                }
                return uri;
            }
        } catch (URISyntaxException e) {
            // refused below
        }
        problem(line, field, (secret ? "environment variable " + variable + " does not hold" : "'" + value + "' is not")
                + " an http(s) URL");
        return null;
    }

    private static boolean isNull(YamlNode node) {
        return node instanceof Scalar s && s.text() == null;
    }

    private void problem(int line, String field, String message) {
        problems.add(source + (line > 0 ? " line " + line : "") + ", " + field + ": " + message);
    }

    /** First 8 hex digits of SHA-256: a stable name for a webhook URL that does not spell it out. */
    static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
