package dev.sweep.hooks.page;

import dev.sweep.events.Alert;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One alert taken from the alerts topic for one destination, with the record it was read from (for
 * the offset to commit once it is delivered, and for the dead-letter copy if it never is).
 */
public record PagedAlert(Alert alert, ConsumerRecord<String, byte[]> record) {
    public PagedAlert {
        Objects.requireNonNull(alert, "alert");
        Objects.requireNonNull(record, "record");
    }

    /** The idempotency key of this transition: alert id and state, {@code <alertId>:RAISED} or {@code :RESOLVED}. */
    public String idempotencyKey() {
        return keyOf(alert);
    }

    public static String keyOf(Alert alert) {
        return alert.getAlertId() + ":" + alert.getState();
    }
}
