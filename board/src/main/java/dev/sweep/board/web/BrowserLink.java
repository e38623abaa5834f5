package dev.sweep.board.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One browser's server-sent event stream. State: the frames not yet written (a few); a browser
 * that falls further behind is dropped, and its EventSource reconnects to a fresh snapshot.
 */
final class BrowserLink {
    private static final int QUEUED = 16;
    private static final long KEEP_ALIVE_NANOS = 15_000_000_000L;
    private static final String END = "";

    private final BlockingQueue<String> frames = new ArrayBlockingQueue<>(QUEUED);
    private volatile boolean open = true;

    /** Queues one event; false once the link is closed or has fallen behind. */
    boolean send(String event, String json) {
        if (!open) {
            return false;
        }
        if (!frames.offer("event: " + event + "\ndata: " + json + "\n\n")) {
            close();
        }
        return open;
    }

    boolean isOpen() {
        return open;
    }

    void close() {
        open = false;
        frames.clear();
        frames.offer(END);
    }

    /** Writes frames as they come until the link closes or the browser goes away (the caller's thread). */
    void serve(OutputStream out) throws IOException, InterruptedException {
        out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        long lastWrite = System.nanoTime();
        while (open) {
            String frame = frames.poll(1, TimeUnit.SECONDS);
            if (frame == null) {
                if (System.nanoTime() - lastWrite < KEEP_ALIVE_NANOS) {
                    continue;
                }
                frame = ": keep-alive\n\n"; // finds a browser that went away without a word
            }
            if (frame.equals(END)) {
                break;
            }
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
            lastWrite = System.nanoTime();
        }
    }
}
