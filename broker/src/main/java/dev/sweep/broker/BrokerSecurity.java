package dev.sweep.broker;

import dev.sweep.broker.AccessPlan.Role;
import dev.sweep.schemas.KafkaClientConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;

/**
 * A secured broker's side of things, kept in one directory: the CA and the broker's certificate
 * ({@link LocalCa}), one SCRAM-SHA-512 user per {@link Role} with its password, and one client properties file
 * per role ({@code ROLE.properties}, owner-only) for {@code --kafka-config}. Clients reach the broker over
 * SASL_SSL; the controller listener takes only the broker's own certificate (mutual TLS).
 */
final class BrokerSecurity {
    static final String MECHANISM = "SCRAM-SHA-512";
    static final String LISTENER = "SASL_SSL";
    /** The broker's certificate name: its principal on the controller listener (mutual TLS), a super user. */
    static final String BROKER_CERT = "sweep-broker";
    private static final int SCRAM_ITERATIONS = 8192;

    private final LocalCa ca;
    private final Path brokerStore;

    BrokerSecurity(Path dir) {
        this.ca = LocalCa.in(dir);
        this.brokerStore = ca.keystore(BROKER_CERT, List.of(LocalKafka.HOST, "localhost"));
    }

    Path dir() {
        return ca.dir();
    }

    LocalCa ca() {
        return ca;
    }

    String password(Role role) {
        return ca.password("user." + role.user());
    }

    /** The broker's listeners and security settings; {@code controller} is the controller listener's name. */
    Map<String, String> brokerProperties(String host, int port, String controller, int controllerPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", LISTENER + "://" + host + ":" + port + "," + controller + "://" + host + ":" + controllerPort);
        p.put("advertised.listeners", LISTENER + "://" + host + ":" + port);
        p.put("listener.security.protocol.map", LISTENER + ":SASL_SSL," + controller + ":SSL");
        p.put("inter.broker.listener.name", LISTENER);
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("listener.name." + LISTENER.toLowerCase() + "." + MECHANISM.toLowerCase() + ".sasl.jaas.config", jaas(Role.ADMIN));
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", brokerStore.toString());
        p.put("ssl.keystore.password", ca.storePassword(BROKER_CERT));
        p.put("ssl.key.password", ca.storePassword(BROKER_CERT));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", ca.caPem().toString());
        p.put("listener.name." + controller.toLowerCase() + ".ssl.client.auth", "required");
        p.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + Role.ADMIN.user() + ";User:" + BROKER_CERT);
        p.put("allow.everyone.if.no.acl.found", "false");
        return p;
    }

    /** The admin's SCRAM credential, written into the metadata when the log is formatted (before any user can log in). */
    List<String> formatScramArguments() {
        return List.of(MECHANISM + "=[name=" + Role.ADMIN.user() + ",password=" + password(Role.ADMIN) + "]");
    }

    /** What a client of {@code role} sets to reach the broker. */
    KafkaClientConfig client(Role role) {
        return KafkaClientConfig.of(clientProperties(role), role.user() + " on the local secure broker");
    }

    private Map<String, String> clientProperties(Role role) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", jaas(role));
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", ca.caPem().toString());
        return p;
    }

    /** The role's client properties file ({@code --kafka-config}), written (owner-only) if missing. */
    Path clientFile(Role role) {
        Path f = ca.dir().resolve(role.user() + ".properties");
        Properties p = new Properties();
        p.putAll(clientProperties(role));
        try {
            if (!Files.exists(f)) {
                Files.createFile(f);
            }
            try {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX: the directory's protection applies
            }
            try (var out = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
                p.store(out, "Sweep: Kafka client properties of the '" + role.user() + "' role (--kafka-config)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
        return f;
    }

    /** Creates (or resets) every role's SCRAM user and lays the ACLs of {@link AccessPlan}. Idempotent. */
    void apply(Admin admin) throws Exception {
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        for (Role role : Role.values()) {
            users.add(new UserScramCredentialUpsertion(role.user(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password(role)));
        }
        admin.alterUserScramCredentials(users).all().get(30, TimeUnit.SECONDS);
        List<AclBinding> acls = AccessPlan.grants().stream().map(AccessPlan.Grant::binding).toList();
        admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        for (Role role : Role.values()) {
            clientFile(role);
        }
    }

    private String jaas(Role role) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + role.user()
                + "\" password=\"" + password(role) + "\";";
    }
}
