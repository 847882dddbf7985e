package io.socketlet.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A servlet container distribution run as a plain {@code java} process on a free port of
 * 127.0.0.1, with its output in a log file under the build folder (kept after the run, for a
 * failure's post-mortem). {@link #close()} stops the process and everything it started; a JVM
 * shutdown hook does the same if the test JVM ends first (a timeout, Ctrl-C).
 */
public abstract class StandaloneServer implements AutoCloseable {

    /** Every process started here that is still running, for the shutdown hook. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(StandaloneServer::destroyTree),
                "socketlet-dist-reaper"));
    }

    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /** The folder the distribution was unpacked into (its home). */
    final Path home;
    /** The per-run folder: configuration, webapps, logs. Emptied first. */
    final Path base;
    final int port;
    final Path log;
    private Process process;

    StandaloneServer(String homeProperty, String name) throws IOException {
        this(requiredDir(homeProperty), name);
    }

    /** A server installed in {@code home}, run from the per-run folder {@code it-work/<name>}. */
    StandaloneServer(Path home, String name) throws IOException {
        this.home = home;
        Path work = Paths.get(System.getProperty("socketlet.work.dir", "target/it-work"));
        this.base = work.resolve(name).toAbsolutePath();
        deleteTree(base);
        Files.createDirectories(base);
        this.port = freePort();
        this.log = base.resolve("console.log");
    }

    /** A system property that names an existing folder (set by failsafe from the pom). */
    static Path requiredDir(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property
                    + " is not set: run through `mvn verify` (failsafe sets it from the pom)");
        }
        Path dir = Paths.get(value).toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(property + " = " + dir + " does not exist: `mvn verify` unpacks it "
                    + "(maven-dependency-plugin, pre-integration-test)");
        }
        return dir;
    }

    /** The WAR that {@code mvn package} built. */
    static Path war() {
        String value = System.getProperty("socketlet.war");
        if (value == null || !Files.isRegularFile(Paths.get(value))) {
            throw new IllegalStateException("socketlet.war = " + value + " is not a file: run through `mvn verify`, "
                    + "which packages the WAR before the integration tests");
        }
        return Paths.get(value).toAbsolutePath();
    }

    /** What the container calls itself in test names and failures. */
    abstract String name();

    /** The command line that runs the container in the foreground. */
    abstract List<String> command();

    /** Context paths whose GET of {@code /echo} must answer before the container counts as started. */
    abstract List<String> contexts();

    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts the process and waits until every context answers its plain GET on /echo. */
    final void launch() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory(base.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        process = builder.start();
        RUNNING.add(process);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        for (String context : contexts()) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name() + " exited with " + process.exitValue()
                            + " while starting\n" + tail(80));
                }
                try {
                    HttpResponse<String> r = get(context + "/echo");
                    if (r.statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet, or still deploying
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name() + " did not serve " + context + "/echo within "
                            + START_TIMEOUT.toSeconds() + " s\n" + tail(80));
                }
                Thread.sleep(150);
            }
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /** A plain GET of a path on this server (no redirects followed). */
    final HttpResponse<String> get(String path) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public final URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    final URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** The last lines of the container's console output, for failure messages. */
    final String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " ---\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * How many objects of this class the container's JVM holds after a full GC, from
     * {@code jcmd <pid> GC.class_histogram} (which collects first): for counting web-application
     * class loaders.
     */
    final int liveInstances(String className) throws IOException, InterruptedException {
        Path jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.class_histogram failed:\n" + out);
        }
        // "  123:             3            240  org.apache.catalina.loader.ParallelWebappClassLoader"
        for (String line : out.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 4 && cols[3].equals(className)) {
                return Integer.parseInt(cols[1]);
            }
        }
        return 0;
    }

    /** The whole console output so far. */
    final String console() throws IOException {
        return Files.readString(log, StandardCharsets.ISO_8859_1);
    }

    /** Stops the process, then fails if its console reported an error or an exception while it ran. */
    final void closeAndFailOnLoggedProblems() throws IOException {
        List<String> problems;
        try {
            problems = loggedProblems();
        } finally {
            close();
        }
        if (!problems.isEmpty()) {
            org.junit.jupiter.api.Assertions.fail(name() + " logged errors while the tests ran (" + log + "):\n"
                    + String.join("\n", problems));
        }
    }

    /** The console lines that report an error or an exception (SEVERE, ERROR, a stack trace). */
    private List<String> loggedProblems() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String line : console().split("\n")) {
            if (line.contains("SEVERE") || line.contains(":ERROR") || line.contains(" ERROR ")
                    || line.contains("Exception")) {
                problems.add(line);
            }
        }
        return problems;
    }

    @Override
    public void close() {
        if (process != null) {
            destroyTree(process);
            RUNNING.remove(process);
        }
    }

    /** SIGTERM to the process and its children (the containers stop gracefully), then SIGKILL after 15 s. */
    static void destroyTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>();
        process.descendants().forEach(tree::add);
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    @Override
    public String toString() {
        return name() + " on 127.0.0.1:" + port;
    }
}
