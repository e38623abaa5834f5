package dev.sweep.schemas;

import org.apache.avro.Schema;

/**
 * Walks an Avro binary body against its writer's schema without building anything, and refuses it when
 * any length, count or index it declares does not fit the bytes that are there. Avro itself trusts a
 * length prefix: a string that claims 2 GB makes it allocate 2 GB (or throw an exception of a type no
 * caller expects), which is how one hostile record could fail a task forever. After this walk every
 * read Avro makes stays inside the record.
 */
final class BodyBounds {
    /** Deeper nesting than any Sweep schema has: a recursive writer schema cannot run the stack out. */
    private static final int MAX_DEPTH = 32;

    private final byte[] bytes;
    private int pos;

    private BodyBounds(byte[] bytes, int from) {
        this.bytes = bytes;
        this.pos = from;
    }

    /**
     * @return where the body ends
     * @throws RejectedRecordException CORRUPT, saying what does not fit
     */
    static int check(Schema writer, byte[] bytes, int from) throws RejectedRecordException {
        BodyBounds b = new BodyBounds(bytes, from);
        b.value(writer, 0);
        return b.pos;
    }

    private void value(Schema s, int depth) throws RejectedRecordException {
        if (depth > MAX_DEPTH) {
            throw corrupt("nested deeper than " + MAX_DEPTH);
        }
        switch (s.getType()) {
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    value(f.schema(), depth + 1);
                }
            }
            case STRING, BYTES -> skip(length(s.getType().getName()));
            case INT -> varint(5);
            case LONG -> varint(10);
            case FLOAT -> skip(4);
            case DOUBLE -> skip(8);
            case BOOLEAN -> {
                long b = fixed(1);
                if (b > 1) {
                    throw corrupt("a boolean of " + b);
                }
            }
            case NULL -> { }
            case FIXED -> skip(s.getFixedSize());
            case ENUM -> index("enum", s.getEnumSymbols().size());
            case UNION -> value(s.getTypes().get(index("union branch", s.getTypes().size())), depth + 1);
            case ARRAY -> blocks(s.getElementType(), null, depth);
            case MAP -> blocks(s.getValueType(), Schema.create(Schema.Type.STRING), depth);
        }
    }

    /** Arrays and maps: blocks of items, each block a count (negative: followed by its byte size), ended by 0. */
    private void blocks(Schema item, Schema key, int depth) throws RejectedRecordException {
        while (true) {
            long count = zigzag(varint(10));
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                length("block");
            }
            if (count > bytes.length - pos) { // every item takes at least one byte, but for null items
                if (!(item.getType() == Schema.Type.NULL && key == null) || count > Integer.MAX_VALUE) {
                    throw corrupt("a block claims " + count + " items in " + (bytes.length - pos) + " bytes");
                }
            }
            for (long i = 0; i < count; i++) {
                if (key != null) {
                    value(key, depth + 1);
                }
                value(item, depth + 1);
            }
        }
    }

    private int index(String what, int size) throws RejectedRecordException {
        long i = zigzag(varint(10));
        if (i < 0 || i >= size) {
            throw corrupt(what + " " + i + " of " + size);
        }
        return (int) i;
    }

    /** A length prefix, checked against what is left. */
    private int length(String what) throws RejectedRecordException {
        long n = zigzag(varint(10));
        if (n < 0 || n > bytes.length - pos) {
            throw corrupt("a " + what + " claims " + n + " bytes, " + (bytes.length - pos) + " are left");
        }
        return (int) n;
    }

    /** The raw (unzigzagged) varint of at most {@code maxBytes} bytes. */
    private long varint(int maxBytes) throws RejectedRecordException {
        long v = 0;
        for (int i = 0; i < maxBytes; i++) {
            if (pos >= bytes.length) {
                throw corrupt("the body ends inside a number");
            }
            int b = bytes[pos++] & 0xff;
            v |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw corrupt("a number longer than " + maxBytes + " bytes");
    }

    private static long zigzag(long raw) {
        return (raw >>> 1) ^ -(raw & 1);
    }

    private long fixed(int n) throws RejectedRecordException {
        long v = n == 1 && pos < bytes.length ? bytes[pos] & 0xff : 0;
        skip(n);
        return v;
    }

    private void skip(int n) throws RejectedRecordException {
        if (n < 0 || n > bytes.length - pos) {
            throw corrupt("the body ends " + (n - (bytes.length - pos)) + " bytes short");
        }
        pos += n;
    }

    private static RejectedRecordException corrupt(String what) {
        return new RejectedRecordException(Rejection.CORRUPT, "the body does not fit its schema: " + what);
    }
}
