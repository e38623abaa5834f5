package dev.sweep.bench;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Wave;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Emission;
import dev.sweep.producers.simulator.Ledger;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.schemas.LocalMachine;
import dev.sweep.schemas.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * {@code sweep bench}: the coverage job's figures on this machine, each part in a process of its own as a
 * user runs it (Kafka: {@code sweep kafka}; InfluxDB: the testkit's influxd; the campaign: {@code sweep
 * simulate}; the raw read and the job: JVMs of their own). Every figure is measured {@code runs} times and
 * reported as median, min and max; what is compared runs alternately (raw, job with InfluxDB, job with
 * Kafka outputs only, job on a one-hour backlog), so a change in the machine's load falls on all of them.
 * It measures and asserts nothing. State: the session (work directory, parts, phases).
 */
public final class Bench {
    static final int TRACKED_SITES = 48;
    /** The campaign is moved so its last wave closed this long before the bench starts: the live scans come after it, inside its window. */
    static final Duration CAMPAIGN_ENDED_AGO = Duration.ofHours(2);
    /** A city's campaign (metro: some 38 million records) takes the simulator a quarter of an hour and more. */
    static final Duration SIMULATE_LIMIT = Duration.ofHours(3);

    private final Session s;
    private final BenchOptions o;
    private final PrintStream log;

    private Bench(Session session) {
        this.s = session;
        this.o = session.options;
        this.log = session.log;
    }

    /** Runs the bench (or, with {@link BenchOptions#soak()}, the soak) and returns what it measured. */
    public static BenchReport run(BenchOptions options, PrintStream log) throws Exception {
        Machine machine = Machine.now();
        try (Session session = Session.open(options, log)) {
            return options.soak() != null ? new Soak(session).run(machine) : new Bench(session).run(machine);
        }
    }

