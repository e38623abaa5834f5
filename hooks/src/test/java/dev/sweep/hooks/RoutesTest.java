package dev.sweep.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Township;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.hooks.routes.ChannelKind;
import dev.sweep.hooks.routes.ChannelSpec;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.hooks.routes.RoutesException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The routes file: the shipped sample loads, routing follows the rules, and each mistake is refused by line and field. */
class RoutesTest {
    static final Scenario NEIXIANG = Scenario.load("neixiang");
    static final Path SAMPLE = Path.of("routes/neixiang.yaml");

    /** A value for every variable the file names (URLs for the Slack ones), as a deployment's environment would hold. */
    static Map<String, String> fakeEnv(String yaml) {
        Map<String, String> env = new HashMap<>();
        Matcher m = Pattern.compile("\\w+Env:\\s*(\\w+)").matcher(yaml);
        while (m.find()) {
            String name = m.group(1);
            env.put(name, name.endsWith("_URL") ? "https://hooks.example.invalid/services/" + name
                    : name.contains("WEBHOOK") ? Services.webhookSecret() : "fake-" + name.toLowerCase());
        }
        return env;
    }

    @Test
    void theNeixiangSampleLoadsWithItsEnvironment() throws Exception {
        String yaml = Files.readString(SAMPLE);
        Map<String, String> env = fakeEnv(yaml);
        Routes routes = Routes.load(SAMPLE, env, NEIXIANG);

        assertEquals(List.of(), routes.townshipsWithoutLead(), "every township of the sample has a lead");
        for (Township t : NEIXIANG.townships()) {
            assertFalse(routes.township(t.id()).isEmpty(), t.id());
        }
        assertEquals(16, NEIXIANG.townships().size());
        Set<ChannelKind> kinds = routes.channels().stream().map(ChannelSpec::kind).collect(Collectors.toCollection(() -> EnumSet.noneOf(ChannelKind.class)));
        assertEquals(EnumSet.allOf(ChannelKind.class), kinds, "the sample shows every kind");
        assertEquals(routes.channels().size(), routes.channels().stream().map(ChannelSpec::id).distinct().count());
        assertEquals(2, routes.county().size());
        assertTrue(routes.county().stream().anyMatch(c -> c.id().equals("county.ops-webhook")));

        // Secrets come from the environment, and the robots default to the services' own hosts.
        ChannelSpec cgDingTalk = routes.township("CG").get(0);
        assertEquals(ChannelKind.DINGTALK, cgDingTalk.kind());
        assertEquals(env.get("SWEEP_DINGTALK_CG_TOKEN"), cgDingTalk.token());
        assertEquals(env.get("SWEEP_DINGTALK_CG_SECRET"), cgDingTalk.secret());
        assertEquals("https://oapi.dingtalk.com", cgDingTalk.url().toString());
        assertEquals("CG.dingtalk.SWEEP_DINGTALK_CG_TOKEN", cgDingTalk.id());
        assertFalse(cgDingTalk.toString().contains(env.get("SWEEP_DINGTALK_CG_SECRET")), "toString shows no secret");
        ChannelSpec xg = routes.township("XG").get(0);
        assertEquals("https://qyapi.weixin.qq.com", xg.url().toString());
        assertEquals(env.get("SWEEP_WECOM_XG_KEY"), xg.token());
        // Rate limits: the services' own unless the file says otherwise (XG's robot, the county's ops webhook).
        assertEquals("10/1m", xg.rateLimit().toString());
        assertEquals("120/1m", routes.county().get(1).rateLimit().toString());
        assertEquals("20/1m", cgDingTalk.rateLimit().toString());
        assertEquals(List.of(), routes.warnings());

        // Routing: the township's leads; FEED_STALLED and township-less alerts to the county.
        assertEquals(routes.township("CG"), routes.route(Alerts.raised("a1", AlertKind.SITE_SILENT, "CG", "NX-CG-001")));
        assertEquals(routes.county(), routes.route(Alerts.raised("a2", AlertKind.FEED_STALLED, null, null)));
        assertEquals(routes.county(), routes.route(Alerts.raised("a3", AlertKind.FEED_STALLED, "CG", null)));

        // Without the environment, each variable is named with its line and field.
        RoutesException e = assertThrows(RoutesException.class, () -> Routes.load(SAMPLE, Map.of(), NEIXIANG));
        assertEquals(env.size(), e.problems().size(), e.getMessage());
        List<String> lines = yaml.lines().toList();
        for (String problem : e.problems()) {
            Matcher m = Pattern.compile("^routes/neixiang\\.yaml line (\\d+), (\\S+): environment variable (\\w+) is not set$").matcher(problem);
            assertTrue(m.matches(), problem);
            String line = lines.get(Integer.parseInt(m.group(1)) - 1);
            assertTrue(line.contains(m.group(3)) && m.group(2).endsWith("." + line.trim().split(":")[0]), problem + " vs " + line);
        }
    }

