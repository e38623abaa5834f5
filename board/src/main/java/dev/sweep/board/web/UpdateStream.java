package dev.sweep.board.web;

import dev.sweep.board.state.BoardView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Pushes the picture to every browser: a full {@code snapshot} when one joins (and to everyone
 * when the board goes live), then an {@code update} per push with what changed: every small
 * panel whole, and only the sites and five-minute buckets that differ. Before the board is live,
 * browsers get its {@code status} only, so a restarted board never shows a half-rebuilt picture.
 * State: the browsers connected, the last picture sent and the last status.
 */
final class UpdateStream {
    private final BoardView.Campaign campaign;
    private final List<BrowserLink> links = new CopyOnWriteArrayList<>();
    private BoardView last;
    private String lastStatus;

    UpdateStream(BoardView.Campaign campaign) {
        this.campaign = campaign;
    }

    record Snapshot(BoardView.Campaign campaign, BoardView board) {}

    record Status(String status) {}

    /** @param view the picture, or null while the board is not live yet */
    synchronized void publish(String status, BoardView view) {
        links.removeIf(l -> !l.isOpen());
        if (view == null) {
            last = null;
            if (!status.equals(lastStatus)) {
                broadcast("status", Json.write(new Status(status)));
            }
        } else if (last == null) {
            broadcast("snapshot", Json.write(new Snapshot(campaign, view)));
            last = view;
        } else {
            BoardView delta = delta(last, view);
            if (delta != null) {
                broadcast("update", Json.write(delta));
            }
            last = view;
        }
        lastStatus = status;
    }

    /** A new browser: the whole picture first (or the status), then the updates everyone gets. */
    synchronized void join(BrowserLink link) {
        if (last != null) {
            link.send("snapshot", Json.write(new Snapshot(campaign, last)));
        } else {
            link.send("status", Json.write(new Status(lastStatus == null ? "connecting" : lastStatus)));
        }
        links.add(link);
    }

    int browsers() {
        return (int) links.stream().filter(BrowserLink::isOpen).count();
    }

    synchronized void closeAll() {
        links.forEach(BrowserLink::close);
        links.clear();
    }

    private void broadcast(String event, String json) {
        for (BrowserLink l : links) {
            l.send(event, json);
        }
    }

    /** What changed from {@code before} to {@code now}, or null when nothing did. */
    static BoardView delta(BoardView before, BoardView now) {
        Map<String, BoardView.SiteRow> sitesBefore = new HashMap<>();
        before.sites().forEach(s -> sitesBefore.put(s.id(), s));
        List<BoardView.SiteRow> sites = new ArrayList<>();
        for (BoardView.SiteRow s : now.sites()) {
            if (!s.equals(sitesBefore.get(s.id()))) {
                sites.add(s);
            }
        }
        Map<Long, BoardView.Bucket> bucketsBefore = new HashMap<>();
        before.throughput().forEach(b -> bucketsBefore.put(b.start(), b));
        List<BoardView.Bucket> buckets = new ArrayList<>();
        for (BoardView.Bucket b : now.throughput()) {
            if (!b.equals(bucketsBefore.get(b.start()))) {
                buckets.add(b);
            }
        }
        boolean same = sites.isEmpty() && buckets.isEmpty() && now.status().equals(before.status())
                && Objects.equals(now.clock(), before.clock()) && now.county().equals(before.county())
                && now.townships().equals(before.townships()) && now.alerts().equals(before.alerts())
                && now.health().equals(before.health());
        return same ? null : new BoardView(now.status(), now.clock(), now.county(), now.townships(), sites, buckets,
                now.alerts(), now.health());
    }
}
