package dev.sweep.board.state;

import java.util.List;
import java.util.Map;

/**
 * The whole picture, as {@code /api/board} gives it (JSON): every area, every site, every bucket and alert. The page
 * gets far less: the campaign-wide panels and the view of one area ({@link AreaView}). Times are epoch milliseconds
 * of event time; coverage is 0..1; rates are per hour; ETAs in minutes (null: no rate).
 *
 * @param planned   the coverage the plan expects by the campaign clock ({@link Plan}), 0..1
 * @param townships the areas one level below the root (townships, a city's districts), worst first
 * @param areas     every area, the root first, in the scenario's order
 */
public record BoardView(String status, Long clock, double planned, County county, List<AreaRow> townships,
                        List<AreaRow> areas, List<SiteRow> sites, List<Bucket> throughput, Alerts alerts,
                        Health health) {

    /** The campaign as data: what does not change while it runs. */
    public record Campaign(String name, String title, String zone, double target, long deadline, long population,
                           List<String> levels, String planLevel, Crumb root, List<TownshipName> townships,
                           int areas, int sites) {}

    public record TownshipName(String id, String nameZh, String name) {}

    /** The root area's figures (a county's, a city's). */
    public record County(long sampled, long population, double coverage, double ratePerHour, Double etaMinutes,
                         Long minute) {}

    /**
     * One area's figures. Its lag is the coverage the plan expects by now ({@code planned}, the same for every area:
     * {@link Plan}) less its {@code coverage}: above 0 it is behind plan. (Not a field: it moves with the clock, and
     * every row would change every second.) {@code late}: at its current rate it reaches the target after the deadline;
     * {@code behindPlan}: the job's TOWNSHIP_BEHIND_PLAN alert is active for it. {@code sites}: sites standing in it
     * or below it; of those, {@code lagging} have an active SITE_SLOW or SITE_CONGESTED alert, {@code silent} are
     * silent or offline. {@code children}: how many areas lie one level below.
     */
    public record AreaRow(String id, String level, String nameZh, String name, long sampled, long population,
                          double coverage, double ratePerHour, Double etaMinutes, boolean late,
                          boolean behindPlan, int sites, int lagging, int silent, int children) {}

    /**
     * {@code area}: where the site stands; {@code rate15}: swabs per hour over the last 15 minutes, against
     * {@code capacity} per hour; {@code station}: OPEN, PAUSED or CLOSED as the last heartbeat said;
     * {@code condition}: the colour.
     */
    public record SiteRow(String id, String township, String area, String nameZh, String nameEn, int capacity, Long lastScan, double rate15, Integer queue, Integer lanes,
                          Integer samplers, String station, String condition, List<String> alerts, long sampled,
                          long scans) {}

    /** People first sampled in the five minutes from {@code start}: the root and each area one level below it. */
    public record Bucket(long start, long county, Map<String, Long> townships) {}

    public record Alerts(List<AlertRow> active, List<AlertRow> resolved) {}

    /** {@code area}: the area the alert is about; {@code placeZh}, {@code place}: the site's or the area's name. */
    public record AlertRow(String id, String kind, String state, String township, String site, String area,
                           String placeZh, String place, long since, long at, double value, double threshold,
                           String message, String messageEn) {}

    /** One step of the way from the root to an area. */
    public record Crumb(String id, String level, String nameZh, String name) {}

    /**
     * {@code watermarkLagMs}: how far the job's event clock is behind the board's campaign clock;
     * {@code unreadable}: records on the board's topics it could not use (not decoded, or a heartbeat the
     * campaign's checks refuse), {@code refused} the same by reason.
     */
    public record Health(double eventsPerSecond, long events, long duplicates, long late, long deadLetters,
                         Double watermarkLagMs, long unreadable, Map<String, Long> refused) {}
}
