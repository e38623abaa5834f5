package dev.sweep.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sweep.board.feed.BoardRecords;
import dev.sweep.board.state.AreaView;
import dev.sweep.board.state.BoardFrame;
import dev.sweep.board.state.BoardState;
import dev.sweep.board.state.BoardView;
import dev.sweep.board.state.ViewKey;
import dev.sweep.campaign.Area;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * A city on the board, without Kafka or a browser: the metro's 891 areas and 10,000 sites folded through the board's
 * own record reader, and what one browser is sent stays small at every level of the tree, whatever the city's size.
 * (Sizes are deterministic: the feed is; times are printed, never asserted.)
 */
class MetroViewTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of one view of any area, at most, with 100 sites a page: what a browser's snapshot carries besides the chart. */
    static final int VIEW_BYTES = 64 * 1024;

    static int bytes(Object o) throws Exception {
        return JSON.writeValueAsString(o).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void everyViewOfTheCityIsBoundedAndRightAtEveryLevel() throws Exception {
        MetroFeed feed = new MetroFeed(7);
        BoardState state = new BoardState(feed.scenario);
        BoardRecords records = new BoardRecords(state);
        int m = 8 * 60;
        long folding = System.nanoTime();
        List<ProducerRecord<String, byte[]>> all = feed.all(m);
        for (ProducerRecord<String, byte[]> r : all) {
            records.fold(new ConsumerRecord<>(r.topic(), 0, 0, r.key(), r.value()));
        }
        folding = System.nanoTime() - folding;
        long build = System.nanoTime();
        BoardFrame frame = state.frame("live");
        build = System.nanoTime() - build;
        assertEquals(0, state.unknownAreas());
        assertEquals(0, frame.health().unreadable());

        long[] sampled = feed.sampled(m);
        assertEquals(sampled[0], frame.county().sampled(), "the city");
        long views = System.nanoTime();
        int largest = 0;
        for (String level : feed.scenario.levels()) {
            for (Area a : feed.scenario.areasAt(level).stream().limit(3).toList()) {
                AreaView v = frame.view(new ViewKey(a.id(), null, "worst", false, 0, ViewKey.MAX_ROWS));
                assertEquals(sampled[feed.scenario.areaIndex(a.id())], v.area().sampled(), a.id());
                largest = Math.max(largest, bytes(v));
            }
        }
        views = System.nanoTime() - views;
        AreaView root = frame.view(new ViewKey("MT", null, "worst", false, 0, ViewKey.MAX_ROWS));
        assertEquals(10, root.children().total());
        assertEquals(800, root.worst().total(), "every community ranked");
        assertEquals(10_000, root.sites().total());
        assertEquals(ViewKey.MAX_ROWS, root.sites().rows().size());
        assertEquals(feed.offline().size() + 1, root.alerts().total(), "the offline street's sites and the street behind plan");
        assertEquals(AreaView.ALERTS_SHOWN, root.alerts().active().size(), "the most urgent, not all of them");
        assertTrue(root.sites().rows().subList(0, Math.min(ViewKey.MAX_ROWS, feed.offline().size())).stream().allMatch(s -> s.condition().equals("silent")),
                "the offline sites first");
        assertEquals(feed.offline().size(), root.area().silent());
        AreaView behind = frame.view(new ViewKey(feed.behindStreet, null, "worst", false, 0, 40));
        assertTrue(behind.area().behindPlan());
        assertEquals(List.of(feed.behindStreet), frame.view(new ViewKey("MT", null, "worst", false, 0, 40)).worst().rows().stream()
                .map(r -> feed.scenario.area(r.id()).parentId()).distinct().limit(1).toList(), "its communities are the most lagging");

        // Warm: the frame rebuilt after each of a few more records, and the root's view cut from it.
        long[] warm = new long[9];
        long[] warmView = new long[9];
        var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < warm.length; i++) {
            ProducerRecord<String, byte[]> r = all.get(all.size() - 1 - i);
            records.fold(new ConsumerRecord<>(r.topic(), 0, 0, r.key(), r.value()));
            long t = cpu.getCurrentThreadCpuTime();
            BoardFrame f = state.frame("live");
            warm[i] = cpu.getCurrentThreadCpuTime() - t;
            t = cpu.getCurrentThreadCpuTime();
            f.view(new ViewKey("MT", null, "worst", false, 0, 40));
            warmView[i] = cpu.getCurrentThreadCpuTime() - t;
        }
        java.util.Arrays.sort(warm);
        java.util.Arrays.sort(warmView);
        int whole = bytes(frame.whole());
        System.out.printf("board on metro: %,d records folded in %.0f ms; first frame built in %.0f ms, the views of 10 areas in"
                        + " %.0f ms (cold); warm (CPU time, median of 9): a frame %.1f ms, the root's view %.1f ms; largest view %,d B (100 sites a"
                        + " page); the whole picture (/api/board) %,d B%n",
                all.size(), folding / 1e6, build / 1e6, views / 1e6, warm[4] / 1e6, warmView[4] / 1e6, largest, whole);
        assertTrue(largest < VIEW_BYTES, "a view is bounded: " + largest + " B");
        assertTrue(whole > 50 * largest, "what the page is spared: the whole city is " + whole + " B");
    }
}
