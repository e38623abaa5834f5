package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A bad flag is refused before anything runs, with a message naming the flag. */
class FlagsTest {

    record Run(int exit, String err, String out) {}

    static Run run(String... args) {
        CommandLine cli = Sweep.commandLine();
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(out));
        int exit = cli.execute(args);
        return new Run(exit, err.toString(), out.toString());
    }

    static void refused(String flag, String... args) {
        Run r = run(args);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains(flag), "the message names " + flag + ": " + r.err());
    }

    @Test
    void badFlagsAreRefusedByName() {
        refused("--bootstrap", "simulate", "--bootstrap", "localhost");
        refused("--bootstrap", "simulate");
        refused("--speed", "simulate", "--bootstrap", "127.0.0.1:1", "--speed", "fast");
        refused("--drill", "simulate", "--bootstrap", "127.0.0.1:1", "--drill", "earthquake");
        refused("--start", "simulate", "--bootstrap", "127.0.0.1:1", "--start", "yesterday");
        refused("--scenario", "simulate", "--bootstrap", "127.0.0.1:1", "--scenario", "atlantis");
        refused("--seed", "simulate", "--bootstrap", "127.0.0.1:1", "--seed", "x");
        refused("--parallelism", "job", "--bootstrap", "127.0.0.1:1", "--parallelism", "0");
        refused("--lateness", "job", "--bootstrap", "127.0.0.1:1", "--lateness", "two hours");
        refused("--from", "job", "--bootstrap", "127.0.0.1:1", "--from", "latest");
        refused("--influx-url", "job", "--bootstrap", "127.0.0.1:1", "--influx-url", "influx:8086");
        refused("--target-coverage", "job", "--bootstrap", "127.0.0.1:1", "--target-coverage", "1.5");
        refused("--state-backend", "job", "--bootstrap", "127.0.0.1:1", "--state-backend", "leveldb");
        refused("--port", "kafka", "--port", "70000");
        refused("--out", "scenario", "generate");
        refused("--fan-out", "scenario", "generate", "--out", "/nonexistent/x", "--fan-out", "10,8");
        refused("--sites", "scenario", "generate", "--out", "/nonexistent/x", "--sites", "50");
        refused("--plan-level", "scenario", "generate", "--out", "/nonexistent/x", "--plan-level", "planet");
        refused("--first-day", "scenario", "generate", "--out", "/nonexistent/x", "--first-day", "4 April");
        refused("--bootstrap", "board", "--bootstrap", "localhost");
        refused("--bootstrap", "board");
        refused("--port", "board", "--bootstrap", "127.0.0.1:1", "--port", "70000");
        refused("--port", "board", "--bootstrap", "127.0.0.1:1", "--port", "eighty");
        refused("--scenario", "board", "--bootstrap", "127.0.0.1:1", "--port", "0", "--scenario", "atlantis");
        refused("--bind", "board", "--bootstrap", "127.0.0.1:1", "--port", "0", "--bind", "no-such-host.invalid");
        refused("--campaign-start", "board", "--bootstrap", "127.0.0.1:1", "--port", "0", "--campaign-start", "tomorrow");
        refused("--login-env", "board", "--bootstrap", "127.0.0.1:1", "--port", "0", "--login-env", "SWEEP_NO_SUCH_VARIABLE_SET");
        refused("--congested-queue", "job", "--bootstrap", "127.0.0.1:1", "--congested-queue", "20");
        refused("--slow-below", "job", "--bootstrap", "127.0.0.1:1", "--slow-below", "1.5");
        refused("--silent-after", "job", "--bootstrap", "127.0.0.1:1", "--silent-after", "0s");
        refused("--clear-after", "job", "--bootstrap", "127.0.0.1:1", "--clear-after", "soon");
        refused("--kafka-config", "simulate", "--bootstrap", "127.0.0.1:1", "--kafka-config", "/nonexistent/client.properties");
        refused("--kafka-config", "board", "--bootstrap", "127.0.0.1:1", "--kafka-config", "/nonexistent/client.properties");
        refused("--kafka-config", "job", "--bootstrap", "127.0.0.1:1", "--kafka-config", "/nonexistent/client.properties");
        refused("--via-gateway", "simulate", "--via-gateway", "http://127.0.0.1:8443/", "--stations", "s.txt");
        // Every drill at once takes nine townships of their own; the tiny campaign has three.
        Run tooMany = run("simulate", "--bootstrap", "127.0.0.1:1", "--scenario", GatewayCommandTest.TINY, "--drill", "all");
        assertEquals(2, tooMany.exit(), tooMany.err());
        assertTrue(tooMany.err().contains("--drill") && tooMany.err().contains("has 3"), tooMany.err());
        refused("--keystore", "gateway", "--bootstrap", "127.0.0.1:1", "--stations", "s.txt");
        refused("--runs", "bench", "--runs", "0");
        refused("--runs", "bench", "--runs", "three");
        refused("--parallelism", "bench", "--parallelism", "0");
        refused("--state-backend", "bench", "--state-backend", "leveldb");
        refused("--latency-rates", "bench", "--latency-rates", "5000,-1");
        refused("--latency-for", "bench", "--latency-for", "a while");
        refused("--soak", "bench", "--soak", "forever");
        refused("--soak", "bench", "--soak", "10s");
        refused("--soak-rate", "bench", "--soak", "--soak-rate", "0");
        refused("--scenario", "bench", "--scenario", "atlantis");
    }

    @Test
    void everyCommandDocumentsItsFlags() {
        for (String command : new String[] {"kafka", "simulate", "job", "board", "gateway", "bench"}) {
            Run r = run(command, "--help");
            assertEquals(0, r.exit());
            assertTrue(r.out().contains("--bootstrap") || command.equals("kafka") || command.equals("bench"), r.out());
        }
        assertTrue(run("simulate", "--help").out().contains("--ledger"));
        assertTrue(run("simulate", "--help").out().contains("alert-storm"), "every drill is named");
        assertTrue(run("job", "--help").out().contains("--influx-url"));
        assertTrue(run("board", "--help").out().contains("--bind"));
        for (String command : new String[] {"simulate", "job", "board", "hooks", "gateway"}) {
            assertTrue(run(command, "--help").out().contains("--kafka-config"), command);
        }
        assertTrue(run("kafka", "--help").out().contains("--secure"));
        assertTrue(run("simulate", "--help").out().contains("--via-gateway"));
        assertTrue(run("job", "--help").out().contains("--congested-queue"), "the rules' thresholds are flags");
    }
}