    private BenchReport run(Machine machine) throws Exception {
        Scenario shipped = o.campaign();
        List<Wave> waves = shipped.waves();
        Instant lastClose = waves.get(waves.size() - 1).closes();
        Instant opens = Instant.now().minus(Duration.between(waves.get(0).opens(), lastClose))
                .minus(CAMPAIGN_ENDED_AGO).truncatedTo(ChronoUnit.MINUTES);
        Scenario campaign = shipped.startingAt(opens);
        long shift = opens.toEpochMilli() - waves.get(0).opens().toEpochMilli();

        try (InfluxPart influx = s.phase("InfluxDB (testkit influxd) starts", s::influx)) {
            Path template = s.dir("kafka-campaign");
            Path gcLog = s.work.resolve("logs").resolve("simulate-gc.log");
            ChildProcess[] simulated = new ChildProcess[1];
            Ledger ledger = s.phase("campaign -> Kafka (sweep simulate --speed max)", () -> {
                try (KafkaPart kafka = s.kafka("kafka (campaign)", template)) {
                    Path ledgerFile = s.work.resolve("ledger.json");
                    ChildProcess simulate = s.child("simulate", o.launcher().withJvmOptions(GcLog.option(gcLog))
                            .sweep(s.work.resolve("tmp"), "simulate", "--bootstrap", kafka.bootstrap(), "--scenario",
                                    o.scenario(), "--speed", "max", "--seed", Long.toString(o.seed()), "--start",
                                    opens.toString(), "--ledger", ledgerFile.toString()));
                    simulated[0] = simulate;
                    int exit = simulate.awaitExit(SIMULATE_LIMIT);
                    if (exit != 0) {
                        throw simulate.failure("exited " + exit);
                    }
                    return Ledger.read(ledgerFile);
                }
            });
            long scans = ledger.records().getOrDefault(Topics.SCANS, 0L);
            long heartbeats = ledger.records().getOrDefault(Topics.STATION_STATUS, 0L);
            GcLog.Heap simulatorHeap = GcLog.read(gcLog);
            double simulateSeconds = simulated[0].wallSeconds();
            BenchReport.Simulator simulator = new BenchReport.Simulator(simulateSeconds,
                    seconds(simulated[0].cpu()), (scans + heartbeats) / simulateSeconds,
                    simulatorHeap.peakUsedBytes(), simulatorHeap.maxAfterGcBytes(), simulatorHeap.collections());
            log.printf("bench: simulator: %,d records in %.1f s (%,.0f records/s), heap at most %,d MiB used,"
                    + " %,d MiB after a collection%n", scans + heartbeats, simulateSeconds,
                    simulator.recordsPerSecond(), simulator.peakHeapBytes() >> 20,
                    simulator.maxHeapAfterGcBytes() >> 20);

            // The same campaign in this JVM: the one-hour backlog and the live stations come from it.
            Instant hourFrom = campaign.waves().get(campaign.waves().size() - 1).opens();
            List<Emission> hour = new ArrayList<>();
            LiveFeed.Stations stations = !o.live() && !o.comparisons() ? null
                    : s.phase("same replay in the bench: live feed, 1-h backlog", () -> {
                long from = hourFrom.toEpochMilli();
                long to = hourFrom.plus(Duration.ofHours(1)).toEpochMilli();
                return LiveFeed.Stations.of(new CampaignSimulator(shipped, o.seed(), Set.of(), shift,
                        CampaignSimulator.DRILL_STATION_KEY).stream(), campaign, to, e -> {
                            if (o.comparisons() && e.eventTime() >= from && e.eventTime() < to) {
                                hour.add(e);
                            }
                        });
            });
            long hourScans = hour.stream().filter(e -> e.topic().equals(Topics.SCANS)).count();
            long hourHeartbeats = hour.size() - hourScans;
            BenchReport.Campaign inKafka = new BenchReport.Campaign(shipped.name(), o.seed(), opens.toString(),
                    Duration.between(waves.get(0).opens(), lastClose).toHours(), scans, heartbeats,
                    scans + heartbeats, hourScans, hourHeartbeats, hourFrom.toString(), simulator);

            List<BenchReport.Round> rounds = new ArrayList<>();
            try (KafkaPart kafka = s.kafka("kafka (campaign, copy)", copy(template, "kafka-throughput"));
                 KafkaPart hourKafka = o.comparisons() ? s.kafka("kafka (1-hour backlog)", s.dir("kafka-hour")) : null) {
                if (o.comparisons()) {
                    s.phase("1-hour backlog -> its own broker", () -> {
                        try (StationFeed feed = new StationFeed(hourKafka.bootstrap())) {
                            feed.send(hour, 0, null, campaign.population(), campaign.zone());
                        }
                        return null;
                    });
                }
                hour.clear();
                for (int r = 1; r <= o.runs(); r++) {
                    int round = r;
                    rounds.add(s.phase("throughput round " + r + "/" + o.runs() + ": raw, job x"
                            + (o.comparisons() ? 3 : 1), () -> {
                        BenchReport.RawRun raw = raw(kafka, round);
                        BenchReport.JobRun withInflux = bounded("job + InfluxDB #" + round, kafka, influx,
                                campaign, scans + heartbeats, scans, ledger);
                        if (!o.comparisons()) {
                            return new BenchReport.Round(round, raw, withInflux, null, null);
                        }
                        BenchReport.JobRun kafkaOnly = bounded("job (Kafka only) #" + round, kafka, null, campaign,
                                scans + heartbeats, scans, ledger);
                        BenchReport.JobRun hourRun = bounded("job 1-hour backlog #" + round, hourKafka, influx,
                                campaign, hourScans + hourHeartbeats, hourScans, null);
                        return new BenchReport.Round(round, raw, withInflux, kafkaOnly, hourRun);
                    }));
                }
            }

            List<BenchReport.LiveRun> live = new ArrayList<>();
            for (int r = 1; o.live() && r <= o.runs(); r++) {
                int run = r;
                live.add(s.phase("live job " + r + "/" + o.runs() + ": catch-up ... kill", () ->
                        live(run, template, influx, campaign, stations, scans + heartbeats, scans)));
            }
            return report(machine, inKafka, rounds, live);
        }
    }

    // ---------------------------------------------------------------- the runs

