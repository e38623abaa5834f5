package dev.sweep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's statistics: what a figure's median, min and max are over its runs. */
class StatsTest {

    @Test
    void medianMinAndMaxOfOddAndEvenRuns() {
        Stats three = Stats.of(30, 10, 20);
        assertEquals(20, three.median());
        assertEquals(10, three.min());
        assertEquals(30, three.max());
        assertEquals(List.of(30.0, 10.0, 20.0), three.values(), "the runs stay in run order");
        assertEquals(25, Stats.of(40, 10, 30, 20).median(), "the mean of the two middle runs");
        assertEquals(7, Stats.of(7).median());
    }

    @Test
    void aRunThatMeasuredNothingIsLeftOutAndCounted() {
        Stats s = Stats.of(Arrays.asList(5.0, Double.NaN, 1.0, null));
        assertEquals(3, s.median());
        assertEquals(2, s.runs());
        assertEquals(2, s.missing());
        Stats none = Stats.of(Double.NaN);
        assertFalse(none.measured());
        assertTrue(Double.isNaN(none.median()));
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertEquals(50, Stats.percentile(sorted, 50));
        assertEquals(99, Stats.percentile(sorted, 99));
        assertEquals(100, Stats.percentile(sorted, 100));
        assertEquals(3, Stats.percentile(new long[] {3}, 99));
        assertTrue(Double.isNaN(Stats.percentile(new long[0], 50)));
    }

    @Test
    void slopeIsTheLeastSquaresTrend() {
        assertEquals(2, Stats.slope(new double[] {1, 2, 3, 4}, new double[] {3, 5, 7, 9}), 1e-9);
        assertEquals(0, Stats.slope(new double[] {1, 2, 3}, new double[] {5, 4, 5}), 1e-9);
        assertTrue(Double.isNaN(Stats.slope(new double[] {1}, new double[] {1})));
    }
}
