package io.socketlet.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made once per test JVM
 * with Debian's {@code openssl} (no certificate is committed): PEM files for nginx, a PKCS#12
 * keystore for Jetty and Tomcat, and an {@link SSLContext} that trusts exactly this certificate
 * for Java clients. Chromium is started with {@code --ignore-certificate-errors} instead.
 */
public final class TestCertificate {

    public static final String PASSWORD = "socketlet";

    private static TestCertificate made;

    private final Path certificate;
    private final Path privateKey;
    private final Path keystore;

    private TestCertificate(Path dir) {
        this.certificate = dir.resolve("cert.pem");
        this.privateKey = dir.resolve("key.pem");
        this.keystore = dir.resolve("keystore.p12");
    }

    /** The certificate of this JVM, made on first use under the build's work folder. */
    public static synchronized TestCertificate get() throws IOException {
        if (made == null) {
            Path work = Paths.get(System.getProperty("socketlet.work.dir", "target/it-work")).toAbsolutePath();
            Path dir = Files.createTempDirectory(Files.createDirectories(work), "tls-");
            TestCertificate cert = new TestCertificate(dir);
            cert.make();
            made = cert;
        }
        return made;
    }

    private void make() throws IOException {
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", privateKey.toString(), "-out", certificate.toString()));
        run(List.of("openssl", "pkcs12", "-export", "-name", "localhost", "-inkey", privateKey.toString(),
                "-in", certificate.toString(), "-out", keystore.toString(), "-passout", "pass:" + PASSWORD));
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }

    public Path certificatePem() {
        return certificate;
    }

    public Path privateKeyPem() {
        return privateKey;
    }

    /** PKCS#12, password {@link #PASSWORD}, alias {@code localhost}. */
    public Path keystore() {
        return keystore;
    }

    /** A client context that trusts this certificate and no other. */
    public SSLContext clientContext() throws IOException {
        try (InputStream in = Files.newInputStream(certificate)) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("localhost", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust " + certificate, e);
        }
    }
}
