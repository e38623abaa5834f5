package dev.sweep.board.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.campaign.Scenario;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding an area or a site by id or name, in either language, as the search box asks. */
class DirectoryTest {
    static final Directory NEIXIANG = new Directory(Scenario.load("neixiang"));

    static List<String> ids(Directory.Found f) {
        return f.results().stream().map(Directory.Entry::id).toList();
    }

    @Test
    void anIdOrANameFindsItFirst() {
        assertEquals("NX-CG-007", ids(NEIXIANG.search("NX-CG-007")).get(0));
        assertEquals("NX-CG-007", ids(NEIXIANG.search("nx-cg-007")).get(0), "any case");
        assertEquals("NX-CG-007", ids(NEIXIANG.search("ＮＸ－ＣＧ－００７")).get(0), "full-width, as a Chinese keyboard types it");
        assertEquals("NX-CG-007", ids(NEIXIANG.search("城关镇第7采样点")).get(0));
        assertEquals("NX-CG-007", ids(NEIXIANG.search("Chengguan 7")).get(0), "the English name");
        Directory.Entry township = NEIXIANG.search("城关镇").results().get(0);
        assertEquals("area", township.kind(), "the township before its sites");
        assertEquals("CG", township.id());
        assertEquals("township", township.level());
        Directory.Entry site = NEIXIANG.search("NX-CG-007").results().get(0);
        assertEquals("site", site.kind());
        assertEquals("CG", site.area(), "where it stands: the view that shows it");
        assertEquals("内乡县 › 城关镇", site.pathZh());
        assertEquals("Neixiang › Chengguan", site.path());
    }

    @Test
    void everyWordMustMatchAndTheResultsAreFew() {
        Directory.Found all = NEIXIANG.search("采样点");
        assertEquals(381, all.total());
        assertEquals(Directory.LIMIT, all.results().size());
        Directory.Found words = NEIXIANG.search("城关 第3采样");
        assertTrue(words.total() >= 1);
        assertTrue(ids(words).contains("NX-CG-003"), ids(words).toString());
        assertTrue(words.results().stream().allMatch(e -> e.nameZh().contains("第3") && e.pathZh().contains("城关")), ids(words).toString());
        Directory.Found village = NEIXIANG.search("白庄");
        assertEquals("CG-02", ids(village).get(0));
        assertEquals("village", village.results().get(0).level());
        assertEquals(0, NEIXIANG.search("   ").total());
        assertEquals(0, NEIXIANG.search("<script>alert(1)</script>").total());
        assertEquals(Directory.MAX_QUERY, NEIXIANG.search("x".repeat(10_000)).query().length(), "a long query is cut");
    }
}
