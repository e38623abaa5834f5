package dev.sweep.bench;

import dev.sweep.campaign.CampaignChecks;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Rejection;
import dev.sweep.schemas.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The stations live, at a steady rate, and what InfluxDB shows of them. A sender thread replays the
 * campaign's own scans of its busiest wave, in order (so the sites' mix is the campaign's), re-stamped as
 * they go (scannedAt = the wall clock, a fresh scanId), at {@code rate} scans per second; every site's
 * heartbeat each 30 s, re-stamped too; and, when asked, one refused record a second.
 *
 * <p>Latency: for the {@code tracked} busiest sites it notes, per (site, minute), the send time of the n-th
 * scan. A poller asks InfluxDB for those sites' site_throughput points every {@value #POLL_MS} ms; when a
 * point's scans reach n, the n-th scan is visible, and its latency is the answer's time minus its send time
 * (an upper bound: the point may have landed up to a poll interval and a query earlier).
 *
 * <p>State: what was sent, the send times of tracked scans not yet seen, the latencies seen (with their
 * send times, so a window of the run can be read apart).
 */
final class LiveFeed implements AutoCloseable {
    static final long POLL_MS = 50;
    static final long HEARTBEAT_EVERY_MS = 30_000;
    private static final long NANOS = 1_000_000_000L;

    /**
     * What the stations send: scans and heartbeats of the campaign's busiest wave, in send order (cycled),
     * and the refused records the soak mixes in, each with the reason the job's checks give it.
     */
    record Stations(List<ScanEvent> scans, List<StationStatus> heartbeats, int sites, List<Hostile> hostile,
                    Instant outsideWindow) {
        /** At most this many records of each kind are kept: 100 s at 20,000 scans/s before they cycle. */
        static final int KEPT = 2_000_000;

        /**
         * The stations of {@code campaign}'s last (busiest) wave in a replay generated for it, taken as it streams
         * by: the scans and the heartbeats the campaign's checks accept (a CLOSED one left out: the live stations
         * stay open), and every record they refuse (a bad-data drill's), with its reason; each of the three up to
         * {@link #KEPT} records (they are sent in cycles, so a city's campaign needs no more memory than a
         * county's). Every emission is handed on to {@code also}; the replay is left once the scans and heartbeats
         * are full and its send time reached {@code untilMillis} (a city's campaign is not generated to its end for this).
         * Out of the window: a day before it.
         */
        static Stations of(Iterator<Emission> replay, Scenario campaign, long untilMillis, Consumer<Emission> also) {
            CampaignChecks checks = new CampaignChecks(campaign);
            long now = campaign.windowEnd().toEpochMilli(); // a replay may lie ahead of the wall clock: not the point here
            long from = campaign.waves().get(campaign.waves().size() - 1).opens().toEpochMilli();
            List<ScanEvent> scans = new ArrayList<>();
            List<StationStatus> heartbeats = new ArrayList<>();
            List<Hostile> refused = new ArrayList<>();
            while (replay.hasNext()) {
                Emission e = replay.next();
                if (scans.size() >= KEPT && heartbeats.size() >= KEPT && e.sendAt() >= untilMillis) {
                    break;
                }
                also.accept(e);
                try {
                    if (e.topic().equals(Topics.SCANS)) {
                        if (e.sendAt() >= from && scans.size() < KEPT) {
                            scans.add(checks.scan(e.value(), now));
                        } else {
                            checks.scan(e.value(), now);
                        }
                    } else if (e.sendAt() >= from && heartbeats.size() < KEPT) {
                        StationStatus h = checks.heartbeat(e.value(), now);
                        if (h.getState() != SiteState.CLOSED) {
                            heartbeats.add(h);
                        }
                    } else {
                        checks.heartbeat(e.value(), now);
                    }
                } catch (RejectedRecordException r) {
                    if (refused.size() < KEPT) {
                        refused.add(new Hostile(e.key(), e.value(), r.reason().code()));
                    }
                }
            }
            if (scans.isEmpty()) {
                throw new IllegalStateException("the replay of " + campaign.name() + " has no scan in its last wave");
            }
            return new Stations(scans, heartbeats, campaign.sites().size(), refused,
                    campaign.windowStart().minus(Duration.ofDays(1)));
        }
    }

    /** A record the job must refuse, on sweep.scans, and the dead-letter reason the campaign's checks give it. */
    record Hostile(String key, byte[] value, String reason) {}

