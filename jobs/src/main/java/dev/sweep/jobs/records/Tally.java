package dev.sweep.jobs.records;

import dev.sweep.events.PipelineMinute;
import dev.sweep.jobs.coverage.PipelineHealth;
import dev.sweep.schemas.Rejection;

/**
 * Counts of what the pipeline saw in one minute of event time (a Flink POJO). Operators emit
 * partial tallies; {@link PipelineHealth} adds them up.
 */
public class Tally {
    public long minute;
    public long events;
    public long duplicates;
    public long late;
    public long deadCorrupt;
    public long deadUnknownFingerprint;
    public long deadInvalidField;
    public long deadRawPersonalId;
    public long deadUnknownSite;
    public long deadOutOfWindow;
    /** Set on the minute totals {@link PipelineHealth} emits: wall clock minus watermark; NaN if unknown. */
    public double watermarkLagMs = Double.NaN;

    public Tally() {}

    public Tally(long minute) {
        this.minute = minute;
    }

    public long deadLetters() {
        return deadCorrupt + deadUnknownFingerprint + deadInvalidField + deadRawPersonalId + deadUnknownSite + deadOutOfWindow;
    }

    public void add(Tally o) {
        events += o.events;
        duplicates += o.duplicates;
        late += o.late;
        deadCorrupt += o.deadCorrupt;
        deadUnknownFingerprint += o.deadUnknownFingerprint;
        deadInvalidField += o.deadInvalidField;
        deadRawPersonalId += o.deadRawPersonalId;
        deadUnknownSite += o.deadUnknownSite;
        deadOutOfWindow += o.deadOutOfWindow;
    }

    /** @param reason a {@link Rejection} code, as dead letters carry it */
    public void countDeadLetter(String reason) {
        switch (Rejection.ofCode(reason)) {
            case CORRUPT -> deadCorrupt++;
            case UNKNOWN_FINGERPRINT -> deadUnknownFingerprint++;
            case INVALID_FIELD -> deadInvalidField++;
            case RAW_PERSONAL_ID -> deadRawPersonalId++;
            case UNKNOWN_SITE -> deadUnknownSite++;
            case OUT_OF_WINDOW -> deadOutOfWindow++;
        }
    }

    /** This minute's totals as the board reads them from {@code sweep.pipeline}. */
    public PipelineMinute toPipelineMinute(String job) {
        return new PipelineMinute(job, java.time.Instant.ofEpochMilli(minute), events, duplicates, late, deadLetters(),
                Double.isNaN(watermarkLagMs) ? null : watermarkLagMs);
    }

    /** The start of the event-time minute {@code millis} falls in. */
    public static long minuteOf(long millis) {
        return Math.floorDiv(millis, 60_000L) * 60_000L;
    }
}
