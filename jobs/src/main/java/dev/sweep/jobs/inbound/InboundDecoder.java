package dev.sweep.jobs.inbound;

import dev.sweep.campaign.CampaignChecks;
import dev.sweep.campaign.Scenario;
import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.Inbound;
import dev.sweep.jobs.records.Scan;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Topics;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes records of sweep.scans and sweep.station-status in the source, so that watermarks are kept per
 * Kafka partition, with the checks every reader of the stations applies ({@link CampaignChecks}). Anything
 * refused becomes a dead letter: never an exception. State: none (the checks hold the campaign).
 */
public final class InboundDecoder implements KafkaRecordDeserializationSchema<Inbound> {
    private final CampaignChecks checks;

    public InboundDecoder(Scenario campaign) {
        this.checks = new CampaignChecks(campaign);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Inbound> out) {
        out.collect(decode(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
                record.value(), System.currentTimeMillis()));
    }

    /** One record of an input topic, decoded or refused; {@code now} is the wall clock in ms. */
    public Inbound decode(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, long now) {
        Inbound in = new Inbound();
        try {
            if (topic.equals(Topics.STATION_STATUS)) {
                in.heartbeat = Heartbeat.of(checks.heartbeat(value, now), checks.campaign());
            } else {
                in.scan = Scan.of(checks.scan(value, now), checks.campaign());
            }
        } catch (RejectedRecordException e) {
            in.deadLetter = DeadLetter.of(e, topic, partition, offset, timestamp, key, value);
        }
        return in;
    }

    @Override
    public TypeInformation<Inbound> getProducedType() {
        return TypeInformation.of(Inbound.class);
    }
}