    /** What was sent: scans, heartbeats, refused records by reason, over how long. */
    record Sent(long scans, long heartbeats, Map<String, Long> refused, double seconds, double scansPerSecond) {}

    /** Scan-to-InfluxDB latency of the tracked scans of a window of the run, in seconds. */
    record Latency(long samples, long unresolved, double p50, double p90, double p99, double max) {}

    private final Stations stations;
    private final int rate;
    private final boolean refuse;
    private final String runTag;
    private final Set<String> tracked;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, SendLog> logs = new ConcurrentHashMap<>();
    private final Samples samples = new Samples();
    private final Poller poller;
    private final Thread sender;
    private final Thread pollThread;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    private final Map<String, Long> refusedSent = new TreeMap<>();
    private volatile long startNanos;
    private volatile boolean stopSending;
    private volatile long scansSent;
    private volatile long heartbeatsSent;
    private volatile long sendingEnded = -1;

    private LiveFeed(String bootstrap, InfluxQuery influx, Stations stations, int rate, int trackedSites,
                     boolean refuse, PrintStream log) {
        this.stations = stations;
        this.rate = rate;
        this.refuse = refuse;
        this.runTag = Long.toString(System.currentTimeMillis(), 36);
        Map<String, Long> perSite = new HashMap<>();
        stations.scans().forEach(s -> perSite.merge(s.getSiteId(), 1L, Long::sum));
        this.tracked = perSite.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(trackedSites).map(Map.Entry::getKey).collect(Collectors.toUnmodifiableSet());
        this.producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "sweep-bench-stations"));
        String siteFilter = tracked.stream().sorted().map(s -> "\"site\" = '" + s.replace("'", "\\'") + "'")
                .collect(Collectors.joining(" OR "));
        this.poller = new Poller(influx, siteFilter);
        this.pollThread = new Thread(poller, "bench-influx-poller");
        this.pollThread.setDaemon(true);
        this.sender = new Thread(() -> send(log), "bench-stations");
        this.sender.setDaemon(true);
    }

    /** Starts sending at {@code rate} scans/s (and, with {@code refuse}, a refused record a second) and polling. */
    static LiveFeed start(String bootstrap, InfluxQuery influx, Stations stations, int rate, int trackedSites,
                          boolean refuse, PrintStream log) {
        LiveFeed feed = new LiveFeed(bootstrap, influx, stations, rate, trackedSites, refuse, log);
        feed.poller.takeBaseline();
        feed.startNanos = System.nanoTime();
        feed.pollThread.start();
        feed.sender.start();
        return feed;
    }

    /** Nanos (System.nanoTime) when the feed started. */
    long startNanos() {
        return startNanos;
    }

    int trackedSites() {
        return tracked.size();
    }

    long scansSent() {
        return scansSent;
    }

    private void send(PrintStream log) {
        List<ScanEvent> scans = stations.scans();
        List<StationStatus> heartbeats = stations.heartbeats();
        double heartbeatsPerSecond = heartbeats.isEmpty() ? 0 : stations.sites() * 1000.0 / HEARTBEAT_EVERY_MS;
        long scanN = 0;
        long heartbeatN = 0;
        long refusedN = 0;
        long lastReport = startNanos;
        try {
            while (!stopSending && sendFailure.get() == null) {
                long now = System.nanoTime();
                long elapsed = now - startNanos;
                for (long due = elapsed * rate / NANOS + 1; scanN < due; scanN++) {
                    ScanEvent e = scans.get((int) (scanN % scans.size()));
                    long wall = System.currentTimeMillis();
                    e.setScanId("live-" + runTag + "-" + scanN);
                    e.setScannedAt(Instant.ofEpochMilli(wall));
                    byte[] value = EventCodec.SCANS.encode(e);
                    if (tracked.contains(e.getSiteId())) {
                        logs.computeIfAbsent(e.getSiteId() + "@" + (wall / 60_000 * 60_000), k -> new SendLog())
                                .add(System.nanoTime());
                    }
                    producer.send(new ProducerRecord<>(Topics.SCANS, e.getSiteId(), value), this::sent);
                    scansSent = scanN + 1;
                }
                for (long due = (long) (elapsed * heartbeatsPerSecond / NANOS) + 1;
                     heartbeatsPerSecond > 0 && heartbeatN < due; heartbeatN++) {
                    StationStatus h = heartbeats.get((int) (heartbeatN % heartbeats.size()));
                    h.setReportedAt(Instant.ofEpochMilli(System.currentTimeMillis()));
                    producer.send(new ProducerRecord<>(Topics.STATION_STATUS, h.getSiteId(),
                            EventCodec.STATUSES.encode(h)), this::sent);
                    heartbeatsSent = heartbeatN + 1;
                }
                for (long due = elapsed / NANOS + 1; refuse && refusedN < due; refusedN++) {
                    Hostile h = refused(refusedN, scans.get((int) (refusedN % scans.size())));
                    producer.send(new ProducerRecord<>(Topics.SCANS, h.key(), h.value()), this::sent);
                    synchronized (refusedSent) {
                        refusedSent.merge(h.reason(), 1L, Long::sum);
                    }
                }
                if (log != null && now - lastReport > 10 * NANOS) {
                    log.printf("bench: live stations: %,d scans sent in %.0f s%n", scanN, elapsed / 1e9);
                    lastReport = now;
                }
                Thread.sleep(1);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            sendFailure.compareAndSet(null, e);
        } finally {
            sendingEnded = System.nanoTime();
        }
    }

    /** The n-th refused record: every tenth one from outside the campaign's window, the others in turn from the list. */
    private Hostile refused(long n, ScanEvent like) {
        if (n % 10 == 9 || stations.hostile().isEmpty()) {
            ScanEvent e = ScanEvent.newBuilder(like).setScanId("refused-" + runTag + "-" + n)
                    .setScannedAt(stations.outsideWindow()).build();
            return new Hostile(e.getSiteId(), EventCodec.SCANS.encode(e), Rejection.OUT_OF_WINDOW.code());
        }
        return stations.hostile().get((int) (n % stations.hostile().size()));
    }

    private void sent(Object metadata, Exception error) {
        if (error != null) {
            sendFailure.compareAndSet(null, error);
        }
    }

    /**
     * Stops sending (everything sent is acknowledged by Kafka when it returns), then waits up to
     * {@code drainMillis} for the tracked scans to show in InfluxDB.
     */
    Sent stop(long drainMillis) throws InterruptedException {
        stopSending = true;
        sender.join();
        long deadline = System.nanoTime() + drainMillis * 1_000_000;
        while (System.nanoTime() < deadline && pending() > 0) {
            Thread.sleep(100);
        }
        poller.stop = true;
        pollThread.join(10_000);
        if (sendFailure.get() != null) {
            throw new IllegalStateException("Kafka refused a live record: " + sendFailure.get().getMessage(),
                    sendFailure.get());
        }
        double seconds = (sendingEnded - startNanos) / 1e9;
        Map<String, Long> refused;
        synchronized (refusedSent) {
            refused = new TreeMap<>(refusedSent);
        }
        return new Sent(scansSent, heartbeatsSent, refused, seconds, scansSent / seconds);
    }

    /** Tracked scans sent and not seen in InfluxDB yet. */
    long pending() {
        return logs.values().stream().mapToLong(SendLog::pending).sum();
    }

    /** Latency of the tracked scans sent at a time (System.nanoTime) {@code sentAt} accepts; those not seen count apart. */
    Latency latency(LongPredicate sentAt) {
        long[] l = samples.latencies(sentAt);
        Arrays.sort(l);
        long unresolved = logs.values().stream().mapToLong(s -> s.pending(sentAt)).sum();
        return new Latency(l.length, unresolved, Stats.percentile(l, 50) / 1e9, Stats.percentile(l, 90) / 1e9,
                Stats.percentile(l, 99) / 1e9, l.length == 0 ? Double.NaN : l[l.length - 1] / 1e9);
    }

    /** Queries the poller made, and how many InfluxDB did not answer (an outage). */
    long[] polls() {
        return new long[] {poller.polls, poller.failures};
    }

    @Override
    public void close() {
        stopSending = true;
        poller.stop = true;
        try {
            sender.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close();
    }

    /** Send times of the tracked scans of one site in one minute, in send order, and how many InfluxDB shows. */
    private static final class SendLog {
        private long[] sent = new long[64];
        private int n;
        private int resolved;

        synchronized void add(long nanos) {
            if (n == sent.length) {
                sent = Arrays.copyOf(sent, n * 2);
            }
            sent[n++] = nanos;
        }

        synchronized void resolve(long count, long seenNanos, Samples out) {
            for (int upTo = (int) Math.min(count, n); resolved < upTo; resolved++) {
                out.add(sent[resolved], seenNanos - sent[resolved]);
            }
        }

        synchronized int pending() {
            return n - resolved;
        }

        synchronized long pending(LongPredicate sentAt) {
            long p = 0;
            for (int i = resolved; i < n; i++) {
                if (sentAt.test(sent[i])) {
                    p++;
                }
            }
            return p;
        }
    }

    /** Every latency seen, with its scan's send time. */
    private static final class Samples {
        private long[] sentAt = new long[1 << 16];
        private long[] latency = new long[1 << 16];
        private int n;

        synchronized void add(long sent, long nanos) {
            if (n == sentAt.length) {
                sentAt = Arrays.copyOf(sentAt, n * 2);
                latency = Arrays.copyOf(latency, n * 2);
            }
            sentAt[n] = sent;
            latency[n++] = nanos;
        }

        synchronized long[] latencies(LongPredicate sent) {
            long[] out = new long[n];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (sent.test(sentAt[i])) {
                    out[k++] = latency[i];
                }
            }
            return Arrays.copyOf(out, k);
        }
    }

    /** Asks InfluxDB for the tracked sites' points of the minutes that still have scans to see. */
    private final class Poller implements Runnable {
        private final InfluxQuery influx;
        private final String siteFilter;
        private final Map<String, Long> baseline = new HashMap<>();
        volatile boolean stop;
        volatile long polls;
        volatile long failures;

        Poller(InfluxQuery influx, String siteFilter) {
            this.influx = influx;
            this.siteFilter = siteFilter;
        }

        /**
         * The tracked sites' scans already counted in this minute and the last, before the feed sends: an earlier
         * feed's (the previous rate's) are in the same site minutes, and only this feed's scans are its to time.
         * None when InfluxDB does not answer.
         */
        void takeBaseline() {
            long from = System.currentTimeMillis() / 60_000 * 60_000 - 60_000;
            try {
                for (Map<String, Object> row : influx.rows("SELECT \"scans\" FROM \"site_throughput\" WHERE time >= "
                        + from + "ms AND (" + siteFilter + ") GROUP BY \"site\"")) {
                    if (row.get("scans") instanceof Number count && row.get("time") instanceof Number t) {
                        baseline.put(row.get("site") + "@" + t.longValue(), count.longValue());
                    }
                }
            } catch (IOException e) {
                // InfluxDB down: nothing counted yet that this feed could be mistaken for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            while (!stop) {
                long asked = System.nanoTime();
                long from = oldestPendingMinute();
                try {
                    List<Map<String, Object>> rows = influx.rows("SELECT \"scans\" FROM \"site_throughput\" WHERE time >= "
                            + from + "ms AND (" + siteFilter + ") GROUP BY \"site\"");
                    long answered = System.nanoTime();
                    for (Map<String, Object> row : rows) {
                        if (row.get("scans") instanceof Number count && row.get("time") instanceof Number t) {
                            String key = row.get("site") + "@" + t.longValue();
                            SendLog l = logs.get(key);
                            if (l != null) {
                                l.resolve(count.longValue() - baseline.getOrDefault(key, 0L), answered, samples);
                            }
                        }
                    }
                    forgetResolved(from);
                } catch (IOException e) {
                    failures++; // InfluxDB down (the soak's outages): its scans are seen once it is back
                } catch (InterruptedException e) {
                    return;
                }
                polls++;
                long sleep = POLL_MS - (System.nanoTime() - asked) / 1_000_000;
                try {
                    Thread.sleep(Math.max(1, sleep));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private long oldestPendingMinute() {
            long now = System.currentTimeMillis() / 60_000 * 60_000;
            long oldest = now;
            for (Map.Entry<String, SendLog> e : logs.entrySet()) {
                if (e.getValue().pending() > 0) {
                    oldest = Math.min(oldest, Long.parseLong(e.getKey().substring(e.getKey().indexOf('@') + 1)));
                }
            }
            return oldest;
        }

        /** Minutes before {@code from} are all seen: their logs go, so a long soak polls the last minutes only. */
        private void forgetResolved(long from) {
            for (Iterator<Map.Entry<String, SendLog>> it = logs.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, SendLog> e = it.next();
                if (Long.parseLong(e.getKey().substring(e.getKey().indexOf('@') + 1)) < from && e.getValue().pending() == 0) {
                    it.remove();
                }
            }
        }
    }
}
