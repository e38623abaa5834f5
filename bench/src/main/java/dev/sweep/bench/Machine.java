package dev.sweep.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine the figures were measured on: its cores, Java, memory and load. On a machine shared with
 * other work the load says how far to trust them. Immutable.
 */
public record Machine(int cores, String java, String os, long memoryMiB, Load load) {

    /** /proc/loadavg: runnable processes averaged over 1, 5 and 15 minutes (NaN where the OS does not say). */
    public record Load(double one, double five, double fifteen) {
        public static Load now() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
                return new Load(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
            } catch (IOException | RuntimeException e) {
                return new Load(Double.NaN, Double.NaN, Double.NaN);
            }
        }
    }

    public static Machine now() {
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize() >> 20;
        }
        return new Machine(Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                memory, Load.now());
    }
}
