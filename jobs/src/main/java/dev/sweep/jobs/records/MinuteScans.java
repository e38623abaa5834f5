package dev.sweep.jobs.records;

/** How many scans a site has in one minute of event time so far: what the site alerts need of its minutes (a Flink POJO). */
public class MinuteScans {
    /** The site's index in the campaign. */
    public int site;
    public long minute;
    public int scans;

    public MinuteScans() {}

    public MinuteScans(int site, long minute, int scans) {
        this.site = site;
        this.minute = minute;
        this.scans = scans;
    }
}
