package dev.sweep.jobs.records;

/** People counted into (or taken back from) one area in one minute of event time (a Flink POJO). */
public class AreaCount {
    public String area;
    public long minute;
    public int persons;

    public AreaCount() {}

    public AreaCount(String area, long minute, int persons) {
        this.area = area;
        this.minute = minute;
        this.persons = persons;
    }
}
