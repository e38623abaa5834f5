package dev.sweep.hooks.page;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Alert keys in HTTP headers: printable ASCII only. The list header is a structured-field list of
 * strings (RFC 8941: {@code "k1", "k2"}), with any byte outside printable ASCII, and {@code %},
 * percent-encoded.
 */
public final class HeaderText {
    private HeaderText() {}

    public static boolean isPrintableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** {@code "k1", "k2"}. */
    public static String keyList(List<String> keys) {
        return keys.stream().map(HeaderText::sfString).collect(Collectors.joining(", "));
    }

    /** Parses {@link #keyList} back (what a receiver does). */
    public static List<String> parseKeyList(String header) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < header.length()) {
            char c = header.charAt(i);
            if (c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < header.length() && header.charAt(i) != '"') {
                    if (header.charAt(i) == '\\') {
                        i++;
                    }
                    sb.append(header.charAt(i++));
                }
                out.add(URLDecoder.decode(sb.toString().replace("+", "%2B"), StandardCharsets.UTF_8));
            }
            i++;
        }
        return out;
    }

    private static String sfString(String key) {
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '%' || c < 0x20 || c > 0x7e) {
                sb.append('%').append(String.format("%02X", c));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else {
                sb.append((char) c);
            }
        }
        return sb.append('"').toString();
    }
}
