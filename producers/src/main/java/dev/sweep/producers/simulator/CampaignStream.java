package dev.sweep.producers.simulator;

import dev.sweep.campaign.Area;
import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.campaign.Township;
import dev.sweep.campaign.Wave;
import dev.sweep.events.AlertKind;
import dev.sweep.schemas.Topics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A campaign's records in the order the stations send them, generated as they are taken: every site is a
 * generator of its own records in time order ({@link SiteWave}, one wave after the other), and a priority
 * queue merges them by send time (ties: the lower site number first; within a site, its own order). What it
 * holds is each site's state and next record, the re-sends due in the next 20 s, and counters for the
 * ledger: nothing grows with the campaign's people. {@link #ledger()} is the truth once the last record is
 * taken.
 */
public final class CampaignStream implements Iterator<Emission> {
    static final double DUPLICATE_SHARE = 0.05;

    private final Scenario scenario;
    private final long seed;
    private final Set<Drill> drills;
    private final long shift;
    private final Residents residents;
    private final Residence residence;
    private final CampaignSimulator.DrillPlan plan;
    private final SiteWave.Tallies tallies;
    private final PriorityQueue<SiteStream> sites = new PriorityQueue<>(
            Comparator.<SiteStream>comparingLong(s -> s.head.sendAt()).thenComparingInt(s -> s.number));
    private final PriorityQueue<Again> again = new PriorityQueue<>(
            Comparator.<Again>comparingLong(a -> a.emission.sendAt()).thenComparingLong(a -> a.order));
    private final SplittableRandom duplicateRng;
    private final BadRecords bad;
    private final ArrayDeque<Emission> ready = new ArrayDeque<>();
    private final List<Ledger.Fault> faults = new ArrayList<>();
    private final Map<String, Long> records = new TreeMap<>();
    private long scansTaken;
    private long duplicates;
    private long first = Long.MIN_VALUE;
    private long last;
    private Ledger ledger;

    private record Again(Emission emission, long order) {}

    /** One site's records, wave after wave. */
    private final class SiteStream {
        final int number;
        final Site site;
        final SiteWave.SiteMemory memory = new SiteWave.SiteMemory();
        int wave;
        SiteWave current;
        Emission head;

        SiteStream(int number, Site site) {
            this.number = number;
            this.site = site;
        }

        /** Takes the site's next record into {@link #head}; false once the site has closed its last wave. */
        boolean advance() {
            while (true) {
                if (current == null) {
                    if (wave == scenario.waves().size()) {
                        return false;
                    }
                    current = open(this);
                }
                Emission e = current.next();
                if (e != null) {
                    head = e;
                    return true;
                }
                faults.addAll(plan.faults(site, wave, current, shift));
                current = null;
                wave++;
            }
        }
    }

    CampaignStream(Scenario scenario, long seed, Set<Drill> drills, long shift, Residents residents,
                   Residence residence, CampaignSimulator.DrillPlan plan) {
        this.scenario = scenario;
        this.seed = seed;
        this.drills = drills;
        this.shift = shift;
        this.residents = residents;
        this.residence = residence;
        this.plan = plan;
        this.tallies = new SiteWave.Tallies(scenario.sites().size(), residence.leaves(), scenario.waves().size());
        this.duplicateRng = new SplittableRandom(CampaignSimulator.mix(seed, -1, -1));
        if (drills.contains(Drill.BAD_DATA)) {
            long scans = 0;
            for (int s = 0; s < scenario.sites().size(); s++) {
                for (int w = 0; w < scenario.waves().size(); w++) {
                    int newcomers = residence.visitors(s, w).total();
                    scans += newcomers + SiteWave.retests(seed, s, w, newcomers, scenario.retestShare());
                }
            }
            bad = new BadRecords(scenario, residents, scans, new SplittableRandom(CampaignSimulator.mix(seed, -4, -4)));
        } else {
            bad = null;
        }
        for (int s = 0; s < scenario.sites().size(); s++) {
            SiteStream site = new SiteStream(s, scenario.sites().get(s));
            if (site.advance()) {
                sites.add(site);
            }
        }
    }

