package dev.sweep.campaign;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Splits a whole number by weights exactly (largest remainder), so the parts add up. */
public final class Allocation {
    private Allocation() {}

    public static int[] split(long total, double[] weights) {
        double sum = Arrays.stream(weights).sum();
        int[] parts = new int[weights.length];
        double[] remainders = new double[weights.length];
        long given = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = total * weights[i] / sum;
            parts[i] = (int) Math.floor(exact);
            remainders[i] = exact - parts[i];
            given += parts[i];
        }
        int[] order = IntStream.range(0, weights.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -remainders[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
        for (int k = 0; given < total; k++, given++) {
            parts[order[k]]++;
        }
        return parts;
    }
}
