package dev.sweep.hooks.routes;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers the line of every key and value, so a refusal can
 * name the line and the field. Jackson's tree model forgets locations; this reads its streaming
 * tokens instead. A key given twice in one mapping is kept aside ({@link Mapping#duplicates()}) for the
 * validator to refuse with its field path.
 */
sealed interface YamlNode {

    /** 1-based line where the node starts. */
    int line();

    /** A scalar; {@code text} is null for an empty value or {@code ~}/{@code null}. */
    record Scalar(String text, int line) implements YamlNode {}

    /** One key of a mapping, with the line the key is written on. */
    record Entry(String key, int keyLine, YamlNode value) {}

    /** The first entry of each key, in order; later entries with the same key in {@code duplicates}. */
    record Mapping(Map<String, Entry> entries, List<Entry> duplicates, int line) implements YamlNode {}

    record Sequence(List<YamlNode> items, int line) implements YamlNode {}

    /** A syntax error, with its line (0 when the parser could not say). */
    final class SyntaxException extends Exception {
        final int line;

        SyntaxException(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    /** The document's root node, or null when the text holds no document (empty, or comments only). */
    static YamlNode parse(String text) throws SyntaxException {
        try (JsonParser p = new YAMLFactory().createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            YamlNode root = read(p);
            if (p.nextToken() != null) {
                throw new SyntaxException(line(p.currentTokenLocation()), "more than one YAML document");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new SyntaxException(loc == null ? 0 : line(loc), "not valid YAML: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new SyntaxException(0, "cannot be read: " + e.getMessage());
        }
    }

    private static YamlNode read(JsonParser p) throws IOException {
        int line = line(p.currentTokenLocation());
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Entry> entries = new LinkedHashMap<>();
                List<Entry> duplicates = new ArrayList<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = line(p.currentTokenLocation());
                    p.nextToken();
                    Entry entry = new Entry(key, keyLine, read(p));
                    if (entries.putIfAbsent(key, entry) != null) {
                        duplicates.add(entry);
                    }
                }
                return new Mapping(entries, duplicates, line);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(p));
                }
                return new Sequence(items, line);
            }
            case VALUE_NULL:
                return new Scalar(null, line);
            default:
                return new Scalar(p.getText(), line);
        }
    }

    private static int line(JsonLocation loc) {
        return Math.max(loc.getLineNr(), 0);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
