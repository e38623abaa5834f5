package dev.sweep.board.state;

import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The job's incidents. State: the raised ones by alert id, and the {@link #RESOLVED_KEPT} most
 * recently resolved (an incident is RAISED once and RESOLVED once, under one alert id).
 */
final class AlertBook {
    static final int RESOLVED_KEPT = 30;
    /** Newest first; ties in a stable order, so a rebuild shows the same list. */
    static final Comparator<Alert> NEWEST_FIRST = Comparator.comparing(Alert::getAt).reversed()
            .thenComparing(a -> a.getAlertId().toString());

    private final Map<String, Alert> active = new LinkedHashMap<>();
    private final List<Alert> resolved = new ArrayList<>();

    void apply(Alert a) {
        String id = a.getAlertId().toString();
        if (a.getState() == AlertState.RAISED) {
            if (resolved.stream().noneMatch(r -> r.getAlertId().toString().equals(id))) {
                active.put(id, a); // a re-send of RAISED (at-least-once) just replaces itself
            }
            return;
        }
        active.remove(id);
        resolved.removeIf(r -> r.getAlertId().toString().equals(id));
        resolved.add(a);
        resolved.sort(NEWEST_FIRST);
        if (resolved.size() > RESOLVED_KEPT) {
            resolved.subList(RESOLVED_KEPT, resolved.size()).clear();
        }
    }

    List<Alert> active() {
        List<Alert> list = new ArrayList<>(active.values());
        list.sort(Comparator.comparing(Alert::getSince).thenComparing(a -> a.getAlertId().toString()));
        return list;
    }

    List<Alert> resolved() {
        return List.copyOf(resolved);
    }

    /** Kinds of the active alerts of each site. */
    Map<String, Set<AlertKind>> activeBySite() {
        Map<String, Set<AlertKind>> bySite = new LinkedHashMap<>();
        for (Alert a : active.values()) {
            if (a.getSiteId() != null) {
                bySite.computeIfAbsent(a.getSiteId().toString(), s -> EnumSet.noneOf(AlertKind.class)).add(a.getKind());
            }
        }
        return bySite;
    }
}
