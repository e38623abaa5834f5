package dev.sweep.broker;

import dev.sweep.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on a secured broker: one SCRAM user per role, and the ACLs that let each do its part and
 * nothing else (the standard authorizer denies whatever no ACL allows). The same plan is laid by the secure
 * test broker ({@link LocalKafka}) and by docker-compose's topic setup ({@code deploy/kafka/create-topics.sh};
 * a test holds the two to each other). WRITE implies DESCRIBE, READ implies DESCRIBE.
 */
public final class AccessPlan {
    private AccessPlan() {}

    /** The principals: each process runs as one. */
    public enum Role {
        /** Super user: the broker itself and its operator (topics, users, ACLs). */
        ADMIN("admin"),
        /** Stations writing to Kafka directly (the simulator, a station on the command center's network). */
        STATION("station"),
        /** The HTTPS gateway that writes for the stations in the field. */
        GATEWAY("gateway"),
        /** The coverage job: reads the inputs, writes its outputs and dead letters (transactions). */
        JOB("job"),
        /** The alert hooks: read alerts, write what they could not deliver. */
        HOOKS("hooks"),
        /** The live board: reads only. */
        BOARD("board");

        private final String user;

        Role(String user) {
            this.user = user;
        }

        /** The SCRAM user name (the principal is User:NAME). */
        public String user() {
            return user;
        }
    }

    /** The consumer groups and transactional ids of Sweep's processes all start with this. */
    public static final String GROUP_PREFIX = "sweep-";

    /** One line of the plan. */
    public record Grant(Role role, ResourceType type, PatternType pattern, String name, AclOperation operation) {
        public AclBinding binding() {
            return new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + role.user(), "*", operation, AclPermissionType.ALLOW));
        }

        /** {@code user TYPE PATTERN name OPERATION}, as create-topics.sh --acl-plan prints it. */
        public String line() {
            return role.user() + " " + type + " " + pattern + " " + name + " " + operation;
        }
    }

    /** Every grant, role by role. */
    public static List<Grant> grants() {
        List<Grant> g = new ArrayList<>();
        for (Role writer : List.of(Role.STATION, Role.GATEWAY)) {
            for (String topic : List.of(Topics.SCANS, Topics.STATION_STATUS)) {
                g.add(topic(writer, topic, AclOperation.WRITE));
            }
        }
        for (String topic : List.of(Topics.SCANS, Topics.STATION_STATUS)) {
            g.add(topic(Role.JOB, topic, AclOperation.READ));
        }
        for (String topic : List.of(Topics.SITE_MINUTES, Topics.COVERAGE, Topics.ALERTS, Topics.PIPELINE, Topics.DEAD_LETTERS)) {
            g.add(topic(Role.JOB, topic, AclOperation.WRITE));
        }
        g.add(new Grant(Role.JOB, ResourceType.GROUP, PatternType.PREFIXED, GROUP_PREFIX, AclOperation.READ));
        g.add(new Grant(Role.JOB, ResourceType.TRANSACTIONAL_ID, PatternType.PREFIXED, GROUP_PREFIX, AclOperation.WRITE));
        g.add(topic(Role.HOOKS, Topics.ALERTS, AclOperation.READ));
        g.add(topic(Role.HOOKS, Topics.UNDELIVERED_ALERTS, AclOperation.WRITE));
        g.add(new Grant(Role.HOOKS, ResourceType.GROUP, PatternType.PREFIXED, "sweep-hooks", AclOperation.READ));
        for (String topic : List.of(Topics.COVERAGE, Topics.SITE_MINUTES, Topics.ALERTS, Topics.STATION_STATUS, Topics.PIPELINE)) {
            g.add(topic(Role.BOARD, topic, AclOperation.READ));
        }
        return g;
    }

    private static Grant topic(Role role, String topic, AclOperation op) {
        return new Grant(role, ResourceType.TOPIC, PatternType.LITERAL, topic, op);
    }
}
