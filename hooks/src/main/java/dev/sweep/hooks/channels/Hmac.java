package dev.sweep.hooks.channels;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256, the signature of the generic webhook (Standard Webhooks) and of DingTalk's robots. */
public final class Hmac {
    private Hmac() {}

    /** With the UTF-8 bytes of {@code secret} as the key (DingTalk's scheme). */
    public static byte[] sha256(String secret, byte[] data) {
        return sha256(secret.getBytes(StandardCharsets.UTF_8), data);
    }

    public static byte[] sha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
