package dev.sweep.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.campaign.CampaignChecks;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * A station's batch as it comes over the wire, cut into records, each as Avro single-object bytes: the
 * {@code application/avro} body is the Avro binary encoding of an {@code array<bytes>} (each item one
 * single-object encoded record, exactly what a station would have written to Kafka); the
 * {@code application/json} body is a JSON array of objects with the Avro fields by name, turned into the same
 * bytes by {@link EventCodec}, so both kinds go through one set of checks. A JSON record that cannot become an
 * event is refused here (invalid-field), the rest later by {@link CampaignChecks}.
 */
public final class Batch {
    /** What to read: scans or heartbeats. */
    enum Kind {
        SCANS(ScanEvent.getClassSchema()), HEARTBEATS(StationStatus.getClassSchema());

        final Schema schema;
        final Set<String> fields;

        Kind(Schema schema) {
            this.schema = schema;
            this.fields = Set.copyOf(schema.getFields().stream().map(Schema.Field::name).toList());
        }
    }

    /** One record of the batch: its bytes, or why it could not even become bytes. */
    record Item(int index, byte[] value, RejectedRecordException refused) {}

    /** A body that cannot be cut into records at all (the whole request is refused). */
    static class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private Batch() {}

    static List<Item> avro(byte[] body, int maxRecords) throws Malformed {
        List<Item> items = new ArrayList<>();
        int[] pos = {0};
        while (true) {
            long count = varLong(body, pos);
            if (count == 0) {
                break;
            }
            if (count < 0) {
                count = -count;
                varLong(body, pos); // the block's size in bytes: not needed to read it
            }
            for (long i = 0; i < count; i++) {
                if (items.size() >= maxRecords) {
                    throw new TooMany(maxRecords);
                }
                long length = varLong(body, pos);
                if (length < 0 || length > body.length - pos[0]) {
                    throw new Malformed("record " + items.size() + " claims " + length + " bytes; " + (body.length - pos[0]) + " are left");
                }
                byte[] value = new byte[(int) length];
                System.arraycopy(body, pos[0], value, 0, value.length);
                pos[0] += value.length;
                items.add(new Item(items.size(), value, null));
            }
        }
        if (pos[0] != body.length) {
            throw new Malformed((body.length - pos[0]) + " bytes after the end of the array");
        }
        return items;
    }

    /** A body over the record limit. */
    static final class TooMany extends Malformed {
        TooMany(int max) {
            super("more than " + max + " records in one batch");
        }
    }

