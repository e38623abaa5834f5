package dev.sweep.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the long-running commands need of their JVM. One that runs out of memory must exit, so its supervisor
 * (docker's restart policy, systemd) starts it again from committed offsets: a JVM that carries on after an
 * OutOfMemoryError keeps its process up with dead threads (a destination's worker, the HTTP client's
 * selector, the board's feed) and pages or shows nothing. {@code ./sweep} and the image start Java with
 * {@value #EXIT_ON_OOM}.
 */
final class LocalJvm {
    static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";
    private static final Logger LOG = LoggerFactory.getLogger(LocalJvm.class);

    private LocalJvm() {}

    /** Whether this JVM exits at its first OutOfMemoryError. */
    static boolean exitsOnOutOfMemory() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotspot != null && Boolean.parseBoolean(hotspot.getVMOption("ExitOnOutOfMemoryError").getValue());
        } catch (RuntimeException notHotSpot) {
            return false;
        }
    }

    static void warnUnlessExitOnOutOfMemory(String command) {
        if (exitsOnOutOfMemory()) {
            LOG.info("{}: this JVM exits on OutOfMemoryError (its supervisor restarts it)", command);
        } else {
            LOG.warn("{}: this JVM does not exit on OutOfMemoryError: start it with {} (as ./sweep and the image do), "
                    + "or a part that runs out of memory stops without the process ending", command, EXIT_ON_OOM);
        }
    }
}
