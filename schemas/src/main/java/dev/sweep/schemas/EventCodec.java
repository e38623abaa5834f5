package dev.sweep.schemas;

import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.StationStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding ({@code C3 01}, 8-byte fingerprint, body) for one event type.
 * Decoding resolves the writer's schema from {@link KeptSchemas} and then applies the
 * type's contract checks, so a caller gets a valid record or a typed {@link Rejection}.
 * Instances are thread-safe (Avro keeps its buffers per thread).
 */
public final class EventCodec<T extends SpecificRecord> {
    public static final EventCodec<ScanEvent> SCANS =
            new EventCodec<>(ScanEvent.getClassSchema(), EventChecks::scan);
    public static final EventCodec<StationStatus> STATUSES =
            new EventCodec<>(StationStatus.getClassSchema(), EventChecks::status);
    public static final EventCodec<SiteMinute> SITE_MINUTES =
            new EventCodec<>(SiteMinute.getClassSchema(), r -> {});
    public static final EventCodec<Coverage> COVERAGE =
            new EventCodec<>(Coverage.getClassSchema(), r -> {});
    public static final EventCodec<Alert> ALERTS =
            new EventCodec<>(Alert.getClassSchema(), r -> {});
    public static final EventCodec<PipelineMinute> PIPELINE =
            new EventCodec<>(PipelineMinute.getClassSchema(), r -> {});

    /** Contract checks on a decoded record. */
    @FunctionalInterface
    public interface Check<T> {
        void check(T record) throws RejectedRecordException;
    }

    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;
    private static final int HEADER_LENGTH = 10;

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final Check<T> check;

    private EventCodec(Schema schema, Check<T> check) {
        SpecificData model = SpecificData.getForSchema(schema);
        this.schema = schema;
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema, KeptSchemas.get());
        this.check = check;
    }

    public Schema schema() {
        return schema;
    }

    public byte[] encode(T record) {
        try {
            return encoder.encode(record).array();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + schema.getName(), e);
        }
    }

    /**
     * The record, or a {@link Rejection} saying why not: never another exception, whatever the bytes. The
     * body is first walked against the writer's schema ({@link BodyBounds}), so no length it claims can
     * make Avro read past the record or allocate more than the record holds.
     */
    public T decode(byte[] bytes) throws RejectedRecordException {
        if (bytes == null || bytes.length < HEADER_LENGTH || bytes[0] != MAGIC_0 || bytes[1] != MAGIC_1) {
            throw new RejectedRecordException(Rejection.CORRUPT,
                    "not Avro single-object encoded (no C3 01 header)");
        }
        Schema writer = KeptSchemas.get().findByFingerprint(
                ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
        if (writer == null) {
            throw new RejectedRecordException(Rejection.UNKNOWN_FINGERPRINT,
                    "no kept schema has fingerprint " + fingerprintHex(bytes));
        }
        if (!writer.getFullName().equals(schema.getFullName())) {
            throw new RejectedRecordException(Rejection.CORRUPT,
                    "a " + writer.getName() + " where a " + schema.getName() + " belongs");
        }
        int end = BodyBounds.check(writer, bytes, HEADER_LENGTH);
        if (end < bytes.length) {
            throw new RejectedRecordException(Rejection.CORRUPT,
                    (bytes.length - end) + " bytes after the end of the " + schema.getName() + " body");
        }
        T record;
        try {
            record = decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            // The walk above leaves Avro little to object to (an unknown enum default, say); whatever it is,
            // it is this record's fault and a rejection, never the reader's failure.
            throw new RejectedRecordException(Rejection.CORRUPT, schema.getName() + " body does not parse: "
                    + e.getClass().getSimpleName(), e);
        }
        check.check(record);
        return record;
    }

    /** The writer fingerprint of a single-object encoded message, as 16 hex digits (little endian as sent). */
    public static String fingerprintHex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 2; i < Math.min(bytes.length, HEADER_LENGTH); i++) {
            sb.append(String.format("%02x", bytes[i]));
        }
        return sb.toString();
    }
}
