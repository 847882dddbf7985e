package io.socketlet.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The user's projects under {@code src/samples} (the README's "Add it to your project"), built the
 * way a user builds them, against the engine jar this build just packaged: once per test JVM,
 * shared by every test class that deploys or runs them.
 *
 * <ul>
 *   <li>{@code war}: a WAR with its own servlet and {@code web.xml}, deployed into the standalone
 *       containers at {@link #WAR_CONTEXT} ({@link StandaloneContainerChecks});</li>
 *   <li>{@code spring-boot}: a Spring Boot application, built twice: as it is (embedded Tomcat) and
 *       with {@code -Pjetty} (embedded Jetty) ({@link SpringBootChecks}).</li>
 * </ul>
 *
 * <p>How the engine reaches them: {@code install:install-file} puts this build's jar and pom into
 * the local repository this build uses, and the samples resolve {@code io.socketlet:socketlet}
 * from there like any dependency, together with everything else (Spring Boot, plugins), offline
 * when this build runs offline. The projects are copied under the build folder first, so nothing
 * is written into {@code src}.
 */
final class SampleProjects {

    /** The context path the sample WAR is deployed at in the standalone containers. */
    static final String WAR_CONTEXT = "/sample";

    private static final long BUILD_TIMEOUT_MINUTES = 10;

    private static Built built;
    private static RuntimeException failure;

    private SampleProjects() {
    }

    /** What the builds produced. */
    record Built(Path war, Path springBootTomcat, Path springBootJetty) {
    }

    /** The sample WAR ({@code echo.war}). */
    static Path war() {
        return get().war();
    }

    /** The Spring Boot application's executable jar, with the embedded server named ({@code tomcat} or {@code jetty}). */
    static Path springBoot(String server) {
        return switch (server) {
            case "tomcat" -> get().springBootTomcat();
            case "jetty" -> get().springBootJetty();
            default -> throw new IllegalArgumentException(server);
        };
    }

    /** Builds on first use; a failed build fails every later caller with the same error, without building again. */
    static synchronized Built get() {
        if (built == null && failure == null) {
            try {
                built = build();
            } catch (Exception e) {
                failure = new IllegalStateException("building the sample projects failed: " + e.getMessage(), e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return built;
    }

    /** The folder of the sample sources ({@code src/samples}). */
    static Path sources() {
        return StandaloneServer.requiredDir("socketlet.samples.dir");
    }

    private static Built build() throws Exception {
        Path work = Paths.get(System.getProperty("socketlet.work.dir", "target/it-work")).resolve("samples").toAbsolutePath();
        StandaloneServer.deleteTree(work);
        Files.createDirectories(work);
        Path war = work.resolve("war");
        Path tomcat = work.resolve("spring-boot");
        Path jetty = work.resolve("spring-boot-jetty");
        copySources("war", war);
        copySources("spring-boot", tomcat);
        copySources("spring-boot", jetty);

        Path jar = file("socketlet.jar");
        Path pom = file("socketlet.pom");
        maven(work, "install-engine", List.of("org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file",
                "-Dfile=" + jar, "-DpomFile=" + pom));
        maven(war, "build", List.of("package"));
        maven(tomcat, "build", List.of("package"));
        maven(jetty, "build", List.of("package", "-Pjetty"));
        return new Built(output(war, "echo.war"), output(tomcat, "echo.jar"), output(jetty, "echo.jar"));
    }

    /**
     * Copies a sample's pom and sources, without any {@code target/} a hand-run build left there:
     * the WAR plugin would keep a stale engine jar from such a folder (it copies a library only
     * when it is newer than the one already present).
     */
    private static void copySources(String sample, Path to) throws IOException {
        Path from = sources().resolve(sample);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path relative = from.relativize(p);
                if (relative.startsWith("target")) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Runs this build's Maven in a folder, with this build's local repository and offline mode. */
    private static void maven(Path dir, String what, List<String> args) throws Exception {
        Path mavenHome = StandaloneServer.requiredDir("socketlet.maven.home");
        String mvn = mavenHome.resolve("bin").resolve(System.getProperty("os.name").startsWith("Windows") ? "mvn.cmd" : "mvn").toString();
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-q",
                "-Dmaven.repo.local=" + System.getProperty("socketlet.maven.repo")));
        if ("offline=true".equals(System.getProperty("socketlet.maven.offline"))) { // as this build runs (mvn -o)
            command.add("-o");
        }
        command.addAll(args);
        Path log = dir.resolve(what + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            StandaloneServer.destroyTree(process);
            throw new IllegalStateException(String.join(" ", command) + " in " + dir + " did not finish within "
                    + BUILD_TIMEOUT_MINUTES + " minutes\n" + tail(log));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " in " + dir + " failed ("
                    + process.exitValue() + "):\n" + tail(log));
        }
        System.out.printf("sample projects: %s %s in %d s%n", what, dir.getFileName(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
    }

    private static Path file(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.isRegularFile(Paths.get(value))) {
            throw new IllegalStateException(property + " = " + value + " is not a file: run through `mvn verify`, "
                    + "which packages the engine before the integration tests");
        }
        return Paths.get(value).toAbsolutePath();
    }

    private static Path output(Path project, String name) {
        Path file = project.resolve("target").resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("the build of " + project + " made no " + file);
        }
        return file;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
