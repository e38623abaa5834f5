package dev.sweep.board.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What changed between two JSON pictures, for the event stream's updates (the page's {@code merge} undoes it):
 * <ul>
 *   <li>an object gives only its fields that changed (recursively), and a field that went away as null;</li>
 *   <li>a list of rows (objects with an {@code id}) gives {@code {"rows": [...]}}: only the rows that are new or
 *       changed, whole, and {@code "ids"}, the new order, when the order or the membership changed;</li>
 *   <li>anything else that changed is given whole.</li>
 * </ul>
 * So a site whose figures did not move costs nothing, and the list of a page costs its ids only when it reorders.
 */
final class JsonDelta {
    private JsonDelta() {}

    /** The delta from {@code before} (null: nothing) to {@code now}, or null when they are equal. */
    static JsonNode diff(JsonNode before, JsonNode now) {
        if (now.equals(before)) {
            return null;
        }
        if (before == null || !before.isObject() || !now.isObject()) {
            return now;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode b = before.get(e.getKey());
            JsonNode n = e.getValue();
            if (n.equals(b)) {
                continue;
            }
            if (b != null && isRows(b) && isRows(n)) {
                out.set(e.getKey(), rows((ArrayNode) b, (ArrayNode) n));
            } else if (b != null && b.isObject() && n.isObject()) {
                out.set(e.getKey(), diff(b, n));
            } else {
                out.set(e.getKey(), n);
            }
        }
        for (Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!now.has(f)) {
                out.putNull(f);
            }
        }
        return out;
    }

    /** A non-empty list whose every element is an object with a textual id. */
    private static boolean isRows(JsonNode n) {
        if (!n.isArray() || n.isEmpty()) {
            return false;
        }
        for (JsonNode e : n) {
            if (!e.isObject() || !e.path("id").isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static ObjectNode rows(ArrayNode before, ArrayNode now) {
        Map<String, JsonNode> old = new HashMap<>();
        before.forEach(r -> old.put(r.get("id").asText(), r));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode changed = out.putArray("rows");
        boolean sameOrder = before.size() == now.size();
        for (int i = 0; i < now.size(); i++) {
            JsonNode r = now.get(i);
            if (!r.equals(old.get(r.get("id").asText()))) {
                changed.add(r);
            }
            // Sizes first: a list that grew has no row i before (a push failed on it, and every push after).
            sameOrder = sameOrder && r.get("id").equals(before.get(i).get("id"));
        }
        if (!sameOrder) {
            ArrayNode ids = out.putArray("ids");
            now.forEach(r -> ids.add(r.get("id")));
        }
        return out;
    }
}
