package dev.sweep.jobs;

import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.SiteMinute;
import dev.sweep.jobs.records.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The job's outputs without Kafka or InfluxDB: every record each sink is given, in the order it was given,
 * kept in this JVM (the MiniCluster's) for the test to read once the job has finished. The InfluxDB sink
 * receives the line protocol the real sink would send.
 */
public final class MemoryOutputs {
    private static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    /** The outputs to build the job with. */
    public CoverageJob.Outputs outputs() {
        return new CoverageJob.Outputs(sink("site-minutes"), sink("coverage"), sink("alerts"), sink("pipeline"),
                sink("dead-letters"), sink("influx"));
    }

    public List<SiteMinute> siteMinutes() {
        return received("site-minutes");
    }

    public List<Coverage> coverage() {
        return received("coverage");
    }

    public List<Alert> alerts() {
        return received("alerts");
    }

    public List<PipelineMinute> pipeline() {
        return received("pipeline");
    }

    public List<DeadLetter> deadLetters() {
        return received("dead-letters");
    }

    /** The line protocol the InfluxDB sink was given. */
    public List<String> influxLines() {
        return received("influx");
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> received(String output) {
        return new ArrayList<>((Queue<T>) RECEIVED.getOrDefault(id + "/" + output, new ConcurrentLinkedQueue<>()));
    }

    private <T> Sink<T> sink(String output) {
        String key = id + "/" + output;
        RECEIVED.put(key, new ConcurrentLinkedQueue<>());
        return new Collecting<>(key);
    }

    /** A sink that keeps what it is given (records are not reused downstream of the job's operators). */
    private record Collecting<T>(String key) implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> into = RECEIVED.get(key);
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context context) {
                    into.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
