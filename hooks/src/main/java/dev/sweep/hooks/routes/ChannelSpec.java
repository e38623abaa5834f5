package dev.sweep.hooks.routes;

import java.net.URI;
import java.util.Objects;

/**
 * One destination from the routes file, with its secrets resolved from the environment. Its
 * {@link #toString()} never shows a secret, nor a URL that carries one.
 *
 * @param id     stable name of the destination; also names its Kafka consumer group, so it must not
 *               change when the file is reordered (see the README)
 * @param kind   the service
 * @param scope  the township id whose leads it pages, or {@link Routes#COUNTY}
 * @param field  where it is declared, such as {@code townships.CG.leads[0].channels[1]}
 * @param line   the line of the file it is declared on
 * @param url    webhook: the URL; slack: the URL from the environment (a secret); wecom and dingtalk: the
 *               service's base URL
 * @param token  wecom: the robot key; dingtalk: the access token; otherwise null
 * @param secret webhook and dingtalk: the signing secret; otherwise null
 */
public record ChannelSpec(String id, ChannelKind kind, String scope, String field, int line,
                          URI url, String token, String secret) {
    public ChannelSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(url, "url");
    }

    /** Whether this destination pages the county route. */
    public boolean county() {
        return Routes.COUNTY.equals(scope);
    }

    @Override
    public String toString() {
        return id + " (" + kind.word() + ", " + field + ", line " + line + ")";
    }
}
