package dev.sweep.bench;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Wave;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.schemas.Durations;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;

/**
 * {@code sweep bench --soak}: the coverage job live for a long while, as on the campaign's busiest day: the
 * stations send at a steady rate (with every site's heartbeat each 30 s) and a refused record every second
 * (the simulator's bad-data drill in turn, every tenth from outside the campaign's window), and InfluxDB is
 * stopped and started twice. At the end: every scan sent is in InfluxDB's site_throughput, every refused
 * record is a dead letter with the reason the campaign's checks give it, the heap after GC each minute and
 * its trend, and the scan-to-InfluxDB latency over the run. State: the session and what was sent.
 */
final class Soak {
    /** Where the soak runs in the campaign: this far into its last wave. */
    static final Duration INTO_LAST_WAVE = Duration.ofMinutes(30);
    static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final long MINUTE = 60_000_000_000L;

    private final Session s;
    private final BenchOptions o;
    private final PrintStream log;

    Soak(Session session) {
        this.s = session;
        this.o = session.options;
        this.log = session.log;
    }

    BenchReport run(Machine machine) throws Exception {
        Duration length = o.soak();
        Scenario shipped = o.campaign();
        List<Wave> waves = shipped.waves();
        Instant opens = Instant.now().minus(Duration.between(waves.get(0).opens(), waves.get(waves.size() - 1).opens()))
                .minus(INTO_LAST_WAVE).truncatedTo(ChronoUnit.MINUTES);
        Scenario campaign = shipped.startingAt(opens);
        long shift = opens.toEpochMilli() - waves.get(0).opens().toEpochMilli();
        Duration outage = OUTAGE.compareTo(length.dividedBy(10)) < 0 ? OUTAGE : length.dividedBy(10);

        LiveFeed.Stations stations = s.phase("replay with the bad-data drill, in the bench", () ->
                LiveFeed.Stations.of(new CampaignSimulator(shipped, o.seed(), Drill.parse(List.of("bad-data")), shift,
                        CampaignSimulator.DRILL_STATION_KEY).stream(), campaign, Long.MAX_VALUE, e -> { }));
        try (InfluxPart influx = s.phase("InfluxDB (testkit influxd) starts", s::influx);
             KafkaPart kafka = s.phase("Kafka (sweep kafka) starts", () -> s.kafka("kafka", s.dir("kafka")));
             JobPart job = s.phase("the live job starts", () -> {
                 JobPart j = s.job("job live", new JobMain.Order(options(kafka, influx, campaign), s.dir("job").toString(),
                         0, 0));
                 j.awaitRead(Duration.ofMinutes(5));
                 return j;
             })) {
            List<Long> heap = new ArrayList<>();
            List<Long> rss = new ArrayList<>();
            List<BenchReport.Outage> outages = new ArrayList<>();
            List<long[]> down = new ArrayList<>();
            LiveFeed.Sent sent;
            LiveFeed feed = LiveFeed.start(kafka.bootstrap(), influx.query(), stations, o.soakRate(), Bench.TRACKED_SITES,
                    true, log);
            try {
                sent = s.phase("soak: " + Durations.text(length) + " at " + o.soakRate() + " scans/s", () -> {
                    long start = feed.startNanos();
                    long end = start + length.toNanos();
                    long[] stopAt = {start + length.toNanos() / 3, start + 2 * length.toNanos() / 3};
                    int nextStop = 0;
                    long startAt = Long.MAX_VALUE; // when the stopped influxd starts again
                    long stopped = 0;
                    long nextMinute = start + MINUTE;
                    for (long now = System.nanoTime(); now < end || startAt != Long.MAX_VALUE; now = System.nanoTime()) {
                        if (now >= startAt) {
                            influx.startInfluxd();
                            long started = System.nanoTime();
                            down.add(new long[] {stopped, started});
                            outages.add(new BenchReport.Outage((stopped - start) / 1e9, (started - start) / 1e9));
                            startAt = Long.MAX_VALUE;
                        } else if (nextStop < stopAt.length && now >= stopAt[nextStop]) {
                            stopped = System.nanoTime();
                            influx.stopInfluxd();
                            log.printf("bench: InfluxDB stopped for %s%n", Durations.text(outage));
                            startAt = stopped + outage.toNanos();
                            nextStop++;
                        } else if (now >= nextMinute) {
                            heap.add(job.heapAfterGc());
                            rss.add(job.process().residentBytes());
                            log.printf("bench: soak minute %d: heap after GC %,d MiB (resident %,d MiB), %,d scans sent%n",
                                    heap.size(), heap.get(heap.size() - 1) >> 20, rss.get(rss.size() - 1) >> 20,
                                    feed.scansSent());
                            nextMinute += MINUTE;
                        } else {
                            long next = Math.min(Math.min(end, nextMinute), Math.min(startAt,
                                    nextStop < stopAt.length ? stopAt[nextStop] : Long.MAX_VALUE));
                            Thread.sleep(Math.max(1, (next - now) / 1_000_000));
                        }
                    }
                    return feed.stop(120_000);
                });
            } finally {
                feed.close();
            }
            long inInflux = s.phase("soak: counting what arrived", () -> awaitScans(influx, sent.scans()));
            Map<String, Long> dead = awaitDeadLetters(kafka.bootstrap(), sent.refused());
            heap.add(job.heapAfterGc());
            rss.add(job.process().residentBytes());

            long warm = feed.startNanos() + BenchOptions.LATENCY_WARMUP.toNanos();
            LiveFeed.Latency all = feed.latency(t -> t >= warm);
            LiveFeed.Latency outside = feed.latency(t -> t >= warm && down.stream()
                    .noneMatch(d -> t >= d[0] - 5_000_000_000L && t < d[1] + 30_000_000_000L));
            double[] minutes = new double[Math.max(0, heap.size() - 1)];
            double[] mib = new double[minutes.length];
            for (int i = 1; i < heap.size(); i++) { // the first minute is the JVM's warm-up
                minutes[i - 1] = i;
                mib[i - 1] = heap.get(i) / 1048576.0;
            }
            double trend = Stats.slope(minutes, mib) * 60;
            List<Double> p99ByMinute = new ArrayList<>();
            for (long m = 0; m * MINUTE < length.toNanos(); m++) {
                long from = feed.startNanos() + m * MINUTE;
                p99ByMinute.add(feed.latency(t -> t >= Math.max(from, warm) && t < from + MINUTE).p99());
            }
            BenchReport.SoakRun soak = new BenchReport.SoakRun(length.toSeconds() / 60.0, o.soakRate(),
                    sent.scansPerSecond(), sent.scans(), inInflux, sent.heartbeats(), sent.refused(), dead, outages,
                    heap, rss, trend, latency(o.soakRate(), sent, feed, all), latency(o.soakRate(), sent, feed, outside),
                    p99ByMinute, feed.polls()[1]);
            return report(machine, campaign, opens, soak);
        }
    }

