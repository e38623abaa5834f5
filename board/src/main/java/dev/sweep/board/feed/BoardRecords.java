package dev.sweep.board.feed;

import dev.sweep.board.state.BoardState;
import dev.sweep.campaign.CampaignChecks;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * How the board reads each record of its topics: the stations' heartbeats through the campaign's own checks
 * ({@link CampaignChecks}, as the coverage job reads them: a known site in its township, inside the campaign's
 * window, not ahead of the wall clock), the job's outputs through their codec. Whatever it cannot use is
 * counted by reason and skipped. Stateless but for the state it folds into (under the feed's lock).
 */
public final class BoardRecords implements BoardFeed.Folder {
    private final BoardState state;
    private final CampaignChecks checks;

    public BoardRecords(BoardState state) {
        this.state = state;
        this.checks = new CampaignChecks(state.scenario());
    }

    @Override
    public void fold(ConsumerRecord<String, byte[]> r) {
        try {
            switch (r.topic()) {
                case Topics.COVERAGE -> state.onCoverage(EventCodec.COVERAGE.decode(r.value()));
                case Topics.SITE_MINUTES -> state.onSiteMinute(EventCodec.SITE_MINUTES.decode(r.value()));
                case Topics.ALERTS -> state.onAlert(EventCodec.ALERTS.decode(r.value()));
                case Topics.STATION_STATUS -> state.onStatus(checks.heartbeat(r.value(), System.currentTimeMillis()));
                case Topics.PIPELINE -> state.onPipelineMinute(EventCodec.PIPELINE.decode(r.value()), r.timestamp());
                default -> { }
            }
        } catch (RejectedRecordException e) {
            state.onRefused(r.topic(), e); // the job sends these to dead letters; the board counts and skips them
        }
    }
}
