package dev.sweep.jobs.influx;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.Tally;

/**
 * The InfluxDB measurements (a contract: docs/design.md), as line protocol, written straight into a
 * StringBuilder (a point per site minute and heartbeat: this is on the job's hot path). A point is
 * measurement + tags + time, so writing the same minute again overwrites it: replays are idempotent. Tags
 * are low-cardinality names only; no person or tube ever becomes a tag. Times are in milliseconds.
 */
public final class InfluxLines {
    private InfluxLines() {}

    public static String siteThroughput(SiteMinute m) {
        return new Line("site_throughput").tag("site", m.getSiteId()).tag("township", m.getTownshipId())
                .field("scans", m.getScans()).field("persons", m.getPersons()).field("tubes", m.getTubes())
                .field("samplers", m.getSamplers())
                .at(m.getWindowStart().toEpochMilli());
    }

    /**
     * Tagged by level and area (one series per area: a city of 800 communities makes 891), and as before by
     * scope (county, township, area) and township ("county" for the root), which the dashboards filter on.
     */
    public static String coverage(Coverage c) {
        CoverageScope scope = c.getScope();
        Line line = new Line("coverage").tag("scope", scope == CoverageScope.COUNTY ? "county"
                        : scope == CoverageScope.TOWNSHIP ? "township" : "area")
                .tag("township", scope == CoverageScope.COUNTY ? "county" : c.getTownshipId())
                .tag("level", c.getLevel()).tag("area", c.getAreaId())
                .field("sampled", c.getSampled()).field("population", c.getPopulation())
                .field("coverage", c.getCoverage()).field("rate_per_hour", c.getRatePerHour());
        if (c.getEtaMinutes() != null) {
            line.field("eta_minutes", c.getEtaMinutes());
        }
        return line.at(c.getMinute().toEpochMilli());
    }

    public static String siteStatus(Heartbeat h, Scenario campaign) {
        Site site = campaign.sites().get(h.site);
        return new Line("site_status").tag("site", site.id()).tag("township", site.townshipId())
                .field("state", h.state.name()).field("queue", h.queueLength).field("lanes", h.lanesOpen)
                .field("samplers", h.samplersOnDuty)
                .at(h.reportedAt);
    }

    /** Township and site tags only where the alert has them (FEED_STALLED is the job's). */
    public static String alert(Alert a) {
        Line line = new Line("alerts").tag("kind", a.getKind().name());
        if (a.getSiteId() != null) {
            line.tag("site", a.getSiteId());
        }
        if (a.getTownshipId() != null) {
            line.tag("township", a.getTownshipId());
        }
        if (a.getAreaId() != null) {
            line.tag("area", a.getAreaId());
        }
        return line.field("state", a.getState().name()).field("alert_id", a.getAlertId())
                .field("message", a.getMessage()).field("message_en", a.getMessageEn())
                .field("value", a.getValue()).field("threshold", a.getThreshold())
                .field("since", a.getSince().toEpochMilli())
                .at(a.getAt().toEpochMilli());
    }

    public static String pipeline(String job, Tally t) {
        Line line = new Line("pipeline").tag("job", job)
                .field("events", t.events).field("duplicates", t.duplicates).field("late", t.late)
                .field("dead_letters", t.deadLetters())
                .field("dead_letters_corrupt", t.deadCorrupt)
                .field("dead_letters_unknown_fingerprint", t.deadUnknownFingerprint)
                .field("dead_letters_invalid_field", t.deadInvalidField)
                .field("dead_letters_raw_personal_id", t.deadRawPersonalId)
                .field("dead_letters_unknown_site", t.deadUnknownSite)
                .field("dead_letters_out_of_window", t.deadOutOfWindow);
        if (!Double.isNaN(t.watermarkLagMs)) {
            line.field("watermark_lag_ms", t.watermarkLagMs);
        }
        return line.at(t.minute);
    }

    /**
     * One point being written; its tags are given in key order, as InfluxDB keeps them (it takes such lines
     * fastest). Escaping as the line protocol has it; a line break in a value becomes a space.
     */
    static final class Line {
        private final StringBuilder sb = new StringBuilder(160);
        private boolean firstField = true;

        Line(String measurement) {
            escape(measurement, ", ");
        }

        Line tag(String key, CharSequence value) {
            sb.append(',');
            escape(key, ",= ");
            sb.append('=');
            escape(value, ",= ");
            return this;
        }

        Line field(String key, long value) {
            name(key);
            sb.append(value).append('i');
            return this;
        }

        /** A float field; NaN and infinities have no line protocol form and are left out. */
        Line field(String key, double value) {
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                return this;
            }
            name(key);
            sb.append(value);
            return this;
        }

        Line field(String key, CharSequence value) {
            name(key);
            sb.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c == '\n' || c == '\r' ? ' ' : c);
            }
            sb.append('"');
            return this;
        }

        String at(long millis) {
            return sb.append(' ').append(millis).toString();
        }

        private void name(String key) {
            sb.append(firstField ? ' ' : ',');
            firstField = false;
            escape(key, ",= ");
            sb.append('=');
        }

        private void escape(CharSequence s, String special) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (special.indexOf(c) >= 0) {
                    sb.append('\\');
                }
                sb.append(c == '\n' || c == '\r' ? ' ' : c);
            }
        }
    }
}
