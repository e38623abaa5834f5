package dev.sweep.producers.simulator;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Faults the simulator can stage so the chain from station to pager is rehearsed. */
public enum Drill {
    /** A few sites stop scanning and heart-beating for 30 minutes. */
    SITE_OUTAGE("site-outage"),
    /** One site's samplers work at 30% speed for an hour while its queue grows. */
    SLOW_SITE("slow-site"),
    /** Arrivals surge at a few sites. */
    CONGESTION("congestion"),
    /** One township's stations hold 10 minutes of events, then send them late in one burst. */
    PARTITION("partition"),
    /** 5% of scans sent twice with the same scanId. */
    DUPLICATES("duplicates"),
    /** Corrupt bytes, unknown fingerprints, raw ID numbers, unknown sites, invalid fields. */
    BAD_DATA("bad-data"),
    /** Half the people of one area at the plan level due in the last wave stay home: it falls behind plan. */
    BEHIND_PLAN("behind-plan"),
    /** A mobile network outage: every station of one township is cut off for 10 minutes at once. */
    ALERT_STORM("alert-storm");

    private final String label;

    Drill(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses drill names; {@code all} means every drill. */
    public static Set<Drill> parse(Iterable<String> names) {
        Set<Drill> drills = EnumSet.noneOf(Drill.class);
        for (String name : names) {
            if (name.equals("all")) {
                drills.addAll(EnumSet.allOf(Drill.class));
                continue;
            }
            drills.add(Arrays.stream(values()).filter(d -> d.label.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown drill '" + name + "'; known: "
                            + Arrays.stream(values()).map(Drill::label).collect(Collectors.joining(", "))
                            + ", all")));
        }
        return drills;
    }
}
