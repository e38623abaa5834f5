package dev.sweep.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One figure over repeated runs: its median, min and max, and every run's value in run order. A machine
 * shared with other work makes single runs noisy; the spread says how much. Values that a run could not
 * measure (NaN) are left out and counted apart.
 */
public record Stats(double median, double min, double max, int runs, int missing, List<Double> values) {

    public Stats {
        values = values.stream().map(v -> v == null ? Double.NaN : v).toList();
    }

    /** The figure over {@code values} in run order; NaN ones are not measured. */
    public static Stats of(List<Double> values) {
        double[] measured = values.stream().filter(v -> v != null && !v.isNaN() && !v.isInfinite()).mapToDouble(Double::doubleValue)
                .sorted().toArray();
        int missing = values.size() - measured.length;
        if (measured.length == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0, missing, values);
        }
        return new Stats(median(measured), measured[0], measured[measured.length - 1], measured.length, missing,
                values);
    }

    public static Stats of(double... values) {
        List<Double> list = new ArrayList<>();
        Arrays.stream(values).forEach(list::add);
        return of(list);
    }

    /** Whether at least one run measured it. */
    public boolean measured() {
        return runs > 0;
    }

    /** The median of sorted values: the middle one, or the mean of the two middle ones. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * The nearest-rank percentile of sorted values ({@code p} in 0..100]: the smallest value with at least
     * p % of them at or below it; NaN when there are none.
     */
    public static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * The least-squares slope of {@code ys} over {@code xs} (units of y per unit of x); NaN for fewer than
     * two points or when every x is the same.
     */
    public static double slope(double[] xs, double[] ys) {
        int n = Math.min(xs.length, ys.length);
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += xs[i];
            my += ys[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (xs[i] - mx) * (ys[i] - my);
            sxx += (xs[i] - mx) * (xs[i] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
