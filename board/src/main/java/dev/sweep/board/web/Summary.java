package dev.sweep.board.web;

import dev.sweep.board.state.BoardView;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What {@code /api/summary} answers: the county's and each township's figures (townships in the
 * scenario's order), the campaign clock as ISO-8601 in the campaign's zone, and the board's status.
 */
public record Summary(String status, String scenario, String clock, double target, County county,
                      List<TownshipFigures> townships) {

    public record County(long sampled, long population, double coverage, double ratePerHour, Double etaMinutes) {}

    public record TownshipFigures(String id, String name, String nameZh, long sampled, long population,
                                  double coverage, double ratePerHour, Double etaMinutes, int sitesLagging,
                                  int sitesSilent) {}

    public static Summary of(BoardView.Campaign campaign, BoardView view) {
        Map<String, BoardView.TownshipRow> rows = view.townships().stream()
                .collect(Collectors.toMap(BoardView.TownshipRow::id, Function.identity()));
        List<TownshipFigures> townships = campaign.townships().stream()
                .map(t -> rows.get(t.id()))
                .map(r -> new TownshipFigures(r.id(), r.name(), r.nameZh(), r.sampled(), r.population(), r.coverage(),
                        r.ratePerHour(), r.etaMinutes(), r.lagging(), r.silent()))
                .toList();
        BoardView.County c = view.county();
        String clock = view.clock() == null ? null
                : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                        Instant.ofEpochMilli(view.clock()).atZone(ZoneId.of(campaign.zone())));
        return new Summary(view.status(), campaign.name(), clock, campaign.target(),
                new County(c.sampled(), c.population(), c.coverage(), c.ratePerHour(), c.etaMinutes()), townships);
    }

    /** For tests and callers that want one township. */
    public TownshipFigures township(String id) {
        return townships.stream().filter(t -> t.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no township " + id));
    }
}
