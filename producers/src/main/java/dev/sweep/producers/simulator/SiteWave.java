package dev.sweep.producers.simulator;

import dev.sweep.campaign.Site;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The queueing model of one site in one wave: people arrive over the wave, wait in one line,
 * and the next in line goes to the first free sampler. First-timers' swabs fill pooled tubes
 * per sampler; re-tests take a single tube each. Heartbeats report the line every 30 s.
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
        long outageFrom;
        long outageUntil;
        long slowFrom;
        long slowUntil;
        double slowFactor = 1;
        long surgeFrom;
        long surgeUntil;
        double surgeShare;
    }

    /** What the site remembers from wave to wave. */
    static final class SiteMemory {
        long stationSeq;
        long tubes;
        int[] sampled = new int[64];
        int sampledCount;

        void remember(int resident) {
            if (sampledCount == sampled.length) {
                sampled = Arrays.copyOf(sampled, sampled.length * 2);
            }
            sampled[sampledCount++] = resident;
        }
    }

    /** Output of one wave at one site. */
    static final class Result {
        final List<ScanEvent> scans = new ArrayList<>();
        /** Bit i: scan i sampled someone for the first time. */
        final BitSet firstTime = new BitSet();
        final List<StationStatus> heartbeats = new ArrayList<>();
        long persons;
        long personsInWindow;
        long retests;
        long tubes;
        int maxQueue;
        long[] heartbeatTimes;
        int[] heartbeatQueues;
    }

    private SiteWave() {}

    /**
     * @param townshipNumber index of the site's township (for resident ids)
     * @param firstResident  the first resident number this wave's newcomers take
     * @param shift          added to every time, to move the campaign in time
     */
    static Result run(Site site, int siteNumber, int townshipNumber, long opens, long closes, int newcomers,
                      int retests, int firstResident, SiteMemory memory, Effects fx, Residents residents,
                      int poolSize, long shift, SplittableRandom rng) {
        int visitors = newcomers + retests;
        long lastArrival = Math.max(opens + MINUTE, closes - LAST_ARRIVAL_BEFORE_CLOSE);

        // Arrivals: uniform over the wave (a Poisson process given its count); a surge pulls a
        // share of them into a short window.
        long[] arrivals = new long[visitors];
        for (int i = 0; i < visitors; i++) {
            if (fx.surgeShare > 0 && rng.nextDouble() < fx.surgeShare) {
                arrivals[i] = fx.surgeFrom + (long) (rng.nextDouble() * (fx.surgeUntil - fx.surgeFrom));
            } else {
                arrivals[i] = opens + (long) (rng.nextDouble() * (lastArrival - opens));
            }
        }
        Arrays.sort(arrivals);

        // Who is a re-test: a person sampled here before, in an earlier wave or earlier in this one.
        boolean[] retest = new boolean[visitors];
        int earliest = memory.sampledCount > 0 ? 0 : Math.min(visitors - 1, Math.max(1, visitors / 10));
        for (int placed = 0; placed < retests; ) {
            int i = earliest + rng.nextInt(visitors - earliest);
            if (!retest[i]) {
                retest[i] = true;
                placed++;
            }
        }

        // Service: the next in line goes to the sampler who is free first.
        int samplers = site.samplers();
        double meanServiceMs = 3_600_000.0 / site.ratePerSampler();
        long[] free = new long[samplers];
        Arrays.fill(free, opens);
        long[] openTube = new long[samplers];
        int[] tubeFill = new int[samplers];
        Arrays.fill(openTube, -1);
        long[] starts = new long[visitors];
        String[] samplerIds = new String[samplers];
        for (int k = 0; k < samplers; k++) {
            samplerIds[k] = site.id() + "-S" + padded(k + 1, 2);
        }
        long lastEnd = opens;
        Result out = new Result();
        int nextResident = firstResident;
        for (int i = 0; i < visitors; i++) {
            int j = 0;
            for (int k = 1; k < samplers; k++) {
                if (free[k] < free[j]) {
                    j = k;
                }
            }
            long start = Math.max(arrivals[i], free[j]);
            if (fx.outageUntil > 0 && start >= fx.outageFrom && start < fx.outageUntil) {
                start = fx.outageUntil;
            }
            double service = meanServiceMs * (1 - SERVICE_JITTER + 2 * SERVICE_JITTER * rng.nextDouble());
            if (fx.slowUntil > 0 && start >= fx.slowFrom && start < fx.slowUntil) {
                service /= fx.slowFactor;
            }
            free[j] = start + (long) service;
            lastEnd = Math.max(lastEnd, free[j]);
            starts[i] = start;

            int person;
            String tube;
            int pool;
            if (retest[i]) {
                person = memory.sampled[rng.nextInt(memory.sampledCount)];
                tube = tubeId(site, ++memory.tubes);
                out.tubes++;
                pool = 1;
                out.retests++;
            } else {
                person = nextResident++;
                if (openTube[j] < 0 || tubeFill[j] == poolSize) {
                    openTube[j] = ++memory.tubes;
                    tubeFill[j] = 0;
                    out.tubes++;
                }
                tubeFill[j]++;
                tube = tubeId(site, openTube[j]);
                pool = poolSize;
                out.persons++;
                out.firstTime.set(i);
                if (start >= opens && start < closes) {
                    out.personsInWindow++;
                }
                memory.remember(person);
            }
            long seq = ++memory.stationSeq;
            out.scans.add(ScanEvent.newBuilder()
                    .setScanId(site.id() + "-" + padded(seq, 6))
                    .setSiteId(site.id())
                    .setTownshipId(site.townshipId())
                    .setSamplerId(samplerIds[j])
                    .setTubeId(tube)
                    .setPersonKey(residents.personKey(townshipNumber, person))
                    .setScannedAt(Instant.ofEpochMilli(start + shift))
                    .setPoolSize(pool)
                    .setStationSeq(seq)
                    .build());
        }

        // Heartbeats every 30 s while open (none while the station is down), then one CLOSED.
        long siteCloses = Math.max(closes, lastEnd);
        long first = opens + (siteNumber * 7_919L) % HEARTBEAT_MS;
        int n = (int) Math.max(0, (siteCloses - first + HEARTBEAT_MS - 1) / HEARTBEAT_MS);
        out.heartbeatTimes = new long[n];
        out.heartbeatQueues = new int[n];
        int arrived = 0;
        int started = 0;
        for (int k = 0; k < n; k++) {
            long t = first + k * HEARTBEAT_MS;
            while (arrived < visitors && arrivals[arrived] <= t) {
                arrived++;
            }
            while (started < visitors && starts[started] <= t) {
                started++;
            }
            int queue = arrived - started;
            out.heartbeatTimes[k] = t;
            out.heartbeatQueues[k] = queue;
            out.maxQueue = Math.max(out.maxQueue, queue);
            if (fx.outageUntil > 0 && t >= fx.outageFrom && t < fx.outageUntil) {
                continue;
            }
            out.heartbeats.add(status(site, t + shift, SiteState.OPEN, queue));
        }
        out.heartbeats.add(status(site, siteCloses + shift, SiteState.CLOSED, 0));
        return out;
    }

    private static StationStatus status(Site site, long at, SiteState state, int queue) {
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

    private static String tubeId(Site site, long number) {
        return site.id() + "-T" + padded(number, 6);
    }

    /** Zero-padded decimal; String.format is too slow for half a million ids. */
    static String padded(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
