package dev.sweep.hooks.channels;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Takes secrets out of text that came back from an endpoint or the network (an error body that echoes the
 * request URL, an exception message) before it reaches a log line, a header or a topic: the destination's own
 * key, token, secret and secret URL wherever they appear (as sent, URL-encoded or not), and whatever looks like
 * a credential: the value of a query parameter such as {@code access_token}, {@code key} or {@code sign},
 * {@code user:password@} in a URL, a {@code whsec_} secret, a Slack-style {@code /services/...} path.
 * Immutable.
 */
public final class Redaction {
    static final String HIDDEN = "***";
    private static final Pattern QUERY_SECRET = Pattern.compile(
            "(?i)([?&;\\s\"']|^)((?:access_?token|token|key|sign|signature|sig|secret|password|passwd|pwd|api_?key|auth|code)=)[^&\\s\"'<>]+");
    private static final Pattern USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/\\s@\"'<>]+@");
    private static final Pattern WEBHOOK_SECRET = Pattern.compile("whsec_[A-Za-z0-9+/=]+");
    private static final Pattern SERVICES_PATH = Pattern.compile("(/services/)[A-Za-z0-9_/-]+");

    private final List<String> exact;

    /** @param secrets the destination's own secrets (nulls are skipped) */
    public Redaction(String... secrets) {
        List<String> all = new ArrayList<>();
        for (String s : secrets) {
            if (s != null && s.length() >= 4) {
                all.add(s);
                String encoded = URLEncoder.encode(s, StandardCharsets.UTF_8);
                if (!encoded.equals(s)) {
                    all.add(encoded);
                }
            }
        }
        all.sort(Comparator.comparingInt(String::length).reversed()); // a URL before the token inside it
        this.exact = List.copyOf(all);
    }

    public String apply(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : exact) {
            out = out.replace(s, HIDDEN);
        }
        out = QUERY_SECRET.matcher(out).replaceAll("$1$2" + HIDDEN);
        out = USER_INFO.matcher(out).replaceAll("$1" + HIDDEN + "@");
        out = WEBHOOK_SECRET.matcher(out).replaceAll("whsec_" + HIDDEN);
        return SERVICES_PATH.matcher(out).replaceAll("$1" + HIDDEN);
    }
}
