package dev.sweep.schemas;

/**
 * Why a record was refused. The code is what dead letters carry in their {@code reason}
 * header and what the simulator's ledger counts bad records by.
 */
public enum Rejection {
    /** Not single-object encoded, or the body does not parse with the writer's schema. */
    CORRUPT("corrupt"),
    /** Single-object header whose fingerprint no kept schema version has. */
    UNKNOWN_FINGERPRINT("unknown-fingerprint"),
    /** Parses, but a field breaks the contract (empty id, pool size, key format...). */
    INVALID_FIELD("invalid-field"),
    /** Something that looks like a resident's ID number where only keyed hashes may be. */
    RAW_PERSONAL_ID("raw-personal-id"),
    /** A site the campaign does not know. */
    UNKNOWN_SITE("unknown-site"),
    /** An event time outside the campaign's window (its waves, with a margin), or ahead of the wall clock. */
    OUT_OF_WINDOW("out-of-window");

    private final String code;

    Rejection(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Rejection ofCode(String code) {
        for (Rejection r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown rejection code: " + code);
    }
}
