package dev.sweep.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The repository's deployment as Docker Compose sees it: {@code docker-compose.yml} resolved by
 * the real {@code docker-compose config} (Debian's package) with the variables of
 * {@code .env.example}, and the files it refers to. For the tests that hold it to the code.
 */
final class Deployment {
    static final Path ROOT = findRoot();
    static final String COMPOSE = "/usr/bin/docker-compose";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Map<String, Object> resolved;

    private Deployment() {}

    /** What a finished process said. */
    record Run(int exit, String out, String err) {}

    /** The variables of .env.example, in file order ({@code KEY=value} lines; comments skipped). */
    static Map<String, String> envExample() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines(ROOT.resolve(".env.example"))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new AssertionError(".env.example: not KEY=value: " + line);
            }
            env.put(l.substring(0, eq), l.substring(eq + 1));
        }
        return env;
    }

    /** .env.example as an operator fills it in: every blank secret gets a value. */
    static Map<String, String> filledEnv() {
        Map<String, String> env = envExample();
        env.replaceAll((k, v) -> v.isEmpty() && !k.equals("SWEEP_RESTORE_FROM") ? "test-" + k.toLowerCase() + "-secret" : v);
        return env;
    }

    /** Runs {@code docker-compose -f docker-compose.yml ARGS} at the repo root with these variables. */
    static Run compose(Map<String, String> env, String... args) {
        if (!Files.isExecutable(Path.of(COMPOSE))) {
            throw new AssertionError(COMPOSE + " is missing: install Debian's docker-compose package "
                    + "(apt-get install docker-compose), or run ./sweep test, which does");
        }
        List<String> cmd = new ArrayList<>(List.of(COMPOSE, "-f", "docker-compose.yml"));
        cmd.addAll(List.of(args));
        return run(ROOT, env, cmd);
    }

    static Run run(Path dir, Map<String, String> env, List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            pb.environment().putAll(env);
            Path out = Files.createTempFile("deploy-out-", ".txt");
            Path err = Files.createTempFile("deploy-err-", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish within 2 minutes");
            }
            Run r = new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code docker-compose config} with the filled-in .env.example: the file as Compose runs it. */
    @SuppressWarnings("unchecked")
    static synchronized Map<String, Object> resolved() {
        if (resolved == null) {
            Run r = compose(filledEnv(), "config");
            if (r.exit() != 0) {
                throw new AssertionError("docker-compose config failed: " + r.err());
            }
            try {
                resolved = YAML.readValue(r.out(), Map.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return resolved;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) resolved().get("services");
    }

    static Map<String, Object> service(String name) {
        Map<String, Object> s = services().get(name);
        if (s == null) {
            throw new AssertionError("docker-compose.yml has no service " + name + "; it has " + services().keySet());
        }
        return s;
    }

    /** The service's command as an argument list (Compose keeps the exec form as written). */
    @SuppressWarnings("unchecked")
    static List<String> command(String name) {
        Object c = service(name).get("command");
        if (!(c instanceof List)) {
            throw new AssertionError("service " + name + ": write the command as a list (exec form), not " + c);
        }
        return ((List<Object>) c).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> environment(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        Object e = service(name).get("environment");
        if (e instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        }
        return env;
    }

    /** Container path -> source (an absolute host path or a named volume) of each mount. */
    @SuppressWarnings("unchecked")
    static Map<String, String> mounts(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        Object v = service(name).get("volumes");
        if (v instanceof List<?> list) {
            for (Object o : list) {
                String[] parts = String.valueOf(o).split(":");
                if (parts.length < 2) {
                    throw new AssertionError("service " + name + ": mount without a source: " + o);
                }
                out.put(parts[1], parts[0]);
            }
        }
        return out;
    }

    /** The build target of a service built from the repo's Dockerfile, or null for a pulled image. */
    @SuppressWarnings("unchecked")
    static String buildTarget(String name) {
        Object b = service(name).get("build");
        return b instanceof Map<?, ?> m ? (String) m.get("target") : null;
    }

    static String image(String name) {
        return (String) service(name).get("image");
    }

    /** The versions the project builds (the parent pom's, filled in by Maven). */
    static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = Deployment.class.getResourceAsStream("/project-versions.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static String read(String relative) {
        try {
            return Files.readString(ROOT.resolve(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