    private BenchReport.RawRun raw(KafkaPart kafka, int round) {
        Machine.Load before = Machine.Load.now();
        ChildProcess p = s.child("raw #" + round, o.launcher().main(s.work.resolve("tmp"), RawRead.class.getName(),
                kafka.bootstrap()));
        try {
            RawRead.Pass pass = p.await("read", RawRead.Pass.class, Duration.ofMinutes(10));
            double cpu = p.cpu().toMillis() / 1e3;
            log.printf("bench: raw %,.0f records/s%n", pass.rate());
            return new BenchReport.RawRun(pass.records(), pass.seconds(), pass.rate(), pass.cpuNanos() / 1e9, cpu,
                    before, Machine.Load.now());
        } finally {
            p.endInput(Duration.ofSeconds(30));
            p.close();
        }
    }

    /**
     * One bounded job in its own JVM over the backlog on {@code kafka}; InfluxDB as an output when given, and then
     * checked against {@code ledger} when that is given (the whole campaign).
     */
    private BenchReport.JobRun bounded(String name, KafkaPart kafka, InfluxPart influx, Scenario campaign,
                                       long records, long scans, Ledger ledger) {
        Machine.Load before = Machine.Load.now();
        CoverageOptions options = options(kafka, influx, campaign, true);
        double brokerCpu = seconds(kafka.process().cpu());
        double influxCpu = influx == null ? 0 : seconds(influx.process().cpu());
        JobMain.Order order = new JobMain.Order(options, s.dir(slug(name)).toString(), records, scans);
        try (JobPart job = s.job(name, order)) {
            JobMain.Reading r = job.awaitFinished(JobMain.readLimit(records));
            double processCpu = seconds(job.process().cpu());
            brokerCpu = seconds(kafka.process().cpu()) - brokerCpu;
            influxCpu = influx == null ? 0 : seconds(influx.process().cpu()) - influxCpu;
            double sustained = records / (r.lastReadSeconds() - r.firstReadSeconds());
            double cpu = (r.cpuAtEndNanos() - r.cpuAtFirstReadNanos()) / 1e9;
            long half = records - records / 2;
            double secondHalf = (r.cpuAtLastReadNanos() - r.cpuAtHalfReadNanos()) / 1e3 / half;
            double jit = ThreadCpu.jit(r.threadCpuSecondHalf());
            double withoutJit = secondHalf - jit * 1e6 / half;
            log.printf("bench: %s: %,.0f records/s sustained, %.1f s submit to end, %.1f µs CPU per record"
                    + " (second half %.1f µs, %.1f µs without the JIT)%n", name, sustained, r.finishedSeconds(),
                    cpu / records * 1e6, secondHalf, withoutJit);
            return new BenchReport.JobRun(records, sustained, records / r.finishedSeconds(), r.firstReadSeconds(),
                    r.lastReadSeconds(), r.finishedSeconds(), r.firstInfluxSeconds(), cpu, cpu / records * 1e6,
                    secondHalf, jit, withoutJit, processCpu, brokerCpu, influxCpu, r.influxPoints(), r.checkpoints(),
                    r.busyMsPerSecond(), r.threadCpuSecondHalf(), influx == null || ledger == null ? null : exactness(influx, ledger),
                    heapOf(job, order), before, Machine.Load.now());
        }
    }

    /**
     * The bounded job's heap over its run, from its GC log: complete only once the JVM has exited, so this ends
     * the job's process first (the try-with-resources' close after it finds it ended).
     */
    private GcLog.Heap heapOf(JobPart job, JobMain.Order order) {
        job.close();
        GcLog.Heap heap = GcLog.read(JobPart.gcLog(order));
        log.printf("bench: heap of the job's JVM: at most %,d MiB used, %,d MiB after a collection (%d collections)%n",
                heap.peakUsedBytes() >> 20, heap.maxAfterGcBytes() >> 20, heap.collections());
        return heap;
    }

