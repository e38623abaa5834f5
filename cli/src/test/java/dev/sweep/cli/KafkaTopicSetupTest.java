package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.broker.LocalKafka;
import dev.sweep.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * deploy/kafka/create-topics.sh against the code: its plan is the project's topics with the
 * partitions the broker module gives them, and a real broker accepts its retention settings.
 */
@Tag("e2e")
class KafkaTopicSetupTest {

    record Planned(int partitions, long retentionMs) {}

    static Map<String, Planned> plan(String partitions) {
        Deployment.Run r = Deployment.run(Deployment.ROOT, Map.of("PARTITIONS", partitions),
                List.of("bash", "deploy/kafka/create-topics.sh", "--plan"));
        assertEquals(0, r.exit(), r.err());
        Map<String, Planned> plan = new LinkedHashMap<>();
        for (String line : r.out().strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            assertEquals(3, f.length, "topic partitions retention.ms: " + line);
            plan.put(f[0], new Planned(Integer.parseInt(f[1]), Long.parseLong(f[2])));
        }
        return plan;
    }

    @Test
    void thePlanIsTheProjectsTopicsWithTheBrokersPartitionCounts() {
        String partitions = Deployment.environment("kafka-topics").get("PARTITIONS");
        assertEquals(Deployment.envExample().get("KAFKA_PARTITIONS"), partitions);
        for (String p : List.of(partitions, "12")) {
            Map<String, Planned> plan = plan(p);
            Map<String, Integer> counts = new LinkedHashMap<>();
            plan.forEach((topic, planned) -> counts.put(topic, planned.partitions()));
            assertEquals(LocalKafka.topicPartitions(Integer.parseInt(p)), counts);
            assertEquals(Topics.ALL, List.copyOf(plan.keySet()));
        }
        Map<String, Planned> plan = plan(partitions);
        long day = Duration.ofDays(1).toMillis();
        // The inputs are what InfluxDB is rebuilt from: they outlive everything derived from them.
        for (String input : List.of(Topics.SCANS, Topics.STATION_STATUS)) {
            assertTrue(plan.get(input).retentionMs() >= 30 * day, input);
            for (String derived : List.of(Topics.SITE_MINUTES, Topics.COVERAGE, Topics.PIPELINE)) {
                assertTrue(plan.get(input).retentionMs() >= plan.get(derived).retentionMs(), input + " vs " + derived);
            }
        }
        for (Planned p : plan.values()) {
            assertTrue(p.retentionMs() >= 7 * day, "a week at least, for every topic");
        }
        Deployment.Run bad = Deployment.run(Deployment.ROOT, Map.of("PARTITIONS", "four"),
                List.of("bash", "deploy/kafka/create-topics.sh", "--plan"));
        assertNotEquals(0, bad.exit());
        assertTrue(bad.err().contains("PARTITIONS"), bad.err());
    }

    /** The compose setup, the test broker and the README's table keep each topic for the same time. */
    @Test
    void retentionIsTheSameInComposeTheTestBrokerAndTheReadme() {
        Map<String, Planned> plan = plan("4");
        Map<String, Long> script = new LinkedHashMap<>();
        plan.forEach((topic, p) -> script.put(topic, p.retentionMs()));
        Map<String, Long> broker = new LinkedHashMap<>();
        LocalKafka.topicRetention().forEach((topic, d) -> broker.put(topic, d.toMillis()));
        assertEquals(broker, script);
        Map<String, Long> readme = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\| `(sweep\\.[a-z-]+)` \\| (\\d+) days \\|")
                .matcher(Deployment.read("README.md"));
        while (m.find()) {
            readme.put(m.group(1), Duration.ofDays(Long.parseLong(m.group(2))).toMillis());
        }
        assertEquals(broker, readme, "README, \"What each topic keeps\"");
    }

    /** The ACLs the compose setup lays are the secure test broker's, line for line. */
    @Test
    void theAclPlanIsTheSecureBrokers() {
        Deployment.Run r = Deployment.run(Deployment.ROOT, Map.of(), List.of("bash", "deploy/kafka/create-topics.sh", "--acl-plan"));
        assertEquals(0, r.exit(), r.err());
        List<String> expected = dev.sweep.broker.AccessPlan.grants().stream().map(dev.sweep.broker.AccessPlan.Grant::line).toList();
        assertEquals(expected, List.of(r.out().strip().split("\n")));
        // The script creates a user for each role the plan names, with that role's password variable.
        String script = Deployment.read("deploy/kafka/create-topics.sh");
        for (var role : dev.sweep.broker.AccessPlan.Role.values()) {
            if (role != dev.sweep.broker.AccessPlan.Role.ADMIN) {
                assertTrue(script.contains(" " + role.user() + " ") || script.contains(" " + role.user() + ";"), role.user());
                assertTrue(Deployment.environment("kafka-topics").containsKey("SWEEP_KAFKA_" + role.name() + "_PASSWORD"), role.name());
            }
        }
    }

    /** The topics' descriptions, once the broker serves them all (creation propagates asynchronously). */
    static Map<String, TopicDescription> described(Admin admin, java.util.Set<String> topics) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** What the script asks kafka-topics.sh for, asked of a real broker through the Admin API. */
    @Test
    void aRealBrokerTakesThePlan() throws Exception {
        Map<String, Planned> plan = plan(Deployment.envExample().get("KAFKA_PARTITIONS"));
        try (LocalKafka kafka = LocalKafka.start(LocalKafka.Options.defaults().withCreateTopics(false))) {
            Admin admin = kafka.admin();
            List<NewTopic> topics = new ArrayList<>();
            plan.forEach((name, p) -> topics.add(new NewTopic(name, p.partitions(), (short) 1)
                    .configs(Map.of("retention.ms", Long.toString(p.retentionMs())))));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
            Map<String, TopicDescription> described = described(admin, plan.keySet());
            List<ConfigResource> resources = plan.keySet().stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            plan.forEach((name, p) -> {
                assertEquals(p.partitions(), described.get(name).partitions().size(), name);
                assertEquals(Long.toString(p.retentionMs()),
                        configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).get("retention.ms").value(), name);
            });
        }
    }
}
