package dev.sweep.jobs.endtoend;

import dev.sweep.broker.LocalKafka;
import dev.sweep.campaign.Scenario;
import dev.sweep.events.Coverage;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.Campaigns;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import dev.sweep.producers.simulator.CampaignSimulator;
import dev.sweep.producers.simulator.Drill;
import dev.sweep.producers.simulator.StationFeed;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import dev.sweep.testkit.InfluxServer;
import dev.sweep.testkit.TopicReader;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Test wiring of the real parts: the simulator into Kafka, and the coverage job on the MiniCluster. */
final class Pipeline {
    private Pipeline() {}

    /** Generates a replay and sends it all to the broker, as fast as it takes it. */
    static CampaignSimulator.Replay replay(LocalKafka kafka, String scenario, long seed, Set<Drill> drills)
            throws InterruptedException {
        Scenario sc = Scenario.load(scenario);
        CampaignSimulator.Replay replay =
                new CampaignSimulator(sc, seed, drills, 0, CampaignSimulator.DRILL_STATION_KEY).run();
        try (StationFeed feed = new StationFeed(kafka.bootstrapServers())) {
            feed.send(replay.emissions(), 0, null, sc.population(), ZoneOffset.UTC);
        }
        return replay;
    }

    /** The job's options on Neixiang, reading the topics from the start, writing to {@code influx} if not null. */
    static CoverageOptions.Builder options(LocalKafka kafka, InfluxServer influx, String group) {
        return CoverageOptions.on(kafka.bootstrapServers(), Campaigns.NEIXIANG)
                .group(group).from(CoverageOptions.StartFrom.EARLIEST)
                .influxUrl(influx == null ? null : influx.url());
    }

    /** Starts the production job (Kafka in, Kafka and InfluxDB out) on the test's MiniCluster. */
    static JobClient start(CoverageOptions o) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(CoverageJob.localConfiguration(o));
        CoverageJob.buildOnKafka(env, o);
        return env.executeAsync("sweep coverage (test)");
    }

    /** Runs a bounded job (--bounded) to its end. */
    static void runToEnd(CoverageOptions o) throws Exception {
        if (!o.bounded()) {
            throw new IllegalArgumentException("runToEnd needs --bounded: an unbounded job never ends");
        }
        start(o).getJobExecutionResult().get(Duration.ofMinutes(8).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** The latest site minute on {@code sweep.site-minutes} per site and minute (a re-send replaces its minute). */
    static Collection<SiteMinute> latestSiteMinutes(LocalKafka kafka) throws RejectedRecordException {
        Map<String, SiteMinute> minutes = new HashMap<>();
        for (var r : TopicReader.readAll(kafka.bootstrapServers(), Topics.SITE_MINUTES)) {
            SiteMinute m = EventCodec.SITE_MINUTES.decode(r.value());
            minutes.put(m.getSiteId() + "@" + m.getWindowStart(), m);
        }
        return minutes.values();
    }

    /** The newest coverage point on {@code sweep.coverage} per key (an area, or "county" for the root). */
    static Map<String, Coverage> latestCoverage(LocalKafka kafka) throws RejectedRecordException {
        Map<String, Coverage> latest = new HashMap<>();
        for (var r : TopicReader.readAll(kafka.bootstrapServers(), Topics.COVERAGE)) {
            Coverage c = EventCodec.COVERAGE.decode(r.value());
            Coverage before = latest.get(r.key());
            if (before == null || !c.getMinute().isBefore(before.getMinute())) {
                latest.put(r.key(), c);
            }
        }
        return latest;
    }
}
