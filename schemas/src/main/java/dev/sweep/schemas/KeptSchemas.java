package dev.sweep.schemas;

import dev.sweep.events.Alert;
import dev.sweep.events.Coverage;
import dev.sweep.events.PipelineMinute;
import dev.sweep.events.ScanEvent;
import dev.sweep.events.SiteMinute;
import dev.sweep.events.StationStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every schema version kept in the repo: the current ones (compiled into the event classes)
 * and the earlier ones under {@code schema-history/}, found by their 64-bit fingerprint.
 */
public final class KeptSchemas implements SchemaStore {
    private static final String HISTORY = "/schema-history/";
    private static final KeptSchemas INSTANCE = load();

    private final List<Schema> current;
    private final List<Schema> history;
    private final Map<Long, Schema> byFingerprint = new HashMap<>();

    private KeptSchemas(List<Schema> current, List<Schema> history) {
        this.current = current;
        this.history = history;
        for (Schema s : current) {
            byFingerprint.put(fingerprint(s), s);
        }
        for (Schema s : history) {
            byFingerprint.put(fingerprint(s), s);
        }
    }

    public static KeptSchemas get() {
        return INSTANCE;
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        return byFingerprint.get(fingerprint);
    }

    public List<Schema> current() {
        return current;
    }

    /** Earlier versions, oldest first within each record name. */
    public List<Schema> history() {
        return history;
    }

    /** The fingerprint single-object encoding carries: CRC-64-AVRO of the canonical form. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    private static KeptSchemas load() {
        List<Schema> current = List.of(
                ScanEvent.getClassSchema(),
                StationStatus.getClassSchema(),
                SiteMinute.getClassSchema(),
                Coverage.getClassSchema(),
                Alert.getClassSchema(),
                PipelineMinute.getClassSchema());
        List<Schema> history = new ArrayList<>();
        for (String file : historyFiles()) {
            try (InputStream in = KeptSchemas.class.getResourceAsStream(HISTORY + file)) {
                if (in == null) {
                    throw new IllegalStateException("schema-history/INDEX names " + file + ", which is missing");
                }
                history.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("reading schema-history/" + file, e);
            }
        }
        return new KeptSchemas(current, Collections.unmodifiableList(history));
    }

    /** The files named in schema-history/INDEX, one a line; # starts a comment. */
    public static List<String> historyFiles() {
        List<String> files = new ArrayList<>();
        try (InputStream in = KeptSchemas.class.getResourceAsStream(HISTORY + "INDEX")) {
            if (in == null) {
                throw new IllegalStateException("schema-history/INDEX is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    files.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
