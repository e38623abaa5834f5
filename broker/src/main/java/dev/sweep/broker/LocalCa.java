package dev.sweep.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority in a directory, made and used with the JDK's own keytool: {@code ca.p12} (its key),
 * {@code ca.pem} (its certificate, what clients trust) and one PKCS12 keystore per server it issued
 * ({@code NAME.p12}: key, certificate signed by the CA, the CA's certificate). Passwords live in
 * {@code passwords.properties}; the directory and every file in it are readable by the owner only. Made once:
 * a directory that has them is reused.
 */
public final class LocalCa {
    private static final String CA = "ca";
    private static final String PASSWORDS = "passwords.properties";
    private static final int VALID_DAYS = 825;

    private final Path dir;
    private final Properties passwords = new Properties();

    private LocalCa(Path dir) {
        this.dir = dir;
    }

    /** The CA in {@code dir}, made there if it is not there yet. */
    public static synchronized LocalCa in(Path dir) {
        LocalCa ca = new LocalCa(dir.toAbsolutePath().normalize());
        try {
            Files.createDirectories(ca.dir);
            ownerOnly(ca.dir, "rwx------");
            Path pw = ca.dir.resolve(PASSWORDS);
            if (Files.exists(pw)) {
                try (var in = Files.newBufferedReader(pw, StandardCharsets.UTF_8)) {
                    ca.passwords.load(in);
                }
            }
            if (!Files.exists(ca.caPem()) || ca.passwords.getProperty(CA) == null) {
                ca.makeCa();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the CA in " + dir, e);
        }
        return ca;
    }

    public Path dir() {
        return dir;
    }

    /** The CA's certificate (PEM): what a client trusts. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    /**
     * A PKCS12 keystore for server {@code name} (its certificate's CN) valid for {@code hosts} (DNS names or IP
     * addresses), issued once and reused.
     */
    public synchronized Path keystore(String name, List<String> hosts) {
        Path store = dir.resolve(name + ".p12");
        if (Files.exists(store) && passwords.getProperty(name) != null) {
            return store;
        }
        String pw = password(name);
        Path csr = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        List<String> san = new ArrayList<>();
        for (String h : hosts) {
            san.add((h.matches("[0-9.]+|.*:.*") ? "ip:" : "dns:") + h);
        }
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", String.valueOf(VALID_DAYS), "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", pw);
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", pw, "-file", csr.toString());
        keytool("-gencert", "-alias", CA, "-keystore", caStore().toString(), "-storepass", passwords.getProperty(CA),
                "-infile", csr.toString(), "-outfile", cert.toString(), "-rfc", "-validity", String.valueOf(VALID_DAYS),
                "-ext", "SAN=" + String.join(",", san));
        keytool("-importcert", "-noprompt", "-alias", CA, "-file", caPem().toString(), "-keystore", store.toString(),
                "-storepass", pw);
        keytool("-importcert", "-alias", name, "-file", cert.toString(), "-keystore", store.toString(), "-storepass", pw);
        try {
            Files.deleteIfExists(csr);
            ownerOnly(store, "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store;
    }

    /** The password of a keystore this CA made ({@code name} as given to {@link #keystore}). */
    public String storePassword(String name) {
        String pw = passwords.getProperty(name);
        if (pw == null) {
            throw new IllegalArgumentException("no keystore '" + name + "' in " + dir);
        }
        return pw;
    }

    /** A secret kept with the CA under {@code name} (made on first use): the broker's users' passwords live here too. */
    public synchronized String password(String name) {
        String pw = passwords.getProperty(name);
        if (pw == null) {
            byte[] b = new byte[24];
            new SecureRandom().nextBytes(b);
            pw = HexFormat.of().formatHex(b);
            passwords.setProperty(name, pw);
            savePasswords();
        }
        return pw;
    }

    private Path caStore() {
        return dir.resolve("ca.p12");
    }

    private void makeCa() throws IOException {
        Files.deleteIfExists(caStore());
        String pw = password(CA);
        keytool("-genkeypair", "-alias", CA, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=Sweep local CA",
                "-ext", "bc:c", "-validity", String.valueOf(VALID_DAYS * 2), "-keystore", caStore().toString(),
                "-storetype", "PKCS12", "-storepass", pw);
        keytool("-exportcert", "-rfc", "-alias", CA, "-keystore", caStore().toString(), "-storepass", pw,
                "-file", caPem().toString());
        ownerOnly(caStore(), "rw-------");
    }

    private void savePasswords() {
        Path f = dir.resolve(PASSWORDS);
        try {
            if (!Files.exists(f)) {
                Files.createFile(f);
            }
            ownerOnly(f, "rw-------");
            try (var out = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
                passwords.store(out, "Passwords of the CA, its keystores and the broker's users: keep this file to the owner");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f, e);
        }
    }

    private static void ownerOnly(Path p, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system: the directory's own protection applies
        }
    }

    /** Runs the JDK's keytool; its output (which may echo a password prompt) is kept only for a failure's message. */
    private static void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
