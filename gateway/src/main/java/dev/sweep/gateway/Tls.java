package dev.sweep.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS material as the JDK takes it, from what operators have: a PKCS12 or JKS keystore with its password, or a
 * PEM certificate chain with its PKCS#8 PEM key (as certbot and most CAs hand them out). Failures name the file,
 * never a password.
 */
public final class Tls {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");

    private Tls() {}

    /** A server context from a keystore; {@code trustedStations}: a PEM of CAs whose client certificates are asked for, or null. */
    public static SSLContext fromKeystore(Path keystore, char[] password, Path trustedStations) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance(keystore.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(in, password);
            return context(ks, password, trustedStations);
        } catch (IOException e) {
            throw new IllegalArgumentException(keystore + ": does not open (" + e.getClass().getSimpleName()
                    + (e.getCause() instanceof java.security.UnrecoverableKeyException ? ": wrong password" : "") + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(keystore + ": not a usable keystore (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** A server context from a PEM certificate chain and a PEM PKCS#8 private key. */
    public static SSLContext fromPem(Path certificateChain, Path privateKey, Path trustedStations) {
        List<Certificate> chain = certificates(certificateChain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(certificateChain + ": no CERTIFICATE in it");
        }
        PrivateKey key = privateKey(privateKey);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] password = new char[0];
            ks.setKeyEntry("gateway", key, password, chain.toArray(new Certificate[0]));
            return context(ks, password, trustedStations);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(privateKey + ": the key does not go with " + certificateChain
                    + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** A client context trusting the CAs of a PEM file (a station reaching a gateway with a private CA's certificate). */
    public static SSLContext trusting(Path caPem) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trustManagers(caPem).getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(caPem + ": " + e.getClass().getSimpleName(), e);
        }
    }

    /** Every certificate of a PEM file. */
    public static List<Certificate> certificates(Path pem) {
        List<Certificate> out = new ArrayList<>();
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Collection<? extends Certificate> all = cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
            out.addAll(all);
        } catch (IOException e) {
            throw new IllegalArgumentException(pem + ": cannot read it (" + e.getClass().getSimpleName() + ")", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pem + ": not PEM certificates (" + e.getClass().getSimpleName() + ")", e);
        }
        return out;
    }

    private static PrivateKey privateKey(Path pem) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(pem + ": cannot read it (" + e.getClass().getSimpleName() + ")", e);
        }
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("PRIVATE KEY")) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                    } catch (GeneralSecurityException tryNext) {
                        // not this algorithm
                    }
                }
                throw new IllegalArgumentException(pem + ": a PRIVATE KEY that is neither EC, RSA nor Ed25519");
            }
            if (m.group(1).endsWith("PRIVATE KEY")) {
                throw new IllegalArgumentException(pem + ": a " + m.group(1) + "; give an unencrypted PKCS#8 key "
                        + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
            }
        }
        throw new IllegalArgumentException(pem + ": no PRIVATE KEY in it");
    }

    private static SSLContext context(KeyStore keys, char[] password, Path trustedStations) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), trustedStations == null ? null : trustManagers(trustedStations).getTrustManagers(), null);
        return ctx;
    }

    private static TrustManagerFactory trustManagers(Path caPem) throws GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try {
            ts.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        int i = 0;
        for (Certificate c : certificates(caPem)) {
            ts.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }
}
