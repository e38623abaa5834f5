package dev.sweep.board.state;

import java.util.List;
import java.util.Map;

/**
 * One picture of the board, as the browser and {@code /api/board} get it (JSON). Times are epoch
 * milliseconds of event time; coverage is 0..1; rates are per hour; ETAs in minutes (null: no rate).
 */
public record BoardView(String status, Long clock, County county, List<TownshipRow> townships, List<SiteRow> sites,
                        List<Bucket> throughput, Alerts alerts, Health health) {

    /** The campaign as data: what does not change while it runs. */
    public record Campaign(String name, String title, String zone, double target, long deadline, long population,
                           List<TownshipName> townships, int sites) {}

    public record TownshipName(String id, String nameZh, String name) {}

    public record County(long sampled, long population, double coverage, double ratePerHour, Double etaMinutes,
                         Long minute) {}

    /** {@code lagging}: sites with an active SITE_SLOW or SITE_CONGESTED alert; {@code silent}: silent or offline. */
    public record TownshipRow(String id, String nameZh, String name, long sampled, long population, double coverage,
                              double ratePerHour, Double etaMinutes, int sites, int lagging, int silent,
                              boolean behindPlan) {}

    /**
     * {@code rate15}: swabs per hour over the last 15 minutes, against {@code capacity} per hour;
     * {@code station}: OPEN, PAUSED or CLOSED as the last heartbeat said; {@code condition}: the colour.
     */
    public record SiteRow(String id, String township, String nameZh, String nameEn, int capacity, Long lastScan,
                          double rate15, Integer queue, Integer lanes, Integer samplers, String station,
                          String condition, List<String> alerts, long sampled, long scans) {}

    /** People first sampled in the five minutes from {@code start}: the county and each township. */
    public record Bucket(long start, long county, Map<String, Long> townships) {}

    public record Alerts(List<AlertRow> active, List<AlertRow> resolved) {}

    public record AlertRow(String id, String kind, String state, String township, String site, long since, long at,
                           double value, double threshold, String message, String messageEn) {}

    /**
     * {@code watermarkLagMs}: how far the job's event clock is behind the board's campaign clock;
     * {@code unreadable}: records on the board's topics it could not use (not decoded, or a heartbeat the
     * campaign's checks refuse), {@code refused} the same by reason.
     */
    public record Health(double eventsPerSecond, long events, long duplicates, long late, long deadLetters,
                         Double watermarkLagMs, long unreadable, Map<String, Long> refused) {}
}
