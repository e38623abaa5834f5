package dev.sweep.producers.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
import dev.sweep.campaign.Wave;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventChecks;
import dev.sweep.schemas.Topics;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A clean replay of neixiang with seed 7: the ledger has the report's totals, areas vary around them,
 * and the records themselves, decoded and recounted (people at home), say the same.
 */
@Tag("e2e")
class CleanReplayTest {
    private static final Scenario S = Replays.NEIXIANG;
    private static final long SEC = 1_000L;

    private static List<Emission> emissions;
    private static Ledger ledger;
    private static List<ScanEvent> scans;
    private static List<StationStatus> statuses;

    @BeforeAll
    static void replay() {
        CampaignSimulator.Replay r = Replays.clean();
        emissions = r.emissions();
        ledger = r.ledger();
        scans = new ArrayList<>();
        statuses = new ArrayList<>();
        for (Emission e : emissions) {
            if (Replays.isScan(e)) {
                scans.add(Replays.scan(e)); // throws unless valid: no rejection in a clean replay
            } else {
                assertEquals(Topics.STATION_STATUS, e.topic());
                statuses.add(Replays.status(e));
            }
        }
    }

    private static Instant local(String dateTime) {
        return LocalDateTime.parse(dateTime).atZone(S.zone()).toInstant();
    }

    @Test
    void ledgerHasTheReportsTotals() {
        Ledger.County c = ledger.county();
        assertEquals("neixiang", ledger.scenario());
        assertEquals(7, ledger.seed());
        assertTrue(ledger.drills().isEmpty());
        assertEquals(478_609, c.persons());
        assertEquals(550_125, c.population());
        assertEquals(0.87, c.coverage());
        assertEquals(16, c.townships());
        assertEquals(381, c.sites());
        assertEquals(2_226, c.samplers());
        assertEquals(2, c.waves().size());

        Ledger.WaveTally first = c.waves().get(0);
        Ledger.WaveTally countyWide = c.waves().get(1);
        assertEquals(100_828, first.persons());
        assertEquals(377_781, countyWide.persons());
        assertEquals(first.persons(), first.personsInWindow());
        assertEquals(countyWide.persons(), countyWide.personsInWindow());
        assertEquals(local("2022-05-03T15:00").toString(), first.opens());
        assertEquals(local("2022-05-03T19:00").toString(), first.closes());
        assertEquals(local("2022-05-04T08:00").toString(), countyWide.opens());
        assertEquals(local("2022-05-04T12:00").toString(), countyWide.closes());
        assertEquals(c.scans(), first.scans() + countyWide.scans());

        // Re-tests: a second scan of someone already sampled, about 1% of persons.
        assertEquals(c.scans(), c.persons() + c.retests());
        double retestShare = (double) c.retests() / c.persons();
        assertTrue(retestShare > 0.009 && retestShare < 0.011, "retests/persons = " + retestShare);
        assertTrue(ledger.faults().isEmpty());
        assertTrue(ledger.badRecords().isEmpty());
        assertEquals(0, ledger.duplicatesSent());

        // People cross township lines to the nearest site: a realistic share, not most, not none.
        double away = (double) c.sampledOutsideHomeTownship() / c.persons();
        assertTrue(away > 0.05 && away < 0.10, "sampled outside their home township: " + away);
    }