    /** Every area's final coverage in InfluxDB against the ledger's people at home (the job is exact, or says so). */
    private BenchReport.Exactness exactness(InfluxPart influx, Ledger ledger) {
        Map<String, Long> inInflux = new TreeMap<>();
        try {
            for (Map<String, Object> row : influx.query().rows("SELECT last(sampled) FROM coverage GROUP BY area")) {
                inInflux.put(String.valueOf(row.get("area")), ((Number) row.get("last")).longValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("bench: cannot read coverage back from InfluxDB", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bench: interrupted", e);
        }
        int exact = 0;
        String first = null;
        for (Map.Entry<String, Ledger.AreaTally> a : new TreeMap<>(ledger.areas()).entrySet()) {
            Long got = inInflux.get(a.getKey());
            if (got != null && got == a.getValue().persons()) {
                exact++;
            } else if (first == null) {
                first = a.getKey() + ": ledger " + a.getValue().persons() + ", InfluxDB " + got;
            }
        }
        BenchReport.Exactness e = new BenchReport.Exactness(ledger.areas().size(), exact, first);
        log.printf("bench: coverage in InfluxDB: %,d of %,d areas at the ledger's people%s%n", exact, e.areas(),
                first == null ? "" : " (NOT EXACT; first: " + first + ")");
        return e;
    }

    /**
     * One live job on a fresh copy of the campaign's topics: it catches up with the whole campaign, is
     * checkpointed and weighed, takes the live stations at each rate, and loses its task manager while they send.
     */
    private BenchReport.LiveRun live(int run, Path template, InfluxPart influx, Scenario campaign,
                                     LiveFeed.Stations stations, long records, long scans) throws Exception {
        Machine.Load before = Machine.Load.now();
        influx.query().resetDatabase(); // the live minutes of an earlier run must not be taken for this one's
        try (KafkaPart kafka = s.kafka("kafka (live #" + run + ")", copy(template, "kafka-live-" + run));
             JobPart job = s.job("job live #" + run, new JobMain.Order(options(kafka, influx, campaign, false),
                     s.dir("job-live-" + run).toString(), records, scans))) {
            JobMain.Reading caughtUp = job.awaitRead(JobMain.readLimit(records));
            double catchUp = records / (caughtUp.lastReadSeconds() - caughtUp.firstReadSeconds());
            Thread.sleep(3_000); // the last early firings (1 s) and the InfluxDB sink's flush run out
            JobMain.Checkpointed c = job.checkpoint();
            long heap = job.heapAfterGc();
            log.printf("bench: live #%d caught up at %,.0f records/s; checkpoint %,d bytes in %d ms; heap after GC %,d MiB%n",
                    run, catchUp, c.stateBytes(), c.durationMillis(), heap >> 20);

            List<BenchReport.LiveLatency> latencies = new ArrayList<>();
            List<Integer> rates = new ArrayList<>(o.latencyRates());
            if (run % 2 == 0) {
                java.util.Collections.reverse(rates); // alternate which rate goes first
            }
            for (int rate : rates) {
                latencies.add(latency(kafka, influx, stations, rate));
            }
            BenchReport.Recovery recovery = recovery(kafka, influx, stations, job, o.latencyRates().get(0));
            double cpu = seconds(job.process().cpu());
            return new BenchReport.LiveRun(run, caughtUp.lastReadSeconds(), catchUp, job.heapBaseline(), heap,
                    new BenchReport.Checkpoint(c.id(), c.stateBytes(), c.checkpointedBytes(), c.durationMillis(),
                            c.directoryBytes()), latencies, recovery, cpu, before, Machine.Load.now());
        } finally {
            LocalMachine.deleteTree(s.work.resolve("kafka-live-" + run));
        }
    }

    private BenchReport.LiveLatency latency(KafkaPart kafka, InfluxPart influx, LiveFeed.Stations stations, int rate)
            throws InterruptedException {
        log.printf("bench: live stations at %,d scans/s for %d s (+%d s warm-up)%n", rate,
                o.latencyFor().toSeconds(), BenchOptions.LATENCY_WARMUP.toSeconds());
        try (LiveFeed feed = LiveFeed.start(kafka.bootstrap(), influx.query(), stations, rate, TRACKED_SITES, false, log)) {
            Thread.sleep(BenchOptions.LATENCY_WARMUP.plus(o.latencyFor()).toMillis());
            LiveFeed.Sent sent = feed.stop(30_000);
            long measuredFrom = feed.startNanos() + BenchOptions.LATENCY_WARMUP.toNanos();
            LiveFeed.Latency l = feed.latency(t -> t >= measuredFrom);
            log.printf("bench: %,d scans/s: p50 %.2f s, p99 %.2f s (%,d samples, %,d not seen)%n", rate, l.p50(),
                    l.p99(), l.samples(), l.unresolved());
            return new BenchReport.LiveLatency(rate, sent.scansPerSecond(), sent.scans(), sent.seconds(),
                    feed.trackedSites(), l.samples(), l.unresolved(), l.p50(), l.p90(), l.p99(), l.max());
        }
    }

    /** Kills the task manager while the stations send at {@code rate}; how long until the job read all again. */
    private BenchReport.Recovery recovery(KafkaPart kafka, InfluxPart influx, LiveFeed.Stations stations, JobPart job,
                                         int rate) throws InterruptedException {
        try (LiveFeed feed = LiveFeed.start(kafka.bootstrap(), influx.query(), stations, rate, TRACKED_SITES, false, log)) {
            Thread.sleep(15_000); // a checkpoint (every 10 s) with live data in it
            long killed = System.nanoTime();
            JobMain.Recovered r = job.killTaskManager(rate);
            Thread.sleep(5_000);
            feed.stop(60_000);
            LiveFeed.Latency l = feed.latency(t -> t >= killed - 10_000_000_000L);
            log.printf("bench: task manager killed: running again after %.1f s, caught up after %.1f s%n",
                    r.runningSeconds(), r.caughtUpSeconds());
            return new BenchReport.Recovery(rate, r.runningSeconds(), r.caughtUpSeconds(), r.lagAtCaughtUp(), l.max(),
                    l.unresolved());
        }
    }

    private CoverageOptions options(KafkaPart kafka, InfluxPart influx, Scenario campaign, boolean bounded) {
        CoverageOptions.Builder b = CoverageOptions.on(kafka.bootstrap(), campaign)
                .group("sweep-bench-" + UUID.randomUUID())
                .from(CoverageOptions.StartFrom.EARLIEST)
                .bounded(bounded)
                .parallelism(o.parallelism())
                .stateBackend(o.stateBackend())
                .checkpoints(s.dir("checkpoints-" + UUID.randomUUID()).toUri().toString());
        if (influx != null) {
            b.influx(influx.url(), "sweep", InfluxPart.DATABASE);
        }
        return b.build();
    }

    /** A fresh copy of a stopped broker's log directory, for a run that must start from the same topics. */
    private Path copy(Path from, String name) throws IOException {
        Path to = s.work.resolve(name);
        LocalMachine.deleteTree(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Iterator<Path> it = files.iterator(); it.hasNext(); ) {
                Path f = it.next();
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals(".lock")) {
                    Files.copy(f, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return to;
    }

    // ---------------------------------------------------------------- the figures

    private BenchReport report(Machine machine, BenchReport.Campaign campaign, List<BenchReport.Round> rounds,
                               List<BenchReport.LiveRun> live) {
        List<BenchReport.Figure> f = new ArrayList<>();
        Stats raw = over(rounds, r -> r.raw().recordsPerSecond());
        Stats job = over(rounds, r -> r.withInflux().sustainedPerSecond());
        f.add(new BenchReport.Figure("1", "raw read and decode, 1 consumer thread (scans + heartbeats)", "rec/s", raw,
                null, null, "a JVM of its own: one KafkaConsumer (the project's consumer settings, byte[] keys),"
                + " assign + seekToBeginning on both input topics, poll to the end offsets, EventCodec decode of"
                + " every value; one pass warms the JVM, the next is timed"));
        f.add(figure("2", "job sustained, Kafka + InfluxDB outputs (first -> last read)", "rec/s", job,
                ">= 100,000", job.median() >= 100_000, "the job's JVM (sweep job's MiniCluster: 1 task manager, "
                + o.parallelism() + " slots, every rule, Kafka outputs and InfluxDB) bounded over the whole campaign"
                + " from earliest with a fresh group; sustained = records / (when the last record was read and the"
                + " last scan reached the person register - when the first record was read), from the job's own"
                + " counters sampled every 10 ms in its JVM; so it leaves out the start (submit -> first record) and"
                + " the end (final firings, flushes, the last checkpoint)"));
        int areas = rounds.get(0).withInflux().exact().areas();
        f.add(figure("", "  areas whose coverage in InfluxDB ends at the ledger's people", "areas",
                over(rounds, r -> r.withInflux().exact().exact()), "all " + areas,
                rounds.stream().allMatch(r -> r.withInflux().exact().all()), "after each run: last(sampled) of"
                + " coverage by area, every level, against the simulator's ledger (people at home)"));
        f.add(figure("", "  heap of the job's JVM over the read, most after a collection", "MiB",
                over(rounds, r -> r.withInflux().heap().maxAfterGcBytes() / 1048576.0), null, null, "from the job"
                + " JVM's GC log (-Xlog:gc); with RocksDB, state is off the heap (its managed memory: 512 MB)"));
        f.add(figure("", "  same, most in use before a collection", "MiB",
                over(rounds, r -> r.withInflux().heap().peakUsedBytes() / 1048576.0), null, null, null));
        f.add(figure("", "  same, submit -> finished", "rec/s", over(rounds, r -> r.withInflux().overallPerSecond()),
                null, null, null));
        f.add(figure("", "  submit -> first record read", "s", over(rounds, r -> r.withInflux().firstReadSeconds()),
                null, null, null));
        f.add(figure("", "  last record read -> finished", "s", over(rounds,
                r -> r.withInflux().finishedSeconds() - r.withInflux().lastReadSeconds()), null, null, null));
        Stats kafkaOnly = overCompared(rounds, r -> r.kafkaOnly().sustainedPerSecond());
        f.add(figure("3", "job sustained, Kafka outputs only (no InfluxDB)", "rec/s", kafkaOnly, null, null,
                "as 2, without --influx-url"));
        f.add(figure("4", "job / raw (each round's pair)", "%", over(rounds,
                r -> 100 * r.withInflux().sustainedPerSecond() / r.raw().recordsPerSecond()), null, null,
                "2 / 1 per round, then median, min and max; the raw read is one thread with a warm JVM, the job "
                        + o.parallelism() + " subtasks per operator from a cold JVM"));
        f.add(figure("", "  job (Kafka only) / raw", "%", overCompared(rounds,
                r -> 100 * r.kafkaOnly().sustainedPerSecond() / r.raw().recordsPerSecond()), null, null, null));
        f.add(figure("5", "job CPU per record (job + InfluxDB)", "us", over(rounds,
                r -> r.withInflux().cpuMicrosPerRecord()), null, null, "CPU time of the job's JVM (every thread:"
                + " tasks, Kafka clients, GC) from its first record read to its end, over the records; the broker's"
                + " and influxd's CPU are apart (processes below)"));
        f.add(figure("6", "per-record CPU, second half of the whole campaign", "us",
                overCompared(rounds, r -> r.withInflux().secondHalfCpuMicrosPerRecord()), null, null,
                "the job's JVM's CPU from half the records read to the last, over that half, reading the whole"
                        + " campaign (" + campaign.records() + " records over " + campaign.spanHours() + " h of event"
                        + " time: the input can run that far ahead of the event clock) and, in its own broker, a"
                        + " backlog of the busiest wave's first hour (" + campaign.hourScans() + " scans + "
                        + campaign.hourHeartbeats() + " heartbeats: at most an hour ahead). If the rules' work per"
                        + " heartbeat grew with how far ahead of the clock the input runs, the whole campaign would"
                        + " cost more per record. A short run is still warming its JVM up in its second half: the"
                        + " JIT compilers' threads (their CPU from /proc/self/task) are taken out for the comparison."
                        + " The hour is scan-heavier (" + Math.round(100.0 * campaign.hourScans()
                        / (campaign.hourScans() + campaign.hourHeartbeats())) + " % scans, the whole campaign "
                        + Math.round(100.0 * campaign.scans() / campaign.records()) + " %), and a scan does more work"
                        + " than a heartbeat"));
        f.add(figure("", "per-record CPU, second half of the 1-hour backlog", "us",
                overCompared(rounds, r -> r.hourBacklog().secondHalfCpuMicrosPerRecord()), null, null, null));
        f.add(figure("", "  whole campaign, without the JIT compilers", "us",
                overCompared(rounds, r -> r.withInflux().secondHalfCpuMicrosPerRecordWithoutJit()), null, null, null));
        f.add(figure("", "  1-hour backlog, without the JIT compilers", "us",
                overCompared(rounds, r -> r.hourBacklog().secondHalfCpuMicrosPerRecordWithoutJit()), null, null, null));
        Stats ratio = overCompared(rounds, r -> r.withInflux().secondHalfCpuMicrosPerRecordWithoutJit()
                / r.hourBacklog().secondHalfCpuMicrosPerRecordWithoutJit());
        f.add(figure("", "  whole campaign / 1-hour backlog (without the JIT)", "x", ratio, "<= 1.25",
                ratio.measured() ? ratio.median() <= 1.25 : null, null));

        for (int i = 0; i < o.latencyRates().size(); i++) {
            int rate = o.latencyRates().get(i);
            String id = Integer.toString(7 + i);
            double aimSeconds = rate <= 5_000 ? 1.0 : 2.0;
            Stats p99 = overLive(live, l -> at(l, rate).p99());
            f.add(figure(id, String.format(java.util.Locale.ROOT, "scan -> InfluxDB latency p50 at %,d scans/s", rate),
                    "s", overLive(live, l -> at(l, rate).p50()), null, null, i > 0 ? null : "the live job (after"
                            + " catching up with the whole campaign) takes the busiest wave's scans, in order, sent"
                            + " at a steady rate with scannedAt = now and fresh scanIds (the project's producer"
                            + " settings: lz4, linger 20 ms, acks all), and every site's heartbeat each 30 s; for"
                            + " the " + TRACKED_SITES + " busiest sites the send time of each scan is noted per"
                            + " (site, minute), and influxd is asked for their site_throughput points every "
                            + LiveFeed.POLL_MS + " ms: when a point's scans reach n, the n-th scan's latency = answer"
                            + " time - send time (an upper bound by up to a poll). The first "
                            + BenchOptions.LATENCY_WARMUP.toSeconds() + " s (the event clock's jump from the"
                            + " campaign's days to now) are left out. The campaign was moved to end "
                            + CAMPAIGN_ENDED_AGO.toHours() + " h before the bench started, so now is inside its window"));
            f.add(figure("", String.format(java.util.Locale.ROOT, "scan -> InfluxDB latency p99 at %,d scans/s", rate),
                    "s", p99, String.format(java.util.Locale.ROOT, "< %.0f s", aimSeconds),
                    p99.measured() ? p99.median() < aimSeconds : null, null));
            f.add(figure("", "  achieved send rate", "scans/s", overLive(live, l -> at(l, rate).achievedPerSecond()),
                    null, null, null));
        }
        String after = Integer.toString(7 + o.latencyRates().size());
        f.add(figure(after, "heap after GC, whole campaign in the job's state", "MiB",
                overLive(live, l -> l.heapBytes() / 1048576.0), null, null, "the live job's JVM after it caught up"
                        + " and was checkpointed: System.gc() x3, heap used (MemoryMXBean); the job's JVM holds the"
                        + " MiniCluster, the Kafka clients' buffers and the state (state backend: "
                        + (o.stateBackend() == null ? "hashmap, the local default" : o.stateBackend()) + ")"));
        f.add(figure("", "  of which since the job was submitted", "MiB",
                overLive(live, l -> (l.heapBytes() - l.heapBaselineBytes()) / 1048576.0), null, null, null));
        f.add(figure(next(after, 1), "checkpoint size, whole campaign (full)", "MiB",
                overLive(live, l -> l.checkpoint().stateBytes() / 1048576.0), null, null, "a checkpoint triggered"
                        + " right after the live job caught up: Flink's statistics (state size, end-to-end duration)"));
        f.add(figure("", "  checkpoint duration", "ms", overLive(live, l -> l.checkpoint().durationMillis()), null,
                null, null));
        f.add(figure("", "  checkpoint duration p50 while reading the campaign", "ms",
                over(rounds, r -> r.withInflux().checkpoints().p50Millis()), null, null, "the bounded job + InfluxDB"
                        + " (2) checkpoints every 10 s while it reads; Flink's end-to-end duration quantiles over"
                        + " them (NaN where a run was too short for one)"));
        f.add(figure("", "  checkpoint duration p99 while reading the campaign", "ms",
                over(rounds, r -> r.withInflux().checkpoints().p99Millis()), null, null, null));
        f.add(figure("", "  checkpoints completed while reading the campaign", "",
                over(rounds, r -> r.withInflux().checkpoints().completed()), null, null, null));
        f.add(figure(next(after, 2), "killed task manager -> caught up", "s",
                overLive(live, l -> l.recovery().caughtUpSeconds()), null, null, "while the stations send at "
                        + o.latencyRates().get(0) + " scans/s, the MiniCluster's task manager is terminated (its"
                        + " tasks and heap state with it) and a new one started; the job restarts from its last"
                        + " checkpoint (exponential backoff from 1 s); caught up = running, and its read positions"
                        + " in every partition of sweep.scans (Flink's currentOffset) within one second of input of"
                        + " the topic's end (Kafka's end offsets)"));
        f.add(figure("", "  killed -> running again", "s", overLive(live, l -> l.recovery().runningSeconds()), null,
                null, null));
        f.add(figure("", "  worst scan -> InfluxDB latency around the kill", "s",
                overLive(live, l -> l.recovery().worstLatencySeconds()), null, null, null));
        f.add(figure(next(after, 3), "live job catching up with the whole campaign", "rec/s",
                overLive(live, l -> l.catchUpPerSecond()), null, null, "as 2, unbounded"));
        BenchReport.Simulator sim = campaign.simulator();
        f.add(figure(next(after, 4), "simulator: whole campaign -> Kafka (one run)", "s", Stats.of(sim.seconds()), null,
                null, "sweep simulate --speed max --scenario " + o.scenario() + " in a JVM of its own, once (the"
                        + " campaign it sends is what every run reads): start to exit, and its heap from its own GC"
                        + " log (-Xlog:gc): the most used before a collection or at exit, and the most still held"
                        + " after one (" + sim.collections() + " collections)"));
        f.add(figure("", "  simulator rate", "rec/s", Stats.of(sim.recordsPerSecond()), null, null, null));
        f.add(figure("", "  simulator CPU", "s", Stats.of(sim.cpuSeconds()), null, null, null));
        f.add(figure("", "  simulator heap, most used", "MiB", Stats.of(sim.peakHeapBytes() / 1048576.0), null, null,
                null));
        f.add(figure("", "  simulator heap, most held after a collection", "MiB",
                Stats.of(sim.maxHeapAfterGcBytes() / 1048576.0), null, null, null));
        return new BenchReport("bench", machine, setup(), campaign, f, rounds, live, null, s.cpu(), s.phases(),
                s.seconds());
    }

    private BenchReport.Setup setup() {
        return new BenchReport.Setup(o.scenario(), o.seed(), o.runs(), o.parallelism(),
                o.stateBackend() == null ? null : o.stateBackend().name().toLowerCase(java.util.Locale.ROOT),
                o.latencyRates(), o.latencyFor().toMillis() / 1e3, BenchOptions.LATENCY_WARMUP.toSeconds(),
                null, null);
    }

    private static BenchReport.LiveLatency at(BenchReport.LiveRun run, int rate) {
        return run.latency().stream().filter(l -> l.rate() == rate).findFirst().orElseThrow();
    }

    private static String next(String id, int plus) {
        return Integer.toString(Integer.parseInt(id) + plus);
    }

    static BenchReport.Figure figure(String id, String name, String unit, Stats stats, String aim, Boolean met,
                                     String how) {
        return new BenchReport.Figure(id, name, unit, stats, aim, met, how);
    }

    private static Stats over(List<BenchReport.Round> rounds, ToDoubleFunction<BenchReport.Round> value) {
        return Stats.of(rounds.stream().map(r -> value.applyAsDouble(r)).toList());
    }

    /** As {@link #over}, for the figures of the compared runs: not measured (NaN) where they did not run. */
    private static Stats overCompared(List<BenchReport.Round> rounds, ToDoubleFunction<BenchReport.Round> value) {
        return over(rounds, r -> r.kafkaOnly() == null ? Double.NaN : value.applyAsDouble(r));
    }

    private static Stats overLive(List<BenchReport.LiveRun> runs, ToDoubleFunction<BenchReport.LiveRun> value) {
        return Stats.of(runs.stream().map(r -> value.applyAsDouble(r)).toList());
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String slug(String name) {
        return name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("(^-|-$)", "");
    }
}
