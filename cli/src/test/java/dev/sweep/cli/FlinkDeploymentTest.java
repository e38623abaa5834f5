package dev.sweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sweep.jobs.CoverageFlags;
import dev.sweep.jobs.CoverageJob;
import dev.sweep.jobs.CoverageOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.container.entrypoint.StandaloneApplicationClusterConfigurationParserFactory;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.entrypoint.ClusterConfiguration;
import org.apache.flink.runtime.entrypoint.parser.CommandLineParser;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Flink side of the deployment: the jobmanager's command read by Flink's own application-mode
 * parser, the job's flags by {@link CoverageOptions}, deploy/flink/config.yaml by Flink's loader,
 * and the image's entry point (which resumes the job from its newest checkpoint) run by bash.
 */
class FlinkDeploymentTest {
    /** What standalone-job.sh adds before the container's arguments. */
    private static final List<String> SCRIPT_ARGS = List.of("--configDir", "/opt/flink/conf");

    /** Flink's view of `standalone-job ARGS`: the job class, the program's arguments, the restore path. */
    record Application(String jobClass, List<String> programArgs, SavepointRestoreSettings restore) {}

    static Application parseAsFlink(List<String> command) throws Exception {
        assertEquals("standalone-job", command.get(0), "application mode: the jobmanager runs standalone-job");
        List<String> args = new ArrayList<>(SCRIPT_ARGS);
        args.addAll(command.subList(1, command.size()));
        ClusterConfiguration parsed = new CommandLineParser<>(new StandaloneApplicationClusterConfigurationParserFactory())
                .parse(args.toArray(String[]::new));
        // The result type is package-private in Flink: read it the way the entry point does.
        Method jobClass = parsed.getClass().getDeclaredMethod("getJobClassName");
        Method restore = parsed.getClass().getDeclaredMethod("getSavepointRestoreSettings");
        jobClass.setAccessible(true);
        restore.setAccessible(true);
        return new Application((String) jobClass.invoke(parsed), List.of(parsed.getArgs()),
                (SavepointRestoreSettings) restore.invoke(parsed));
    }

    /** The job's flags as the job jar's main reads them; the scenario directory is the one compose mounts. */
    static CoverageOptions jobOptions(List<String> programArgs) {
        List<String> args = new java.util.ArrayList<>(programArgs);
        for (String file : List.of("--scenario", "--kafka-config")) {
            int at = args.indexOf(file);
            if (at >= 0) {
                String mounted = Deployment.mounts("jobmanager").get(args.get(at + 1));
                args.set(at + 1, mounted != null ? mounted : args.get(at + 1));
            }
        }
        CoverageFlags flags = new CoverageFlags();
        try {
            new CommandLine(flags).parseArgs(args.toArray(String[]::new));
            return flags.toOptions();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            throw new AssertionError("the jobmanager's job arguments are not the coverage job's flags: " + e.getMessage(), e);
        }
    }

    static Configuration clusterConfig() {
        return GlobalConfiguration.loadConfiguration(Deployment.ROOT.resolve("deploy/flink").toString());
    }