    /** Every area at every level: its people (at home) are its children's, its townships' sites add up. */
    @Test
    void areasTownshipsAndSitesAddUp() {
        Ledger.County c = ledger.county();
        assertEquals(S.areas().size(), ledger.areas().size());
        assertEquals(List.copyOf(ledger.areas().keySet()), S.areas().stream().map(a -> a.id()).toList());
        for (var a : S.areas()) {
            Ledger.AreaTally t = ledger.areas().get(a.id());
            assertEquals(a.level(), t.level());
            assertEquals(a.parentId(), t.parent());
            assertEquals(a.population(), t.population());
            assertEquals(Math.round(10_000.0 * t.persons() / t.population()) / 10_000.0, t.coverage(), a.id());
            List<dev.sweep.campaign.Area> children = S.childrenOf(a.id());
            if (!children.isEmpty()) {
                assertEquals(t.persons(), children.stream().mapToLong(ch -> ledger.areas().get(ch.id()).persons()).sum(),
                        a.id());
            }
        }
        assertEquals(c.persons(), ledger.areas().get(S.root().id()).persons());

        long[] townshipSum = new long[5];
        for (Township t : S.townships()) {
            Ledger.TownshipTally tt = ledger.townships().get(t.id());
            assertNotNull(tt, t.id());
            assertEquals(t.nameZh(), tt.nameZh());
            assertEquals(t.population(), tt.population());
            assertEquals(ledger.areas().get(t.id()).persons(), tt.persons(), "a township's people are its residents");
            assertEquals(ledger.areas().get(t.id()).coverage(), tt.coverage());
            assertEquals(tt.scans(), tt.personsAtSites() + tt.retests(), t.id());

            long[] siteSum = new long[4];
            for (Site site : S.sitesOf(t.id())) {
                Ledger.SiteTally st = ledger.sites().get(site.id());
                assertEquals(t.id(), st.township());
                assertEquals(site.areaId(), st.area());
                assertEquals(st.scans(), st.persons() + st.retests(), site.id());
                assertTrue(st.fromOtherTownships() <= st.persons());
                siteSum[0] += st.scans();
                siteSum[1] += st.persons();
                siteSum[2] += st.tubes();
                siteSum[3] += st.retests();
            }
            assertEquals(tt.scans(), siteSum[0], t.id());
            assertEquals(tt.personsAtSites(), siteSum[1], t.id());
            assertEquals(tt.tubes(), siteSum[2], t.id());
            assertEquals(tt.retests(), siteSum[3], t.id());
            assertEquals(S.sitesOf(t.id()).size(), tt.sites());
            townshipSum[0] += tt.scans();
            townshipSum[1] += tt.persons();
            townshipSum[2] += tt.tubes();
            townshipSum[3] += tt.retests();
            townshipSum[4] += tt.personsAtSites();
        }
        assertEquals(381, ledger.sites().size());
        assertEquals(c.scans(), townshipSum[0]);
        assertEquals(c.persons(), townshipSum[1]);
        assertEquals(c.tubes(), townshipSum[2]);
        assertEquals(c.retests(), townshipSum[3]);
        assertEquals(c.persons(), townshipSum[4], "everyone is first sampled at one site");
        assertEquals(c.sampledOutsideHomeTownship(),
                ledger.sites().values().stream().mapToLong(Ledger.SiteTally::fromOtherTownships).sum());
    }

    /**
     * Areas differ: every township clears the plan (at least a point above the target, a few well ahead), the
     * villages spread wider; the county keeps the report's 87.0%.
     */
    @Test
    void coverageVariesByAreaAroundTheCountys() {
        double low = 1;
        double high = 0;
        for (Township t : S.townships()) {
            double c = ledger.townships().get(t.id()).coverage();
            assertTrue(c >= S.targetCoverage() + Residence.PLAN_MARGIN - 1e-4, t.id() + " " + c);
            low = Math.min(low, c);
            high = Math.max(high, c);
        }
        assertTrue(high - low >= 0.01, "townships from " + low + " to " + high);
        DoubleSummaryStatistics villages = ledger.areas().values().stream().filter(a -> a.level().equals("village"))
                .mapToDouble(Ledger.AreaTally::coverage).summaryStatistics();
        assertEquals(290, villages.getCount());
        assertTrue(villages.getMin() < 0.82 && villages.getMin() > 0.7, "lowest village " + villages.getMin());
        assertTrue(villages.getMax() > 0.92 && villages.getMax() <= 0.99, "highest village " + villages.getMax());
        assertEquals(0.87, ledger.county().coverage());
    }

    /** The job's behind-plan rule, applied to the clean campaign as it happened, raises nothing. */
    @Test
    void theCleanCampaignIsBehindPlanNowhere() {
        PlanRule.Verdict v = PlanRule.judge(S, emissions);
        assertEquals(List.of(), v.raised());
        System.out.println("clean campaign, lowest projection at the deadline minus the target, by township: "
                + v.lowestMargin());
    }

