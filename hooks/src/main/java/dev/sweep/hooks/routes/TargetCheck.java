package dev.sweep.hooks.routes;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What is risky about where a destination sends its pages, judged from the URL alone (host names are not
 * resolved: DNS can change after the check, and the sample's hosts do not resolve): a loopback, link-local
 * (cloud metadata at 169.254.169.254) or private address, and plain http to a host that is not this machine.
 * And what is wrong with it: credentials written into it ({@code user:password@}, a query parameter such as
 * {@code token=}), which belong in the environment. Stateless.
 */
final class TargetCheck {
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)(?:^|[&;])(access_?token|token|key|sign|signature|sig|secret|password|passwd|pwd|api_?key|auth)=");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[[0-9a-fA-F:.%]+]");

    private TargetCheck() {}

    /** Credentials inside the URL, described without quoting them; empty when there are none. */
    static Optional<String> credentials(URI uri) {
        if (uri.getRawUserInfo() != null) {
            return Optional.of("a user name and password inside the URL (user:password@)");
        }
        String query = uri.getRawQuery();
        if (query != null) {
            var m = SECRET_PARAMETER.matcher(query);
            if (m.find()) {
                return Optional.of("a credential inside the URL's query (" + m.group(1) + "=)");
            }
        }
        return Optional.empty();
    }

    /** Why sending here is risky, or empty when it is an https URL on a public host (or a host name). */
    static Optional<String> risk(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        boolean http = "http".equalsIgnoreCase(uri.getScheme());
        InetAddress address = literal(host);
        boolean loopback = host.equals("localhost") || host.endsWith(".localhost")
                || address != null && address.isLoopbackAddress();
        if (loopback) {
            return Optional.of("a loopback address (" + host + "): this machine itself");
        }
        if (address != null && address.isLinkLocalAddress()) {
            return Optional.of("a link-local address (" + host + "), where cloud metadata services answer");
        }
        if (address != null && (address.isSiteLocalAddress() || address.isAnyLocalAddress() || uniqueLocal(address)
                || sharedAddressSpace(address))) {
            return Optional.of("a private address (" + host + ") inside this network");
        }
        if (http) {
            return Optional.of("plain http to another host (" + host + "): pages, and any key in the URL, cross the network unencrypted");
        }
        return Optional.empty();
    }

    /** The address of an IP literal (no DNS look-up), or null for a host name. */
    private static InetAddress literal(String host) {
        if (!IP_LITERAL.matcher(host).matches()) {
            return null;
        }
        try {
            String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** fc00::/7, IPv6's private range. */
    private static boolean uniqueLocal(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 16 && (b[0] & 0xfe) == 0xfc;
    }

    /** 100.64.0.0/10, the carriers' shared address space. */
    private static boolean sharedAddressSpace(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }
}
