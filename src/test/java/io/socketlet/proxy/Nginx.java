package io.socketlet.proxy;

import io.socketlet.tls.TestCertificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's nginx as a reverse proxy in front of a container, started by a test on a free port of
 * 127.0.0.1 with a generated configuration: either terminating TLS (HTTP/2 and HTTP/1.1 by
 * ALPN, a self-signed certificate made at test time) or plain HTTP. The {@code location} block
 * is the one the README tells users to copy.
 *
 * <p>Without nginx the tests are skipped on a developer's machine and fail on CI
 * ({@code CI=true}), where {@code .ci/run} installs it.
 */
public final class Nginx implements AutoCloseable {

    public static final Path BINARY = Paths.get(System.getProperty("socketlet.nginx", "/usr/sbin/nginx"));

    /** The README's configuration, minus the server block around it. */
    static final String LOCATION = """
            location / {
                proxy_pass http://%s;
                proxy_http_version 1.1;
                proxy_set_header Upgrade $http_upgrade;
                proxy_set_header Connection $connection_upgrade;
                proxy_set_header Host $http_host;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                proxy_set_header X-Forwarded-Proto $scheme;
                proxy_read_timeout 120s;
                proxy_send_timeout 120s;
            }
            """;

    private final Process process;
    private final Path dir;
    private final int port;
    private final boolean tls;

    private Nginx(Process process, Path dir, int port, boolean tls) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.tls = tls;
    }

    /** Skips the calling test (no CI) or fails it ({@code CI} set) when nginx is not installed. */
    public static void assumeInstalled() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String ci = System.getenv("CI");
        String why = BINARY + " is not installed: apt-get install -y nginx (.ci/run does this)";
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
            throw new AssertionError("CI=" + ci + " and " + why);
        }
        Assumptions.assumeTrue(false, why);
    }

    /** Starts nginx in front of {@code 127.0.0.1:upstreamPort}, terminating TLS or not. */
    public static Nginx start(int upstreamPort, boolean tls) throws IOException, InterruptedException {
        return start("", "127.0.0.1:" + upstreamPort, tls);
    }

    /**
     * Starts plain-HTTP nginx in front of several containers, round robin (nginx's default, no
     * sticky sessions), as docs/cluster.md shows: a request that finds a container gone is passed
     * to the next one ({@code proxy_next_upstream error}, nginx's default).
     */
    public static Nginx startRoundRobin(List<Integer> upstreamPorts) throws IOException, InterruptedException {
        StringBuilder upstream = new StringBuilder("upstream socketlet {\n");
        for (int port : upstreamPorts) {
            upstream.append("    server 127.0.0.1:").append(port).append(";\n");
        }
        return start(upstream.append("}\n").toString(), "socketlet", false);
    }

    private static Nginx start(String upstreamBlock, String passTo, boolean tls) throws IOException, InterruptedException {
        assumeInstalled();
        Path work = Paths.get(System.getProperty("socketlet.work.dir", "target/it-work")).toAbsolutePath();
        Path dir = Files.createTempDirectory(Files.createDirectories(work), "nginx-");
        Files.createDirectories(dir.resolve("tmp"));
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Files.writeString(dir.resolve("nginx.conf"), config(dir, port, upstreamBlock, passTo, tls));
            Process p = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-e", dir.resolve("error.log").toString(), "-g", "daemon off;")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
            Nginx nginx = new Nginx(p, dir, port, tls);
            if (nginx.awaitListening()) {
                return nginx;
            }
            nginx.close();
            last = new IOException("nginx did not start on port " + port + ": " + nginx.log());
        }
        throw last;
    }

    private static String config(Path dir, int port, String upstreamBlock, String passTo, boolean tls) throws IOException {
        StringBuilder listen = new StringBuilder("        listen 127.0.0.1:" + port);
        String certificates = "";
        if (tls) {
            TestCertificate cert = TestCertificate.get();
            listen.append(" ssl http2");
            certificates = "        ssl_certificate " + cert.certificatePem() + ";\n"
                    + "        ssl_certificate_key " + cert.privateKeyPem() + ";\n";
        }
        listen.append(";\n");
        String tmp = dir.resolve("tmp").toString();
        // As root, nginx would switch its workers to "nobody", who may not read the build folder.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        return user
                + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 512; }\n"
                + "http {\n"
                + "    log_format socketlet '$request $server_protocol $status upstream=$upstream_status';\n"
                + "    access_log " + dir.resolve("access.log") + " socketlet;\n"
                + "    client_body_temp_path " + tmp + "/body;\n"
                + "    proxy_temp_path " + tmp + "/proxy;\n"
                + "    fastcgi_temp_path " + tmp + "/fastcgi;\n"
                + "    uwsgi_temp_path " + tmp + "/uwsgi;\n"
                + "    scgi_temp_path " + tmp + "/scgi;\n"
                + "    map $http_upgrade $connection_upgrade {\n"
                + "        default upgrade;\n"
                + "        ''      close;\n"
                + "    }\n"
                + upstreamBlock.indent(4)
                + "    server {\n"
                + listen
                + "        server_name localhost;\n"
                + certificates
                + LOCATION.formatted(passTo).indent(8)
                + "    }\n"
                + "}\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private boolean awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    public int port() {
        return port;
    }

    public boolean tls() {
        return tls;
    }

    /** The origin a page served through this proxy has: {@code https://localhost:port} or {@code http://localhost:port}. */
    public String origin() {
        return (tls ? "https" : "http") + "://localhost:" + port;
    }

    /** One line per request: {@code GET /chat HTTP/1.1 HTTP/1.1 101 upstream=101}. */
    public List<String> accessLog() throws IOException {
        Path log = dir.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    /** nginx's error log and output, for failure messages. */
    public String log() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("error.log", "stdout.log")) {
            try {
                Path f = dir.resolve(name);
                if (Files.exists(f)) {
                    sb.append(name).append(":\n").append(Files.readString(f));
                }
            } catch (IOException ignored) {
                // best effort
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: nginx's fast shutdown, workers included
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "nginx " + origin();
    }
}
