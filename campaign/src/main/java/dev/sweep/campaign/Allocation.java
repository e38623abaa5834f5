package dev.sweep.campaign;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Splits a whole number by weights exactly (largest remainder), so the parts add up. */
public final class Allocation {
    private Allocation() {}

    public static int[] split(long total, double[] weights) {
        return split(total, weights, 0);
    }

    /**
     * As {@link #split(long, double[])}, with equal remainders going first to part {@code firstTie}, then the
     * parts after it, wrapping: many small splits over the same parts then do not all favour part 0.
     */
    public static int[] split(long total, double[] weights, int firstTie) {
        int n = weights.length;
        double sum = Arrays.stream(weights).sum();
        int[] parts = new int[n];
        if (total == 0) {
            return parts;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("cannot split " + total + " by weights that add up to " + sum);
        }
        double[] remainders = new double[n];
        long given = 0;
        for (int i = 0; i < n; i++) {
            double exact = total * weights[i] / sum;
            parts[i] = (int) Math.floor(exact);
            remainders[i] = exact - parts[i];
            given += parts[i];
        }
        int start = Math.floorMod(firstTie, n);
        int[] order = IntStream.range(0, n).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -remainders[i])
                        .thenComparingInt(i -> Math.floorMod(i - start, n)))
                .mapToInt(Integer::intValue).toArray();
        for (int k = 0; given < total; k = (k + 1) % n, given++) {
            parts[order[k]]++;
        }
        return parts;
    }

    /**
     * Splits by weights, no part above its cap: a part that would pass its cap gets the cap, and what it
     * could not take is split again over the others by their weights (water filling).
     */
    public static int[] splitCapped(long total, double[] weights, long[] caps) {
        int n = weights.length;
        long room = 0;
        for (long c : caps) {
            room += c;
        }
        if (room < total) {
            throw new IllegalArgumentException("cannot split " + total + " under caps that add up to " + room);
        }
        int[] parts = new int[n];
        boolean[] full = new boolean[n];
        long left = total;
        while (left > 0) {
            double[] w = new double[n];
            boolean any = false;
            for (int i = 0; i < n; i++) {
                if (!full[i] && caps[i] > parts[i]) {
                    w[i] = weights[i] > 0 ? weights[i] : 0;
                    any |= w[i] > 0;
                }
            }
            if (!any) { // only weightless parts have room left: share it by room
                for (int i = 0; i < n; i++) {
                    w[i] = full[i] ? 0 : caps[i] - parts[i];
                }
            }
            int[] more = split(left, w);
            boolean capped = false;
            for (int i = 0; i < n; i++) {
                if (parts[i] + (long) more[i] > caps[i]) {
                    capped = true;
                }
            }
            if (!capped) {
                for (int i = 0; i < n; i++) {
                    parts[i] += more[i];
                }
                return parts;
            }
            for (int i = 0; i < n; i++) { // fill those that overflow, then split the rest again
                if (!full[i] && parts[i] + (long) more[i] >= caps[i]) {
                    left -= caps[i] - parts[i];
                    parts[i] = (int) caps[i];
                    full[i] = true;
                }
            }
        }
        return parts;
    }
}
