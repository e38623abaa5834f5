package dev.sweep.jobs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads InfluxDB line protocol back as InfluxDB does (escapes, quoted strings, typed numbers), so a test can
 * compare what the sink would write without an InfluxDB.
 */
public final class LineProtocol {
    private LineProtocol() {}

    /** One point: its series (measurement and sorted tags), fields (as written) and time. */
    public record Point(String measurement, Map<String, String> tags, Map<String, String> fields, long time) {
        public String series() {
            StringBuilder s = new StringBuilder(measurement);
            tags.forEach((k, v) -> s.append(',').append(k).append('=').append(v));
            return s.toString();
        }
    }

    public static Point parse(String line) {
        List<String> parts = split(line, ' ');
        if (parts.size() != 3) {
            throw new IllegalArgumentException("not measurement[,tags] fields time: " + line);
        }
        List<String> head = split(parts.get(0), ',');
        Map<String, String> tags = new TreeMap<>();
        for (String tag : head.subList(1, head.size())) {
            List<String> kv = split(tag, '=');
            tags.put(unescape(kv.get(0)), unescape(kv.get(1)));
        }
        Map<String, String> fields = new TreeMap<>();
        for (String field : split(parts.get(1), ',')) {
            List<String> kv = split(field, '=');
            fields.put(unescape(kv.get(0)), kv.get(1));
        }
        return new Point(unescape(head.get(0)), tags, fields, Long.parseLong(parts.get(2)));
    }

    /** Splits on {@code sep} outside quotes and not after a backslash. */
    private static List<String> split(String s, char sep) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                cur.append(c).append(s.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (c == sep && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                c = s.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }
}
