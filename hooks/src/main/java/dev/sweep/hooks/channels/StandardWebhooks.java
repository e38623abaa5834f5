package dev.sweep.hooks.channels;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The signature of Standard Webhooks 1.0, so receivers can verify with that spec's libraries: headers
 * {@code webhook-id} (the message's id, the same on every retry), {@code webhook-timestamp} (seconds) and
 * {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id + "." + timestamp + "." + body)>}, where the key is
 * the base64-decoded part of a secret written {@code whsec_<base64>}. Stateless.
 */
public final class StandardWebhooks {
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    public static final String PREFIX = "whsec_";
    /** The spec's advice: between 24 and 64 random bytes. */
    public static final int MIN_KEY_BYTES = 24;
    public static final int MAX_KEY_BYTES = 64;

    private StandardWebhooks() {}

    /**
     * The signing key of a secret written {@code whsec_<base64>}.
     *
     * @throws IllegalArgumentException saying what is wrong, never quoting the secret
     */
    public static byte[] key(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException("is not a Standard Webhooks secret: whsec_ and the base64 of "
                    + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " random bytes (echo whsec_$(openssl rand -base64 32))");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("holds a whsec_ secret that is not base64 after the prefix");
        }
        if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("holds a whsec_ secret of " + key.length + " bytes: use "
                    + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " random bytes (echo whsec_$(openssl rand -base64 32))");
        }
        return key;
    }

    /** {@code v1,<base64 signature>} of one message. */
    public static String signature(byte[] key, String id, long timestampSeconds, byte[] body) {
        byte[] head = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = ByteBuffer.allocate(head.length + body.length).put(head).put(body).array();
        return "v1," + Base64.getEncoder().encodeToString(Hmac.sha256(key, signed));
    }
}
