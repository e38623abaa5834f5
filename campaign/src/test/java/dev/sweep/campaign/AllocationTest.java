package dev.sweep.campaign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AllocationTest {
    @Test
    void splitsExactlyByLargestRemainder() {
        assertArrayEquals(new int[] {4, 3, 3}, Allocation.split(10, new double[] {1, 1, 1}));
        assertArrayEquals(new int[] {3, 4, 3}, Allocation.split(10, new double[] {1, 1, 1}, 1));
        assertArrayEquals(new int[] {3, 3, 4}, Allocation.split(10, new double[] {1, 1, 1}, 2));
        assertArrayEquals(new int[] {0, 0}, Allocation.split(0, new double[] {0, 0}));
        assertEquals(1_000_003, Arrays.stream(Allocation.split(1_000_003, new double[] {0.3, 2.9, 7.1, 0.01})).sum());
    }

    @Test
    void cappedPartsGiveTheirExcessToTheOthers() {
        int[] parts = Allocation.splitCapped(100, new double[] {1, 1, 1, 1}, new long[] {10, 100, 100, 5});
        assertArrayEquals(new int[] {10, 43, 42, 5}, parts);
        assertArrayEquals(new int[] {3, 4}, Allocation.splitCapped(7, new double[] {1, 0}, new long[] {3, 9}));
        assertThrows(IllegalArgumentException.class, () -> Allocation.splitCapped(10, new double[] {1}, new long[] {9}));
    }
}
