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
            env.put(name, name.endsWith("_URL") ? "https://hooks.example.invalid/services/" + name : "fake-" + name.toLowerCase());
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
        Routes routes = Routes.parse(yaml, "routes.yaml", Map.of("COUNTY_SECRET", "s", "CG_SLACK_URL", "http://127.0.0.1:9/services/x"), NEIXIANG);
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
                "routes.yaml line 13, townships.CG.leads[0].channels[0].retries: unknown field (expected id, kind, secretEnv, url)");
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
                """, env, "routes.yaml line 6, county.leads[0].channels[0].baseUrl: a base URL has no query");
        refused("""
                county:
                  leads:
                    - channels:
                        - kind: wecom
                          keyEnv: COUNTY_KEY
                lead: x
                """, env, "routes.yaml line 6, lead: unknown field (expected county, townships)");
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

    private static void refused(String yaml, Map<String, String> env, String... expected) {
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
