package dev.sweep.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * What a process that runs parts of Sweep on this machine needs (the local broker, influxd for tests, a
 * local job's checkpoints, the bench's parts): a free loopback port, a directory tree deleted, and a child
 * process that dies with this one.
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
     * Starts {@code child} as a process that the kernel kills when this JVM dies, however it dies: on Linux
     * its command is prefixed with {@code setpriv --pdeathsig KILL --} where util-linux has it (elsewhere the
     * caller must stop it), and it is started from one thread that lives as long as the JVM, since the signal
     * follows the thread that started the child.
     */
    public static Process startChild(ProcessBuilder child) throws IOException {
        if (Files.isExecutable(Path.of(Children.SETPRIV))) {
            List<String> command = new ArrayList<>(List.of(Children.SETPRIV, "--pdeathsig", "KILL", "--"));
            command.addAll(child.command());
            child.command(command);
        }
        try {
            return Children.THREAD.submit(child::start).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + child.command(), e);
        }
    }

    /** The thread every child is started from, made on first use. */
    private static final class Children {
        static final String SETPRIV = "/usr/bin/setpriv";
        static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "child-process-launcher");
            t.setDaemon(true);
            return t;
        });
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