    @Test
    void theJobmanagerRunsTheCoverageJobWithTheFlagsOfSweepJob() throws Exception {
        Application app = parseAsFlink(Deployment.command("jobmanager"));
        assertEquals(CoverageJob.class.getName(), app.jobClass());
        assertEquals(SavepointRestoreSettings.none(), app.restore(), "the entry point decides where to resume from");
        CoverageOptions o = jobOptions(app.programArgs());

        assertEquals("kafka:9092", o.bootstrap());
        assertEquals("http://influxdb:8086", o.influxUrl());
        Map<String, String> influx = Deployment.environment("influxdb");
        assertEquals(influx.get("DOCKER_INFLUXDB_INIT_ORG"), o.influxOrg());
        assertEquals(influx.get("DOCKER_INFLUXDB_INIT_BUCKET"), o.influxBucket());
        assertEquals(Integer.parseInt(Deployment.envExample().get("JOB_PARALLELISM")), o.parallelism());
        assertTrue(o.parallelism() <= clusterConfig().get(TaskManagerOptions.NUM_TASK_SLOTS),
                "one taskmanager's slots run the job at its parallelism");
        assertTrue(o.parallelism() <= Integer.parseInt(Deployment.envExample().get("KAFKA_PARTITIONS")),
                "every source subtask has a partition to read");
        ComposeFileTest.checkScenarioMount("jobmanager", app.programArgs().get(app.programArgs().indexOf("--scenario") + 1));
        assertEquals(381, o.campaign().sites().size(), "the mounted neixiang campaign");
        assertTrue(Deployment.mounts("taskmanager").keySet().stream().noneMatch(m -> m.contains("scenario")),
                "the campaign travels with the job graph: the taskmanagers mount no scenario");

        // RocksDB with incremental checkpoints, on the volume both jobmanager and taskmanagers mount.
        Configuration job = CoverageJob.configuration(o);
        assertEquals("rocksdb", job.get(StateBackendOptions.STATE_BACKEND));
        assertTrue(job.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        String checkpoints = job.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        assertTrue(checkpoints.startsWith("file:///flink-data/"), checkpoints);
        assertEquals("flink-data", Deployment.mounts("jobmanager").get("/flink-data"));
        assertEquals("flink-data", Deployment.mounts("taskmanager").get("/flink-data"));
        assertTrue(clusterConfig().get(CheckpointingOptions.SAVEPOINT_DIRECTORY).startsWith("file:///flink-data/"));
        assertTrue(Deployment.read("deploy/Dockerfile").contains("mkdir -p /flink-data/checkpoints /flink-data/savepoints && chown -R flink:flink /flink-data"),
                "a fresh flink-data volume is writable by the flink user");
    }

    @Test
    void theRebuildReplaysTheTopicsBoundedFromTheEarliestOffsetInItsOwnGroup() {
        List<String> rebuild = Deployment.command("rebuild");
        assertEquals("job", rebuild.get(0));
        CoverageOptions o = jobOptions(rebuild.subList(1, rebuild.size()));
        CoverageOptions live = jobOptions(parseAsFlinkUnchecked().programArgs());
        assertTrue(o.bounded(), "stops at the topics' end offsets");
        assertEquals(CoverageOptions.StartFrom.EARLIEST, o.from());
        assertTrue(!o.group().equals(live.group()), "its own consumer group: the live job's offsets stay as they are");
        assertEquals(live.influxUrl(), o.influxUrl());
        assertEquals(live.influxBucket(), o.influxBucket());
        assertEquals(live.campaign().name(), o.campaign().name());
    }

    private static Application parseAsFlinkUnchecked() {
        try {
            return parseAsFlink(Deployment.command("jobmanager"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theClusterConfigIsFlinksOwnAndKeepsCheckpointsForTheEntryPoint() throws Exception {
        Configuration conf = clusterConfig();
        Set<String> known = new TreeSet<>();
        for (Class<?> options : List.of(CheckpointingOptions.class, StateBackendOptions.class, JobManagerOptions.class,
                TaskManagerOptions.class, RestOptions.class, RocksDBOptions.class)) {
            for (Field f : options.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.get(null) instanceof ConfigOption<?> option) {
                    known.add(option.key());
                }
            }
        }
        Set<String> unknown = new TreeSet<>(conf.keySet());
        unknown.removeAll(known);
        assertEquals(Set.of(), unknown, "keys of deploy/flink/config.yaml that Flink does not know (or that are deprecated)");

        assertEquals("RETAIN_ON_CANCELLATION", conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION).name(),
                "checkpoints outlive the job, so a restarted jobmanager can resume from them");
        assertTrue(conf.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS) >= 2, "an incomplete newest one leaves an older one");
        assertEquals(CheckpointingMode.EXACTLY_ONCE, conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE));
        assertEquals("0.0.0.0", conf.get(RestOptions.BIND_ADDRESS), "the web UI and REST API answer outside the container");
        assertEquals("0.0.0.0", conf.get(JobManagerOptions.BIND_HOST));
        assertEquals("0.0.0.0", conf.get(TaskManagerOptions.BIND_HOST));
        // The memory Flink plans for is the memory the container gets.
        assertEquals(conf.get(TaskManagerOptions.TOTAL_PROCESS_MEMORY).getBytes(),
                org.apache.flink.configuration.MemorySize.parse(String.valueOf(Deployment.service("taskmanager").get("mem_limit"))).getBytes());
        assertEquals(conf.get(JobManagerOptions.TOTAL_PROCESS_MEMORY).getBytes(),
                org.apache.flink.configuration.MemorySize.parse(String.valueOf(Deployment.service("jobmanager").get("mem_limit"))).getBytes());
    }

    // ------------------------------------------------------------------ the image's entry point

    @TempDir
    Path tmp;

    /** Runs deploy/flink/sweep-entrypoint.sh with Flink's entry point replaced by one that prints its arguments. */
    Deployment.Run entrypoint(Map<String, String> env, List<String> args) throws Exception {
        Path echo = tmp.resolve("flink-entrypoint.sh");
        Files.writeString(echo, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        echo.toFile().setExecutable(true);
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("FLINK_ENTRYPOINT", echo.toString());
        List<String> cmd = new ArrayList<>(List.of("bash", Deployment.ROOT.resolve("deploy/flink/sweep-entrypoint.sh").toString()));
        cmd.addAll(args);
        return Deployment.run(tmp, all, cmd);
    }

    /** The jobmanager's command, with its checkpoint directory moved to where this test keeps one. */
    List<String> jobmanagerCommand(Path checkpoints) {
        List<String> command = new ArrayList<>(Deployment.command("jobmanager"));
        int i = command.indexOf("--checkpoints");
        command.set(i + 1, checkpoints.toUri().toString());
        return command;
    }

    Path checkpoint(Path dir, String name, Instant written, boolean complete) throws Exception {
        Path chk = Files.createDirectories(dir.resolve(name));
        if (complete) {
            Path meta = Files.writeString(chk.resolve("_metadata"), "metadata of " + name);
            Files.setLastModifiedTime(meta, FileTime.from(written));
        }
        return chk;
    }

    Application resumed(Deployment.Run run) throws Exception {
        assertEquals(0, run.exit(), run.err());
        return parseAsFlink(run.out().lines().toList());
    }

    @Test
    void theEntryPointResumesTheJobFromItsNewestStateOrOnceFromTheOneItIsTold() throws Exception {
        Path checkpoints = Files.createDirectories(tmp.resolve("checkpoints"));
        Path savepoints = Files.createDirectories(tmp.resolve("savepoints"));
        Map<String, String> env = Map.of("SWEEP_SAVEPOINT_DIR", savepoints.toString());
        List<String> command = jobmanagerCommand(checkpoints);
        Instant t0 = Instant.parse("2026-05-04T08:00:00Z");

        // A first start: no state, the command as written.
        Application fresh = resumed(entrypoint(env, command));
        assertEquals(SavepointRestoreSettings.none(), fresh.restore());
        assertEquals(jobOptions(fresh.programArgs()).checkpoints(), checkpoints.toUri().toString());

        // A restart: the newest complete checkpoint, whatever the job ids and numbers.
        String job = "00000000000000000000000000000000";
        checkpoint(checkpoints, job + "/chk-12", t0.plusSeconds(10), true);
        Path newest = checkpoint(checkpoints, job + "/chk-9", t0.plusSeconds(30), true);
        checkpoint(checkpoints, job + "/chk-13", t0.plusSeconds(40), false); // still being written
        checkpoint(checkpoints, "a6a0b1e2c3d4e5f60718293a4b5c6d7e/chk-2", t0.plusSeconds(20), true);
        Application restart = resumed(entrypoint(env, command));
        assertEquals(newest.toString(), restart.restore().getRestorePath());
        assertEquals(parseAsFlink(command).programArgs(), restart.programArgs(), "the job's own flags are unchanged");

        // `flink stop` left a savepoint: the restarted jobmanager (or the upgraded one) resumes from it;
        // once the job has checkpointed again, from that checkpoint.
        Path stopped = checkpoint(savepoints, "savepoint-000000-5a1b2c3d4e5f", t0.plusSeconds(60), true);
        assertEquals(stopped.toString(), resumed(entrypoint(env, command)).restore().getRestorePath());
        Path after = checkpoint(checkpoints, job + "/chk-14", t0.plusSeconds(90), true);
        assertEquals(after.toString(), resumed(entrypoint(env, command)).restore().getRestorePath());

        // A rollback: an older savepoint named in SWEEP_RESTORE_FROM wins once; later restarts go on from the newest.
        Path old = checkpoint(tmp, "kept/savepoint-000000-0ld0ld0ld0ld", t0.plusSeconds(5), true);
        Map<String, String> rollback = new java.util.HashMap<>(env);
        rollback.put("SWEEP_RESTORE_FROM", old.toString());
        assertEquals(old.toString(), resumed(entrypoint(rollback, command)).restore().getRestorePath());
        assertEquals(after.toString(), resumed(entrypoint(rollback, command)).restore().getRestorePath(),
                "a restart with the same SWEEP_RESTORE_FROM does not go back to it");

        // A restore path that is no savepoint is refused by name; other commands pass through.
        Deployment.Run wrong = entrypoint(Map.of("SWEEP_RESTORE_FROM", tmp.resolve("nothing").toString()), command);
        assertEquals(2, wrong.exit());
        assertTrue(wrong.err().contains("SWEEP_RESTORE_FROM"), wrong.err());
        assertEquals(List.of("taskmanager"), entrypoint(env, List.of("taskmanager")).out().lines().toList());
        List<String> explicit = new ArrayList<>(command);
        explicit.addAll(1, List.of("--fromSavepoint", old.toString()));
        assertEquals(explicit, entrypoint(env, explicit).out().lines().toList(), "an explicit --fromSavepoint is left alone");
    }

    @Test
    void theEntryPointLooksForSavepointsWhereFlinkWritesThem() {
        String env = Deployment.read("deploy/Dockerfile").lines().filter(l -> l.startsWith("ENV SWEEP_SAVEPOINT_DIR="))
                .findFirst().orElseThrow(() -> new AssertionError("the flink image sets SWEEP_SAVEPOINT_DIR"));
        assertEquals(clusterConfig().get(CheckpointingOptions.SAVEPOINT_DIRECTORY),
                "file://" + env.substring("ENV SWEEP_SAVEPOINT_DIR=".length()));
        assertTrue(Deployment.read("deploy/Dockerfile").contains("ENTRYPOINT [\"/sweep-entrypoint.sh\"]"));
    }

    private static Application app(List<String> command) throws Exception {
        return parseAsFlink(command);
    }
}
