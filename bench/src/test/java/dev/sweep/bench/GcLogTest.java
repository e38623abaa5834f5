package dev.sweep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {

    @Test
    void theMostUsedAndTheMostHeldAfterACollection() {
        GcLog.Heap heap = GcLog.parse(List.of(
                "[0.012s][info][gc] Using G1",
                "[1.201s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->5M(256M) 3.210ms",
                "[2.402s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 130M->41M(256M) 9.001ms",
                "[3.100s][info][gc] GC(2) Pause Full (System.gc()) 60M->12M(64M) 20.5ms",
                "[4.000s][info][gc,heap,exit]  garbage-first heap   total 262144K, used 90112K [0x0000000700000000, 0x0000000800000000)"));
        assertEquals(130L << 20, heap.peakUsedBytes());
        assertEquals(41L << 20, heap.maxAfterGcBytes());
        assertEquals(3, heap.collections());
    }

    @Test
    void aJvmThatNeverCollectedHasItsHeapAtExit() {
        GcLog.Heap heap = GcLog.parse(List.of(
                "[0.5s][info][gc,heap,exit]  garbage-first heap   total 262144K, used 2048K [0x0, 0x0)"));
        assertEquals(2048L << 10, heap.peakUsedBytes());
        assertEquals(0, heap.maxAfterGcBytes());
        assertEquals(0, heap.collections());
    }
}
