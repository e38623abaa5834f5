package dev.sweep.hooks.delivery;

import dev.sweep.events.Alert;
import dev.sweep.hooks.DeliveryListener;
import dev.sweep.hooks.HookOptions;
import dev.sweep.hooks.channels.Channel;
import dev.sweep.hooks.channels.Outcome;
import dev.sweep.hooks.page.Page;
import dev.sweep.hooks.page.PagedAlert;
import dev.sweep.hooks.routes.ChannelSpec;
import dev.sweep.hooks.routes.Routes;
import dev.sweep.schemas.Durations;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.RejectedRecordException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One destination's dispatcher, on its own thread: reads the alerts topic in its own consumer group,
 * keeps the alerts routed to it, sends them as one page per batch window, retries, dead-letters, and
 * commits its offsets only once the alerts before them are delivered (or dead-lettered). State: the
 * open batch, the page being delivered with its attempts, the offsets that may be committed, and the
 * keys delivered lately.
 *
 * <p>Why one consumer group per destination: "commit only after delivery" and "one dead endpoint does
 * not hold back the others" pull against each other when destinations share offsets. With one shared
 * consumer, a committed offset must wait for the slowest destination, so after a restart every healthy
 * destination would repeat the pages it had already delivered (or the dispatcher would need a store of
 * delivered keys of its own). With a group per destination, each commits exactly what it delivered; a
 * dead endpoint holds back only its own group, and a restart resumes every destination where it
 * stopped. The cost, each destination reading the whole topic, is nothing at alert volumes (tens of
 * destinations, hundreds of alerts a day). The group is named by the destination's id, which is why ids
 * must stay stable (see {@link ChannelSpec}).
 *
 * <p>While a page is being delivered (or waits for its next attempt) the partitions are paused: the
 * consumer keeps polling, so it stays in its group through an hour of retries, but reads nothing it
 * could not send. A page is sent by one thread at a time per destination, so pages arrive in order.
 *
 * <p>Each destination has its own HTTP client ({@link DestinationHttp}): an attempt is over by its deadline
 * whatever the endpoint does, and reads at most 64 KiB of the answer. An endpoint slower than the request
 * timeout has probably taken the page all the same, so it is not flooded: each attempt that got no
 * complete answer in time gives the next one twice as long (up to {@link #MAX_TIMEOUT_FACTOR} times the
 * request timeout), after the usual backoff, and the page is delivered by the first 2xx it answers in time.
 *
 * <p>Under a storm: every attempt takes a slot of the target's {@link RateLimiter} (WeCom and DingTalk robots
 * 20 a minute, Slack one a second, webhooks as the routes file says), and a page waiting for its slot keeps
 * reading, so what arrives meanwhile joins it: the wait for the limit is a batch window too. A page goes when
 * it is full ({@code maxAlertsPerPage}, then reading pauses, bounding what is held), or when its batch window
 * has passed and the consumer has caught up with the topic: a backlog (a burst the job committed at once, a
 * restart) is read to its end first, so it makes full pages rather than whatever one poll returned. An answer
 * saying "too fast" (429, WeCom 45009, DingTalk 130101) is no failure: the target holds off for the delay the
 * service advised (its Retry-After, else the window of its limit, ten for DingTalk's 10-minute throttle) and the
 * same page goes again.
 */
public final class ChannelWorker {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelWorker.class);
    /** The longest poll: how quickly a stop or a due batch is noticed when nothing arrives. */
    private static final long MAX_POLL_MILLIS = 500;
    /** Keys delivered lately, to drop an alert the topic holds twice (a job replay) without paging again. */
    private static final int RECENT_KEYS = 10_000;
    /** The longest an attempt may take, in request timeouts: 1, 2, 4, 8 after attempts without an answer. */
    static final int MAX_TIMEOUT_FACTOR = 8;
    /** Alerts are a few hundred bytes: a fetch never needs more (and a forged flood cannot fill the heap). */
    private static final int FETCH_BYTES = 256 * 1024;

    private final String id;
    private final ChannelSpec spec;
    private final Channel channel;
    private final Routes routes;
    private final HookOptions options;
    private final DestinationHttp http;
    private final Undelivered undelivered;
    private final DeliveryListener listener;
    private final Backoff backoff;
    private final RateLimiter limiter;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    // State, touched only by this worker's thread (the rebalance callbacks run inside its poll).
    private final List<PagedAlert> open = new ArrayList<>();
    private long openDueAt;
    private Page sending;
    private int attempts;
    private int timeouts;
    private long firstAttemptAt;
    private long nextAttemptAt;
    private final ReadOffsets offsets = new ReadOffsets();
    private final Map<String, Boolean> recent = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_KEYS;
        }
    };

    /** @param limiter the rate limit of the destination's target, shared with every destination of that target */
    public ChannelWorker(String bootstrap, KafkaClientConfig kafka, Channel channel, Routes routes, HookOptions options,
                         Undelivered undelivered, RateLimiter limiter) {
        this.spec = channel.spec();
        this.id = spec.id();
        this.channel = channel;
        this.routes = routes;
        this.options = options;
        this.undelivered = undelivered;
        this.listener = options.listener();
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
        this.limiter = limiter;
        Properties p = KafkaClients.consumer(bootstrap, kafka, options.groupOf(id));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, options.groupOf(id));
        // Polls come at least every MAX_POLL_MILLIS plus one HTTP attempt; leave room for the longest one.
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG,
                (int) Math.max(300_000, (MAX_TIMEOUT_FACTOR + 1) * options.requestTimeout().toMillis() + 60_000));
        // A dispatcher that died without leaving its groups (killed, out of memory) is noticed in 10 s, not 45:
        // its restart resumes paging that much sooner.
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_BYTES);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, FETCH_BYTES);
        this.consumer = new KafkaConsumer<>(p);
        this.http = new DestinationHttp(id, options.requestTimeout());
        this.thread = new Thread(this::run, "hooks-" + id);
    }

    public String id() {
        return id;
    }

    public void start() {
        thread.start();
    }

    /** Releases a worker that was never started. */
    public void discard() {
        consumer.close(Duration.ZERO);
        http.close();
    }

    /** Asks the worker to stop: an HTTP attempt under way is finished first, so its outcome is committed. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Waits for the worker to stop; interrupts it (abandoning an HTTP attempt) after {@code patience}. */
    public void await(Duration patience) throws InterruptedException {
        thread.join(patience.toMillis());
        if (thread.isAlive()) {
            LOG.warn("{}: still busy after {} s: interrupting it", id, patience.toSeconds());
            thread.interrupt();
            thread.join(10_000);
        }
    }

    // ----- the loop -----------------------------------------------------------------------------------------

    private void run() {
        try {
            consumer.subscribe(List.of(options.topic()), new Rebalance());
            while (running) {
                try {
                    step();
                } catch (WakeupException e) {
                    // stop() woke the poll: the loop ends
                } catch (InterruptException e) {
                    break;
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    LOG.error("{}: {}; reading again from the last committed offsets in 1 s", id, e.toString(), e);
                    rewind();
                }
            }
        } catch (Throwable t) {
            // Not an outage but a defect: say so loudly, since this destination pages no one any more.
            LOG.error("{}: stopped by {}: this destination pages no one until the dispatcher restarts", id, t.toString(), t);
            throw t;
        } finally {
            try {
                commitQuietly();
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warn("{}: consumer did not close cleanly: {}", id, e.toString());
            } finally {
                http.close();
            }
            LOG.debug("{}: stopped", id);
        }
    }

    private void step() {
        long now = millis();
        if (sending == null && pageDue(now) && limiter.waitNanos() == 0) {
            startPage(now);
        }
        if (sending != null && now >= nextAttemptAt) {
            long slot = RateLimiter.toMillis(limiter.tryAcquire());
            if (slot > 0) {
                nextAttemptAt = now + slot; // the target's limit: this page waits its turn
            } else {
                attempt();
            }
        }
        now = millis();
        long wait;
        if (sending != null) {
            wait = nextAttemptAt - now;
        } else if (open.isEmpty()) {
            wait = MAX_POLL_MILLIS;
        } else if (pageDue(now)) {
            wait = RateLimiter.toMillis(limiter.waitNanos());
        } else {
            wait = now < openDueAt ? openDueAt - now : MAX_POLL_MILLIS; // behind: a poll returns as records come
        }
        read(sending == null && open.size() < options.maxAlertsPerPage());
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(Math.max(0, Math.min(wait, MAX_POLL_MILLIS))));
        now = millis();
        for (ConsumerRecord<String, byte[]> r : records) {
            take(r, now);
        }
        commit();
    }

    /**
     * Whether the waiting alerts make a page now (the rate limit aside): a full one, or the batch window has passed
     * and the consumer has read all there was when it last fetched.
     */
    private boolean pageDue(long now) {
        return !open.isEmpty() && (open.size() >= options.maxAlertsPerPage() || now >= openDueAt && !behind());
    }

    /** Whether the last fetch saw records not read yet (a backlog, or a burst the job committed at once). */
    private boolean behind() {
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent() && lag.getAsLong() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads while no page is on its way and fewer than a page's worth wait; otherwise pauses the partitions: the
     * consumer keeps polling, so it stays in its group, but takes nothing it could not hold.
     */
    private void read(boolean on) {
        if (on) {
            if (!consumer.paused().isEmpty()) {
                consumer.resume(consumer.paused());
            }
        } else if (consumer.paused().size() < consumer.assignment().size()) {
            consumer.pause(consumer.assignment());
        }
    }

    /** Keeps a record if it is this destination's: decoded, routed here, and not already delivered or waiting. */
    private void take(ConsumerRecord<String, byte[]> r, long now) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        offsets.read(tp, r.offset());
        Alert alert;
        try {
            alert = EventCodec.ALERTS.decode(r.value());
        } catch (RejectedRecordException e) {
            // An alert nobody can read cannot be routed: the county route's destinations own it.
            if (spec.county()) {
                offsets.hold(tp, r.offset());
                undelivered.write(r, Undelivered.CORRUPT, e.getMessage(), id, null);
                offsets.release(tp, r.offset());
                LOG.error("{}: record {}-{}@{} is not an Alert ({}): written to {}", id, r.topic(), r.partition(),
                        r.offset(), e.getMessage(), options.undeliveredTopic());
                notify(() -> listener.undelivered(id, List.of(), Undelivered.CORRUPT, e.getMessage()));
            }
            return;
        }
        if (!routes.scopeOf(alert).equals(spec.scope())) {
            return;
        }
        String key = PagedAlert.keyOf(alert);
        if (recent.containsKey(key) || waiting(key)) {
            LOG.debug("{}: {} is already delivered or waiting: skipped", id, key);
            return;
        }
        offsets.hold(tp, r.offset());
        if (open.isEmpty()) {
            openDueAt = now + options.batchWindow().toMillis();
        }
        open.add(new PagedAlert(alert, r));
        notify(() -> listener.received(id, key));
    }

    private boolean waiting(String key) {
        return open.stream().anyMatch(p -> p.idempotencyKey().equals(key))
                || sending != null && sending.alerts().stream().anyMatch(p -> p.idempotencyKey().equals(key));
    }

    private void startPage(long now) {
        int n = Math.min(open.size(), options.maxAlertsPerPage());
        List<PagedAlert> taken = new ArrayList<>(open.subList(0, n));
        open.subList(0, n).clear();
        sending = Page.of(taken);
        attempts = 0;
        timeouts = 0;
        firstAttemptAt = now;
        nextAttemptAt = now;
        read(false);
    }

    private void attempt() {
        attempts++;
        Outcome outcome = send(sending);
        long now = millis();
        Page page = sending;
        if (outcome instanceof Outcome.Delivered) {
            LOG.info("{}: page {} with {} alert(s) delivered (attempt {})", id, page.idempotencyKey(), page.size(), attempts);
            page.alertKeys().forEach(k -> recent.put(k, Boolean.TRUE));
            int tries = attempts;
            finishPage();
            notify(() -> listener.delivered(id, page.idempotencyKey(), page.alertKeys(), tries));
        } else if (outcome instanceof Outcome.Refused refused) {
            deadLetter(Undelivered.REFUSED, refused.detail());
        } else {
            Outcome.Retry retry = (Outcome.Retry) outcome;
            long deadline = firstAttemptAt + options.giveUpAfter().toMillis();
            if (now >= deadline) {
                deadLetter(Undelivered.GAVE_UP, "gave up after " + attempts + " attempts in "
                        + Duration.ofMillis(now - firstAttemptAt).toSeconds() + " s; last: " + retry.detail());
                return;
            }
            Duration advised = retry.retryAfter();
            if (retry.rateLimited()) {
                // Too fast for the service: every destination of this target waits as long as it advised.
                if (advised == null) {
                    advised = spec.kind().tooFastPause(spec.rateLimit());
                }
                limiter.holdOff(advised);
            }
            Duration delay = backoff.after(attempts, advised);
            nextAttemptAt = Math.min(now + delay.toMillis(), deadline);
            Duration in = Duration.ofMillis(nextAttemptAt - now);
            int tries = attempts;
            if (retry.rateLimited()) {
                LOG.info("{}: the service says too fast ({}) to page {} ({} alert(s)); the same page again in {} ms", id,
                        retry.detail(), page.idempotencyKey(), page.size(), in.toMillis());
                notify(() -> listener.rateLimited(id, page.alertKeys(), tries, retry.detail(), in));
            } else {
                LOG.warn("{}: attempt {} for page {} ({} alert(s)) failed: {}; next in {} ms", id, attempts,
                        page.idempotencyKey(), page.size(), retry.detail(), in.toMillis());
                notify(() -> listener.attemptFailed(id, page.alertKeys(), tries, retry.detail(), in));
            }
        }
    }

    /** One attempt, over by its deadline; what it came to, with no secret in its detail. */
    private Outcome send(Page page) {
        Duration limit = options.requestTimeout().multipliedBy(1L << Math.min(timeouts, 3));
        HttpRequest request;
        try {
            request = channel.request(page, Instant.now(), limit);
        } catch (RuntimeException e) {
            return new Outcome.Refused("cannot build the request: " + channel.redact(String.valueOf(e.getMessage())));
        }
        try {
            DestinationHttp.Answer answer = http.exchange(request, limit);
            timeouts = 0;
            return redacted(channel.outcome(answer.status(), answer.headers(), answer.body()));
        } catch (TimeoutException | HttpTimeoutException e) {
            if (e instanceof HttpConnectTimeoutException) {
                return new Outcome.Retry("connect timed out", null); // nobody there: no reason to wait longer next time
            }
            timeouts++;
            return new Outcome.Retry("no complete answer within " + Durations.text(limit), null);
        } catch (IOException e) {
            return new Outcome.Retry(channel.redact(describe(e)), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Retry("interrupted", null);
        }
    }

    private Outcome redacted(Outcome o) {
        if (o instanceof Outcome.Delivered d) {
            return new Outcome.Delivered(channel.redact(d.detail()));
        }
        if (o instanceof Outcome.Retry r) {
            return new Outcome.Retry(channel.redact(r.detail()), r.retryAfter(), r.rateLimited());
        }
        return new Outcome.Refused(channel.redact(o.detail()));
    }

    /** Writes the page's alerts to the undelivered topic, then lets them go (an ERROR in the log says so). */
    private void deadLetter(String reason, String detail) {
        Page page = sending;
        for (PagedAlert p : page.alerts()) {
            undelivered.write(p.record(), reason, detail, id, p.idempotencyKey());
        }
        LOG.error("{}: {} alert(s) not delivered ({}: {}): written to {} (keys {})", id, page.size(), reason, detail,
                options.undeliveredTopic(), page.alertKeys());
        finishPage();
        notify(() -> listener.undelivered(id, page.alertKeys(), reason, detail));
    }

    private void finishPage() {
        for (PagedAlert p : sending.alerts()) {
            offsets.release(new TopicPartition(p.record().topic(), p.record().partition()), p.record().offset());
        }
        sending = null;
        commit();
    }

    // ----- offsets ----------------------------------------------------------------------------------------

    private void commit() {
        commit(consumer.assignment());
    }

    private void commit(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> points = offsets.toCommit(partitions);
        if (points.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> request = new HashMap<>();
        points.forEach((tp, offset) -> request.put(tp, new OffsetAndMetadata(offset)));
        try {
            try {
                consumer.commitSync(request, Duration.ofSeconds(10));
            } catch (WakeupException e) {
                // stop() during a delivery: the page is taken, so its offsets are committed all the same
                // (the wakeup is spent now; the loop sees that it is stopping).
                consumer.commitSync(request, Duration.ofSeconds(10));
            }
            offsets.committed(points);
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("{}: offsets not committed yet ({}): tried again after the next poll", id, e.toString());
        }
    }

    private void commitQuietly() {
        try {
            commit();
        } catch (RuntimeException e) {
            LOG.warn("{}: last offsets not committed: {}", id, e.toString());
        }
    }

    /** After an unexpected failure: forget what is held and read again from the committed offsets. */
    private void rewind() {
        try {
            Thread.sleep(1000);
            open.clear();
            sending = null;
            Set<TopicPartition> assigned = consumer.assignment();
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(10));
            for (TopicPartition tp : assigned) {
                offsets.forget(tp);
                OffsetAndMetadata at = committed.get(tp);
                if (at != null) {
                    consumer.seek(tp, at.offset());
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
            consumer.resume(consumer.paused());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } catch (RuntimeException e) {
            LOG.error("{}: cannot read the committed offsets again: {}", id, e.toString());
        }
    }

    /** Keeps the offsets right when the group hands partitions to another member (a second dispatcher). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                commit(partitions);
            } catch (RuntimeException e) {
                LOG.warn("{}: offsets of revoked partitions not committed: {}", id, e.toString());
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (sending != null || open.size() >= options.maxAlertsPerPage()) {
                consumer.pause(partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(offsets::forget);
            open.removeIf(p -> partitions.contains(new TopicPartition(p.record().topic(), p.record().partition())));
        }
    }

    // ----- helpers --------------------------------------------------------------------------------------------

    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: delivery listener failed: {}", id, e.toString());
        }
    }

    /** Monotonic milliseconds: windows and backoffs must not jump with the wall clock. */
    private static long millis() {
        return System.nanoTime() / 1_000_000;
    }

    /** What went wrong with the connection, without the URL (it may carry a key). */
    static String describe(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer in time";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = e instanceof ConnectException || root instanceof ConnectException ? "cannot connect" : e.getClass().getSimpleName();
        String msg = root.getMessage() != null ? root.getMessage() : e.getMessage();
        return what + (msg != null ? " (" + msg + ")" : "");
    }
}
