package io.socketlet.cluster;

import io.socketlet.it.ContainerKind;
import io.socketlet.it.Containers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo's chat and canvas over Redis on embedded Jetty, in a JVM of its own (this test class
 * path, {@link #main}), so that a test can end it as a crash would: {@code kill -9}, no shutdown
 * hook, no close frame, nothing said to Redis. Listens on a free port of 127.0.0.1; the child ends
 * by itself when the test's JVM does (its stdin closes), so a test that dies leaves no node behind.
 */
final class DemoNodeProcess implements AutoCloseable {

    private static final String READY = "socketlet demo node listening on ";

    private final Process process;
    private final Path log;
    private final int port;

    private DemoNodeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** The child: starts the node, says its port, and runs until its stdin closes. */
    public static void main(String[] args) throws Exception {
        Containers.Running node = Containers.start(ContainerKind.JETTY, ClusterIT.deployment(args[0]));
        System.out.println(READY + node.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // the parent holds the pipe open while it wants this node
        }
        node.close();
        System.exit(0);
    }

    /** Starts a node in a new JVM and waits (up to 60 s) until it listens. */
    static DemoNodeProcess start(String redisUri) throws Exception {
        Path log = Files.createTempFile("socketlet-node", ".log");
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true", "-cp", System.getProperty("java.class.path"),
                DemoNodeProcess.class.getName(), redisUri))
                .redirectError(log.toFile())
                .start();
        CompletableFuture<Integer> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith(READY)) {
                        ready.complete(Integer.parseInt(line.substring(READY.length()).trim()));
                    }
                }
            } catch (Exception e) {
                // the child is gone
            }
            ready.completeExceptionally(new IllegalStateException("the node's JVM ended before it listened"));
        }, "demo-node-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return new DemoNodeProcess(process, log, ready.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("the demo node did not start: " + Files.readString(log), e);
        }
    }

    URI ws(String servletPath) {
        return URI.create("ws://127.0.0.1:" + port + "/socketlet" + servletPath);
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, as a crash or the OOM killer would; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pid " + process.pid() + " still alive 10 s after SIGKILL");
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the node wrote to stderr (its logs). */
    String log() throws Exception {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill();
        }
        Files.deleteIfExists(log);
    }
}
