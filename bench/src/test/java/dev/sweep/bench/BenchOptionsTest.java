package dev.sweep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** A bench option out of range is refused with the flag of sweep bench that sets it. */
class BenchOptionsTest {
    static final Launcher LAUNCHER = new Launcher(List.of("java"), List.of("-Xmx1g"), "cp.jar", "dev.sweep.cli.Sweep");
    static final BenchOptions DEFAULTS = BenchOptions.defaults(LAUNCHER);

    static void refused(String flag, UnaryOperator<BenchOptions> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(DEFAULTS));
        assertTrue(e.getMessage().startsWith(flag + ":"), "names " + flag + ": " + e.getMessage());
    }

    static BenchOptions with(BenchOptions o, String scenario, int runs, int parallelism, List<Integer> rates,
                             Duration latencyFor, int soakRate) {
        return new BenchOptions(o.launcher(), scenario, o.seed(), runs, parallelism, o.stateBackend(), rates,
                latencyFor, o.comparisons(), o.live(), o.soak(), soakRate);
    }

    @Test
    void valuesOutOfRangeNameTheirFlag() {
        refused("--runs", o -> with(o, "neixiang", 0, 2, o.latencyRates(), o.latencyFor(), 5000));
        refused("--parallelism", o -> with(o, "neixiang", 3, 65, o.latencyRates(), o.latencyFor(), 5000));
        refused("--latency-rates", o -> with(o, "neixiang", 3, 2, List.of(5000, 0), o.latencyFor(), 5000));
        refused("--latency-rates", o -> with(o, "neixiang", 3, 2, List.of(), o.latencyFor(), 5000));
        refused("--latency-for", o -> with(o, "neixiang", 3, 2, o.latencyRates(), Duration.ZERO, 5000));
        refused("--soak-rate", o -> with(o, "neixiang", 3, 2, o.latencyRates(), o.latencyFor(), 0));
        refused("--scenario", o -> with(o, "atlantis", 3, 2, o.latencyRates(), o.latencyFor(), 5000));
        refused("--soak", o -> o.withSoak(Duration.ofSeconds(10)));
        refused("--soak", o -> o.withSoak(Duration.ofHours(7)));
    }

    @Test
    void theDefaultsAreTheIssuesFigures() {
        assertEquals(3, DEFAULTS.runs());
        assertEquals(List.of(5_000, 20_000), DEFAULTS.latencyRates());
        assertEquals(2, DEFAULTS.parallelism());
        assertEquals(Duration.ofMinutes(30), DEFAULTS.withSoak(BenchOptions.SOAK_DEFAULT).soak());
    }

    @Test
    void aPartStartsWithTheBenchsJvmOptionsAndItsOwnTempDir() {
        List<String> kafka = LAUNCHER.sweep(Path.of("/w/tmp"), "kafka", "--port", "0");
        assertEquals(List.of("java", "-Xmx1g", "-Djava.io.tmpdir=/w/tmp", "-cp", "cp.jar", "dev.sweep.cli.Sweep",
                "kafka", "--port", "0"), kafka);
        assertEquals("dev.sweep.bench.RawRead", LAUNCHER.main(Path.of("/w/tmp"), RawRead.class.getName()).get(5));
    }
}
