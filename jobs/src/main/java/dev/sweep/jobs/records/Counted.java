package dev.sweep.jobs.records;

/**
 * What the person register lets through for counting (a Flink POJO): a scan at a site and minute, and
 * whether it adds a person (+1: the person's first scan by event time), or takes one back (-1: a scan
 * that was first until an earlier one of the same person came in; it carries no scan, tube or sampler).
 */
public class Counted {
    public int site;
    /** The person's home area ({@link Scan#home}): where a +1 or -1 counts. */
    public int home;
    public long at;
    /** 1 for a scan, 0 for a person taken back. */
    public int scans;
    /** +1, 0 or -1. */
    public int persons;
    public long tube;
    public long sampler;

    public Counted() {}

    public static Counted scan(Scan s, int persons) {
        Counted c = new Counted();
        c.site = s.site;
        c.home = s.home;
        c.at = s.scannedAt;
        c.scans = 1;
        c.persons = persons;
        c.tube = s.tube;
        c.sampler = s.sampler;
        return c;
    }

    /** The person first counted at {@code site} (toward {@code home}) at {@code at} is counted elsewhere now. */
    public static Counted takenBack(int site, int home, long at) {
        Counted c = new Counted();
        c.site = site;
        c.home = home;
        c.at = at;
        c.persons = -1;
        return c;
    }
}
