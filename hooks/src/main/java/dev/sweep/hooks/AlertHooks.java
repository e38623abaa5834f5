package dev.sweep.hooks;

import dev.sweep.campaign.Township;
import dev.sweep.hooks.channels.Channel;
import dev.sweep.hooks.delivery.ChannelWorker;
import dev.sweep.hooks.delivery.RateLimiter;
import dev.sweep.hooks.delivery.Undelivered;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.schemas.Durations;
import dev.sweep.schemas.KafkaClientConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert dispatcher: pages the leads of each alert's township (and the county route) from the
 * alerts topic, one {@link ChannelWorker} per destination. Embeddable: {@code sweep hooks} runs it until
 * Ctrl-C, and the demo starts it in-process.
 *
 * <pre>{@code
 * Routes routes = Routes.load(Path.of("hooks/routes/neixiang.yaml"), System.getenv(), Scenario.load("neixiang"));
 * try (AlertHooks hooks = AlertHooks.start("127.0.0.1:9092", routes, HookOptions.defaults())) {
 *     hooks.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Delivery is at least once: a destination commits an alert's offset only after the service took the
 * page (or the alert went to the undelivered topic), so a restart resends only what was not acknowledged,
 * with the same idempotency keys. {@link #close()} lets an HTTP attempt under way finish and commits its
 * outcome; alerts still waiting in a batch window are not sent, and the next start sends them.
 */
public final class AlertHooks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertHooks.class);

    private final Routes routes;
    private final HookOptions options;
    private final List<ChannelWorker> workers;
    private final Undelivered undelivered;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean closing;

    private AlertHooks(Routes routes, HookOptions options, List<ChannelWorker> workers, Undelivered undelivered) {
        this.routes = routes;
        this.options = options;
        this.workers = workers;
        this.undelivered = undelivered;
    }

    /** Starts one worker per destination of {@code routes}; returns at once (the consumers join their groups in the background). */
    public static AlertHooks start(String bootstrap, Routes routes, HookOptions options) {
        return start(bootstrap, KafkaClientConfig.NONE, routes, options);
    }

    /** {@link #start(String, Routes, HookOptions)} through a secured broker ({@code kafka}: TLS, SASL). */
    public static AlertHooks start(String bootstrap, KafkaClientConfig kafka, Routes routes, HookOptions options) {
        Objects.requireNonNull(bootstrap, "bootstrap");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(options, "options");
        Undelivered undelivered = new Undelivered(bootstrap, kafka, options.undeliveredTopic(), options.group() + "-undelivered");
        List<ChannelWorker> workers = new ArrayList<>();
        // One limit per target: two routes paging the same robot share its 20 a minute (the routes file gives
        // such destinations the same rateLimit).
        Map<String, RateLimiter> limiters = new HashMap<>();
        try {
            for (var spec : routes.channels()) {
                RateLimiter limiter = limiters.computeIfAbsent(spec.target(), t -> new RateLimiter(spec.rateLimit()));
                workers.add(new ChannelWorker(bootstrap, kafka, Channel.of(spec, routes.scenario()), routes, options,
                        undelivered, limiter));
            }
        } catch (RuntimeException e) {
            workers.forEach(ChannelWorker::discard);
            undelivered.close();
            throw e;
        }
        AlertHooks hooks = new AlertHooks(routes, options, workers, undelivered);
        workers.forEach(ChannelWorker::start);
        List<Township> countyTownships = routes.townshipsWithoutLead();
        LOG.info("Alert hooks on {} ({}): {} destinations in groups {}.*, batch window {}, at most {} alerts a page, give up "
                        + "after {}; rate limits: {}; townships paged through the county route: {}", bootstrap, options.topic(),
                workers.size(), options.group(), Durations.text(options.batchWindow()), options.maxAlertsPerPage(),
                Durations.text(options.giveUpAfter()),
                routes.channels().stream().map(c -> c.id() + " " + c.rateLimit()).collect(Collectors.joining(", ")),
                countyTownships.isEmpty() ? "none" : countyTownships.stream().map(Township::id).collect(Collectors.joining(", ")));
        return hooks;
    }

    /** The destinations' ids, in the order of the routes (county first). */
    public List<String> channelIds() {
        return workers.stream().map(ChannelWorker::id).toList();
    }

    public Routes routes() {
        return routes;
    }

    public HookOptions options() {
        return options;
    }

    /** Blocks until {@link #close()} has stopped every destination. */
    public void awaitTermination() throws InterruptedException {
        closed.await();
    }

    /**
     * Stops every destination: each finishes an HTTP attempt under way (at most the request timeout) and
     * commits what it delivered. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            workers.forEach(ChannelWorker::stop);
            Duration patience = options.requestTimeout().plusSeconds(10);
            for (ChannelWorker w : workers) {
                w.await(patience);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            undelivered.close();
            closed.countDown();
            LOG.info("Alert hooks stopped");
        }
    }
}