    @Test
    void leadlessTownshipsAndUnknownOnesGoToTheCounty() {
        String yaml = """
                county:
                  leads:
                    - name: county desk
                      channels:
                        - kind: webhook
                          url: http://127.0.0.1:9/county
                          secretEnv: COUNTY_SECRET
                townships:
                  CG:
                    leads:
                      - channels:
                          - kind: slack
                            urlEnv: CG_SLACK_URL
                  XG:
                    leads: []
                """;
        Routes routes = Routes.parse(yaml, "routes.yaml", Map.of("COUNTY_SECRET", Services.webhookSecret(),
                "CG_SLACK_URL", "http://127.0.0.1:9/services/x"), NEIXIANG, Routes.RiskyTargets.ALLOW);
        assertEquals(15, routes.townshipsWithoutLead().size(), "XG (no lead) and the 14 townships not listed");
        assertEquals("CG", routes.scopeOf(Alerts.raised("a", AlertKind.SITE_SLOW, "CG", "NX-CG-002")));
        assertEquals(Routes.COUNTY, routes.scopeOf(Alerts.raised("b", AlertKind.SITE_SLOW, "XG", null)));
        assertEquals(Routes.COUNTY, routes.scopeOf(Alerts.raised("c", AlertKind.SITE_SLOW, "SG", null)));
        assertEquals(Routes.COUNTY, routes.scopeOf(Alerts.raised("d", AlertKind.STATION_OFFLINE, "ZZ", null)));
        assertEquals(Routes.COUNTY, routes.scopeOf(Alerts.of("e", AlertKind.FEED_STALLED, AlertState.RESOLVED, null, null)));
        assertEquals("CG.slack.CG_SLACK_URL", routes.township("CG").get(0).id());
    }

