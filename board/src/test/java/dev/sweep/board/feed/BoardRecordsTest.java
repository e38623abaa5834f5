package dev.sweep.board.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sweep.board.state.BoardState;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The board judges heartbeats by the campaign it was given, moved in time or not ({@code --campaign-start}):
 * a drill replayed today takes today's heartbeats and refuses the original dates, as the job does.
 */
class BoardRecordsTest {
    static final String SITE = "NX-CG-001";

    static ConsumerRecord<String, byte[]> heartbeat(Instant at, SiteState state) {
        byte[] value = EventCodec.STATUSES.encode(new StationStatus(SITE, "CG", at, state, 7, 2, 4));
        return new ConsumerRecord<>(Topics.STATION_STATUS, 0, 0, SITE, value);
    }

    @Test
    void aCampaignMovedToTodayTakesTodaysHeartbeatsOnly() {
        Scenario original = Scenario.load("neixiang");
        Instant opens = Instant.now().minus(Duration.ofHours(2));
        BoardState state = new BoardState(original.startingAt(opens));
        BoardRecords records = new BoardRecords(state);

        records.fold(heartbeat(original.waves().get(0).opens().plusSeconds(600), SiteState.OPEN)); // the 2022 date
        records.fold(heartbeat(Instant.now().plus(Duration.ofHours(2)), SiteState.CLOSED));         // ahead of the wall clock
        records.fold(heartbeat(Instant.now().minusSeconds(30), SiteState.OPEN));                    // today's
        var view = state.view("live");
        assertEquals(Map.of("out-of-window", 2L), view.health().refused());
        assertEquals("OPEN", view.sites().stream().filter(s -> s.id().equals(SITE)).findFirst().orElseThrow().station());
        assertEquals(7, view.sites().stream().filter(s -> s.id().equals(SITE)).findFirst().orElseThrow().queue());
    }
}
