package dev.sweep.producers.simulator;

import dev.sweep.schemas.KafkaClientConfig;
import dev.sweep.schemas.KafkaClients;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a replay (a list, or a stream) to Kafka as the stations would: at {@code speed} times real time (or as fast as
 * the broker takes it), skipping the night between waves so a replay does not sit idle for hours.
 */
public final class StationFeed implements AutoCloseable {
    /** A silence longer than this (no site open) is replayed as {@link #NIGHT_REPLAYED_AS}. */
    static final long NIGHT = 10 * 60_000L;
    static final long NIGHT_REPLAYED_AS = 10_000L;

    private final Producer<String, byte[]> producer;

    public StationFeed(String bootstrap) {
        this(bootstrap, KafkaClientConfig.NONE);
    }

    /** Through a secured broker: {@code client} carries the stations' TLS and SASL settings. */
    public StationFeed(String bootstrap, KafkaClientConfig client) {
        this(new KafkaProducer<>(KafkaClients.producer(bootstrap, client, "sweep-simulator")));
    }

    StationFeed(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** Replay time of the whole list: event time with the nights compressed. */
    public static long replayMillis(List<Emission> emissions) {
        return replayMillis(emissions.iterator());
    }

    /** Replay time of the records to come (taking them): event time with the nights compressed. */
    public static long replayMillis(Iterator<Emission> emissions) {
        long total = 0;
        long previous = Long.MIN_VALUE;
        while (emissions.hasNext()) {
            long at = emissions.next().sendAt();
            if (previous != Long.MIN_VALUE) {
                total += replayed(at - previous);
            }
            previous = at;
        }
        return total;
    }

    /** When each emission is due, in ms of replay time from the first (nights compressed as {@link #send} does). */
    public static long[] replayTimes(List<Emission> emissions) {
        long[] at = new long[emissions.size()];
        for (int i = 1; i < at.length; i++) {
            at[i] = at[i - 1] + replayed(emissions.get(i).sendAt() - emissions.get(i - 1).sendAt());
        }
        return at;
    }

    private static long replayed(long gap) {
        return gap > NIGHT ? NIGHT_REPLAYED_AS : gap;
    }

    /**
     * Sends every emission, paced; returns when all are acknowledged.
     *
     * @param speed      replay speed (60 = an hour a minute); 0 or less = as fast as possible
     * @param progress   where the progress line goes, or null for none
     * @param population for the progress line's coverage figure
     */
    public void send(List<Emission> emissions, double speed, PrintStream progress, long population, ZoneId zone)
            throws InterruptedException {
        send(emissions.iterator(), speed, progress, population, zone);
    }

    /**
     * Sends the records as they come (a {@link CampaignStream}: the campaign is never held in memory), paced;
     * returns how many were sent, once all are acknowledged.
     */
    public long send(Iterator<Emission> emissions, double speed, PrintStream progress, long population, ZoneId zone)
            throws InterruptedException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long wallStart = System.nanoTime();
        long replay = 0;
        long persons = 0;
        long lastReport = wallStart;
        long previous = Long.MIN_VALUE;
        long i = -1;
        DateTimeFormatter clock = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss").withZone(zone);
        while (emissions.hasNext()) {
            Emission e = emissions.next();
            i++;
            if (previous != Long.MIN_VALUE) {
                replay += replayed(e.sendAt() - previous);
            }
            previous = e.sendAt();
            if (speed > 0) {
                long dueNanos = wallStart + (long) (replay / speed * 1_000_000);
                long wait = dueNanos - System.nanoTime();
                if (wait > 1_000_000) {
                    producer.flush(); // what is due now reaches the broker before we sleep
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.send(new ProducerRecord<>(e.topic(), e.key(), e.value()), (meta, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
            });
            if (failure.get() != null) {
                break;
            }
            persons += e.newPersons();
            long now = System.nanoTime();
            if (progress != null && now - lastReport > 1_000_000_000L) {
                double seconds = (now - wallStart) / 1e9;
                progress.printf("\rsent %,d events · %,.0f/s · clock %s · coverage %.1f%%   ", i + 1,
                        (i + 1) / seconds, clock.format(Instant.ofEpochMilli(e.sendAt())),
                        100.0 * persons / population);
                progress.flush();
                lastReport = now;
            }
        }
        producer.flush();
        if (progress != null) {
            progress.printf("\rsent %,d events in %.1f s · coverage %.1f%%%n", i + 1,
                    (System.nanoTime() - wallStart) / 1e9, 100.0 * persons / population);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("Kafka refused a record: " + failure.get().getMessage(), failure.get());
        }
        return i + 1;
    }

    @Override
    public void close() {
        producer.close();
    }
}