    /** Each mistake, with the message it must give (file, line, field, what is wrong). */
    @Test
    void mistakesAreRefusedByLineAndField() {
        String head = """
                county:
                  leads:
                    - channels:
                        - kind: wecom
                          keyEnv: COUNTY_KEY
                townships:
                """;
        Map<String, String> env = Map.of("COUNTY_KEY", "k", "CG_SECRET", "s", "CG_TOKEN", "t");
        refused("", env, "routes.yaml: empty");
        refused("# only a comment\n", env, "routes.yaml: empty");
        refused(head + """
                  CG:
                    leads:
                      - channels:
                          - kind: webhook
                            url: http://127.0.0.1:1/x
                            secretEnv: CG_SECRET
                          - kind: wechat
                            url: http://127.0.0.1:1/y
                """, env, "routes.yaml line 13, townships.CG.leads[0].channels[1].kind: unknown kind 'wechat' (one of: webhook, wecom, dingtalk, slack)");
        refused(head + """
                  CG:
                    leads:
                      - channels:
                          - kind: dingtalk
                            tokenEnv: CG_TOKEN
                            secretEnv: SWEEP_DINGTALK_CG_SECRET
                """, env, "routes.yaml line 12, townships.CG.leads[0].channels[0].secretEnv: environment variable SWEEP_DINGTALK_CG_SECRET is not set");
        refused(head + """
                  CG:
                    leads: []
                  XG:
                    leads: []
                  CG:
                    leads: []
                """, env, "routes.yaml line 11, townships.CG: township given twice (first on line 7)");
        refused(head + """
                  ZZ:
                    leads: []
                """, env, "routes.yaml line 7, townships.ZZ: no township 'ZZ' in scenario neixiang (one of: CG, XG, SG,");
        refused(head + """
                  CG:
                    leads:
                      - channels:
                          - kind: dingtalk
                            tokenEnv: CG_TOKEN
                            secret: hunter2
                """, env, "routes.yaml line 12, townships.CG.leads[0].channels[0].secret: secrets come from the environment, never from the routes file: name the environment variable with secretEnv");
        refused(head + """
                  CG:
                    leads:
                      - channels:
                          - kind: slack
                            url: https://hooks.slack.com/services/T0/B0/abc
                """, env, "routes.yaml line 11, townships.CG.leads[0].channels[0].url: a Slack incoming-webhook URL is a secret");
        refused(head + """
                  CG:
                    leads:
                      - channels:
                          - kind: webhook
                            secretEnv: CG_SECRET
                """, env, "routes.yaml line 10, townships.CG.leads[0].channels[0].url: missing");
        refused(head + """
                  CG:
                    leads:
                      - channels:
                          - kind: webhook
                            url: ftp://127.0.0.1/x
                            secretEnv: CG_SECRET
                            retries: 3
                """, env, "routes.yaml line 11, townships.CG.leads[0].channels[0].url: 'ftp://127.0.0.1/x' is not an http(s) URL",
                "routes.yaml line 13, townships.CG.leads[0].channels[0].retries: unknown field (expected id, kind, rateLimit, secretEnv, url)");
        refused(head + """
                  CG:
                    leads:
                      - name: CG lead
                """, env, "routes.yaml line 9, townships.CG.leads[0].channels: missing: a lead needs at least one channel");
        refused(head + """
                  CG:
                    leads:
                      - name: lead one
                        channels:
                          - kind: wecom
                            keyEnv: COUNTY_KEY
                      - name: lead two, in the same group chat
                        channels:
                          - kind: wecom
                            keyEnv: COUNTY_KEY
                """, env, "routes.yaml line 15, townships.CG.leads[1].channels[0]: the same destination as "
                        + "townships.CG.leads[0].channels[0] (line 11): it would be paged twice for each alert");
        refused("""
                townships:
                  CG:
                    leads: []
                """, env, "routes.yaml line 1, county: missing");
        refused("""
                county:
                  leads: []
                """, env, "routes.yaml line 2, county.leads: the county route needs at least one lead");
        refused("""
                county:
                  leads:
                    - channels:
                      - kind: wecom
                         keyEnv: X
                """, env, "routes.yaml line 5: not valid YAML");
        refused("""
                county:
                  leads:
                    - channels:
                        - kind: wecom
                          keyEnv: COUNTY_KEY
                          baseUrl: https://qyapi.example.invalid/?key=abc
                """, env, "routes.yaml line 6, county.leads[0].channels[0].baseUrl: a credential inside the URL's query (key=)");
        refused("""
                county:
                  leads:
                    - channels:
                        - kind: wecom
                          keyEnv: COUNTY_KEY
                lead: x
                """, env, "routes.yaml line 6, lead: unknown field (expected county, townships)");
    }

