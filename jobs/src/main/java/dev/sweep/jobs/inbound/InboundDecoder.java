package dev.sweep.jobs.inbound;

import dev.sweep.campaign.Scenario;
import dev.sweep.campaign.Site;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.StationStatus;
import dev.sweep.jobs.records.DeadLetter;
import dev.sweep.jobs.records.Heartbeat;
import dev.sweep.jobs.records.Inbound;
import dev.sweep.jobs.records.Scan;
import dev.sweep.schemas.EventCodec;
import dev.sweep.schemas.RejectedRecordException;
import dev.sweep.schemas.Rejection;
import dev.sweep.schemas.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes records of sweep.scans and sweep.station-status in the source, so that watermarks are
 * kept per Kafka partition. Anything that fails becomes a dead letter instead: never an exception.
 * State: the campaign's site -> township map, loaded once.
 */
public final class InboundDecoder implements KafkaRecordDeserializationSchema<Inbound> {
    private static final long MAX_AHEAD_MILLIS = 3_600_000L;
    private final Scenario campaign;
    private transient Map<String, String> townshipOfSite;

    public InboundDecoder(Scenario campaign) {
        this.campaign = campaign;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        townshipOfSite = new HashMap<>();
        for (Site s : campaign.sites()) {
            townshipOfSite.put(s.id(), s.townshipId());
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Inbound> out) {
        Inbound in = new Inbound();
        try {
            if (record.topic().equals(Topics.STATION_STATUS)) {
                StationStatus s = EventCodec.STATUSES.decode(record.value());
                checkSite(s.getSiteId(), s.getTownshipId());
                checkNotAhead(s.getReportedAt().toEpochMilli(), "reportedAt");
                in.heartbeat = Heartbeat.of(s);
            } else {
                ScanEvent e = EventCodec.SCANS.decode(record.value());
                checkSite(e.getSiteId(), e.getTownshipId());
                checkNotAhead(e.getScannedAt().toEpochMilli(), "scannedAt");
                in.scan = Scan.of(e);
            }
        } catch (RejectedRecordException e) {
            DeadLetter d = new DeadLetter();
            d.key = record.key();
            d.value = record.value();
            d.reason = e.reason().code();
            d.detail = e.getMessage();
            d.topic = record.topic();
            d.partition = record.partition();
            d.offset = record.offset();
            d.timestamp = record.timestamp();
            in.deadLetter = d;
        }
        out.collect(in);
    }

    /** A station whose clock runs ahead would drag the event clock into the future for everyone. */
    private static void checkNotAhead(long eventTime, String field) throws RejectedRecordException {
        if (eventTime > System.currentTimeMillis() + MAX_AHEAD_MILLIS) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD, field + " is more than an hour in the future");
        }
    }

    private void checkSite(String siteId, String townshipId) throws RejectedRecordException {
        String township = townshipOfSite.get(siteId);
        if (township == null) {
            throw new RejectedRecordException(Rejection.UNKNOWN_SITE, "site " + siteId + " is not in the campaign");
        }
        if (!township.equals(townshipId)) {
            throw new RejectedRecordException(Rejection.INVALID_FIELD,
                    "townshipId " + townshipId + " is not site " + siteId + "'s township " + township);
        }
    }

    @Override
    public TypeInformation<Inbound> getProducedType() {
        return TypeInformation.of(Inbound.class);
    }
}
