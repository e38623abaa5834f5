package dev.sweep.board;

import dev.sweep.campaign.Scenario;
import dev.sweep.events.Alert;
import dev.sweep.events.AlertKind;
import dev.sweep.events.AlertState;
import dev.sweep.events.Coverage;
import dev.sweep.events.CoverageScope;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.SiteState;
import dev.sweep.events.StationStatus;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.KafkaClients;
import dev.sweep.schemas.Topics;
import java.time.Instant;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes records onto the board's topics as the job and the stations would (Avro, the same keys). */
final class Records implements AutoCloseable {
    static final Scenario NEIXIANG = Scenario.load("neixiang");

    private final KafkaProducer<String, byte[]> producer;

    Records(String bootstrap) {
        producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "board-test"));
    }

    void county(long minute, long sampled) {
        Coverage c = new Coverage(CoverageScope.COUNTY, null, NEIXIANG.root().level(), NEIXIANG.root().id(), Instant.ofEpochMilli(minute), sampled,
                NEIXIANG.population(), (double) sampled / NEIXIANG.population(), 6_000.0, 90.0);
        send(Topics.COVERAGE, "county", EventCodec.COVERAGE.encode(c));
    }

    void heartbeat(String site, long at, SiteState state, int queue) {
        StationStatus s = new StationStatus(site, NEIXIANG.site(site).townshipId(), Instant.ofEpochMilli(at), state,
                queue, 3, 6);
        send(Topics.STATION_STATUS, site, EventCodec.STATUSES.encode(s));
    }

    void alert(String id, AlertKind kind, AlertState state, String site, long since, long at) {
        String township = NEIXIANG.site(site).townshipId();
        Alert a = new Alert(id, kind, state, township, site, NEIXIANG.site(site).areaId(), Instant.ofEpochMilli(since), Instant.ofEpochMilli(at),
                12.0, 3.0, site + " 已 12 分钟未上报", site + " has not reported for 12 min");
        send(Topics.ALERTS, township, EventCodec.ALERTS.encode(a));
    }

    /** A heartbeat as a station would send it, at any time (the board's checks judge it). */
    void heartbeatAt(String site, Instant at, SiteState state, int queue) {
        StationStatus s = new StationStatus(site, NEIXIANG.site(site).townshipId(), at, state, queue, 3, 6);
        send(Topics.STATION_STATUS, site, EventCodec.STATUSES.encode(s));
    }

    /** The job's health for one minute, written now, with its lag behind the wall clock. */
    void pipeline(long minute, long events, Double watermarkLagMs) {
        PipelineMinute p = new PipelineMinute("coverage", Instant.ofEpochMilli(minute), events, 0L, 0L, 0L, watermarkLagMs);
        send(Topics.PIPELINE, "coverage", EventCodec.PIPELINE.encode(p));
    }

    void raw(String topic, String key, byte[] value) {
        send(topic, key, value);
    }

    private void send(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Kafka refused a test record", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
