package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The demo WAR is built like a user's WAR: the engine is the jar in {@code WEB-INF/lib}, and
 * {@code WEB-INF/classes} holds the demo's own classes only. A class in both places would be
 * loaded from {@code WEB-INF/classes} (the Servlet specification's order), so the jar's copy
 * would never run there and the WAR would prove nothing about the jar.
 */
class DemoWarIT {

    @Test
    void webInfClassesHoldsOnlyTheDemoAndNoClassOfTheEngineJar() throws IOException {
        try (ZipFile war = new ZipFile(StandaloneServer.war().toFile())) {
            Set<String> classes = new TreeSet<>();
            war.stream().map(ZipEntry::getName)
                    .filter(name -> name.startsWith("WEB-INF/classes/") && name.endsWith(".class"))
                    .forEach(name -> classes.add(name.substring("WEB-INF/classes/".length())));
            assertTrue(classes.contains("io/socketlet/demo/EchoServlet.class"), "the demo's classes: " + classes);
            List<String> notDemo = classes.stream().filter(name -> !name.startsWith("io/socketlet/demo/")).toList();
            assertEquals(List.of(), notDemo, "classes in WEB-INF/classes besides the demo's");

            List<String> engineJars = war.stream().map(ZipEntry::getName)
                    .filter(name -> name.matches("WEB-INF/lib/socketlet-[^/]*\\.jar")).toList();
            assertEquals(1, engineJars.size(), "the engine jar in WEB-INF/lib: " + engineJars);
            Set<String> inBoth = new TreeSet<>();
            try (InputStream in = war.getInputStream(war.getEntry(engineJars.get(0)));
                 JarInputStream jar = new JarInputStream(in)) {
                for (var entry = jar.getNextJarEntry(); entry != null; entry = jar.getNextJarEntry()) {
                    if (classes.contains(entry.getName())) {
                        inBoth.add(entry.getName());
                    }
                }
            }
            assertEquals(Set.of(), inBoth, "classes both in WEB-INF/classes and in the engine jar");
        }
    }
}