    private SiteWave open(SiteStream s) {
        Wave wave = scenario.waves().get(s.wave);
        Residence.Visitors visitors = residence.visitors(s.number, s.wave);
        int retests = SiteWave.retests(seed, s.number, s.wave, visitors.total(), scenario.retestShare());
        return new SiteWave(s.site, s.number, s.wave, wave.opens().toEpochMilli(), wave.closes().toEpochMilli(),
                visitors, retests, s.memory, plan.effects(s.site.id(), s.wave), residence, residents,
                scenario.poolSize(), shift, seed, tallies);
    }

    @Override
    public boolean hasNext() {
        return !ready.isEmpty() || !sites.isEmpty() || !again.isEmpty();
    }

    @Override
    public Emission next() {
        if (ready.isEmpty()) {
            take();
        }
        Emission e = ready.poll();
        if (e == null) {
            throw new NoSuchElementException("the campaign has been sent");
        }
        records.merge(e.topic(), 1L, Long::sum);
        if (first == Long.MIN_VALUE) {
            first = e.sendAt();
        }
        last = e.sendAt();
        return e;
    }

    /** The next record by send time: a site's, or a re-send due earlier; a bad record follows its scan. */
    private void take() {
        SiteStream s = sites.peek();
        Again a = again.peek();
        if (a != null && (s == null || a.emission.sendAt() < s.head.sendAt())) {
            ready.add(again.poll().emission);
            return;
        }
        if (s == null) {
            return;
        }
        sites.poll();
        Emission e = s.head;
        if (s.advance()) {
            sites.add(s);
        }
        ready.add(e);
        if (!e.topic().equals(Topics.SCANS)) {
            return;
        }
        long ordinal = scansTaken++;
        if (drills.contains(Drill.DUPLICATES) && duplicateRng.nextDouble() < DUPLICATE_SHARE) {
            // A station that timed out waiting for an acknowledgement sends the same scan again.
            long later = e.sendAt() + 1_000 + duplicateRng.nextLong(19_000);
            again.add(new Again(e.sentAgainAt(later), duplicates++));
        }
        if (bad != null) {
            Emission b = bad.after(ordinal, e);
            if (b != null) {
                ready.add(b);
            }
        }
    }

    /** The truth about the records, once every one has been taken. */
    public Ledger ledger() {
        if (hasNext()) {
            throw new IllegalStateException("the ledger is complete once every record has been taken");
        }
        if (ledger == null) {
            ledger = makeLedger();
        }
        return ledger;
    }

