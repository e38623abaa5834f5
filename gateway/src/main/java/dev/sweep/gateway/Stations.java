package dev.sweep.gateway;

import dev.sweep.campaign.Scenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The stations file: who may post, for which site, with which credential. One line per credential,
 * {@code STATION SITE CREDENTIAL}, where the credential is {@code sha256:HEX} (the SHA-256 of the station's bearer
 * token: the token itself is never stored) or {@code cert-sha256:HEX} (the SHA-256 fingerprint of the station's
 * client certificate). A station may have several lines (an old and a new credential while a token is rotated),
 * always for one site. {@code #} starts a comment. State: the credentials by hash, read once; a file that changes
 * is read again by {@link StationGateway}.
 */
public final class Stations {
    /** What a token hash or certificate fingerprint opens: a station of one site. */
    public record Station(String id, String siteId) {}

    public static final String TOKEN = "sha256:";
    public static final String CERTIFICATE = "cert-sha256:";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private final Map<String, Station> byCredential;
    private final int stations;

    private Stations(Map<String, Station> byCredential, int stations) {
        this.byCredential = byCredential;
        this.stations = stations;
    }

    /**
     * Reads and checks the file against the campaign.
     *
     * @throws IllegalArgumentException "FILE line N, field: why", for the first problem
     */
    public static Stations load(Path file, Scenario campaign) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read it (" + e.getClass().getSimpleName() + ")", e);
        }
        Map<String, Station> byCredential = new HashMap<>();
        Map<String, String> siteOf = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            String[] f = line.split("\\s+");
            if (f.length != 3) {
                throw new IllegalArgumentException(where + ": expected STATION SITE CREDENTIAL, got " + f.length + " fields");
            }
            if (!ID.matcher(f[0]).matches()) {
                throw new IllegalArgumentException(where + ", station: '" + f[0] + "' is not an id (letters, digits, . _ -; at most 64)");
            }
            if (campaign.site(f[1]) == null) {
                throw new IllegalArgumentException(where + ", site: no site '" + f[1] + "' in " + campaign.name());
            }
            String before = siteOf.putIfAbsent(f[0], f[1]);
            if (before != null && !before.equals(f[1])) {
                throw new IllegalArgumentException(where + ", site: station " + f[0] + " is already site " + before + "'s");
            }
            String credential = f[2].toLowerCase(java.util.Locale.ROOT);
            String hex = credential.startsWith(TOKEN) ? credential.substring(TOKEN.length())
                    : credential.startsWith(CERTIFICATE) ? credential.substring(CERTIFICATE.length()).replace(":", "") : null;
            if (hex == null || !HEX64.matcher(hex).matches()) {
                throw new IllegalArgumentException(where + ", credential: not " + TOKEN + "<64 hex digits> (a token's hash) nor "
                        + CERTIFICATE + "<64 hex digits> (a client certificate's fingerprint)");
            }
            String key = (credential.startsWith(TOKEN) ? TOKEN : CERTIFICATE) + hex;
            if (byCredential.putIfAbsent(key, new Station(f[0], f[1])) != null) {
                throw new IllegalArgumentException(where + ", credential: given twice");
            }
        }
        return new Stations(Map.copyOf(byCredential), siteOf.size());
    }

    /** The station whose bearer token this is, or null. */
    public Station byToken(String token) {
        return token == null || token.isEmpty() ? null : byCredential.get(TOKEN + sha256(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** The station whose client certificate this is, or null. */
    public Station byCertificate(Certificate certificate) {
        try {
            return byCredential.get(CERTIFICATE + sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            return null;
        }
    }

    /** How many stations the file lets in. */
    public int size() {
        return stations;
    }

    /** A new bearer token: 256 random bits, URL-safe. */
    public static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return "swp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The stations-file line that lets {@code token} in as {@code station} of {@code site}. */
    public static String line(String station, String site, String token) {
        if (!ID.matcher(station).matches()) {
            throw new IllegalArgumentException("station: '" + station + "' is not an id (letters, digits, . _ -; at most 64)");
        }
        return station + " " + site + " " + TOKEN + sha256(token.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Issues a new token to each station (station id, site id pairs): its hash goes into the stations file, the token
     * itself into the stations' credentials file (owner-only), and nowhere else. A station that already has a
     * credential keeps it (rotation: revoke the old one once the device has the new).
     */
    public static List<dev.sweep.gateway.stations.StationCredentials.Credential> issue(Path stationsFile, Path credentialsFile,
                                                                                    Scenario campaign, List<String[]> stationSites) {
        List<dev.sweep.gateway.stations.StationCredentials.Credential> issued = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (String[] ss : stationSites) {
            if (campaign.site(ss[1]) == null) {
                throw new IllegalArgumentException("--site: no site '" + ss[1] + "' in " + campaign.name());
            }
            String token = newToken();
            lines.append(line(ss[0], ss[1], token)).append('\n');
            issued.add(new dev.sweep.gateway.stations.StationCredentials.Credential(ss[0], ss[1], token));
        }
        try {
            if (!Files.exists(stationsFile)) {
                Files.writeString(stationsFile, "# station site credential (sha256: a token's hash, cert-sha256: a client certificate's fingerprint)\n");
            }
            Files.writeString(stationsFile, lines, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + stationsFile, e);
        }
        dev.sweep.gateway.stations.StationCredentials.append(credentialsFile, issued);
        load(stationsFile, campaign); // what was written must read back
        return issued;
    }

    /**
     * Takes the credentials of {@code station} out of the stations file, all of them or all but the newest (the last
     * line: the end of a rotation); returns how many lines went.
     */
    public static int revoke(Path stationsFile, String station, boolean keepNewest) {
        try {
            List<String> all = Files.readAllLines(stationsFile, StandardCharsets.UTF_8);
            List<String> kept = without(stationsFile, station);
            if (keepNewest) {
                for (int i = all.size() - 1; i >= 0; i--) {
                    String[] f = all.get(i).strip().split("\\s+");
                    if (f.length == 3 && f[0].equals(station)) {
                        kept.add(all.get(i));
                        break;
                    }
                }
            }
            Path tmp = stationsFile.resolveSibling(stationsFile.getFileName() + ".tmp");
            Files.write(tmp, kept, StandardCharsets.UTF_8);
            Files.move(tmp, stationsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return all.size() - kept.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + stationsFile, e);
        }
    }

    /** The lines of {@code file} without those of {@code station} (revoking all its credentials), for a rewrite. */
    public static List<String> without(Path file, String station) {
        try {
            List<String> kept = new ArrayList<>();
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = l.strip().split("\\s+");
                if (!(f.length == 3 && f[0].equals(station))) {
                    kept.add(l);
                }
            }
            return kept;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
