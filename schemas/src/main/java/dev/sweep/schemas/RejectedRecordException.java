package dev.sweep.schemas;

/** A record that cannot enter the pipeline, with the reason callers route it by. */
public final class RejectedRecordException extends Exception {
    private final Rejection reason;

    public RejectedRecordException(Rejection reason, String detail) {
        this(reason, detail, null);
    }

    public RejectedRecordException(Rejection reason, String detail, Throwable cause) {
        super(reason.code() + ": " + detail, cause, false, false);
        this.reason = reason;
    }

    public Rejection reason() {
        return reason;
    }
}
