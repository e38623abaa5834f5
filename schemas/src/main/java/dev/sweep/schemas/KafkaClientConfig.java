package dev.sweep.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

/**
 * The Kafka client properties of one Sweep process ({@code --kafka-config FILE}, the format of Kafka's
 * {@code client.properties}): security and connection settings that {@link KafkaClients} lays over Sweep's own
 * on every producer, consumer and admin. Immutable and serializable (the coverage job carries it to its workers);
 * holds the properties as written, so a secret given as {@code ${env:VAR}} through Kafka's
 * {@code EnvVarConfigProvider} is resolved only inside each client, never copied into a job graph.
 *
 * <p>{@link #load} refuses, naming the key, what Kafka would refuse later or what would break Sweep's guarantees:
 * an unknown key, a value its Kafka definition does not take, a setting Sweep owns (serializers, idempotence,
 * acks, isolation, groups), an environment variable that is not set, an unreadable keystore or truststore, a
 * wrong store password, a JAAS entry that does not parse, SASL without a JAAS entry. Values of Kafka's
 * password-typed keys are never put in a message or {@link #toString()}.
 */
public final class KafkaClientConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** No file: plaintext, no identity (a broker on this machine). */
    public static final KafkaClientConfig NONE = new KafkaClientConfig(Map.of(), "no --kafka-config");

    private static final List<ConfigDef> CLIENT_DEFS =
            List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef());

    /** Keys whose value Sweep's correctness rests on: the file may not change them. */
    private static final Map<String, String> OWNED = Map.ofEntries(
            Map.entry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "give the brokers with --bootstrap"),
            Map.entry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "Sweep's keys are strings"),
            Map.entry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "Sweep's values are Avro bytes"),
            Map.entry(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "Sweep's keys are strings"),
            Map.entry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "Sweep's values are Avro bytes"),
            Map.entry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "a retry must never write a record twice"),
            Map.entry(ProducerConfig.ACKS_CONFIG, "a record is acknowledged only once every replica has it"),
            Map.entry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "the job sets its own transactions"),
            Map.entry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "readers see committed records only"),
            Map.entry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "offsets are committed after the work is done"),
            Map.entry(ConsumerConfig.GROUP_ID_CONFIG, "each command names its groups (--group)"),
            Map.entry(ProducerConfig.CLIENT_ID_CONFIG, "each client names itself"));

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}:]*):(?:[^}:]*:)?([^}]*)}");

    private final Map<String, String> properties;
    private final String source;

    private KafkaClientConfig(Map<String, String> properties, String source) {
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
        this.source = source;
    }

    /**
     * Reads and checks a client properties file.
     *
     * @throws IllegalArgumentException "FILE: key 'K': why", never quoting a secret
     */
    public static KafkaClientConfig load(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + e.getClass().getSimpleName() + ")", e);
        }
        Map<String, String> map = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k).strip()));
        return of(map, file.toString());
    }

    /** Checks properties given in code; {@code source} names them in messages. */
    public static KafkaClientConfig of(Map<String, String> properties, String source) {
        KafkaClientConfig c = new KafkaClientConfig(properties, source);
        c.check();
        return c;
    }

    /** The properties as written (variables unresolved). */
    public Map<String, String> properties() {
        return properties;
    }

    public boolean isEmpty() {
        return properties.isEmpty();
    }

    /** Lays these properties over {@code client}'s. */
    public Properties applyTo(Properties client) {
        client.putAll(properties);
        return client;
    }

    /** {@code security.protocol} as the clients will use it. */
    public String securityProtocol() {
        return properties.getOrDefault("security.protocol", "PLAINTEXT");
    }

    /** The properties for a log line: password-typed values hidden. */
    @Override
    public String toString() {
        if (properties.isEmpty()) {
            return source;
        }
        StringBuilder sb = new StringBuilder(source).append(" (");
        properties.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ")
                .append(k).append('=').append(isSecret(k) ? "[hidden]" : v));
        return sb.append(')').toString();
    }

    /** Whether Kafka types this key as a password (or it is a config provider's parameter, which may hold one). */
    public static boolean isSecret(String key) {
        if (key.startsWith(AbstractConfig.CONFIG_PROVIDERS_CONFIG + ".") && key.contains(".param.")) {
            return true;
        }
        for (ConfigDef def : CLIENT_DEFS) {
            ConfigDef.ConfigKey k = def.configKeys().get(key);
            if (k != null) {
                return k.type == ConfigDef.Type.PASSWORD;
            }
        }
        return false;
    }

    // -------------------------------------------------------------------------------------------------------------

    private void check() {
        for (String key : properties.keySet()) {
            if (OWNED.containsKey(key)) {
                throw refused(key, "set by Sweep, not by the file: " + OWNED.get(key));
            }
            if (!key.startsWith(AbstractConfig.CONFIG_PROVIDERS_CONFIG) && keyOf(key) == null) {
                throw refused(key, "not a Kafka client setting");
            }
        }
        Map<String, String> resolved = resolved();
        for (Map.Entry<String, String> e : resolved.entrySet()) {
            Matcher m = VARIABLE.matcher(e.getValue());
            if (m.find()) {
                throw refused(e.getKey(), "${" + m.group(1) + ":...} names " + m.group(2)
                        + (m.group(1).equals("env") ? ", an environment variable that is not set" : ", which its provider does not have")
                        + " (config.providers must list '" + m.group(1) + "')");
            }
            ConfigDef.ConfigKey k = keyOf(e.getKey());
            if (k == null) {
                continue;
            }
            Object value;
            try {
                value = ConfigDef.parseType(k.name, e.getValue(), k.type);
                if (k.validator != null) {
                    k.validator.ensureValid(k.name, value);
                }
            } catch (ConfigException ex) {
                throw refused(k.name, k.type == ConfigDef.Type.PASSWORD ? "not a valid password value" : ex.getMessage());
            }
        }
        checkStore(resolved, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG,
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
        checkStore(resolved, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_TYPE_CONFIG,
                SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
        String protocol = resolved.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(java.util.Locale.ROOT);
        String jaas = resolved.get(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas != null) {
            try {
                JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG, new Password(jaas)));
            } catch (RuntimeException ex) {
                // Kafka's parser messages may quote the entry, and the entry holds the password: say it in our words.
                throw refused(SaslConfigs.SASL_JAAS_CONFIG, "not a JAAS entry (LoginModule required username=\"...\" password=\"...\";)");
            }
        } else if (protocol.startsWith("SASL_")
                && !resolved.getOrDefault(SaslConfigs.SASL_MECHANISM, "GSSAPI").equalsIgnoreCase("GSSAPI")) {
            throw refused(SaslConfigs.SASL_JAAS_CONFIG, "missing: " + protocol + " with "
                    + resolved.get(SaslConfigs.SASL_MECHANISM) + " needs the user's login");
        }
    }

    /** The values with every {@code ${provider:...}} variable resolved by Kafka's own config providers. */
    private Map<String, String> resolved() {
        if (properties.keySet().stream().noneMatch(k -> k.startsWith(AbstractConfig.CONFIG_PROVIDERS_CONFIG))) {
            return properties;
        }
        try {
            Map<String, String> out = new TreeMap<>(new AbstractConfig(new ConfigDef(), properties, false).originalsStrings());
            out.keySet().removeIf(k -> k.startsWith(AbstractConfig.CONFIG_PROVIDERS_CONFIG));
            return out;
        } catch (ConfigException e) {
            throw refused(AbstractConfig.CONFIG_PROVIDERS_CONFIG, "the config providers do not load (" + e.getMessage() + ")");
        }
    }

    private void checkStore(Map<String, String> resolved, String locationKey, String typeKey, String passwordKey) {
        String location = resolved.get(locationKey);
        if (location == null) {
            return;
        }
        Path path = Path.of(location);
        if (!Files.isReadable(path) || Files.isDirectory(path)) {
            throw refused(locationKey, "cannot read " + location);
        }
        String type = resolved.getOrDefault(typeKey, "JKS");
        if (type.equals("PEM")) {
            return; // PEM files carry no store password; Kafka checks their contents
        }
        String password = resolved.get(passwordKey);
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore.getInstance(type).load(in, password == null ? null : password.toCharArray());
        } catch (IOException e) {
            throw refused(password == null ? locationKey : passwordKey, password == null
                    ? "cannot open " + location + " without a password" : "does not open " + location);
        } catch (GeneralSecurityException e) {
            throw refused(typeKey, location + " is not a " + type + " store");
        }
    }

    private static ConfigDef.ConfigKey keyOf(String key) {
        for (ConfigDef def : CLIENT_DEFS) {
            ConfigDef.ConfigKey k = def.configKeys().get(key);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    private IllegalArgumentException refused(String key, String why) {
        return new IllegalArgumentException(source + ": key '" + key + "': " + why);
    }
}