    @Test
    void recordsRecountToTheLedger() {
        assertEquals(ledger.county().scans(), scans.size());
        assertEquals(Map.of(Topics.SCANS, (long) scans.size(), Topics.STATION_STATUS, (long) statuses.size()),
                ledger.records());

        Set<String> scanIds = new HashSet<>();
        for (ScanEvent e : scans) {
            Site site = S.site(e.getSiteId());
            assertNotNull(site, e.getSiteId());
            assertEquals(site.townshipId(), e.getTownshipId());
            assertTrue(scanIds.add(e.getScanId()), "scanId " + e.getScanId() + " once");
        }
        Recount count = new Recount(S, emissions.iterator());
        assertEquals(0, count.homeChanges, "a person's home area is the same on every scan");
        assertEquals(0, count.withoutLeafHome, "every scan names its person's village");
        assertEquals(ledger.county().persons(), count.persons);
        assertEquals(ledger.county().sampledOutsideHomeTownship(), count.sampledOutsideHomeTownship);
        ledger.areas().forEach((id, a) -> assertEquals(a.persons(), count.atHome.getOrDefault(id, 0L), id));
        for (Map.Entry<String, Ledger.SiteTally> s : ledger.sites().entrySet()) {
            long[] v = count.bySite.get(s.getKey());
            assertEquals(s.getValue().scans(), v[0], s.getKey());
            assertEquals(s.getValue().persons(), v[1], s.getKey());
            assertEquals(s.getValue().fromOtherTownships(), v[2], s.getKey());
        }
    }

    @Test
    void personKeysAreKeyedHashesNeverIdNumbers() {
        Pattern digitRun = Pattern.compile("[0-9]{18,}");
        long digitRunsLikeOldIds = 0;
        for (ScanEvent e : scans) {
            String key = e.getPersonKey();
            assertTrue(EventChecks.PERSON_KEY.matcher(key).matches(), key);
            // Digit runs are common in hex; none of them is a valid 18-character ID (date and check digit).
            Matcher run = digitRun.matcher(key);
            while (run.find()) {
                for (int i = run.start(); i + 18 <= run.end(); i++) {
                    assertFalse(EventChecks.containsIdNumber(key.substring(i, i + 18)), "an ID number in " + key);
                }
            }
            if (EventChecks.containsIdNumber(key)) {
                // A hash may, by chance, hold 15 digits in a row that read as a first-generation ID (no check
                // digit); the decoder accepts the key because it is a keyed hash (checked first).
                digitRunsLikeOldIds++;
            }
            for (String field : List.of(e.getScanId(), e.getSiteId(), e.getSamplerId(), e.getTubeId())) {
                assertFalse(EventChecks.containsIdNumber(field), field);
            }
        }
        System.out.println("person keys with a 15-digit run that reads as a first-generation ID number: "
                + digitRunsLikeOldIds + " of " + scans.size());
        // The station hashes the resident's ID: same register, same key; never the ID itself.
        Residents residents = new Residents(S.areaCode(), CampaignSimulator.DRILL_STATION_KEY);
        String id = residents.idNumber(0);
        assertEquals(18, id.length());
        assertTrue(id.startsWith("411325"));
        assertTrue(EventChecks.containsIdNumber(id));
        assertEquals(residents.personKey(0), residents.personKey(0));
        assertFalse(residents.personKey(0).contains(id));
        // One ID number per resident: the register is a bijection over the campaign's residents.
        Set<String> ids = new HashSet<>();
        for (long n = 0; n < S.population(); n += 97) {
            assertTrue(ids.add(residents.idNumber(n)), "resident " + n);
        }
    }

