package dev.sweep.board.web;

import dev.sweep.board.state.BoardFrame;
import dev.sweep.board.state.BoardView;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What {@code /api/summary} answers: the root's and each township's figures (the areas one level below the root,
 * in the scenario's order), the campaign clock as ISO-8601 in the campaign's zone, and the board's status.
 */
public record Summary(String status, String scenario, String clock, double target, County county,
                      List<TownshipFigures> townships) {

    public record County(long sampled, long population, double coverage, double ratePerHour, Double etaMinutes) {}

    public record TownshipFigures(String id, String name, String nameZh, long sampled, long population,
                                  double coverage, double ratePerHour, Double etaMinutes, int sitesLagging,
                                  int sitesSilent) {}

    public static Summary of(BoardFrame frame) {
        BoardView.Campaign campaign = frame.campaign();
        List<TownshipFigures> townships = frame.townships().stream()
                .map(r -> new TownshipFigures(r.id(), r.name(), r.nameZh(), r.sampled(), r.population(), r.coverage(),
                        r.ratePerHour(), r.etaMinutes(), r.lagging(), r.silent()))
                .toList();
        BoardView.County c = frame.county();
        String clock = frame.clock() == null ? null
                : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        Instant.ofEpochMilli(frame.clock()).atZone(ZoneId.of(campaign.zone())));
        return new Summary(frame.status(), campaign.name(), clock, campaign.target(),
                new County(c.sampled(), c.population(), c.coverage(), c.ratePerHour(), c.etaMinutes()), townships);
    }

    /** For tests and callers that want one township. */
    public TownshipFigures township(String id) {
        return townships.stream().filter(t -> t.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no township " + id));
    }
}
