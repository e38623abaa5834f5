package dev.sweep.jobs.influx;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.Tally;

/**
 * The InfluxDB measurements (a contract: see DESIGN.md), as line protocol. A point is measurement
 * + tags + time, so writing the same minute again overwrites it: replays are idempotent.
 * Tags are low-cardinality names only; no person or tube ever becomes a tag.
 */
public final class InfluxLines {
    private InfluxLines() {}

    public static String siteThroughput(SiteMinute m) {
        return Point.measurement("site_throughput")
                .addTag("township", m.getTownshipId())
                .addTag("site", m.getSiteId())
                .addField("scans", (long) m.getScans())
                .addField("persons", (long) m.getPersons())
                .addField("tubes", (long) m.getTubes())
                .addField("samplers", (long) m.getSamplers())
                .time(m.getWindowStart().toEpochMilli(), WritePrecision.MS)
                .toLineProtocol();
    }

    public static String coverage(Coverage c) {
        Point p = Point.measurement("coverage")
                .addTag("scope", c.getScope() == CoverageScope.COUNTY ? "county" : "township")
                .addTag("township", c.getScope() == CoverageScope.COUNTY ? "county" : c.getTownshipId())
                .addField("sampled", c.getSampled())
                .addField("population", c.getPopulation())
                .addField("coverage", c.getCoverage())
                .addField("rate_per_hour", c.getRatePerHour())
                .time(c.getMinute().toEpochMilli(), WritePrecision.MS);
        if (c.getEtaMinutes() != null) {
            p.addField("eta_minutes", c.getEtaMinutes());
        }
        return p.toLineProtocol();
    }

    public static String siteStatus(Heartbeat h) {
        return Point.measurement("site_status")
                .addTag("township", h.townshipId)
                .addTag("site", h.siteId)
                .addField("state", h.state)
                .addField("queue", (long) h.queueLength)
                .addField("lanes", (long) h.lanesOpen)
                .addField("samplers", (long) h.samplersOnDuty)
                .time(h.reportedAt, WritePrecision.MS)
                .toLineProtocol();
    }

    /** Township and site tags only where the alert has them (FEED_STALLED is the job's). */
    public static String alert(Alert a) {
        Point p = Point.measurement("alerts").addTag("kind", a.getKind().name());
        if (a.getTownshipId() != null) {
            p.addTag("township", a.getTownshipId());
        }
        if (a.getSiteId() != null) {
            p.addTag("site", a.getSiteId());
        }
        return p.addField("state", a.getState().name())
                .addField("alert_id", a.getAlertId())
                .addField("message", a.getMessage())
                .addField("message_en", a.getMessageEn())
                .addField("value", a.getValue())
                .addField("threshold", a.getThreshold())
                .addField("since", a.getSince().toEpochMilli())
                .time(a.getAt().toEpochMilli(), WritePrecision.MS)
                .toLineProtocol();
    }

    public static String pipeline(String job, Tally t) {
        Point p = Point.measurement("pipeline")
                .addTag("job", job)
                .addField("events", t.events)
                .addField("duplicates", t.duplicates)
                .addField("late", t.late)
                .addField("dead_letters", t.deadLetters())
                .addField("dead_letters_corrupt", t.deadCorrupt)
                .addField("dead_letters_unknown_fingerprint", t.deadUnknownFingerprint)
                .addField("dead_letters_invalid_field", t.deadInvalidField)
                .addField("dead_letters_raw_personal_id", t.deadRawPersonalId)
                .addField("dead_letters_unknown_site", t.deadUnknownSite)
                .addField("dead_letters_out_of_window", t.deadOutOfWindow)
                .time(t.minute, WritePrecision.MS);
        if (!Double.isNaN(t.watermarkLagMs)) {
            p.addField("watermark_lag_ms", t.watermarkLagMs);
        }
        return p.toLineProtocol();
    }
}
