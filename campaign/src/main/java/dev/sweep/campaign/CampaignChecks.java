package dev.sweep.campaign;

import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventChecks;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Rejection;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * What every reader of the stations' records (the coverage job, the board, the station gateway) accepts,
 * in one place: the event's own contract ({@link EventCodec}, {@link EventChecks}), then the campaign's: a
 * site it has, in the township it has it in, a home area below its root (when given), at a time inside its window (from {@link Scenario#windowStart()}
 * to {@link Scenario#windowEnd()}) and not ahead of the wall clock by more than {@link #MAX_AHEAD}. A record
 * outside the window would drag the event clock to another year and hold every later record hostage.
 * Details never echo a resident's ID number ({@link EventChecks#maskIdNumbers(String)}) nor more than
 * {@link #DETAIL_VALUE_CHARS} characters of any value.
 */
public final class CampaignChecks implements Serializable {
    private static final long serialVersionUID = 1L;
    /** A station clock this far ahead of ours is wrong, not early. */
    public static final Duration MAX_AHEAD = Duration.ofHours(1);
    /** How much of an offending value a rejection's detail quotes. */
    public static final int DETAIL_VALUE_CHARS = 40;

    private final Scenario campaign;
    private final long windowStart;
    private final long windowEnd;

    public CampaignChecks(Scenario campaign) {
        this.campaign = campaign;
        this.windowStart = campaign.windowStart().toEpochMilli();
        this.windowEnd = campaign.windowEnd().toEpochMilli();
    }

    public Scenario campaign() {
        return campaign;
    }

    /** Decodes and checks one scan; {@code now} is the wall clock in ms. */
    public ScanEvent scan(byte[] value, long now) throws RejectedRecordException {
        ScanEvent e = EventCodec.SCANS.decode(value);
        checkSite(e.getSiteId(), e.getTownshipId());
        checkHome(e.getHomeAreaId());
        checkTime(e.getScannedAt(), "scannedAt", now);
        return e;
    }

    /** Decodes and checks one heartbeat; {@code now} is the wall clock in ms. */
    public StationStatus heartbeat(byte[] value, long now) throws RejectedRecordException {
        StationStatus s = EventCodec.STATUSES.decode(value);
        if (EventChecks.containsIdNumber(s.getSiteId())) {
            throw new RejectedRecordException(Rejection.RAW_PERSONAL_ID, "siteId holds an ID number");
        }
        checkSite(s.getSiteId(), s.getTownshipId());
        checkTime(s.getReportedAt(), "reportedAt", now);
        return s;
    }

    private void checkSite(String siteId, String townshipId) throws RejectedRecordException {
        Site site = campaign.site(siteId);
        if (site == null) {
            throw new RejectedRecordException(Rejection.UNKNOWN_SITE,
                    "siteId " + quote(siteId) + " is not a site of " + campaign.name());
        }
        if (!site.townshipId().equals(townshipId)) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD,
                    "townshipId " + quote(townshipId) + " is not site " + site.id() + "'s township " + site.townshipId());
        }
    }

    /** A person lives in an area below the root: the root would count them toward no township. */
    private void checkHome(String homeAreaId) throws RejectedRecordException {
        if (homeAreaId == null) {
            return;
        }
        Area home = campaign.area(homeAreaId);
        if (home == null || home.isRoot()) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "homeAreaId " + quote(homeAreaId)
                    + (home == null ? " is not an area of " + campaign.name() : " is the whole campaign; name an area below it"));
        }
    }

    private void checkTime(Instant at, String field, long now) throws RejectedRecordException {
        long t = at.toEpochMilli();
        if (t < windowStart || t > windowEnd) {
            throw new RejectedRecordException(Rejection.OUT_OF_WINDOW, field + " " + at + " is outside the campaign's window "
                    + campaign.windowStart() + " .. " + campaign.windowEnd());
        }
        if (t > now + MAX_AHEAD.toMillis()) {
            throw new RejectedRecordException(Rejection.OUT_OF_WINDOW, field + " " + at
                    + " is more than " + MAX_AHEAD.toMinutes() + " min ahead of the wall clock");
        }
    }

    /** An offending value as a detail may show it: ID numbers masked, long values cut. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String masked = EventChecks.maskIdNumbers(value);
        return "'" + (masked.length() > DETAIL_VALUE_CHARS
                ? masked.substring(0, DETAIL_VALUE_CHARS) + "…(" + masked.length() + " chars)" : masked) + "'";
    }
}
