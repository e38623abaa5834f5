package dev.sweep.producers.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
import dev.sweep.events.AlertKind;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Rejection;
import dev.sweep.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Each drill, alone with seed 7, against the clean replay: what it does to the stream and the ledger. */
@Tag("e2e")
class DrillEffectsTest {
    private static final Scenario S = Replays.NEIXIANG;
    private static final long SEC = 1_000L;
    private static final long MIN = 60 * SEC;

    private static CampaignSimulator.Replay clean;

    @BeforeAll
    static void cleanReplay() {
        clean = Replays.clean();
    }

    private static CampaignSimulator.Replay drill(Drill drill) {
        CampaignSimulator.Replay r = Replays.run(Replays.SEED, EnumSet.of(drill));
        assertEquals(List.of(drill.label()), r.ledger().drills());
        return r;
    }

    private static long millis(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static List<Ledger.Fault> faults(Ledger ledger, Drill kind) {
        return ledger.faults().stream().filter(f -> f.kind().equals(kind.label())).toList();
    }

    /** The site's records on one topic, decoded time and all, in send order. */
    private static List<Emission> of(List<Emission> emissions, String topic, String site) {
        return emissions.stream().filter(e -> e.topic().equals(topic) && e.key().equals(site)).toList();
    }

    private static List<StationStatus> heartbeats(List<Emission> emissions, String site) {
        return of(emissions, Topics.STATION_STATUS, site).stream().map(Replays::status).toList();
    }

    private static long scansIn(List<Emission> emissions, String site, long from, long until) {
        return of(emissions, Topics.SCANS, site).stream().map(Replays::scan)
                .filter(s -> s.getScannedAt().toEpochMilli() >= from && s.getScannedAt().toEpochMilli() < until)
                .count();
    }

    private static void sitesOtherThanUnchanged(Ledger ledger, Set<String> hit) {
        for (Map.Entry<String, Ledger.SiteTally> s : clean.ledger().sites().entrySet()) {
            if (!hit.contains(s.getKey())) {
                assertEquals(s.getValue(), ledger.sites().get(s.getKey()), s.getKey() + " is not part of the drill");
            }
        }
    }

    private static void sameCampaignTotals(Ledger ledger) {
        Ledger.County c = ledger.county();
        Ledger.County cc = clean.ledger().county();
        assertEquals(478_609, c.persons());
        assertEquals(cc.persons(), c.persons());
        assertEquals(cc.scans(), c.scans());
        assertEquals(cc.retests(), c.retests());
        assertEquals(cc.population(), c.population());
        assertEquals(cc.coverage(), c.coverage());
        for (int w = 0; w < cc.waves().size(); w++) {
            assertEquals(cc.waves().get(w).persons(), c.waves().get(w).persons());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void siteOutageSilencesTheSiteForItsWindow() {
        CampaignSimulator.Replay r = drill(Drill.SITE_OUTAGE);
        List<Ledger.Fault> faults = faults(r.ledger(), Drill.SITE_OUTAGE);
        assertEquals(3, faults.size());
        assertEquals(faults, r.ledger().faults());
        assertEquals(3, faults.stream().map(Ledger.Fault::township).distinct().count(), "one site per township");
        Set<String> hit = new HashSet<>();
        for (Ledger.Fault f : faults) {
            String site = f.site();
            assertNotNull(S.site(site), site);
            assertEquals(S.site(site).townshipId(), f.township());
            assertEquals(AlertKind.STATION_OFFLINE.name(), f.expectedAlert());
            long from = millis(f.start());
            long until = millis(f.end());
            assertEquals(30 * MIN, until - from);
            hit.add(site);

            // The clean replay has this site busy in the window; the drill has nothing from it.
            assertTrue(scansIn(clean.emissions(), site, from, until) > 0);
            assertEquals(60, heartbeats(clean.emissions(), site).stream()
                    .filter(h -> h.getReportedAt().toEpochMilli() >= from && h.getReportedAt().toEpochMilli() < until)
                    .count());
            for (Emission e : of(r.emissions(), Topics.SCANS, site)) {
                long t = Replays.scan(e).getScannedAt().toEpochMilli();
                assertTrue(t < from || t >= until, site + " scanned at " + Instant.ofEpochMilli(t));
            }
            List<StationStatus> hs = heartbeats(r.emissions(), site);
            for (StationStatus h : hs) {
                long t = h.getReportedAt().toEpochMilli();
                assertTrue(t < from || t >= until, site + " reported at " + h.getReportedAt());
            }
            // It comes back at the end: the waiting line is served at once and the heartbeats resume.
            assertTrue(scansIn(r.emissions(), site, until, until + 1) > 0, site + " scans again at " + f.end());
            StationStatus before = hs.stream().filter(h -> h.getReportedAt().toEpochMilli() < from)
                    .reduce((a, b) -> b).orElseThrow();
            StationStatus after = hs.stream().filter(h -> h.getReportedAt().toEpochMilli() >= until)
                    .findFirst().orElseThrow();
            assertTrue(after.getReportedAt().toEpochMilli() < until + 30 * SEC);
            assertTrue(after.getQueueLength() > before.getQueueLength() + 25,
                    "the line grew while the station was down: " + before.getQueueLength() + " -> "
                            + after.getQueueLength());
            // Nobody is lost: the station's sequence has no gap.
            long seq = 0;
            for (Emission e : of(r.emissions(), Topics.SCANS, site)) {
                assertEquals(++seq, Replays.scan(e).getStationSeq());
            }
            assertEquals(r.ledger().sites().get(site).scans(), seq);
        }
        sameCampaignTotals(r.ledger());
        sitesOtherThanUnchanged(r.ledger(), hit);
    }

    @Test
    void slowSiteScansAtAFractionOfCapacityWhileItsLineGrows() {
        CampaignSimulator.Replay r = drill(Drill.SLOW_SITE);
        List<Ledger.Fault> faults = faults(r.ledger(), Drill.SLOW_SITE);
        assertEquals(1, faults.size());
        assertEquals(faults, r.ledger().faults());
        Ledger.Fault f = faults.get(0);
        assertEquals(AlertKind.SITE_SLOW.name(), f.expectedAlert());
        Site site = S.site(f.site());
        long from = millis(f.start());
        long until = millis(f.end());
        double hours = (until - from) / 3_600_000.0;
        assertEquals(1.0, hours);

        double rate = scansIn(r.emissions(), site.id(), from, until) / hours;
        double cleanRate = scansIn(clean.emissions(), site.id(), from, until) / hours;
        double capacity = site.capacityPerHour();
        assertTrue(rate < 0.4 * capacity && rate > 0.2 * capacity,
                "about 30% of capacity " + capacity + "/h: " + rate + "/h");
        assertTrue(rate < 0.6 * cleanRate, "slower than the clean replay's " + cleanRate + "/h: " + rate + "/h");

        List<StationStatus> window = heartbeats(r.emissions(), site.id()).stream()
                .filter(h -> h.getReportedAt().toEpochMilli() >= from && h.getReportedAt().toEpochMilli() < until)
                .toList();
        assertEquals(120, window.size(), "the slow site keeps reporting");
        int first = window.get(0).getQueueLength();
        int last = window.get(window.size() - 1).getQueueLength();
        int peak = window.stream().mapToInt(StationStatus::getQueueLength).max().orElseThrow();
        assertTrue(last > first + 25, "the line grows: " + first + " -> " + last);
        assertTrue(peak >= CampaignSimulator.QUEUE_BUSY, "people are queueing: peak " + peak);
        int cleanPeak = heartbeats(clean.emissions(), site.id()).stream()
                .filter(h -> h.getReportedAt().toEpochMilli() >= from && h.getReportedAt().toEpochMilli() < until)
                .mapToInt(StationStatus::getQueueLength).max().orElseThrow();
        assertTrue(peak > cleanPeak, "longer line than in the clean replay (" + cleanPeak + "): " + peak);

        sameCampaignTotals(r.ledger());
        sitesOtherThanUnchanged(r.ledger(), Set.of(site.id()));
    }

    @Test
    void congestionFillsTheLineThenItClears() {
        CampaignSimulator.Replay r = drill(Drill.CONGESTION);
        List<Ledger.Fault> faults = faults(r.ledger(), Drill.CONGESTION);
        assertEquals(2, faults.size());
        assertEquals(faults, r.ledger().faults());
        Set<String> hit = new HashSet<>();
        for (Ledger.Fault f : faults) {
            assertEquals(AlertKind.SITE_CONGESTED.name(), f.expectedAlert());
            String site = f.site();
            hit.add(site);
            long from = millis(f.start());
            long until = millis(f.end());
            assertTrue(until > from);
            List<StationStatus> hs = heartbeats(r.emissions(), site);
            StationStatus firstCongested = hs.stream()
                    .filter(h -> h.getReportedAt().toEpochMilli() >= from && h.getQueueLength() >= 50)
                    .findFirst().orElseThrow(() -> new AssertionError(site + " never reaches a line of 50"));
            long congestedAt = firstCongested.getReportedAt().toEpochMilli();
            assertTrue(congestedAt < until);
            StationStatus atEnd = hs.stream().filter(h -> h.getReportedAt().toEpochMilli() == until).findFirst()
                    .orElseThrow(() -> new AssertionError("a heartbeat at the fault's end " + f.end()));
            assertTrue(atEnd.getQueueLength() < CampaignSimulator.QUEUE_BUSY, "under 25 at the end: " + atEnd);
            for (StationStatus h : hs) {
                long t = h.getReportedAt().toEpochMilli();
                if (t >= congestedAt && t < until) {
                    assertTrue(h.getQueueLength() >= CampaignSimulator.QUEUE_BUSY,
                            "the fault lasts until the line is under 25: " + h);
                }
            }
            // Clean, this site never queues 50.
            assertTrue(heartbeats(clean.emissions(), site).stream().allMatch(h -> h.getQueueLength() < 50));
            assertTrue(r.ledger().sites().get(site).maxQueue() >= 50);
        }
        sameCampaignTotals(r.ledger());
        sitesOtherThanUnchanged(r.ledger(), hit);
    }

    @Test
    void partitionHoldsATownshipsRecordsUntilTheWindowEnds() {
        CampaignSimulator.Replay r = drill(Drill.PARTITION);
        List<Ledger.Fault> faults = faults(r.ledger(), Drill.PARTITION);
        assertEquals(1, faults.size());
        assertEquals(faults, r.ledger().faults());
        Ledger.Fault f = faults.get(0);
        assertNull(f.site());
        assertNull(f.expectedAlert());
        assertNotNull(S.township(f.township()));
        long from = millis(f.start());
        long until = millis(f.end());
        assertEquals(10 * MIN, until - from);
        Set<String> held = S.sitesOf(f.township()).stream().map(Site::id).collect(Collectors.toSet());

        List<Emission> es = r.emissions();
        int firstHeld = -1;
        int lastHeld = -1;
        Map<String, Long> heldByTopic = new TreeMap<>();
        for (int i = 0; i < es.size(); i++) {
            Emission e = es.get(i);
            long eventTime = Replays.isScan(e) ? Replays.scan(e).getScannedAt().toEpochMilli()
                    : Replays.status(e).getReportedAt().toEpochMilli();
            assertEquals(eventTime, e.eventTime());
            if (held.contains(e.key()) && eventTime >= from && eventTime < until) {
                assertEquals(until, e.sendAt(), "held until the window's end");
                heldByTopic.merge(e.topic(), 1L, Long::sum);
                if (firstHeld < 0) {
                    firstHeld = i;
                }
                lastHeld = i;
            } else {
                assertEquals(eventTime, e.sendAt());
            }
        }
        assertTrue(heldByTopic.getOrDefault(Topics.SCANS, 0L) > 0);
        assertEquals(20L * held.size(), heldByTopic.get(Topics.STATION_STATUS), "10 min of heartbeats per site");
        // The burst comes after everything else that happened in the window; each station sends its
        // held records in order (per topic and site: event time, so stationSeq, never goes back).
        long otherInWindowBefore = 0;
        Map<String, Long> previous = new HashMap<>();
        for (int i = 0; i < es.size(); i++) {
            Emission e = es.get(i);
            boolean heldOne = held.contains(e.key()) && e.eventTime() >= from && e.eventTime() < until;
            if (!heldOne && e.eventTime() < until) {
                assertTrue(i < firstHeld, "sent before the burst: " + e.key() + " at " + e.eventTime());
                if (e.eventTime() > from && !held.contains(e.key())) {
                    otherInWindowBefore++;
                }
            }
            if (heldOne) {
                String stream = e.topic() + "/" + e.key();
                assertTrue(e.eventTime() >= previous.getOrDefault(stream, Long.MIN_VALUE), stream);
                previous.put(stream, e.eventTime());
            }
        }
        assertTrue(otherInWindowBefore > 0, "other townships' later records went first");
        Emission firstOfBurst = es.get(firstHeld);
        assertTrue(firstOfBurst.eventTime() < until - 5 * MIN && es.get(firstHeld - 1).eventTime() > until - MIN,
                "the burst's first record is older than the records sent just before it");
        assertTrue(lastHeld - firstHeld + 1 >= heldByTopic.values().stream().mapToLong(Long::longValue).sum());

        // Only the sending is late: the same records, the same truth.
        assertEquals(Replays.multisetDigest(clean.emissions()), Replays.multisetDigest(es));
        assertEquals(clean.ledger().county(), r.ledger().county());
        assertEquals(clean.ledger().townships(), r.ledger().townships());
        assertEquals(clean.ledger().sites(), r.ledger().sites());
        assertEquals(clean.ledger().records(), r.ledger().records());
    }

    @Test
    void duplicatesRepeatScansByteForByte() {
        CampaignSimulator.Replay r = drill(Drill.DUPLICATES);
        Ledger ledger = r.ledger();
        Map<String, List<Emission>> byScanId = new HashMap<>();
        for (Emission e : r.emissions()) {
            if (Replays.isScan(e)) {
                byScanId.computeIfAbsent(Replays.scan(e).getScanId(), k -> new ArrayList<>()).add(e);
            }
        }
        long repeated = 0;
        for (Map.Entry<String, List<Emission>> s : byScanId.entrySet()) {
            List<Emission> copies = s.getValue();
            assertTrue(copies.size() <= 2, s.getKey());
            if (copies.size() == 2) {
                repeated++;
                Emission first = copies.get(0);
                Emission again = copies.get(1);
                assertArrayEquals(first.value(), again.value(), s.getKey());
                assertEquals(first.key(), again.key());
                assertEquals(first.eventTime(), again.eventTime());
                long delay = again.sendAt() - first.sendAt();
                assertTrue(delay >= SEC && delay < 20 * SEC, "sent again " + delay + " ms later");
                assertEquals(0, again.newPersons());
            }
        }
        assertTrue(ledger.duplicatesSent() > 0);
        assertEquals(ledger.duplicatesSent(), repeated);
        assertEquals(ledger.county().scans(), byScanId.size());
        double share = (double) repeated / ledger.county().scans();
        assertTrue(share > 0.045 && share < 0.055, "about 5% of scans: " + share);
        assertEquals(ledger.county().scans() + ledger.duplicatesSent(), ledger.records().get(Topics.SCANS));
        assertEquals(clean.ledger().county(), ledger.county());
        assertEquals(clean.ledger().sites(), ledger.sites());
    }

    @Test
    void badDataIsRejectedExactlyAsTheLedgerSays() {
        CampaignSimulator.Replay r = drill(Drill.BAD_DATA);
        Ledger ledger = r.ledger();
        Map<String, Long> rejected = new TreeMap<>();
        List<ScanEvent> good = new ArrayList<>();
        for (Emission e : r.emissions()) {
            if (!Replays.isScan(e)) {
                Replays.status(e);
                continue;
            }
            ScanEvent scan;
            try {
                scan = EventCodec.SCANS.decode(e.value());
            } catch (RejectedRecordException x) {
                rejected.merge(x.reason().code(), 1L, Long::sum);
                continue;
            }
            if (S.site(scan.getSiteId()) == null) {
                // Decodes, but no such site was ever commissioned.
                assertEquals(scan.getSiteId(), e.key());
                assertTrue(scan.getSiteId().matches("NX-[A-Z]{2}-9[0-9]{2}"), scan.getSiteId());
                rejected.merge(Rejection.UNKNOWN_SITE.code(), 1L, Long::sum);
                continue;
            }
            good.add(scan);
        }
        assertEquals(Set.of("corrupt", "unknown-fingerprint", "raw-personal-id", "unknown-site", "invalid-field"),
                ledger.badRecords().keySet());
        assertEquals(ledger.badRecords(), rejected);
        long bad = ledger.badRecords().values().stream().mapToLong(Long::longValue).sum();
        assertEquals(ledger.county().scans() + bad, ledger.records().get(Topics.SCANS));

        // The good records still add up to the truth.
        assertEquals(ledger.county().scans(), good.size());
        assertEquals(ledger.county().persons(), good.stream().map(ScanEvent::getPersonKey).distinct().count());
        Map<String, Long> bySite = good.stream().collect(Collectors.groupingBy(ScanEvent::getSiteId,
                Collectors.counting()));
        for (Map.Entry<String, Ledger.SiteTally> s : ledger.sites().entrySet()) {
            assertEquals(s.getValue().scans(), bySite.get(s.getKey()), s.getKey());
        }
        assertEquals(clean.ledger().county(), ledger.county());
    }

    /**
     * One area at the plan level (a township in Neixiang) falls behind: half its people due in the last wave
     * stay home, the other townships make up for them. The job's rule, applied to the replay, raises
     * TOWNSHIP_BEHIND_PLAN for that area from its first judged minute to the deadline, and for no other.
     */
    @Test
    void behindPlanLeavesOneAreaClearlyUnderThePlan() {
        CampaignSimulator.Replay r = drill(Drill.BEHIND_PLAN);
        Ledger ledger = r.ledger();
        assertEquals(1, ledger.faults().size());
        Ledger.Fault f = ledger.faults().get(0);
        assertEquals("behind-plan", f.kind());
        assertNull(f.site());
        assertEquals(AlertKind.TOWNSHIP_BEHIND_PLAN.name(), f.expectedAlert());
        assertEquals(S.planLevel(), S.area(f.area()).level());
        assertEquals(f.area(), f.township(), "in Neixiang the plan level is the township's");
        assertEquals(S.waves().get(S.waves().size() - 1).opens().toString(), f.start());
        assertEquals(S.deadline().toString(), f.end());

        // The other townships make up for it: the county and each wave keep their people (re-tests follow them).
        assertEquals(478_609, ledger.county().persons());
        assertEquals(clean.ledger().county().coverage(), ledger.county().coverage());
        for (int w = 0; w < S.waves().size(); w++) {
            assertEquals(S.waves().get(w).persons(), ledger.county().waves().get(w).persons());
        }
        double drilled = ledger.areas().get(f.area()).coverage();
        assertTrue(drilled < S.targetCoverage() - 0.2, f.area() + " ends at " + drilled);
        for (Township t : S.townships()) {
            if (!t.id().equals(f.area())) {
                assertTrue(ledger.townships().get(t.id()).persons() >= clean.ledger().townships().get(t.id()).persons(),
                        t.id() + " makes up for the drilled township");
            }
        }
        // Its sites, with fewer people coming, never queue longer than in the clean campaign's worst.
        int cleanWorst = clean.ledger().sites().values().stream().mapToInt(Ledger.SiteTally::maxQueue).max().orElseThrow();
        for (Site site : S.sitesOf(f.township())) {
            assertTrue(ledger.sites().get(site.id()).maxQueue() <= cleanWorst, site.id());
        }

        PlanRule.Verdict v = PlanRule.judge(S, r.emissions());
        long judgedFrom = millis(f.start()) + 15 * MIN;
        assertEquals(List.of(new PlanRule.Raised(f.area(), judgedFrom, judgedFrom + 15 * MIN)), v.raised());
        System.out.println("behind-plan: lowest projection minus the target, by township: " + v.lowestMargin());
        assertTrue(v.lowestMargin().get(f.area()) < -0.2);
    }

    /**
     * A township's mobile network goes down for 10 minutes: its stations keep swabbing, send no heartbeat,
     * and send the scans they recorded when it comes back. Every one of its sites is a fault of its own,
     * STATION_OFFLINE expected; the truth is the clean campaign's.
     */
    @Test
    void alertStormCutsOffEveryStationOfOneTownshipAtOnce() {
        CampaignSimulator.Replay r = drill(Drill.ALERT_STORM);
        Ledger ledger = r.ledger();
        List<Ledger.Fault> faults = faults(ledger, Drill.ALERT_STORM);
        assertEquals(faults, ledger.faults());
        String township = faults.get(0).township();
        Set<String> hit = S.sitesOf(township).stream().map(Site::id).collect(Collectors.toSet());
        assertEquals(hit, faults.stream().map(Ledger.Fault::site).collect(Collectors.toSet()), "one fault per site");
        long from = millis(faults.get(0).start());
        long until = millis(faults.get(0).end());
        assertEquals(10 * MIN, until - from);
        for (Ledger.Fault f : faults) {
            assertEquals(township, f.township());
            assertEquals(S.site(f.site()).areaId(), f.area());
            assertEquals(AlertKind.STATION_OFFLINE.name(), f.expectedAlert());
            assertEquals(faults.get(0).start(), f.start());
            assertEquals(faults.get(0).end(), f.end());
        }

        long lost = 0;
        for (String site : hit) {
            List<StationStatus> hs = heartbeats(r.emissions(), site);
            assertTrue(hs.stream().noneMatch(h -> h.getReportedAt().toEpochMilli() >= from
                    && h.getReportedAt().toEpochMilli() < until), site + " reports nothing while cut off");
            long before = hs.stream().mapToLong(h -> h.getReportedAt().toEpochMilli()).filter(t -> t < from).max()
                    .orElseThrow();
            long after = hs.stream().mapToLong(h -> h.getReportedAt().toEpochMilli()).filter(t -> t >= until).min()
                    .orElseThrow();
            assertTrue(after - before >= 10 * MIN, site + " silent for the outage, longer than the 3 min threshold");
            assertTrue(after < until + 30 * SEC, site + " reports again as soon as it is back");
            lost += heartbeats(clean.emissions(), site).size() - hs.size();
            // The scans it recorded meanwhile go out together when the network is back.
            long recorded = 0;
            for (Emission e : of(r.emissions(), Topics.SCANS, site)) {
                if (e.eventTime() >= from && e.eventTime() < until) {
                    assertEquals(until, e.sendAt());
                    recorded++;
                } else {
                    assertEquals(e.eventTime(), e.sendAt());
                }
            }
            assertEquals(scansIn(clean.emissions(), site, from, until), recorded, site + " kept swabbing");
            assertTrue(recorded > 0, site);
        }
        assertEquals(20L * hit.size(), lost, "10 min of heartbeats per site");
        // Only heartbeats are lost: the same scans, the same truth.
        assertEquals(Replays.multisetDigest(clean.emissions().stream().filter(Replays::isScan).toList()),
                Replays.multisetDigest(r.emissions().stream().filter(Replays::isScan).toList()));
        assertEquals(clean.ledger().county(), ledger.county());
        assertEquals(clean.ledger().areas(), ledger.areas());
        assertEquals(clean.ledger().sites(), ledger.sites());
        assertEquals(clean.ledger().records().get(Topics.STATION_STATUS) - lost, ledger.records().get(Topics.STATION_STATUS));
    }

    @Test
    void drillAllEnablesAllEight() {
        assertEquals(EnumSet.allOf(Drill.class), Drill.parse(List.of("all")));
        assertEquals(EnumSet.allOf(Drill.class), Drill.parse(List.of("duplicates", "all")));
        assertEquals(EnumSet.of(Drill.SLOW_SITE, Drill.BAD_DATA), Drill.parse(List.of("slow-site", "bad-data")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Drill.parse(List.of("flood")));
        assertTrue(e.getMessage().contains("flood") && e.getMessage().contains("site-outage"), e.getMessage());

        Ledger ledger = Replays.allDrills().ledger();
        assertEquals(List.of("site-outage", "slow-site", "congestion", "partition", "duplicates", "bad-data",
                "behind-plan", "alert-storm"), ledger.drills());
        Map<String, Long> kinds = ledger.faults().stream()
                .collect(Collectors.groupingBy(Ledger.Fault::kind, TreeMap::new, Collectors.counting()));
        String storm = faults(ledger, Drill.ALERT_STORM).get(0).township();
        assertEquals(Map.of("site-outage", 3L, "slow-site", 1L, "congestion", 2L, "partition", 1L, "behind-plan", 1L,
                "alert-storm", (long) S.sitesOf(storm).size()), kinds);
        // Every drill takes townships no other drill touches.
        assertEquals(9, ledger.faults().stream().map(Ledger.Fault::township).distinct().count());
        assertTrue(ledger.duplicatesSent() > 0);
        assertEquals(90, ledger.badRecords().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(478_609, ledger.county().persons());
        // Together, each drill still does what it says: one area behind plan, and only that one.
        String behind = faults(ledger, Drill.BEHIND_PLAN).get(0).area();
        assertEquals(List.of(behind), PlanRule.judge(S, Replays.allDrills().emissions()).raised().stream()
                .map(PlanRule.Raised::area).toList());
    }
}
