package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a user's build gets from depending on {@code io.socketlet:socketlet}: the engine jar and
 * nothing else (no demo, no Jackson, nothing of Jetty or Tomcat), with its sources and javadoc
 * beside it, as the sample projects show once built.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES) // the first use builds the samples (SampleProjects)
class SampleProjectsIT {

    private static final String VERSION = System.getProperty("socketlet.version");
    private static final String ENGINE_JAR = "socketlet-" + VERSION + ".jar";

    @Test
    void theEngineJarHoldsTheEngineOnly() throws IOException {
        Path jar = Paths.get(System.getProperty("socketlet.jar"));
        List<String> classes = entries(jar).stream().filter(e -> e.endsWith(".class")).toList();
        assertTrue(classes.contains("io/socketlet/WebSocket.class"), "the API");
        assertTrue(classes.contains("io/socketlet/server/WebSocketServlet.class"), "the servlet");
        assertEquals(List.of(), classes.stream().filter(c -> !c.startsWith("io/socketlet/")).toList(),
                "classes of other libraries (Jackson, Jetty, Tomcat) in the engine jar");
        assertEquals(List.of(), classes.stream().filter(c -> c.startsWith("io/socketlet/demo/")).toList(),
                "demo classes in the engine jar");
        for (String beside : List.of("sources", "javadoc")) {
            Path file = jar.resolveSibling(jar.getFileName().toString().replace(".jar", "-" + beside + ".jar"));
            assertTrue(Files.isRegularFile(file), file + " is built beside the jar");
        }
        assertTrue(entries(jar.resolveSibling(ENGINE_JAR.replace(".jar", "-javadoc.jar")))
                .contains("io/socketlet/server/WebSocketServlet.html"), "the javadoc documents WebSocketServlet");
    }

    /**
     * On the module path the jar is the module {@code io.socketlet} (its manifest's
     * Automatic-Module-Name), not a name the JDK derives from the file name ("socketlet"), so a
     * user's {@code module-info} can say {@code requires io.socketlet;} whatever the file is called.
     */
    @Test
    void theEngineJarIsTheModuleIoSocketlet() throws IOException {
        Path jar = Paths.get(System.getProperty("socketlet.jar"));
        try (JarFile file = new JarFile(jar.toFile())) {
            assertEquals("io.socketlet", file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"),
                    "Automatic-Module-Name in " + jar + "'s manifest");
        }
        Set<ModuleReference> modules = ModuleFinder.of(jar).findAll();
        assertEquals(1, modules.size(), modules::toString);
        ModuleDescriptor module = modules.iterator().next().descriptor();
        assertEquals("io.socketlet", module.name(), "the module name the JDK gives the jar");
        assertTrue(module.isAutomatic(), "an automatic module (no module-info)");
        assertTrue(module.packages().containsAll(Set.of("io.socketlet", "io.socketlet.server", "io.socketlet.rooms")),
                "the API packages are in the module: " + module.packages());
    }

    @Test
    void theSamplesDependOnThisVersion() throws IOException {
        String dependency = "<artifactId>socketlet</artifactId>\n      <version>" + VERSION + "</version>";
        for (String sample : List.of("war", "spring-boot")) {
            String pom = Files.readString(SampleProjects.sources().resolve(sample).resolve("pom.xml"));
            assertTrue(pom.contains(dependency), "src/samples/" + sample + "/pom.xml must depend on io.socketlet:socketlet:"
                    + VERSION + " (this build's version); the README shows the same snippet");
        }
    }

    @Test
    void theSampleWarHoldsTheEngineJarAndNothingOfTheDemo() throws IOException {
        List<String> entries = entries(SampleProjects.war());
        assertEquals(List.of("WEB-INF/lib/" + ENGINE_JAR),
                entries.stream().filter(e -> e.startsWith("WEB-INF/lib/") && e.endsWith(".jar")).toList(),
                "the only library a WAR gets from depending on socketlet");
        assertEquals(List.of(), entries.stream().filter(e -> e.contains("io/socketlet") || e.contains("jetty")).toList(),
                "no demo class and no Jetty-specific file in the user's WAR");
        assertTrue(entries.contains("WEB-INF/classes/com/example/echo/EchoServlet.class"), "the user's servlet");
    }

    @Test
    void theSpringBootJarsHoldTheEngineJarAndTheirEmbeddedServer() throws IOException {
        for (String server : List.of("tomcat", "jetty")) {
            List<String> libs = entries(SampleProjects.springBoot(server)).stream()
                    .filter(e -> e.startsWith("BOOT-INF/lib/")).map(e -> e.substring("BOOT-INF/lib/".length())).toList();
            assertTrue(libs.contains(ENGINE_JAR), server + ": " + libs);
            assertTrue(libs.stream().anyMatch(l -> l.startsWith(server.equals("jetty") ? "jetty-ee11-servlet-" : "tomcat-embed-core-")),
                    server + " build holds its embedded server: " + libs);
            assertEquals(List.of(), libs.stream().filter(l -> l.startsWith("jackson-databind-2.")).toList(),
                    server + ": the demo's Jackson is not inherited from socketlet");
        }
    }

    private static List<String> entries(Path zip) throws IOException {
        try (ZipFile file = new ZipFile(zip.toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }
}