    /** Risky targets are refused by name (or, allowed, listed as warnings); credentials in a literal URL always refused. */
    @Test
    void riskyTargetsAndCredentialsInUrlsAreNamed() {
        String secret = Services.webhookSecret();
        String yaml = """
                county:
                  leads:
                    - channels:
                        - kind: webhook
                          url: http://169.254.169.254/latest/meta-data/
                          secretEnv: HOOK_SECRET
                        - kind: webhook
                          url: https://127.0.0.1:8443/hooks
                          secretEnv: HOOK_SECRET
                        - kind: webhook
                          url: https://10.1.2.3/hooks
                          secretEnv: HOOK_SECRET
                        - kind: dingtalk
                          tokenEnv: DING_TOKEN
                          secretEnv: DING_SECRET
                          baseUrl: http://dingtalk-proxy.example.org
                        - kind: slack
                          urlEnv: SLACK_URL
                        - kind: webhook
                          url: https://ops.example.org/hooks
                          secretEnv: HOOK_SECRET
                """;
        Map<String, String> env = Map.of("HOOK_SECRET", secret, "DING_TOKEN", "t0k3n", "DING_SECRET", "s3cr3t",
                "SLACK_URL", "http://[::1]:9/services/T/B/very-secret");
        RoutesException e = assertThrows(RoutesException.class, () -> Routes.parse(yaml, "routes.yaml", env, NEIXIANG));
        assertEquals(List.of(
                "routes.yaml line 5, county.leads[0].channels[0].url: a link-local address (169.254.169.254), where cloud metadata "
                        + "services answer; refused unless risky targets are allowed (--allow-risky-targets)",
                "routes.yaml line 8, county.leads[0].channels[1].url: a loopback address (127.0.0.1): this machine itself; "
                        + "refused unless risky targets are allowed (--allow-risky-targets)",
                "routes.yaml line 11, county.leads[0].channels[2].url: a private address (10.1.2.3) inside this network; "
                        + "refused unless risky targets are allowed (--allow-risky-targets)",
                "routes.yaml line 16, county.leads[0].channels[3].baseUrl: plain http to another host (dingtalk-proxy.example.org): "
                        + "pages, and any key in the URL, cross the network unencrypted; refused unless risky targets are allowed (--allow-risky-targets)",
                "routes.yaml line 18, county.leads[0].channels[4].urlEnv: environment variable SLACK_URL points at a loopback address "
                        + "([::1]): this machine itself; refused unless risky targets are allowed (--allow-risky-targets)"),
                e.problems());
        assertFalse(e.getMessage().contains("very-secret"), "a secret URL is never quoted");

        Routes allowed = Routes.parse(yaml, "routes.yaml", env, NEIXIANG, Routes.RiskyTargets.ALLOW);
        assertEquals(6, allowed.channels().size());
        assertEquals(5, allowed.warnings().size(), String.join("\n", allowed.warnings()));
        assertTrue(allowed.warnings().get(0).startsWith("routes.yaml line 5, county.leads[0].channels[0].url: a link-local address")
                && allowed.warnings().get(0).endsWith("(allowed by --allow-risky-targets)"), allowed.warnings().get(0));

        // Credentials in a literal URL belong in the environment, whatever the policy.
        for (String url : List.of("https://ops:hunter2@ops.example.org/hooks", "https://ops.example.org/hooks?x=1&token=abc")) {
            String withCredentials = """
                    county:
                      leads:
                        - channels:
                            - kind: webhook
                              url: %s
                              secretEnv: HOOK_SECRET
                    """.formatted(url);
            RoutesException c = assertThrows(RoutesException.class, () -> Routes.parse(withCredentials, "routes.yaml",
                    Map.of("HOOK_SECRET", secret), NEIXIANG, Routes.RiskyTargets.ALLOW));
            assertEquals(1, c.problems().size(), c.getMessage());
            assertTrue(c.getMessage().startsWith("routes.yaml line 5, county.leads[0].channels[0].url: a ")
                    && c.getMessage().endsWith("inside the URL" + (url.contains("token") ? "'s query (token=)" : " (user:password@)")
                    + ": secrets come from the environment, never from the routes file"), c.getMessage());
            assertFalse(c.getMessage().contains("hunter2") || c.getMessage().contains("abc"), "not quoted: " + c.getMessage());
        }
    }

