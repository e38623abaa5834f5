package dev.sweep.schemas;

import java.util.List;

/** The Kafka topics of the pipeline (a contract: docs/design.md). */
public final class Topics {
    /** ScanEvent, key siteId. */
    public static final String SCANS = "sweep.scans";
    /** StationStatus, key siteId. */
    public static final String STATION_STATUS = "sweep.station-status";
    /** SiteMinute, key siteId. */
    public static final String SITE_MINUTES = "sweep.site-minutes";
    /** Coverage, key townshipId (or "county"). */
    public static final String COVERAGE = "sweep.coverage";
    /** Alert, key townshipId. */
    public static final String ALERTS = "sweep.alerts";
    /** PipelineMinute, key job: the data-health figures of each job per event-time minute. */
    public static final String PIPELINE = "sweep.pipeline";
    /** Refused records (a copy, at most 64 KiB, ID numbers masked); headers reason, detail, topic, partition, offset, original-length. */
    public static final String DEAD_LETTERS = "sweep.dead-letters";
    /** Alert records the hooks could not deliver before giving up; headers reason, detail, topic, partition, offset. */
    public static final String UNDELIVERED_ALERTS = "sweep.undelivered-alerts";

    public static final List<String> ALL =
            List.of(SCANS, STATION_STATUS, SITE_MINUTES, COVERAGE, ALERTS, PIPELINE, DEAD_LETTERS, UNDELIVERED_ALERTS);

    /** Topics with one partition: low volume, and their readers want one order. */
    public static final List<String> SINGLE_PARTITION = List.of(PIPELINE, DEAD_LETTERS, UNDELIVERED_ALERTS);

    /** Dead-letter header names. */
    public static final String HEADER_REASON = "reason";
    public static final String HEADER_DETAIL = "detail";
    public static final String HEADER_TOPIC = "topic";
    public static final String HEADER_PARTITION = "partition";
    public static final String HEADER_OFFSET = "offset";
    /** On a dead letter whose copy was cut: the length of the record as it came. */
    public static final String HEADER_ORIGINAL_LENGTH = "original-length";

    private Topics() {}
}
