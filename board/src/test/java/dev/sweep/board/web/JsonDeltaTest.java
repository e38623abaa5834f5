package dev.sweep.board.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sweep.board.state.BoardState;
import dev.sweep.board.state.ViewKey;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The event stream's deltas: what the page merges ({@code merge} in board.js, mirrored here) gives back the view the
 * server holds, and a delta carries only what changed.
 */
class JsonDeltaTest {
    static final Scenario NEIXIANG = Scenario.load("neixiang");
    static final long T0 = Instant.parse("2022-05-04T00:00:00Z").toEpochMilli();

    /** board.js's merge, in Java. */
    static JsonNode merge(JsonNode old, JsonNode delta) {
        if (delta == null || !delta.isObject()) {
            return delta;
        }
        if (old != null && old.isArray()) {
            Map<String, JsonNode> byId = new HashMap<>();
            old.forEach(r -> byId.put(r.get("id").asText(), r));
            delta.path("rows").forEach(r -> byId.put(r.get("id").asText(), r));
            ArrayNode out = Json.MAPPER.createArrayNode();
            if (delta.has("ids")) {
                delta.get("ids").forEach(id -> out.add(byId.get(id.asText())));
            } else {
                old.forEach(r -> out.add(byId.get(r.get("id").asText())));
            }
            return out;
        }
        if (old == null || !old.isObject()) {
            return delta;
        }
        ObjectNode out = ((ObjectNode) old).deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = delta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.set(e.getKey(), merge(old.get(e.getKey()), e.getValue()));
        }
        return out;
    }

    static StationStatus heartbeat(String site, long at, SiteState s, int queue) {
        return new StationStatus(site, NEIXIANG.site(site).townshipId(), Instant.ofEpochMilli(at), s, queue, 3, 6);
    }

    @Test
    void aMergedDeltaIsTheNewViewAndCarriesOnlyWhatChanged() {
        BoardState state = new BoardState(NEIXIANG);
        ViewKey key = new ViewKey("CG", null, "worst", false, 0, 20);
        for (int i = 1; i <= 30; i++) {
            state.onStatus(heartbeat(String.format("NX-CG-%03d", i), T0, SiteState.OPEN, i));
        }
        JsonNode before = Json.MAPPER.valueToTree(state.frame("live").view(key));
        assertNull(JsonDelta.diff(before, Json.MAPPER.valueToTree(state.frame("live").view(key))), "nothing changed");

        state.onStatus(heartbeat("NX-CG-005", T0 + 1_000, SiteState.OPEN, 6)); // one row changes, in place
        JsonNode now = Json.MAPPER.valueToTree(state.frame("live").view(key));
        JsonNode delta = JsonDelta.diff(before, now);
        assertEquals(now, merge(before, delta));
        assertEquals(1, delta.at("/sites/rows/rows").size(), "only the changed site: " + delta);
        assertFalse(delta.at("/sites/rows").has("ids"), "the order did not change");
        assertFalse(delta.has("children"), "the townships' villages did not change");

        state.onStatus(heartbeat("NX-CG-005", T0 + 2_000, SiteState.OPEN, 80)); // the row moves to the top
        state.onStatus(heartbeat("NX-CG-040", T0 + 2_000, SiteState.OPEN, 45)); // and a row comes into the page
        JsonNode later = Json.MAPPER.valueToTree(state.frame("live").view(key));
        JsonNode move = JsonDelta.diff(now, later);
        assertEquals(later, merge(now, move));
        assertTrue(move.at("/sites/rows").has("ids"), "the new order");
        assertEquals(2, move.at("/sites/rows/rows").size(), "the moved row and the new one: " + move.at("/sites/rows/rows"));
        assertTrue(move.at("/sites/counts").has("congested"), "the counts by condition: " + move.at("/sites/counts"));

        state.onStatus(heartbeat("NX-CG-005", T0 + 3_000, SiteState.CLOSED, 0));
        JsonNode closed = Json.MAPPER.valueToTree(state.frame("live").view(key));
        assertEquals(closed, merge(later, JsonDelta.diff(later, closed)), "a condition that goes away merges to null");
    }

    /** A list of rows that grows (a new alert): the delta has the new row and the order; it threw before. */
    @Test
    void bugAListOfRowsThatGrows() throws Exception {
        JsonNode before = Json.MAPPER.readTree("{\"alerts\": [{\"id\": \"a\", \"n\": 1}]}");
        JsonNode now = Json.MAPPER.readTree("{\"alerts\": [{\"id\": \"a\", \"n\": 1}, {\"id\": \"b\", \"n\": 2}]}");
        JsonNode delta = JsonDelta.diff(before, now);
        assertEquals(now, merge(before, delta));
        assertEquals(1, delta.at("/alerts/rows").size(), delta.toString());
        assertEquals(2, delta.at("/alerts/ids").size(), delta.toString());
    }
}
