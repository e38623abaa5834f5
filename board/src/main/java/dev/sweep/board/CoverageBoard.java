package dev.sweep.board;

import dev.sweep.board.feed.BoardFeed;
import dev.sweep.board.feed.BoardRecords;
import dev.sweep.board.state.BoardState;
import dev.sweep.board.state.BoardView;
import dev.sweep.board.web.BoardServer;
import dev.sweep.board.web.Summary;
import dev.sweep.campaign.Scenario;
import dev.sweep.schemas.KafkaClientConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live coverage board, embeddable: {@code try (CoverageBoard board = CoverageBoard.start(options))}
 * reads the job's topics from the beginning, serves the page at {@link #url()} and pushes what
 * changes to every browser; {@link #close()} stops it all.
 */
public final class CoverageBoard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoverageBoard.class);

    private final Object lock = new Object();
    private final BoardState state;
    private final BoardView.Campaign campaign;
    private final BoardFeed feed;
    private final BoardServer server;
    private final ScheduledExecutorService pusher;
    private final URI url;

    private CoverageBoard(BoardOptions options, KafkaClientConfig kafka, Scenario scenario) throws IOException {
        state = new BoardState(scenario);
        campaign = state.campaign();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(options.bind()), options.port());
        server = new BoardServer(address, campaign, this::view, options.login());
        feed = new BoardFeed(options.bootstrap(), kafka, new BoardRecords(state), lock).start();
        pusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "board-push");
            t.setDaemon(true);
            return t;
        });
        long every = options.pushEvery().toMillis();
        pusher.scheduleWithFixedDelay(this::push, every, every, TimeUnit.MILLISECONDS);
        String host = server.address().getAddress().isAnyLocalAddress()
                ? "127.0.0.1" : server.address().getAddress().getHostAddress();
        url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                + server.address().getPort() + "/");
    }

    /**
     * Starts the board. Kafka need not be up yet: the board says so on the page and keeps trying.
     *
     * @throws IOException when the address cannot be bound
     */
    public static CoverageBoard start(BoardOptions options) throws IOException {
        return start(options, KafkaClientConfig.NONE);
    }

    /** {@link #start(BoardOptions)} through a secured broker ({@code kafka}: TLS, SASL; the board's principal reads only). */
    public static CoverageBoard start(BoardOptions options, KafkaClientConfig kafka) throws IOException {
        return new CoverageBoard(options, kafka, options.scenario());
    }

    /** Where a browser opens the board. */
    public URI url() {
        return url;
    }

    /** connecting (no broker yet), rebuilding (reading the history), live, or lost (the broker went away, or the feed died). */
    public String status() {
        return feed.status().code();
    }

    public boolean live() {
        return feed.status() == BoardFeed.Status.LIVE;
    }

    /** The picture as it stands (what {@code /api/board} gives). */
    public BoardView view() {
        synchronized (lock) {
            return state.view(status());
        }
    }

    /** The figures of {@code /api/summary}. */
    public Summary summary() {
        return Summary.of(campaign, view());
    }

    public int browsers() {
        return server.browsers();
    }

    private void push() {
        try {
            BoardView view = null;
            String status = status();
            if (live()) {
                synchronized (lock) {
                    state.sampleRate(System.nanoTime());
                    view = state.view(status);
                }
            }
            server.publish(status, view);
        } catch (RuntimeException e) {
            LOG.warn("board: push failed; trying again next time", e); // a scheduled task that throws stops for good
        }
    }

    @Override
    public void close() {
        pusher.shutdownNow();
        server.close();
        feed.close();
    }
}