    private Ledger makeLedger() {
        List<Site> siteList = scenario.sites();
        List<Area> areas = scenario.areas();
        Map<String, Ledger.SiteTally> siteTallies = new LinkedHashMap<>();
        for (int s = 0; s < siteList.size(); s++) {
            Site site = siteList.get(s);
            long[] v = tallies.site[s];
            siteTallies.put(site.id(), new Ledger.SiteTally(site.townshipId(), site.areaId(), v[0], v[1], v[2], v[3],
                    v[4], site.samplers(), site.capacityPerHour(), tallies.maxQueue[s],
                    v[0] == 0 ? null : CampaignSimulator.iso(tallies.firstScan[s]),
                    v[0] == 0 ? null : CampaignSimulator.iso(tallies.lastScan[s])));
        }

        long[] atHome = new long[areas.size()];
        for (int l = 0; l < residence.leaves(); l++) {
            for (int a : scenario.lineage(residence.leafArea[l])) {
                atHome[a] += tallies.leafPersons[l];
            }
        }
        Map<String, Ledger.AreaTally> areaTallies = new LinkedHashMap<>();
        for (int a = 0; a < areas.size(); a++) {
            Area area = areas.get(a);
            areaTallies.put(area.id(), new Ledger.AreaTally(area.level(), area.parentId(), area.population(), atHome[a],
                    coverage(atHome[a], area.population())));
        }

        Map<String, long[]> bySites = new LinkedHashMap<>(); // scans, personsAtSites, tubes, retests, sites, samplers
        scenario.townships().forEach(t -> bySites.put(t.id(), new long[6]));
        long[] county = new long[5];
        for (int s = 0; s < siteList.size(); s++) {
            long[] v = tallies.site[s];
            long[] t = bySites.get(siteList.get(s).townshipId());
            if (t != null) {
                t[0] += v[0];
                t[1] += v[1];
                t[2] += v[2];
                t[3] += v[3];
                t[4]++;
                t[5] += siteList.get(s).samplers();
            }
            for (int k = 0; k < 5; k++) {
                county[k] += v[k];
            }
        }
        Map<String, Ledger.TownshipTally> townshipTallies = new LinkedHashMap<>();
        for (Township t : scenario.townships()) {
            long[] v = bySites.get(t.id());
            long persons = atHome[scenario.areaIndex(t.id())];
            townshipTallies.put(t.id(), new Ledger.TownshipTally(t.nameZh(), t.name(), v[0], persons, v[2], v[3],
                    t.population(), coverage(persons, t.population()), (int) v[4], (int) v[5], v[1]));
        }
        List<Ledger.WaveTally> waveTallies = new ArrayList<>();
        for (int w = 0; w < scenario.waves().size(); w++) {
            Wave wave = scenario.waves().get(w);
            long[] v = tallies.wave[w];
            waveTallies.add(new Ledger.WaveTally(wave.name(), CampaignSimulator.iso(wave.opens().toEpochMilli() + shift),
                    CampaignSimulator.iso(wave.closes().toEpochMilli() + shift), v[0], v[1], v[2]));
        }
        long population = scenario.population();
        long persons = atHome[0];
        Ledger.County c = new Ledger.County(county[0], persons, county[2], county[3], population,
                coverage(persons, population), scenario.townships().size(), siteList.size(), scenario.samplers(),
                county[4], waveTallies);

        List<Ledger.Fault> all = new ArrayList<>(faults);
        if (plan.partitionTownship != null) {
            Township t = scenario.township(plan.partitionTownship);
            all.add(new Ledger.Fault(Drill.PARTITION.label(), null, t.id(), t.id(),
                    CampaignSimulator.iso(plan.partitionFrom + shift), CampaignSimulator.iso(plan.partitionUntil + shift),
                    null, t.name() + "'s stations held 10 min of events and sent them in one burst"));
        }
        if (plan.shortfall != null) {
            Area area = areas.get(plan.shortfall.area());
            int[] up = scenario.lineage(plan.shortfall.area());
            String township = up.length < 2 ? null : areas.get(up[up.length - 2]).id();
            Wave wave = scenario.waves().get(plan.shortfall.wave());
            long sampled = atHome[plan.shortfall.area()];
            all.add(new Ledger.Fault(Drill.BEHIND_PLAN.label(), null, township, area.id(),
                    CampaignSimulator.iso(wave.opens().toEpochMilli() + shift),
                    CampaignSimulator.iso(scenario.deadline().toEpochMilli() + shift), AlertKind.TOWNSHIP_BEHIND_PLAN.name(),
                    String.format(Locale.ROOT, "half of %s's people due in wave %s stayed home: %.1f%% sampled in the "
                                    + "end, against the target %.1f%% by the deadline", area.name(), wave.name(),
                            100.0 * sampled / area.population(), 100 * scenario.targetCoverage())));
        }
        all.sort(Comparator.comparing(Ledger.Fault::start).thenComparing(Ledger.Fault::kind)
                .thenComparing(f -> f.site() == null ? "" : f.site()));
        return new Ledger(scenario.name(), seed, drills.stream().sorted().map(Drill::label).toList(),
                CampaignSimulator.iso(first == Long.MIN_VALUE ? 0 : first), CampaignSimulator.iso(last), c, areaTallies,
                townshipTallies, siteTallies, duplicates, all, bad == null ? Map.of() : new TreeMap<>(bad.counts()),
                records);
    }

    private static double coverage(long persons, long population) {
        return population == 0 ? 0 : CampaignSimulator.round4((double) persons / population);
    }
}
