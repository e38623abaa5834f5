package dev.sweep.schemas;

import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The contract of each input event beyond what its Avro schema can say. */
public final class EventChecks {
    /** A station-side keyed hash: HMAC-SHA256 of the ID, first 128 bits, lowercase hex. */
    public static final Pattern PERSON_KEY = Pattern.compile("[0-9a-f]{32}");

    // A second-generation resident ID (18 characters) or a first-generation one (15 digits),
    // not glued to other digits. Candidates are confirmed by birth date and check digit so that
    // long digit runs in ordinary ids are not mistaken for one.
    private static final Pattern ID_CANDIDATE =
            Pattern.compile("(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])");
    private static final int[] ID_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final char[] ID_CHECK = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    private EventChecks() {}

    public static void scan(ScanEvent e) throws RejectedRecordException {
        requireText("scanId", e.getScanId());
        requireText("siteId", e.getSiteId());
        requireText("townshipId", e.getTownshipId());
        requireText("samplerId", e.getSamplerId());
        requireText("tubeId", e.getTubeId());
        requireText("personKey", e.getPersonKey());
        if (!isPersonKey(e.getPersonKey())) {
            if (containsIdNumber(e.getPersonKey())) {
                throw new RejectedRecordException(Rejection.RAW_PERSONAL_ID, "personKey holds an ID number");
            }
            throw new RejectedRecordException(Rejection.INVALID_FIELD,
                    "personKey is not a keyed hash (32 lowercase hex digits)");
        }
        for (String[] field : new String[][] {
                {"scanId", e.getScanId()}, {"siteId", e.getSiteId()}, {"samplerId", e.getSamplerId()},
                {"tubeId", e.getTubeId()}, {"homeAreaId", e.getHomeAreaId()}}) {
            if (containsIdNumber(field[1])) {
                throw new RejectedRecordException(Rejection.RAW_PERSONAL_ID, field[0] + " holds an ID number");
            }
        }
        if (e.getHomeAreaId() != null && e.getHomeAreaId().isBlank()) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "homeAreaId is empty (leave it null when unknown)");
        }
        requireTime("scannedAt", e.getScannedAt());
        int pool = e.getPoolSize();
        if (pool != 1 && pool != 5 && pool != 10) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "poolSize is " + pool + ", not 1, 5 or 10");
        }
        if (e.getStationSeq() < -1) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "stationSeq is negative");
        }
    }

    public static void status(StationStatus s) throws RejectedRecordException {
        requireText("siteId", s.getSiteId());
        requireText("townshipId", s.getTownshipId());
        requireTime("reportedAt", s.getReportedAt());
        if (s.getQueueLength() < 0) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "queueLength is negative");
        }
        if (s.getLanesOpen() < 0) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "lanesOpen is negative");
        }
        if (s.getSamplersOnDuty() < 0) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "samplersOnDuty is negative");
        }
    }

    // What masking hides: any 15- or 18-character run that reads as an ID number with a valid birth date,
    // whether or not its check digit is right (a mistyped ID number is still a person's).
    private static final Pattern ID_TO_MASK = Pattern.compile("(?<![0-9])([0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])");

    /**
     * The text with every resident ID number in it masked: the area code (first six digits) and the last
     * character stay, enough to tell where a record came from and to match a report, and nothing else.
     */
    public static String maskIdNumbers(String text) {
        if (text == null || text.length() < 15) {
            return text;
        }
        Matcher m = ID_TO_MASK.matcher(text);
        StringBuilder out = null;
        while (m.find()) {
            if (looksLikeIdNumber(m.group(1))) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                for (int i = m.start(1) + 6; i < m.end(1) - 1; i++) {
                    out.setCharAt(i, '*');
                }
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * A copy of raw bytes with every resident ID number written in them (as ASCII, the way Avro writes a
     * string) masked as {@link #maskIdNumbers(String)} does. Lengths do not change, so a record that
     * parsed still parses.
     */
    public static byte[] maskIdNumbers(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        byte[] out = bytes.clone();
        int run = 0;
        for (int i = 0; i <= out.length; i++) {
            byte b = i < out.length ? out[i] : 0;
            boolean digit = b >= '0' && b <= '9';
            boolean checkX = (b == 'X' || b == 'x') && run == 17;
            if (digit || checkX) {
                run++;
                if (checkX) {
                    maskRun(out, i + 1 - run, run);
                    run = 0;
                }
                continue;
            }
            maskRun(out, i - run, run);
            run = 0;
        }
        return out;
    }

    private static void maskRun(byte[] bytes, int from, int length) {
        if (length != 15 && length != 18) {
            return;
        }
        String candidate = new String(bytes, from, length, java.nio.charset.StandardCharsets.US_ASCII);
        if (looksLikeIdNumber(candidate)) {
            for (int i = from + 6; i < from + length - 1; i++) {
                bytes[i] = '*';
            }
        }
    }

    private static boolean looksLikeIdNumber(String id) {
        return id.length() == 15 ? validDate("19" + id.substring(6, 12)) : validDate(id.substring(6, 14));
    }

    /** Whether the text is a station-side keyed hash: 32 lowercase hex digits ({@link #PERSON_KEY}). */
    public static boolean isPersonKey(String text) {
        if (text.length() != 32) {
            return false;
        }
        for (int i = 0; i < 32; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** True when the text contains a plausible resident ID number (valid date and check digit). */
    public static boolean containsIdNumber(String text) {
        if (text == null || text.length() < 15 || !hasDigitRun(text, 15)) {
            return false; // every field of every good record leaves here: no regex on the hot path
        }
        Matcher m = ID_CANDIDATE.matcher(text);
        while (m.find()) {
            if (isIdNumber(m.group(1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasDigitRun(String text, int length) {
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            run = c >= '0' && c <= '9' ? run + 1 : 0;
            if (run >= length) {
                return true;
            }
        }
        return false;
    }

    static boolean isIdNumber(String id) {
        if (id.length() == 15) {
            return validDate("19" + id.substring(6, 12));
        }
        if (!validDate(id.substring(6, 14))) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (id.charAt(i) - '0') * ID_WEIGHTS[i];
        }
        return Character.toUpperCase(id.charAt(17)) == ID_CHECK[sum % 11];
    }

    /** The check character of the first 17 digits of an 18-character ID. */
    public static char idCheckCharacter(String first17) {
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (first17.charAt(i) - '0') * ID_WEIGHTS[i];
        }
        return ID_CHECK[sum % 11];
    }

    private static boolean validDate(String yyyymmdd) {
        try {
            LocalDate d = LocalDate.of(Integer.parseInt(yyyymmdd.substring(0, 4)),
                    Integer.parseInt(yyyymmdd.substring(4, 6)), Integer.parseInt(yyyymmdd.substring(6, 8)));
            return d.getYear() >= 1880 && d.getYear() <= 2100;
        } catch (DateTimeException | NumberFormatException e) {
            return false;
        }
    }

    private static void requireText(String field, String value) throws RejectedRecordException {
        if (value == null || value.isBlank()) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, field + " is empty");
        }
    }

    private static void requireTime(String field, Instant t) throws RejectedRecordException {
        if (t == null || t.isBefore(EARLIEST) || !t.isBefore(LATEST)) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, field + " is out of range: " + t);
        }
    }
}
