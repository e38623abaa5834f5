package dev.sweep.gateway.stations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The stations' side of their credentials: {@code STATION SITE TOKEN} per line, what each device is provisioned
 * with (the gateway keeps only the tokens' hashes). Written owner-only. {@code #} starts a comment.
 */
public final class StationCredentials {
    /** One station's credential. */
    public record Credential(String station, String siteId, String token) {
        @Override
        public String toString() {
            return station + " (site " + siteId + ")"; // never the token
        }
    }

    private StationCredentials() {}

    /** @throws IllegalArgumentException "FILE line N: why" */
    public static List<Credential> load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + e.getClass().getSimpleName() + ")", e);
        }
        List<Credential> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length != 3) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected STATION SITE TOKEN, got " + f.length + " fields");
            }
            out.add(new Credential(f[0], f[1], f[2]));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ": no station credential in it");
        }
        return out;
    }

    /** Writes (or adds to) a credentials file, readable by its owner only. */
    public static void append(Path file, List<Credential> credentials) {
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, "# station site token: each device's own line, never shared\n", StandardCharsets.UTF_8);
            }
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not POSIX
            }
            StringBuilder sb = new StringBuilder();
            for (Credential c : credentials) {
                sb.append(c.station()).append(' ').append(c.siteId()).append(' ').append(c.token()).append('\n');
            }
            Files.writeString(file, sb, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
