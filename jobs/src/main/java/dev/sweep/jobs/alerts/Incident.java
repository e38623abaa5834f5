package dev.sweep.jobs.alerts;

/**
 * One rule's incident on one site, township or job, with its hysteresis (a Flink POJO): pending
 * while the condition has held for less than the raise delay, raised, then clearing while it has
 * been clear for less than the clear delay. {@code alertId} is set from RAISED to RESOLVED.
 */
public class Incident {
    /** What one observation does to the incident. */
    public enum Step { NONE, RAISE, RESOLVE }

    public String alertId;
    /** When the condition began; -1 while it does not hold and nothing is raised. */
    public long since = -1;
    /** When a raised incident's condition stopped holding; -1 while it holds. */
    public long clearSince = -1;

    public Incident() {}

    /**
     * @param holds          whether the condition holds at {@code now}
     * @param conditionSince when it began to hold, if it does (the start of a silence, say)
     */
    public Step observe(boolean holds, long conditionSince, long now, long raiseDelay, long clearDelay) {
        if (holds) {
            clearSince = -1;
            if (since < 0) {
                since = Math.min(conditionSince, now);
            }
            return alertId == null && now - since >= raiseDelay ? Step.RAISE : Step.NONE;
        }
        if (alertId == null) {
            since = -1;
            return Step.NONE;
        }
        if (clearSince < 0) {
            clearSince = now;
        }
        return now - clearSince >= clearDelay ? Step.RESOLVE : Step.NONE;
    }

    public boolean raised() {
        return alertId != null;
    }

    /** Nothing pending, nothing raised: the state can go. */
    public boolean idle() {
        return alertId == null && since < 0;
    }

    /** The one id of this incident, the same in every replay: kind, place and when it began. */
    static String idOf(String kind, String place, long since) {
        return kind + "/" + place + "/" + java.time.Instant.ofEpochMilli(since);
    }
}
