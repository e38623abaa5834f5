package dev.sweep.cli;

import static dev.sweep.cli.FlagsTest.refused;
import static dev.sweep.cli.FlagsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sweep hooks: flags and the routes file are refused by name before anything connects; --check validates. */
class HooksCommandTest {
    static final String SAMPLE = "../hooks/routes/neixiang.yaml";

    /** A routes file whose only key is a variable every environment has, so --check can pass here. */
    static Path validRoutes(Path dir) throws Exception {
        Path file = dir.resolve("routes.yaml");
        Files.writeString(file, """
                county:
                  leads:
                    - name: county desk
                      channels:
                        - kind: wecom
                          keyEnv: PATH
                townships:
                  CG:
                    leads:
                      - channels:
                          - kind: wecom
                            id: cg-ops
                            keyEnv: PATH
                            baseUrl: https://cg.example.invalid
                """);
        return file;
    }

    @Test
    void badFlagsAreRefusedByName(@TempDir Path dir) throws Exception {
        String routes = validRoutes(dir).toString();
        refused("--routes", "hooks", "--bootstrap", "127.0.0.1:1");
        refused("--bootstrap", "hooks", "--routes", routes);
        refused("--bootstrap", "hooks", "--routes", routes, "--bootstrap", "kafka");
        refused("--batch-window", "hooks", "--routes", routes, "--bootstrap", "127.0.0.1:1", "--batch-window", "soon");
        refused("--batch-window", "hooks", "--routes", routes, "--bootstrap", "127.0.0.1:1", "--batch-window", "-5s");
        refused("--give-up-after", "hooks", "--routes", routes, "--bootstrap", "127.0.0.1:1", "--give-up-after", "0s");
        refused("--max-backoff", "hooks", "--routes", routes, "--bootstrap", "127.0.0.1:1", "--max-backoff", "100ms");
        refused("--max-alerts-per-page", "hooks", "--routes", routes, "--bootstrap", "127.0.0.1:1", "--max-alerts-per-page", "0");
        refused("--scenario", "hooks", "--routes", routes, "--bootstrap", "127.0.0.1:1", "--scenario", "atlantis");
        refused("--routes", "hooks", "--routes", dir.resolve("missing.yaml").toString(), "--check");
    }

    @Test
    void theRoutesFileIsValidatedWithLineAndField(@TempDir Path dir) throws Exception {
        FlagsTest.Run r = run("hooks", "--routes", SAMPLE, "--check");
        assertEquals(2, r.exit(), r.err());
        // The sample names its secrets by variable; none is set here, and each is named with its line.
        assertTrue(r.err().contains("--routes: " + SAMPLE + " line 18, county.leads[0].channels[0].keyEnv: environment variable SWEEP_WECOM_COUNTY_KEY is not set"), r.err());
        assertTrue(r.err().contains("townships.CG.leads[0].channels[0].tokenEnv: environment variable SWEEP_DINGTALK_CG_TOKEN is not set"), r.err());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(validRoutes(dir)).replace("kind: wecom\n      ", "kind: wechat\n      "));
        r = run("hooks", "--routes", bad.toString(), "--check");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("line 11, townships.CG.leads[0].channels[0].kind: unknown kind 'wechat' (one of: webhook, wecom, dingtalk, slack)"), r.err());

        r = run("hooks", "--routes", validRoutes(dir).toString(), "--check");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("2 destinations") && r.out().contains("cg-ops") && r.out().contains("county.wecom.PATH"), r.out());
        assertTrue(r.out().contains("townships paged through the county route: XG, SG"), r.out());
        assertTrue(!r.out().contains(System.getenv("PATH")), "no secret printed");
    }

    @Test
    void helpListsTheFlags() {
        FlagsTest.Run r = run("hooks", "--help");
        assertEquals(0, r.exit());
        for (String flag : new String[] {"--bootstrap", "--routes", "--scenario", "--group", "--batch-window", "--give-up-after", "--check"}) {
            assertTrue(r.out().contains(flag), flag + " in\n" + r.out());
        }
    }
}
