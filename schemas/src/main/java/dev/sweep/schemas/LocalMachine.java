package dev.sweep.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What a process that runs parts of Sweep on this machine needs (the local broker, influxd for tests, a
 * local job's checkpoints): a free loopback port, and a directory tree deleted.
 */
public final class LocalMachine {
    /** Ports handed out by this JVM, so that two servers starting together never pick the same one. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LocalMachine() {}

    /**
     * A port free on 127.0.0.1 now and not handed out before by this JVM, for a server that must know its
     * port before it starts (a broker writes its listeners into its config). Bind port 0 where you can.
     */
    public static int freePort() {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("cannot find a free port on 127.0.0.1");
    }

    /** Lets a port handed out by {@link #freePort()} be handed out again. */
    public static void release(int port) {
        HANDED_OUT.remove(port);
    }

    /**
     * Deletes a directory tree (or a file); nothing when it does not exist.
     *
     * @throws UncheckedIOException when something in it cannot be deleted
     */
    public static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            Iterator<Path> it = paths.sorted(Comparator.reverseOrder()).iterator();
            while (it.hasNext()) {
                Files.deleteIfExists(it.next());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
