package dev.sweep.hooks.routes;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One destination from the routes file, with its secrets resolved from the environment. Its
 * {@link #toString()} never shows a secret, nor a URL that carries one.
 *
 * @param id        stable name of the destination; also names its Kafka consumer group, so it must not
 *                  change when the file is reordered (see the README)
 * @param kind      the service
 * @param scope     the township id whose leads it pages, or {@link Routes#COUNTY}
 * @param field     where it is declared, such as {@code townships.CG.leads[0].channels[1]}
 * @param line      the line of the file it is declared on
 * @param url       webhook: the URL; slack: the URL from the environment (a secret); wecom and dingtalk: the
 *                  service's base URL
 * @param token     wecom: the robot key; dingtalk: the access token; otherwise null
 * @param secret    webhook and dingtalk: the signing secret; otherwise null
 * @param rateLimit how fast it may be sent to: its {@code rateLimit} field, or its kind's default
 */
public record ChannelSpec(String id, ChannelKind kind, String scope, String field, int line,
                          URI url, String token, String secret, RateLimit rateLimit) {
    public ChannelSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(rateLimit, "rateLimit");
    }

    /** A destination with its kind's default rate limit. */
    public ChannelSpec(String id, ChannelKind kind, String scope, String field, int line, URI url, String token, String secret) {
        this(id, kind, scope, field, line, url, token, secret, kind.defaultRateLimit());
    }

    /** Whether this destination pages the county route. */
    public boolean county() {
        return Routes.COUNTY.equals(scope);
    }

    /**
     * What the service counts messages against: the robot (base URL and key or token), the Slack webhook, the
     * webhook's URL. Destinations with the same target share one rate limit (two routes paging one WeCom group
     * robot share its 20 a minute). A hash, so that no secret is held in it.
     */
    public String target() {
        String s = kind.word() + "\n" + url + "\n" + (token == null ? "" : token);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return id + " (" + kind.word() + ", " + field + ", line " + line + ")";
    }
}