    /**
     * Each kind keeps its service's limit (robots 20 a minute, Slack one a second, webhooks 60 a minute) unless
     * {@code rateLimit} says otherwise; a bad one is refused by line and field, one faster than the service's is
     * warned about, and two routes paging one robot must agree on its limit.
     */
    @Test
    void rateLimitsHaveTheServicesDefaultsAndAreValidatedByField() {
        String yaml = """
                county:
                  leads:
                    - channels:
                        - kind: wecom
                          keyEnv: ROBOT_KEY
                        - kind: webhook
                          url: https://ops.example.org/hooks
                          secretEnv: HOOK_SECRET
                          rateLimit: 10/1s
                townships:
                  CG:
                    leads:
                      - channels:
                          - kind: dingtalk
                            tokenEnv: DING_TOKEN
                            secretEnv: DING_SECRET
                            rateLimit: 10/1m
                          - kind: slack
                            urlEnv: SLACK_URL
                          - kind: wecom
                            keyEnv: ROBOT_KEY
                """;
        Map<String, String> env = Map.of("ROBOT_KEY", "k", "HOOK_SECRET", Services.webhookSecret(), "DING_TOKEN", "t",
                "DING_SECRET", "s", "SLACK_URL", "https://hooks.example.org/services/T/B/x");
        Routes routes = Routes.parse(yaml, "routes.yaml", env, NEIXIANG);
        assertEquals(List.of("20/1m", "10/1s", "10/1m", "1/1s", "20/1m"),
                routes.channels().stream().map(c -> c.rateLimit().toString()).toList());
        assertEquals(routes.county().get(0).target(), routes.township("CG").get(2).target(), "one robot, one target");
        assertEquals(List.of(), routes.warnings());

        // Faster than the service publishes: taken, with a warning naming the field.
        Routes fast = Routes.parse(yaml.replace("rateLimit: 10/1m", "rateLimit: 30/1m"), "routes.yaml", env, NEIXIANG);
        assertEquals(List.of("routes.yaml line 17, townships.CG.leads[0].channels[0].rateLimit: 30/1m is faster than DingTalk's "
                + "20 messages a minute per robot (20/1m): the service will refuse the excess as too fast, and those pages wait "
                + "for its advised delay"), fast.warnings());

        refused(yaml.replace("rateLimit: 10/1m", "rateLimit: fast"), env,
                "routes.yaml line 17, townships.CG.leads[0].channels[0].rateLimit: 'fast' is not a rate limit: messages/window, such as 20/1m or 1/1s");
        refused(yaml.replace("rateLimit: 10/1m", "rateLimit: 0/1m"), env,
                "routes.yaml line 17, townships.CG.leads[0].channels[0].rateLimit: '0/1m': messages: 1 to 1000, got 0");
        refused(yaml.replace("rateLimit: 10/1m", "rateLimit: 10/1ms"), env,
                "routes.yaml line 17, townships.CG.leads[0].channels[0].rateLimit: '10/1ms': per: 0.1s to 1h, got 0.001s");
        refused(yaml.replace("rateLimit: 10/1m", "rateLimit: 10/soon"), env,
                "routes.yaml line 17, townships.CG.leads[0].channels[0].rateLimit: '10/soon': the window 'soon' is not a duration");
        refused(yaml.replace("rateLimit: 10/1s", "rateLimit:"), env,
                "routes.yaml line 9, county.leads[0].channels[1].rateLimit: expected a value");
        refused(yaml + "            rateLimit: 5/1m\n", env,
                "routes.yaml line 22, townships.CG.leads[0].channels[2].rateLimit: 5/1m, but it pages the same robot as "
                        + "county.leads[0].channels[0] (line 4), which allows 20/1m: the service counts them together, so give both the same rateLimit");
    }

    @Test
    void aWebhookSecretIsAStandardWebhooksSecret() {
        String yaml = """
                county:
                  leads:
                    - channels:
                        - kind: webhook
                          url: https://ops.example.org/hooks
                          secretEnv: HOOK_SECRET
                """;
        for (String bad : List.of("hunter2-hunter2-hunter2-hunter2", "whsec_not*base64", "whsec_c2hvcnQ=")) {
            RoutesException e = assertThrows(RoutesException.class,
                    () -> Routes.parse(yaml, "routes.yaml", Map.of("HOOK_SECRET", bad), NEIXIANG));
            assertTrue(e.getMessage().startsWith("routes.yaml line 6, county.leads[0].channels[0].secretEnv: environment variable HOOK_SECRET "),
                    e.getMessage());
            assertFalse(e.getMessage().contains(bad.substring(6)), "the secret is not quoted: " + e.getMessage());
        }
        assertEquals(1, Routes.parse(yaml, "routes.yaml", Map.of("HOOK_SECRET", Services.webhookSecret()), NEIXIANG).channels().size());
    }

    @Test
    void slackUrlsFromTheEnvironmentAreCheckedButNeverQuoted() {
        String yaml = """
                county:
                  leads:
                    - channels:
                        - kind: slack
                          urlEnv: COUNTY_SLACK_URL
                """;
        RoutesException e = assertThrows(RoutesException.class,
                () -> Routes.parse(yaml, "routes.yaml", Map.of("COUNTY_SLACK_URL", "T0/B0/very-secret"), NEIXIANG));
        assertEquals("routes.yaml line 5, county.leads[0].channels[0].urlEnv: environment variable COUNTY_SLACK_URL does not hold an http(s) URL",
                e.getMessage());
        assertFalse(e.getMessage().contains("very-secret"));
    }

    static void refused(String yaml, Map<String, String> env, String... expected) {
        RoutesException e = assertThrows(RoutesException.class, () -> Routes.parse(yaml, "routes.yaml", env, NEIXIANG),
                () -> "accepted:\n" + yaml);
        Set<String> seen = new HashSet<>();
        for (String want : expected) {
            boolean found = e.problems().stream().anyMatch(p -> p.contains(want));
            assertTrue(found, "expected a problem containing\n  " + want + "\ngot\n  " + String.join("\n  ", e.problems()));
            seen.add(want);
        }
        assertEquals(expected.length, seen.size());
    }
}
