package dev.sweep.producers.simulator;

import dev.sweep.campaign.Site;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The queueing model of one site in one wave, as a stream: people arrive over the wave, wait in one line,
 * and the next in line goes to the first free sampler. First-timers' swabs fill pooled tubes per sampler;
 * re-tests take a single tube each. Heartbeats report the line every 30 s. {@link #next()} gives the site's
 * records one by one in event-time order (a scan before a heartbeat of the same millisecond), generating only
 * what it must: arrivals are drawn already sorted, and the people waiting in line are all it holds.
 */
final class SiteWave {
    static final long MINUTE = 60_000L;
    static final long HEARTBEAT_MS = 30_000L;
    /** Nobody new joins the line in the last minutes, so the wave ends on time. */
    static final long LAST_ARRIVAL_BEFORE_CLOSE = 10 * MINUTE;
    /** Swab time varies by this much either way around the sampler's mean. */
    static final double SERVICE_JITTER = 0.15;

    /** A drill's effect on this site in this wave; times in ms of scenario time, 0 = none. */
    static final class Effects {
        /** The station is down: nobody is swabbed and nothing reported; the line waits. */
        long outageFrom;
        long outageUntil;
        long slowFrom;
        long slowUntil;
        double slowFactor = 1;
        long surgeFrom;
        long surgeUntil;
        double surgeShare;
        /** The network is down: the station keeps swabbing, and what it records is sent at {@code heldUntil}. */
        long heldFrom;
        long heldUntil;
        /** With a hold: heartbeats (the station's live state) are lost rather than sent late. */
        boolean heartbeatsLost;

    }

    /** What the site remembers from wave to wave: its sequence, its tubes, the people it sampled. */
    static final class SiteMemory {
        long stationSeq;
        long tubes;
        int[] leaf = new int[8];
        long[] first = new long[8];
        int[] count = new int[8];
        int runs;
        long sampled;

        void remember(Residence.Visitors v) {
            for (int i = 0; i < v.leaf().length; i++) {
                if (runs == leaf.length) {
                    leaf = Arrays.copyOf(leaf, runs * 2);
                    first = Arrays.copyOf(first, runs * 2);
                    count = Arrays.copyOf(count, runs * 2);
                }
                leaf[runs] = v.leaf()[i];
                first[runs] = v.first()[i];
                count[runs] = v.count()[i];
                runs++;
                sampled += v.count()[i];
            }
        }
    }

    /** The campaign's counters this site's records add to (the ledger's tallies). */
    static final class Tallies {
        final long[][] site; // per site: scans, persons, tubes, retests, fromOtherTownships
        final int[] maxQueue;
        final long[] firstScan;
        final long[] lastScan;
        final long[] leafPersons;
        final long[][] wave; // per wave: scans, persons, personsInWindow

        Tallies(int sites, int leaves, int waves) {
            site = new long[sites][5];
            maxQueue = new int[sites];
            firstScan = new long[sites];
            Arrays.fill(firstScan, Long.MAX_VALUE);
            lastScan = new long[sites];
            leafPersons = new long[leaves];
            wave = new long[waves][3];
        }
    }

    private final Site site;
    private final int siteNumber;
    private final int township;
    private final int waveNumber;
    private final long opens;
    private final long closes;
    private final long lastArrival;
    private final Effects fx;
    private final Residence residence;
    private final Residents residents;
    private final int poolSize;
    private final long shift;
    private final SiteMemory memory;
    private final Tallies tallies;
    private final Residence.Visitors visitors;
    private final int[] taken;
    private final SplittableRandom arrivalRng;
    private final SplittableRandom serviceRng;

    // Arrivals, drawn sorted: the wave's own and a surge's, merged; kept from the first not yet counted or served.
    private final int total;
    private final int surgeCount;
    private int normalDrawn;
    private int surgeDrawn;
    private double normalU;
    private double surgeU;
    private boolean normalPeeked;
    private boolean surgePeeked;
    private long[] arrivals = new long[64];
    private int arrivalsBase;
    private int arrivalsDrawn;

    // Service.
    private final long[] free;
    private final long[] openTube;
    private final int[] tubeFill;
    private final String[] samplerIds;
    private final double meanServiceMs;
    private int served;
    private int retestsLeft;
    private final int earliestRetest;
    private long lastEnd;
    private long takenNow;
    private final ArrayDeque<Pending> line = new ArrayDeque<>();

    // Heartbeats.
    private final long firstBeat;
    private int beat;
    private int arrived;
    private int scansOut;
    private boolean closed;
    private long[] beatTimes = new long[0];
    private int[] beatQueues = new int[0];
    private int beats;

    private record Pending(long start, Emission emission, boolean firstTime, int leaf) {}

    /**
     * @param visitors the wave's newcomers here (runs of residents, {@link Residence})
     * @param retests  how many of those sampled here before come again ({@link #retests})
     * @param shift    added to every time, to move the campaign in time
     */
    SiteWave(Site site, int siteNumber, int waveNumber, long opens, long closes, Residence.Visitors visitors,
             int retests, SiteMemory memory, Effects fx, Residence residence, Residents residents, int poolSize,
             long shift, long seed, Tallies tallies) {
        this.site = site;
        this.siteNumber = siteNumber;
        this.township = residence.siteTownship[siteNumber];
        this.waveNumber = waveNumber;
        this.opens = opens;
        this.closes = closes;
        this.lastArrival = Math.max(opens + MINUTE, closes - LAST_ARRIVAL_BEFORE_CLOSE);
        this.fx = fx;
        this.residence = residence;
        this.residents = residents;
        this.poolSize = poolSize;
        this.shift = shift;
        this.memory = memory;
        this.tallies = tallies;
        this.visitors = visitors;
        this.taken = new int[visitors.leaf().length];
        SplittableRandom root = new SplittableRandom(CampaignSimulator.mix(seed, siteNumber, waveNumber));
        this.arrivalRng = root.split();
        this.serviceRng = root.split();

        total = visitors.total() + retests;
        retestsLeft = retests;
        int surge = 0;
        if (fx.surgeShare > 0) {
            for (int i = 0; i < total; i++) {
                surge += arrivalRng.nextDouble() < fx.surgeShare ? 1 : 0;
            }
        }
        surgeCount = surge;
        // With nobody sampled here before, re-tests come once a tenth of the wave has been.
        earliestRetest = memory.sampled > 0 ? 0 : Math.min(Math.max(total - 1, 0), Math.max(1, total / 10));

        int samplers = site.samplers();
        meanServiceMs = 3_600_000.0 / site.ratePerSampler();
        free = new long[samplers];
        Arrays.fill(free, opens);
        openTube = new long[samplers];
        Arrays.fill(openTube, -1);
        tubeFill = new int[samplers];
        samplerIds = new String[samplers];
        for (int k = 0; k < samplers; k++) {
            samplerIds[k] = site.id() + "-S" + padded(k + 1, 2);
        }
        lastEnd = opens;
        firstBeat = opens + (siteNumber * 7_919L) % HEARTBEAT_MS;
    }

    /** How many of a site-wave's newcomers are re-tested, as the site-wave's own generator draws it. */
    static int retests(long seed, int siteNumber, int waveNumber, int newcomers, double retestShare) {
        double share = newcomers * retestShare;
        SplittableRandom rng = new SplittableRandom(CampaignSimulator.mix(seed ^ 0x5EED_2E7E_57L, siteNumber, waveNumber));
        return (int) share + (rng.nextDouble() < share - (int) share ? 1 : 0);
    }

    /** The site's next record, or null when it has closed for the wave. */
    Emission next() {
        if (closed) {
            return null;
        }
        while (true) {
            long scanAt = nextScanTime();
            long beatAt = firstBeat + beat * HEARTBEAT_MS;
            if (scanAt <= beatAt && scanAt != Long.MAX_VALUE) {
                Pending p = line.poll();
                scansOut++;
                tally(p);
                return p.emission();
            }
            Emission e = heartbeat(beatAt);
            if (e != null || closed) {
                return e;
            }
        }
    }

    /** Queue peaks: the heartbeats' times and lines, kept only for a site a drill touches. */
    long[] heartbeatTimes() {
        return Arrays.copyOf(beatTimes, beats);
    }

    int[] heartbeatQueues() {
        return Arrays.copyOf(beatQueues, beats);
    }

    /** The heartbeat due at {@code t}, or null if it is not sent (the station is down, or it is lost). */
    private Emission heartbeat(long t) {
        if (t >= closes) {
            while (served < total) { // everyone has arrived: serve the line to know when the site closes
                serveNext();
            }
            long siteCloses = Math.max(closes, lastEnd);
            if (t >= siteCloses) {
                closed = true;
                memory.remember(visitors);
                StationStatus h = status(siteCloses + shift, SiteState.CLOSED, 0);
                long at = siteCloses + shift;
                return new Emission(Topics.STATION_STATUS, site.id(), EventCodec.STATUSES.encode(h), at,
                        sendAt(siteCloses), 0);
            }
        }
        beat++;
        while (arrived < total && arrival(arrived) <= t) {
            arrived++;
        }
        forget();
        int queue = arrived - scansOut;
        tallies.maxQueue[siteNumber] = Math.max(tallies.maxQueue[siteNumber], queue);
        if (fx.outageUntil > 0 || fx.slowUntil > 0 || fx.surgeShare > 0) { // the drills' faults quote the line
            if (beats == beatTimes.length) {
                beatTimes = Arrays.copyOf(beatTimes, Math.max(16, beats * 2));
                beatQueues = Arrays.copyOf(beatQueues, Math.max(16, beats * 2));
            }
            beatTimes[beats] = t;
            beatQueues[beats++] = queue;
        }
        if (fx.outageUntil > 0 && t >= fx.outageFrom && t < fx.outageUntil) {
            return null;
        }
        if (fx.heartbeatsLost && held(t)) {
            return null;
        }
        StationStatus h = status(t + shift, SiteState.OPEN, queue);
        return new Emission(Topics.STATION_STATUS, site.id(), EventCodec.STATUSES.encode(h), t + shift, sendAt(t), 0);
    }

    private boolean held(long t) {
        return fx.heldUntil > 0 && t >= fx.heldFrom && t < fx.heldUntil;
    }

    /** When a record of event time {@code t} (scenario time) is sent, shifted. */
    private long sendAt(long t) {
        return (held(t) ? fx.heldUntil : t) + shift;
    }

    private long nextScanTime() {
        if (line.isEmpty() && served < total) {
            serveNext();
        }
        return line.isEmpty() ? Long.MAX_VALUE : line.peek().start();
    }

    /** The next in line goes to the sampler free first; the scan waits in {@link #line} until its time. */
    private void serveNext() {
        int i = served++;
        long arrivedAt = arrival(i);
        int j = 0;
        for (int k = 1; k < free.length; k++) {
            if (free[k] < free[j]) {
                j = k;
            }
        }
        long start = Math.max(arrivedAt, free[j]);
        if (fx.outageUntil > 0 && start >= fx.outageFrom && start < fx.outageUntil) {
            start = fx.outageUntil;
        }
        double service = meanServiceMs * (1 - SERVICE_JITTER + 2 * SERVICE_JITTER * serviceRng.nextDouble());
        if (fx.slowUntil > 0 && start >= fx.slowFrom && start < fx.slowUntil) {
            service /= fx.slowFactor;
        }
        free[j] = start + (long) service;
        lastEnd = Math.max(lastEnd, free[j]);

        boolean retest = i >= earliestRetest && retestsLeft > 0
                && serviceRng.nextInt(total - i) < retestsLeft;
        int leaf;
        long person;
        String tube;
        int pool;
        if (retest) {
            retestsLeft--;
            long k = serviceRng.nextLong(memory.sampled + takenNow);
            int[] found = new int[1];
            person = sampledBefore(k, found);
            leaf = found[0];
            tube = tubeId(++memory.tubes);
            pool = 1;
        } else {
            int b = nextRun();
            leaf = visitors.leaf()[b];
            person = visitors.first()[b] + taken[b]++;
            takenNow++;
            if (openTube[j] < 0 || tubeFill[j] == poolSize) {
                openTube[j] = ++memory.tubes;
                tubeFill[j] = 0;
                tallies.site[siteNumber][2]++;
            }
            tubeFill[j]++;
            tube = tubeId(openTube[j]);
            pool = poolSize;
        }
        if (retest) {
            tallies.site[siteNumber][2]++;
        }
        long seq = ++memory.stationSeq;
        ScanEvent e = ScanEvent.newBuilder()
                .setScanId(site.id() + "-" + padded(seq, 6))
                .setSiteId(site.id())
                .setTownshipId(site.townshipId())
                .setSamplerId(samplerIds[j])
                .setTubeId(tube)
                .setPersonKey(residents.personKey(person))
                .setScannedAt(Instant.ofEpochMilli(start + shift))
                .setPoolSize(pool)
                .setStationSeq(seq)
                .setHomeAreaId(residence.leafAreaId[leaf])
                .build();
        line.add(new Pending(start, new Emission(Topics.SCANS, site.id(), EventCodec.SCANS.encode(e), start + shift,
                sendAt(start), retest ? 0 : 1), !retest, leaf));
    }

    private void tally(Pending p) {
        long[] s = tallies.site[siteNumber];
        long[] w = tallies.wave[waveNumber];
        long at = p.start();
        s[0]++;
        w[0]++;
        if (p.firstTime()) {
            s[1]++;
            w[1]++;
            if (at >= opens && at < closes) {
                w[2]++;
            }
            tallies.leafPersons[p.leaf()]++;
            if (residence.leafTownship[p.leaf()] != township) {
                s[4]++;
            }
        } else {
            s[3]++;
        }
        tallies.firstScan[siteNumber] = Math.min(tallies.firstScan[siteNumber], at + shift);
        tallies.lastScan[siteNumber] = Math.max(tallies.lastScan[siteNumber], at + shift);
    }

    /** A newcomer's run, drawn by how many of it are still to come: the people of a run arrive mixed with the others. */
    private int nextRun() {
        long left = visitors.total() - takenNow;
        long k = serviceRng.nextLong(left);
        for (int b = 0; b < taken.length; b++) {
            long rest = visitors.count()[b] - taken[b];
            if (k < rest) {
                return b;
            }
            k -= rest;
        }
        throw new IllegalStateException("no newcomer left at " + site.id());
    }

    /** The {@code k}-th person sampled here before this scan: in an earlier wave, or earlier in this one. */
    private long sampledBefore(long k, int[] leaf) {
        if (k < memory.sampled) {
            for (int r = 0; r < memory.runs; r++) {
                if (k < memory.count[r]) {
                    leaf[0] = memory.leaf[r];
                    return memory.first[r] + k;
                }
                k -= memory.count[r];
            }
        }
        k -= memory.sampled;
        for (int b = 0; b < taken.length; b++) {
            if (k < taken[b]) {
                leaf[0] = visitors.leaf()[b];
                return visitors.first()[b] + k;
            }
            k -= taken[b];
        }
        throw new IllegalStateException("nobody sampled at " + site.id() + " to re-test");
    }

    /** The {@code i}-th arrival of the wave (drawing arrivals up to it). */
    private long arrival(int i) {
        while (arrivalsDrawn <= i) {
            long t = drawArrival();
            int slot = arrivalsDrawn - arrivalsBase;
            if (slot == arrivals.length) {
                arrivals = Arrays.copyOf(arrivals, arrivals.length * 2);
            }
            arrivals[slot] = t;
            arrivalsDrawn++;
        }
        return arrivals[i - arrivalsBase];
    }

    /** Drops arrivals both the line and the heartbeats are past. */
    private void forget() {
        int keepFrom = Math.min(served, arrived);
        int drop = keepFrom - arrivalsBase;
        if (drop > 256 && drop > (arrivalsDrawn - arrivalsBase) / 2) {
            System.arraycopy(arrivals, drop, arrivals, 0, arrivalsDrawn - keepFrom);
            arrivalsBase = keepFrom;
        }
    }

    /**
     * The next arrival in time order: uniform over the wave (a Poisson process given its count), a surge's
     * share uniform over its window; each stream drawn as sorted uniforms, one at a time.
     */
    private long drawArrival() {
        int normalCount = total - surgeCount;
        if (!normalPeeked && normalDrawn < normalCount) {
            normalU = nextSorted(normalU, normalCount - normalDrawn, arrivalRng);
            normalPeeked = true;
        }
        if (!surgePeeked && surgeDrawn < surgeCount) {
            surgeU = nextSorted(surgeU, surgeCount - surgeDrawn, arrivalRng);
            surgePeeked = true;
        }
        long normal = normalPeeked ? timeOf(normalU, opens, lastArrival) : Long.MAX_VALUE;
        long surge = surgePeeked ? timeOf(surgeU, fx.surgeFrom, fx.surgeUntil) : Long.MAX_VALUE;
        if (normal <= surge) {
            normalDrawn++;
            normalPeeked = false;
            return normal;
        }
        surgeDrawn++;
        surgePeeked = false;
        return surge;
    }

    /** The next of {@code left} sorted uniforms on [0, 1) after {@code previous}. */
    private static double nextSorted(double previous, int left, SplittableRandom rng) {
        return previous + (1 - previous) * (1 - Math.pow(1 - rng.nextDouble(), 1.0 / left));
    }

    private static long timeOf(double u, long from, long until) {
        return from + (long) (u * (until - from));
    }

    private StationStatus status(long at, SiteState state, int queue) {
        return StationStatus.newBuilder()
                .setSiteId(site.id())
                .setTownshipId(site.townshipId())
                .setReportedAt(Instant.ofEpochMilli(at))
                .setState(state)
                .setQueueLength(queue)
                .setLanesOpen(state == SiteState.CLOSED ? 0 : site.lanes())
                .setSamplersOnDuty(state == SiteState.CLOSED ? 0 : site.samplers())
                .build();
    }

    private String tubeId(long number) {
        return site.id() + "-T" + padded(number, 6);
    }

    /** Zero-padded decimal; String.format is too slow for millions of ids. */
    static String padded(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