    /** The Avro binary encoding of {@code array<bytes>}: what a station posts as application/avro. */
    public static byte[] avroBody(List<byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!records.isEmpty()) {
            writeVarLong(out, records.size());
            for (byte[] r : records) {
                writeVarLong(out, r.length);
                out.writeBytes(r);
            }
        }
        writeVarLong(out, 0);
        return out.toByteArray();
    }

    static List<Item> json(byte[] body, Kind kind, int maxRecords) throws Malformed {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new Malformed("not JSON (" + e.getClass().getSimpleName() + " at " + location(e) + ")");
        }
        if (root == null || !root.isArray()) {
            throw new Malformed("a JSON array of records is expected");
        }
        if (root.size() > maxRecords) {
            throw new TooMany(maxRecords);
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            try {
                items.add(new Item(i, kind == Kind.SCANS ? EventCodec.SCANS.encode(scan(root.get(i)))
                        : EventCodec.STATUSES.encode(heartbeat(root.get(i))), null));
            } catch (RejectedRecordException e) {
                items.add(new Item(i, null, e));
            }
        }
        return items;
    }

    private static ScanEvent scan(JsonNode n) throws RejectedRecordException {
        requireFields(n, Kind.SCANS);
        return ScanEvent.newBuilder()
                .setScanId(text(n, "scanId")).setSiteId(text(n, "siteId")).setTownshipId(text(n, "townshipId"))
                .setSamplerId(text(n, "samplerId")).setTubeId(text(n, "tubeId")).setPersonKey(text(n, "personKey"))
                .setScannedAt(time(n, "scannedAt")).setPoolSize((int) number(n, "poolSize", Integer.MIN_VALUE, Integer.MAX_VALUE))
                .setStationSeq(n.has("stationSeq") ? number(n, "stationSeq", Long.MIN_VALUE, Long.MAX_VALUE) : -1L)
                .build();
    }

    private static StationStatus heartbeat(JsonNode n) throws RejectedRecordException {
        requireFields(n, Kind.HEARTBEATS);
        String state = text(n, "state");
        SiteState s;
        try {
            s = SiteState.valueOf(state);
        } catch (IllegalArgumentException e) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "state " + CampaignChecks.quote(state)
                    + " is not one of OPEN, PAUSED, CLOSED");
        }
        return StationStatus.newBuilder()
                .setSiteId(text(n, "siteId")).setTownshipId(text(n, "townshipId")).setReportedAt(time(n, "reportedAt"))
                .setState(s).setQueueLength((int) number(n, "queueLength", Integer.MIN_VALUE, Integer.MAX_VALUE))
                .setLanesOpen((int) number(n, "lanesOpen", Integer.MIN_VALUE, Integer.MAX_VALUE))
                .setSamplersOnDuty((int) number(n, "samplersOnDuty", Integer.MIN_VALUE, Integer.MAX_VALUE))
                .build();
    }

    private static void requireFields(JsonNode n, Kind kind) throws RejectedRecordException {
        if (n == null || !n.isObject()) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, "record is not a JSON object");
        }
        for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!kind.fields.contains(name)) {
                throw new RejectedRecordException(Rejection.INVALID_FIELD, "field " + CampaignChecks.quote(name)
                        + " is not a field of " + kind.schema.getName());
            }
        }
        for (Schema.Field f : kind.schema.getFields()) {
            if (!f.hasDefaultValue() && !n.has(f.name())) {
                throw new RejectedRecordException(Rejection.INVALID_FIELD, f.name() + " is missing");
            }
        }
    }

    private static String text(JsonNode n, String field) throws RejectedRecordException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, field + " is not a string");
        }
        return v.asText();
    }

    private static long number(JsonNode n, String field, long min, long max) throws RejectedRecordException {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, field + " is not a whole number in range");
        }
        return v.asLong();
    }

    /** Epoch milliseconds, or an ISO-8601 instant such as 2022-05-04T08:31:12.345+08:00. */
    private static Instant time(JsonNode n, String field) throws RejectedRecordException {
        JsonNode v = n.get(field);
        if (v != null && v.isIntegralNumber() && v.canConvertToLong()) {
            return Instant.ofEpochMilli(v.asLong());
        }
        if (v != null && v.isTextual()) {
            try {
                return java.time.OffsetDateTime.parse(v.asText()).toInstant();
            } catch (DateTimeParseException e) {
                // refused below
            }
        }
        throw new RejectedRecordException(Rejection.INVALID_FIELD, field + " is neither epoch milliseconds nor an ISO-8601 time with an offset");
    }

    /** The field a rejection's detail is about (details start with it), or null. */
    static String fieldOf(RejectedRecordException e, Kind kind) {
        String detail = detail(e);
        int space = detail.indexOf(' ');
        String first = space < 0 ? detail : detail.substring(0, space);
        return kind.fields.contains(first) ? first : null;
    }

    /** The detail of a rejection without its code. */
    static String detail(RejectedRecordException e) {
        String m = e.getMessage();
        String prefix = e.reason().code() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    private static String location(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
                ? "byte " + j.getLocation().getByteOffset() : "?";
    }

    private static long varLong(byte[] b, int[] pos) throws Malformed {
        long raw = 0;
        int shift = 0;
        while (true) {
            if (pos[0] >= b.length) {
                throw new Malformed("the body ends inside an Avro long at byte " + pos[0]);
            }
            int x = b[pos[0]++] & 0xff;
            raw |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw new Malformed("an Avro long of more than 10 bytes at byte " + pos[0]);
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static void writeVarLong(ByteArrayOutputStream out, long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7f) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
    }
}
