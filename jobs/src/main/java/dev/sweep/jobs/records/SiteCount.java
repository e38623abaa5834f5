package dev.sweep.jobs.records;

import java.util.Arrays;

/**
 * Part of one site's minute: scans, people counted in (or taken back), and the distinct tubes and samplers
 * seen (a Flink POJO). Parts of the same minute add up: counts sum, the sets join.
 */
public class SiteCount {
    /** The site's index in the campaign. */
    public int site;
    public long minute;
    public int scans;
    public int persons;
    public long[] tubes = new long[0];
    public long[] samplers = new long[0];

    public SiteCount() {}

    public SiteCount(int site, long minute) {
        this.site = site;
        this.minute = minute;
    }

    public void add(Counted c) {
        scans += c.scans;
        persons += c.persons;
        if (c.scans > 0) {
            tubes = with(tubes, c.tube);
            samplers = with(samplers, c.sampler);
        }
    }

    public void add(SiteCount part) {
        scans += part.scans;
        persons += part.persons;
        for (long t : part.tubes) {
            tubes = with(tubes, t);
        }
        for (long s : part.samplers) {
            samplers = with(samplers, s);
        }
    }

    private static long[] with(long[] set, long id) {
        for (long v : set) {
            if (v == id) {
                return set;
            }
        }
        long[] more = Arrays.copyOf(set, set.length + 1);
        more[set.length] = id;
        return more;
    }
}
