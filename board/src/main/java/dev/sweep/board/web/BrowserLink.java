package dev.sweep.board.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sweep.board.state.ViewKey;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One browser's server-sent event stream. State: its id (random: only the browser that reads the stream can change
 * its view), the view it looks at and what it was last sent of it, the frames not yet written (a few: a browser
 * that falls further behind is dropped, and its EventSource reconnects to a fresh snapshot), and a budget of view
 * changes (a page that asks for views in a loop is refused, not served).
 */
final class BrowserLink {
    private static final int QUEUED = 16;
    private static final long KEEP_ALIVE_NANOS = 15_000_000_000L;
    private static final byte[] END = new byte[0];
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** View changes a browser may make in a burst, and how many come back per second. */
    static final int VIEW_BURST = 20;
    static final int VIEWS_PER_SECOND = 10;

    final String id;
    private final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(QUEUED);
    private volatile boolean open = true;
    /** Under the stream's lock. */
    ViewKey key;
    JsonNode lastView;
    private double viewTokens = VIEW_BURST;
    private long viewTokensAt = System.nanoTime();
    private final Stats stats;

    BrowserLink(ViewKey key, Stats stats) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        this.id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        this.key = key;
        this.stats = stats;
    }

    /** Queues one event; false once the link is closed or has fallen behind. */
    boolean send(String event, String json) {
        if (!open) {
            return false;
        }
        byte[] frame = ("event: " + event + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
        if (!frames.offer(frame)) {
            close();
        } else {
            stats.sent(frame.length);
        }
        return open;
    }

    /** Takes one view change from the budget; false when it is spent. */
    synchronized boolean takeViewChange() {
        long now = System.nanoTime();
        viewTokens = Math.min(VIEW_BURST, viewTokens + (now - viewTokensAt) / 1e9 * VIEWS_PER_SECOND);
        viewTokensAt = now;
        if (viewTokens < 1) {
            return false;
        }
        viewTokens -= 1;
        return true;
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
            byte[] frame = frames.poll(1, TimeUnit.SECONDS);
            if (frame == null) {
                if (System.nanoTime() - lastWrite < KEEP_ALIVE_NANOS) {
                    continue;
                }
                frame = KEEP_ALIVE; // finds a browser that went away without a word
            }
            if (frame == END) {
                break;
            }
            out.write(frame);
            out.flush();
            lastWrite = System.nanoTime();
        }
    }
}
