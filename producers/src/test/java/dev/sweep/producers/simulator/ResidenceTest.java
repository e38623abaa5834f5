package dev.sweep.producers.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plan of who lives where and is sampled where (no scans generated): Neixiang with seed 7. */
class ResidenceTest {
    private static final Scenario S = Replays.NEIXIANG;
    private static final Residence R = new Residence(S, 7, null);

    private static long population(int leaf) {
        return S.areas().get(R.leafArea[leaf]).population();
    }

    @Test
    void everyoneSampledIsOneResidentOfOneLeafSampledOnceAndTheCountsAddUp() {
        assertEquals(290, R.leaves(), "Neixiang's villages");
        long total = 0;
        for (int l = 0; l < R.leaves(); l++) {
            assertTrue(R.persons[l] <= population(l), S.areas().get(R.leafArea[l]).id());
            long sum = 0;
            for (int[] wave : R.wavePersons) {
                assertTrue(wave[l] >= 0);
                sum += wave[l];
            }
            assertEquals(R.persons[l], sum);
            total += R.persons[l];
        }
        assertEquals(478_609, total);
        for (int w = 0; w < S.waves().size(); w++) {
            long wave = 0;
            for (int l = 0; l < R.leaves(); l++) {
                wave += R.wavePersons[w][l];
            }
            assertEquals(S.waves().get(w).persons(), wave);
        }
        // The sites' newcomers cover each leaf's first residents exactly once: no gap, no overlap, no one else.
        List<long[]> runs = new ArrayList<>();
        for (int s = 0; s < S.sites().size(); s++) {
            for (int w = 0; w < S.waves().size(); w++) {
                Residence.Visitors v = R.visitors(s, w);
                int sum = 0;
                for (int i = 0; i < v.leaf().length; i++) {
                    runs.add(new long[] {v.leaf()[i], v.first()[i], v.count()[i]});
                    assertTrue(v.count()[i] > 0);
                    sum += v.count()[i];
                }
                assertEquals(v.total(), sum);
            }
        }
        runs.sort(Comparator.comparingLong(r -> r[1]));
        long[] next = R.leafFirst.clone();
        for (long[] run : runs) {
            int leaf = (int) run[0];
            assertEquals(next[leaf], run[1], "runs of leaf " + leaf + " follow each other");
            next[leaf] += run[2];
        }
        for (int l = 0; l < R.leaves(); l++) {
            assertEquals(R.leafFirst[l] + R.persons[l], next[l]);
            assertTrue(next[l] <= R.leafFirst[l] + population(l));
        }
    }

    @Test
    void townshipsClearTheTargetAndVillagesVary() {
        Map<String, Long> byTownship = new HashMap<>();
        double lowest = 1;
        double highest = 0;
        for (int l = 0; l < R.leaves(); l++) {
            byTownship.merge(S.townships().get(R.leafTownship[l]).id(), (long) R.persons[l], Long::sum);
            double c = (double) R.persons[l] / population(l);
            lowest = Math.min(lowest, c);
            highest = Math.max(highest, c);
            assertTrue(c <= Residence.MAX_COVERAGE);
        }
        assertTrue(lowest < 0.82 && highest > 0.92, "villages from " + lowest + " to " + highest);
        double low = 1;
        double high = 0;
        for (var t : S.townships()) {
            double c = (double) byTownship.get(t.id()) / t.population();
            assertTrue(c >= S.targetCoverage() + Residence.PLAN_MARGIN - 1e-4, t.id() + " at " + c);
            low = Math.min(low, c);
            high = Math.max(high, c);
        }
        assertTrue(high - low > 0.01, "townships from " + low + " to " + high);
    }

    /** The last wave loads each township's sites as the capacity plan expects: by population, swaps balanced. */
    @Test
    void theLastWaveLoadsEachTownshipByItsPopulation() {
        int last = S.waves().size() - 1;
        double perResident = (double) S.waves().get(last).persons() / S.population();
        for (var t : S.townships()) {
            long atSites = 0;
            for (int s = 0; s < S.sites().size(); s++) {
                if (S.sites().get(s).townshipId().equals(t.id())) {
                    atSites += R.visitors(s, last).total();
                }
            }
            long residents = 0;
            for (int l = 0; l < R.leaves(); l++) {
                if (S.townships().get(R.leafTownship[l]).id().equals(t.id())) {
                    residents += R.wavePersons[last][l];
                }
            }
            assertEquals(residents, atSites, t.id() + ": as many cross in as out");
            assertEquals(t.population() * perResident, atSites, 1.0 * R.leaves(), t.id());
        }
    }

    @Test
    void aShareOfPeopleAreSampledInANeighbouringTownship() {
        long away = 0;
        long all = 0;
        Map<String, Integer> partners = new HashMap<>();
        for (int s = 0; s < S.sites().size(); s++) {
            Site site = S.sites().get(s);
            for (int w = 0; w < S.waves().size(); w++) {
                Residence.Visitors v = R.visitors(s, w);
                for (int i = 0; i < v.leaf().length; i++) {
                    String home = S.townships().get(R.leafTownship[v.leaf()[i]]).id();
                    all += v.count()[i];
                    if (!home.equals(site.townshipId())) {
                        away += v.count()[i];
                        partners.merge(site.townshipId() + "<" + home, 1, Integer::sum);
                    }
                }
            }
        }
        double share = (double) away / all;
        assertTrue(share > 0.05 && share < 0.10, "sampled in another township: " + share);
        // Each township swaps with its nearest few, not with the whole county.
        Map<String, Long> partnersOf = new HashMap<>();
        partners.keySet().forEach(k -> partnersOf.merge(k.substring(0, k.indexOf('<')), 1L, Long::sum));
        partnersOf.forEach((t, n) -> assertTrue(n <= 6, t + " takes people from " + n + " townships"));
    }

    @Test
    void behindPlanLeavesHalfTheAreasLastWaveHomeAndOthersMakeUpForIt() {
        Area area = S.area("XG");
        int last = S.waves().size() - 1;
        Residence drilled = new Residence(S, 7, new Residence.Shortfall(S.areaIndex("XG"), last, 0.5));
        long before = 0;
        long after = 0;
        long total = 0;
        for (int l = 0; l < R.leaves(); l++) {
            total += drilled.persons[l];
            if (R.isUnder(l, S.areaIndex(area.id()))) {
                before += R.wavePersons[last][l];
                after += drilled.wavePersons[last][l];
                assertEquals(R.wavePersons[0][l], drilled.wavePersons[0][l], "the first wave is untouched");
            } else {
                assertTrue(drilled.wavePersons[last][l] >= R.wavePersons[last][l]);
            }
        }
        assertEquals(478_609, total);
        assertEquals(before / 2.0, after, R.leaves());
    }
}
