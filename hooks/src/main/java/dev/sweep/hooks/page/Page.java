package dev.sweep.hooks.page;

import dev.sweep.events.Alert;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The alerts that go to one destination as one message, and the message's idempotency key: the
 * alert's own key for a page of one, otherwise {@code page-} and the first 128 bits of SHA-256 over
 * the alerts' keys (sorted, one per line), so the same alerts always make the same key, whatever order
 * a restarted dispatcher read them in.
 */
public record Page(List<PagedAlert> alerts, String idempotencyKey) {

    public static Page of(List<PagedAlert> alerts) {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("a page has at least one alert");
        }
        List<PagedAlert> copy = List.copyOf(alerts);
        List<String> keys = copy.stream().map(PagedAlert::idempotencyKey).toList();
        return new Page(copy, derivedKey(keys));
    }

    /** Longer alert keys (only a forged alert has one) are hashed like a page's, to keep headers short. */
    static final int MAX_KEY_CHARS = 200;

    /** The key of a message carrying these alert keys. */
    public static String derivedKey(List<String> keys) {
        if (keys.size() == 1 && HeaderText.isPrintableAscii(keys.get(0)) && keys.get(0).length() <= MAX_KEY_CHARS) {
            return keys.get(0);
        }
        try {
            List<String> sorted = keys.stream().sorted().toList();
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", sorted).getBytes(StandardCharsets.UTF_8));
            return "page-" + HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each alert's idempotency key, in page order. */
    public List<String> alertKeys() {
        return alerts.stream().map(PagedAlert::idempotencyKey).toList();
    }

    public List<Alert> alertList() {
        return alerts.stream().map(PagedAlert::alert).toList();
    }

    public int size() {
        return alerts.size();
    }
}
