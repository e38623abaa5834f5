package dev.sweep.board.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sweep.board.state.BoardFrame;
import dev.sweep.board.state.BoardView;
import dev.sweep.board.state.ViewKey;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushes the picture to every browser, each what its view needs. The events:
 * <ul>
 *   <li>{@code hello} {@code {"stream": id}} first: the id {@code /api/view?stream=id&...} changes this stream's view by;</li>
 *   <li>{@code snapshot} {@code {campaign, board, buckets, view}} when the board is live (on joining, or when it goes
 *       live): the campaign, the campaign-wide panels ({@code board}: status, clock, plan, the root's figures,
 *       health), the chart's five-minute buckets, and the browser's {@link dev.sweep.board.state.AreaView};</li>
 *   <li>{@code update} {@code {board?, buckets?, view?}} at most once a push (a second): what changed
 *       ({@link JsonDelta}: changed fields, changed rows, the order when it changed), changed buckets whole; nothing
 *       when nothing changed;</li>
 *   <li>{@code view} {@code {view}} when the browser asked for another view: that view whole;</li>
 *   <li>{@code status} {@code {status}} while the board is not live, so a restarted board never shows a half-rebuilt
 *       picture.</li>
 * </ul>
 * Every view is bounded (pages of sites, the first areas and alerts), so no event grows with the campaign; each view
 * and each delta is built once per push however many browsers share it. State: the browsers by stream id with their
 * views and what each was last sent, the last frame and status, and the campaign-wide part every browser has.
 */
final class UpdateStream {
    private final BoardView.Campaign campaign;
    private final Stats stats;
    private final Map<String, BrowserLink> links = new LinkedHashMap<>();
    private BoardFrame last;
    private String lastStatus;
    private JsonNode lastBoard;
    /** The JSON of each view asked for, for the last frame's state; rebuilt when the state changes. */
    private final Map<ViewKey, JsonNode> viewNodes = new HashMap<>();
    private long viewNodesVersion = -1;

    UpdateStream(BoardView.Campaign campaign, Stats stats) {
        this.campaign = campaign;
        this.stats = stats;
    }

    record Snapshot(BoardView.Campaign campaign, JsonNode board, List<BoardView.Bucket> buckets, JsonNode view) {}

    record Status(String status) {}

    record Hello(String stream) {}

    /** @param frame the picture, or null while the board is not live */
    synchronized void publish(String status, BoardFrame frame) {
        links.values().removeIf(l -> !l.isOpen());
        if (frame == null) {
            last = null;
            if (!status.equals(lastStatus)) {
                broadcast("status", Json.write(new Status(status)));
            }
            lastStatus = status;
            return;
        }
        if (last == null) {
            lastBoard = board(frame);
            for (BrowserLink l : links.values()) {
                snapshot(l, frame);
            }
        } else {
            JsonNode board = board(frame);
            JsonNode boardDelta = JsonDelta.diff(lastBoard, board);
            List<BoardView.Bucket> buckets = frame.buckets() == last.buckets() ? List.of() : changedBuckets(last, frame);
            // Browsers that share a view and were sent the same last picture share the update.
            Map<JsonNode, String> updates = new IdentityHashMap<>();
            for (BrowserLink l : links.values()) {
                JsonNode view = viewNode(frame, l.key);
                String update = updates.computeIfAbsent(l.lastView, before -> {
                    JsonNode viewDelta = before == view ? null : JsonDelta.diff(before, view);
                    if (boardDelta == null && buckets.isEmpty() && viewDelta == null) {
                        return "";
                    }
                    ObjectNode u = Json.MAPPER.createObjectNode();
                    if (boardDelta != null) {
                        u.set("board", boardDelta);
                    }
                    if (!buckets.isEmpty()) {
                        u.set("buckets", Json.MAPPER.valueToTree(buckets));
                    }
                    if (viewDelta != null) {
                        u.set("view", viewDelta);
                    }
                    return Json.write(u);
                });
                if (!update.isEmpty()) {
                    l.send("update", update);
                }
                l.lastView = view;
            }
            lastBoard = board;
        }
        last = frame;
        lastStatus = status;
    }

    /** A new browser: its stream id, then the whole picture of its view (or the status), then its updates. */
    synchronized void join(BrowserLink link) {
        link.send("hello", Json.write(new Hello(link.id)));
        if (last != null) {
            snapshot(link, last);
        } else {
            link.send("status", Json.write(new Status(lastStatus == null ? "connecting" : lastStatus)));
        }
        links.put(link.id, link);
    }

    enum Change { DONE, NO_STREAM, TOO_MANY }

    /** Points a browser's stream at another view and sends it that view whole (once the board is live). */
    synchronized Change view(String stream, ViewKey key) {
        BrowserLink link = links.get(stream);
        if (link == null || !link.isOpen()) {
            return Change.NO_STREAM;
        }
        if (!link.takeViewChange()) {
            return Change.TOO_MANY;
        }
        link.key = key;
        if (last != null) {
            JsonNode view = viewNode(last, key);
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.set("view", view);
            link.send("view", Json.write(body));
            link.lastView = view;
        }
        return Change.DONE;
    }

    int browsers() {
        return (int) links.values().stream().filter(BrowserLink::isOpen).count();
    }

    synchronized void closeAll() {
        links.values().forEach(BrowserLink::close);
        links.clear();
    }

    private void snapshot(BrowserLink link, BoardFrame frame) {
        JsonNode view = viewNode(frame, link.key);
        link.send("snapshot", Json.write(new Snapshot(campaign, board(frame), frame.buckets(), view)));
        link.lastView = view;
    }

    private JsonNode viewNode(BoardFrame frame, ViewKey key) {
        if (frame.version() != viewNodesVersion) {
            viewNodes.clear();
            viewNodesVersion = frame.version();
        }
        if (viewNodes.size() >= 256) {
            viewNodes.clear(); // bounded, whatever pages browsers ask for
        }
        return viewNodes.computeIfAbsent(key, k -> Json.MAPPER.valueToTree(frame.view(k)));
    }

    /** The campaign-wide panels. */
    private static JsonNode board(BoardFrame frame) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("status", frame.status());
        b.put("clock", frame.clock());
        b.put("planned", frame.planned());
        b.put("county", frame.county());
        b.put("health", frame.health());
        return Json.MAPPER.valueToTree(b);
    }

    private void broadcast(String event, String json) {
        for (BrowserLink l : links.values()) {
            l.send(event, json);
        }
    }

    /** The buckets that differ from the last frame's (the chart's five minutes being lived, and late corrections). */
    static List<BoardView.Bucket> changedBuckets(BoardFrame before, BoardFrame now) {
        Map<Long, BoardView.Bucket> old = new HashMap<>();
        before.buckets().forEach(b -> old.put(b.start(), b));
        return now.buckets().stream().filter(b -> !b.equals(old.get(b.start()))).toList();
    }
}