    @Test
    void everyoneIsFirstSampledInsideTheWaves() {
        Map<Integer, Long> firstTimersByWave = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        List<Wave> waves = S.waves();
        for (ScanEvent e : scans) {
            Instant at = e.getScannedAt();
            int w = -1;
            for (int i = 0; i < waves.size(); i++) {
                if (!at.isBefore(waves.get(i).opens()) && at.isBefore(waves.get(i).closes())) {
                    w = i;
                }
            }
            boolean first = seen.add(e.getPersonKey());
            if (first) {
                assertTrue(w >= 0, "first scan of a person at " + at + " is inside a wave");
                assertEquals(10, e.getPoolSize());
                firstTimersByWave.merge(w, 1L, Long::sum);
            } else {
                assertEquals(1, e.getPoolSize(), "a re-test goes into a single tube");
            }
        }
        // 15:00-19:00 on 3 May and 08:00-12:00 on 4 May, Asia/Shanghai.
        assertEquals(local("2022-05-03T15:00"), waves.get(0).opens());
        assertEquals(local("2022-05-04T08:00"), waves.get(1).opens());
        assertEquals(Map.of(0, 100_828L, 1, 377_781L), firstTimersByWave);
    }

    /**
     * Tubes: each sampler fills a pooled tube with 10 first-time swabs, then opens the next; the part-filled
     * tube is closed when the wave ends. A re-test gets a single tube of its own.
     */
    @Test
    void tubesFollowThePoolingModel() {
        Map<String, List<ScanEvent>> byTube = new HashMap<>();
        for (ScanEvent e : scans) {
            byTube.computeIfAbsent(e.getTubeId(), k -> new ArrayList<>()).add(e);
        }
        assertEquals(ledger.county().tubes(), byTube.size());

        Map<String, Long> pooledBySamplerWave = new HashMap<>();
        Map<String, Set<String>> tubesBySite = new HashMap<>();
        long singles = 0;
        for (ScanEvent e : scans) {
            if (e.getPoolSize() == 10) {
                String wave = e.getScannedAt().isBefore(S.waves().get(1).opens()) ? "0" : "1";
                pooledBySamplerWave.merge(e.getSamplerId() + "/" + wave, 1L, Long::sum);
            } else {
                singles++;
            }
            tubesBySite.computeIfAbsent(e.getSiteId(), k -> new HashSet<>()).add(e.getTubeId());
        }
        assertEquals(ledger.county().retests(), singles);
        long pooledTubes = 0;
        for (long swabs : pooledBySamplerWave.values()) {
            pooledTubes += (swabs + 9) / 10;
        }
        assertEquals(ledger.county().tubes(), pooledTubes + ledger.county().retests(),
                "tubes = sum over (sampler, wave) of ceil(first-timers / 10) + re-tests");
        long lowerBound = (ledger.county().persons() + 9) / 10 + ledger.county().retests();
        assertTrue(ledger.county().tubes() >= lowerBound);
        // At most one part-filled tube per sampler and wave.
        assertTrue(ledger.county().tubes() - lowerBound <= 2L * S.samplers());

        for (Map.Entry<String, List<ScanEvent>> t : byTube.entrySet()) {
            List<ScanEvent> swabs = t.getValue();
            ScanEvent first = swabs.get(0);
            assertTrue(t.getKey().startsWith(first.getSiteId() + "-T"), t.getKey());
            if (first.getPoolSize() == 1) {
                assertEquals(1, swabs.size(), "single tube " + t.getKey());
            } else {
                assertTrue(swabs.size() <= 10, t.getKey() + " holds " + swabs.size());
                for (ScanEvent e : swabs) {
                    assertEquals(10, e.getPoolSize());
                    assertEquals(first.getSamplerId(), e.getSamplerId(), "one sampler fills a tube");
                }
            }
        }
        for (Map.Entry<String, Ledger.SiteTally> s : ledger.sites().entrySet()) {
            assertEquals(s.getValue().tubes(), tubesBySite.get(s.getKey()).size(), s.getKey());
        }
    }