    /** Waits until InfluxDB's site_throughput holds {@code expected} scans (or two minutes pass); what it holds. */
    private long awaitScans(InfluxPart influx, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long seen = -1;
        while (System.nanoTime() < deadline) {
            try {
                seen = influx.query().number("SELECT sum(\"scans\") FROM \"site_throughput\"");
                if (seen == expected) {
                    break;
                }
            } catch (IOException e) {
                log.println("bench: InfluxDB did not answer: " + e.getMessage());
            }
            Thread.sleep(2_000);
        }
        return seen;
    }

    /** Waits until the dead letters match what was refused (their transactions commit with checkpoints); by reason. */
    private Map<String, Long> awaitDeadLetters(String bootstrap, Map<String, Long> refused) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        Map<String, Long> dead;
        do {
            dead = new TreeMap<>();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
                Map<String, Long> byReason = dead;
                RawRead.readToEnd(consumer, List.of(Topics.DEAD_LETTERS), r -> {
                    Header reason = r.headers().lastHeader(Topics.HEADER_REASON);
                    byReason.merge(reason == null ? "?" : new String(reason.value(), StandardCharsets.UTF_8), 1L,
                            Long::sum);
                });
            }
            if (dead.equals(new TreeMap<>(refused))) {
                break;
            }
            Thread.sleep(2_000);
        } while (System.nanoTime() < deadline);
        return dead;
    }

    private static BenchReport.LiveLatency latency(int rate, LiveFeed.Sent sent, LiveFeed feed, LiveFeed.Latency l) {
        return new BenchReport.LiveLatency(rate, sent.scansPerSecond(), sent.scans(), sent.seconds(),
                feed.trackedSites(), l.samples(), l.unresolved(), l.p50(), l.p90(), l.p99(), l.max());
    }

    private CoverageOptions options(KafkaPart kafka, InfluxPart influx, Scenario campaign) {
        return CoverageOptions.on(kafka.bootstrap(), campaign)
                .group("sweep-bench-soak-" + UUID.randomUUID())
                .from(CoverageOptions.StartFrom.EARLIEST)
                .parallelism(o.parallelism())
                .stateBackend(backend())
                .checkpoints(s.dir("checkpoints").toUri().toString())
                .influx(influx.url(), "sweep", InfluxPart.DATABASE)
                .build();
    }

    /**
     * The deployment's state backend (RocksDB, docker-compose's) unless asked otherwise: the soak looks for
     * what grows in the heap besides the state, and on the heap backend the state itself grows with every
     * scan (a person's scanIds are kept for the dedup TTL).
     */
    private CoverageOptions.StateBackend backend() {
        return o.stateBackend() != null ? o.stateBackend() : CoverageOptions.StateBackend.ROCKSDB;
    }

    private BenchReport report(Machine machine, Scenario campaign, Instant opens, BenchReport.SoakRun soak) {
        List<BenchReport.Figure> f = new ArrayList<>();
        long refused = soak.refusedSent().values().stream().mapToLong(Long::longValue).sum();
        long dead = soak.deadLetters().values().stream().mapToLong(Long::longValue).sum();
        f.add(Bench.figure("1", "scans sent (steady, scannedAt = now)", "scans", Stats.of(soak.scansSent()),
                null, null, "the busiest wave's scans, in order, re-stamped and sent at " + soak.rate()
                        + " scans/s for " + fmt(soak.minutes()) + " min, with every site's heartbeat each 30 s; the"
                        + " campaign moved so the soak runs " + INTO_LAST_WAVE.toMinutes() + " min into its last wave"
                        + " (first wave at " + opens + ")"));
        f.add(Bench.figure("", "  achieved rate", "scans/s", Stats.of(soak.achievedPerSecond()), null, null, null));
        f.add(Bench.figure("2", "scans in InfluxDB's site_throughput", "scans", Stats.of(soak.scansInInflux()),
                "= scans sent", soak.scansInInflux() == soak.scansSent(), "sum(scans) over every site minute,"
                        + " read once the feed stopped (waiting up to 2 min): nothing lost across InfluxDB's outages"));
        f.add(Bench.figure("3", "refused records sent (one a second)", "records", Stats.of(refused), null, null,
                "the simulator's bad-data drill records in turn, every tenth a valid scan from a day before the"
                        + " campaign's window; sent by reason: " + soak.refusedSent()));
        f.add(Bench.figure("", "  dead letters on sweep.dead-letters", "records", Stats.of(dead), "= refused sent",
                soak.deadLetters().equals(new TreeMap<>(soak.refusedSent())), "read committed, by their reason"
                        + " header: " + soak.deadLetters() + " (the same reasons and counts as sent to be met)"));
        double[] heapMiB = soak.heapBytesPerMinute().stream().mapToDouble(b -> b / 1048576.0).toArray();
        Stats heap = Stats.of(heapMiB);
        // Flat: what the trend adds over the run is under a tenth of the heap (a heap that shrinks is flat too).
        boolean flat = !Double.isNaN(soak.heapTrendMiBPerHour())
                && soak.heapTrendMiBPerHour() * soak.minutes() / 60 < 0.1 * heap.median();
        f.add(Bench.figure("4", "heap after GC, each minute (median, min, max)", "MiB", heap, null, null,
                "the job's JVM: System.gc() x3 and heap used, each minute of the soak and once at its end: "
                        + series(heapMiB, "%.0f") + " MiB; its resident memory (VmRSS) then: "
                        + series(soak.residentBytesPerMinute().stream().mapToDouble(b -> b / 1048576.0).toArray(), "%.0f")
                        + " MiB. State backend " + backend().name().toLowerCase(Locale.ROOT)
                        + (backend() == CoverageOptions.StateBackend.ROCKSDB ? " (as deployed: the state is off the heap)"
                        : " (the state is on the heap, and grows with every scan kept for the dedup TTL)")));
        f.add(Bench.figure("", "  trend (least squares, from minute 2)", "MiB/h", Stats.of(soak.heapTrendMiBPerHour()),
                "flat (< 10 % over the run)", Double.isNaN(soak.heapTrendMiBPerHour()) ? null : flat, null));
        f.add(Bench.figure("5", "scan -> InfluxDB latency p50, whole soak", "s", Stats.of(soak.latency().p50()),
                null, null, "as the bench's latency (" + soak.latency().samples() + " samples of "
                        + soak.latency().trackedSites() + " sites, " + soak.latency().unresolved() + " not seen),"
                        + " over the whole soak after " + BenchOptions.LATENCY_WARMUP.toSeconds() + " s, outages"
                        + " included; then leaving out the scans sent from 5 s before InfluxDB stopped to 30 s"
                        + " after it started again. InfluxDB stopped (s after the start): " + outages(soak.outages())
                        + "; p99 of the scans sent in each minute: " + series(soak.p99ByMinute().stream()
                        .mapToDouble(Double::doubleValue).toArray(), "%.2f") + " s"));
        f.add(Bench.figure("", "scan -> InfluxDB latency p99, whole soak", "s", Stats.of(soak.latency().p99()), null,
                null, null));
        f.add(Bench.figure("", "  worst", "s", Stats.of(soak.latency().max()), null, null, null));
        f.add(Bench.figure("", "scan -> InfluxDB latency p50, outside the outages", "s",
                Stats.of(soak.latencyOutsideOutages().p50()), null, null, null));
        boolean p99Met = soak.latencyOutsideOutages().p99() < (soak.rate() <= 5_000 ? 1.0 : 2.0);
        f.add(Bench.figure("", "scan -> InfluxDB latency p99, outside the outages", "s",
                Stats.of(soak.latencyOutsideOutages().p99()), soak.rate() <= 5_000 ? "< 1 s" : "< 2 s", p99Met, null));
        BenchReport.Setup setup = new BenchReport.Setup(o.scenario(), o.seed(), 1, o.parallelism(),
                backend().name().toLowerCase(Locale.ROOT), List.of(o.soakRate()),
                soak.minutes() * 60, BenchOptions.LATENCY_WARMUP.toSeconds(), soak.minutes(), o.soakRate());
        return new BenchReport("bench --soak", machine, setup, null, f, List.of(), List.of(), soak, s.cpu(),
                s.phases(), s.seconds());
    }

    private static String series(double[] values, String format) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, v));
        }
        return b.toString();
    }

    private static String outages(List<BenchReport.Outage> outages) {
        StringBuilder b = new StringBuilder();
        for (BenchReport.Outage x : outages) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f -> %.0f", x.stoppedAt(),
                    x.startedAt()));
        }
        return b.toString();
    }

    private static String fmt(double minutes) {
        return Objects.toString(minutes == Math.rint(minutes) ? Long.toString((long) minutes)
                : String.format(Locale.ROOT, "%.1f", minutes));
    }
}