    @Test
    void stationSeqCountsUpByOnePerSite() {
        Map<String, Long> last = new HashMap<>();
        Map<String, Long> lastTime = new HashMap<>();
        for (ScanEvent e : scans) {
            long previous = last.getOrDefault(e.getSiteId(), 0L);
            assertEquals(previous + 1, e.getStationSeq(), e.getScanId());
            last.put(e.getSiteId(), e.getStationSeq());
            long t = e.getScannedAt().toEpochMilli();
            assertTrue(t >= lastTime.getOrDefault(e.getSiteId(), 0L), "event time does not go back at a site");
            lastTime.put(e.getSiteId(), t);
        }
        for (Map.Entry<String, Ledger.SiteTally> s : ledger.sites().entrySet()) {
            assertEquals(s.getValue().scans(), last.get(s.getKey()), s.getKey());
        }
    }

    @Test
    void emissionsAreInEventTimeOrder() {
        long previous = Long.MIN_VALUE;
        for (Emission e : emissions) {
            assertEquals(e.eventTime(), e.sendAt(), "nothing held back in a clean replay");
            assertTrue(e.sendAt() >= previous);
            previous = e.sendAt();
        }
        assertEquals(Instant.ofEpochMilli(emissions.get(0).sendAt()).toString(), ledger.start());
        assertEquals(Instant.ofEpochMilli(previous).toString(), ledger.end());
        assertEquals(ledger.county().persons(), emissions.stream().mapToLong(Emission::newPersons).sum());
    }

    /** Every open site reports every 30 s of event time, then once CLOSED, in each wave. */
    @Test
    void heartbeatsEvery30sPerOpenSiteThenClosed() {
        Map<String, List<StationStatus>> bySite = new HashMap<>();
        for (StationStatus h : statuses) {
            assertNotNull(S.site(h.getSiteId()), h.getSiteId());
            assertEquals(S.site(h.getSiteId()).townshipId(), h.getTownshipId());
            bySite.computeIfAbsent(h.getSiteId(), k -> new ArrayList<>()).add(h);
        }
        assertEquals(381, bySite.size());
        for (Site site : S.sites()) {
            List<StationStatus> hs = bySite.get(site.id());
            int k = 0;
            for (Wave wave : S.waves()) {
                long opens = wave.opens().toEpochMilli();
                long closes = wave.closes().toEpochMilli();
                StationStatus first = hs.get(k);
                long t0 = first.getReportedAt().toEpochMilli();
                assertTrue(t0 >= opens && t0 < opens + 30 * SEC, site.id() + " reports within 30 s of opening");
                long previous = -1;
                while (hs.get(k).getState() == SiteState.OPEN) {
                    StationStatus h = hs.get(k);
                    long t = h.getReportedAt().toEpochMilli();
                    if (previous >= 0) {
                        assertEquals(30 * SEC, t - previous, site.id() + " at " + h.getReportedAt());
                    }
                    assertEquals(site.lanes(), h.getLanesOpen());
                    assertEquals(site.samplers(), h.getSamplersOnDuty());
                    previous = t;
                    k++;
                }
                StationStatus closed = hs.get(k++);
                assertEquals(SiteState.CLOSED, closed.getState(), site.id());
                long tc = closed.getReportedAt().toEpochMilli();
                assertTrue(tc >= closes, site.id() + " closes after the wave ends");
                assertTrue(tc > previous && tc - previous <= 30 * SEC, site.id() + " CLOSED follows the last OPEN");
                assertEquals(0, closed.getQueueLength());
                assertEquals(0, closed.getLanesOpen());
            }
            assertEquals(hs.size(), k, site.id() + ": nothing after the last CLOSED");
        }
    }

    /** The clean campaign has no congestion: no heartbeat reports a line of 50 or more. */
    @Test
    void noCongestionInTheCleanCampaign() {
        Map<String, Integer> maxQueue = new HashMap<>();
        for (StationStatus h : statuses) {
            assertTrue(h.getQueueLength() < CampaignSimulator.QUEUE_CONGESTED,
                    h.getSiteId() + " queue " + h.getQueueLength() + " at " + h.getReportedAt());
            maxQueue.merge(h.getSiteId(), h.getQueueLength(), Math::max);
        }
        for (Map.Entry<String, Ledger.SiteTally> s : ledger.sites().entrySet()) {
            assertEquals(s.getValue().maxQueue(), maxQueue.get(s.getKey()), s.getKey());
            assertTrue(s.getValue().maxQueue() < 50);
        }
    }
}
