package io.socketlet.redeploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a WAR of the demo carries in {@code WEB-INF/classes} and {@code WEB-INF/lib}: the engine
 * and demo classes (the build's {@code target/classes}) and its libraries (Jackson; Lettuce, Netty, Reactor). The redeploy tests
 * load these through a class loader of the web application's own, as the container does for a
 * WAR, so that the engine's classes, statics and threads really belong to one deployment and an
 * undeployed one can be seen to go away. (Loaded from the test class path instead, the engine's
 * classes would outlive every deployment and hide a leak.)
 */
final class WebappClasses {

    /** Classes whose locations make up the web application. */
    private static final List<String> MARKERS = List.of(
            "io.socketlet.server.WebSocketServlet",
            "io.socketlet.demo.ChatServlet",
            "com.fasterxml.jackson.databind.ObjectMapper",
            "com.fasterxml.jackson.core.JsonFactory",
            "com.fasterxml.jackson.annotation.JsonProperty");

    /** Packages the container provides, always taken from the parent (as a WAR's loader does). */
    private static final List<String> CONTAINER_PACKAGES = List.of(
            "java.", "javax.", "jakarta.", "sun.", "jdk.", "org.eclipse.jetty.", "org.slf4j.", "org.apache.");

    private WebappClasses() {
    }

    /**
     * The class folders and jars of the web application, each once: the demo WAR's
     * {@code WEB-INF/lib} as the build copies it ({@code demo-lib} beside the WAR: Jackson, and
     * Lettuce with Netty and Reactor for the rooms over Redis) when it is there.
     */
    static List<Path> locations() {
        Set<Path> paths = new LinkedHashSet<>();
        Path demoLib = demoLib();
        for (String name : demoLib == null ? MARKERS : MARKERS.subList(0, 2)) {
            try {
                Class<?> type = Class.forName(name, false, WebappClasses.class.getClassLoader());
                paths.add(Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (ClassNotFoundException absent) {
                // (jackson-annotations, should Jackson stop needing it)
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        if (demoLib != null) {
            try (var jars = Files.list(demoLib)) {
                jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(paths::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ArrayList<>(paths);
    }

    /** The folder of the demo WAR's libraries that the build copies (pom: demo-war-libraries), or null. */
    private static Path demoLib() {
        String war = System.getProperty("socketlet.war");
        Path dir = war == null ? null : Paths.get(war).resolveSibling("demo-lib");
        return dir != null && Files.isDirectory(dir) ? dir : null;
    }

    /**
     * A new class loader over {@link #locations()} that looks in the web application first and
     * in {@code parent} only for what the container provides, like Jetty's and Tomcat's
     * web-application loaders.
     */
    static ClassLoader newLoader(String name, ClassLoader parent) {
        List<URL> urls = new ArrayList<>();
        for (Path p : locations()) {
            try {
                urls.add(p.toUri().toURL());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new ChildFirst(name, urls.toArray(URL[]::new), parent);
    }

    private static final class ChildFirst extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        ChildFirst(String name, URL[] urls, ClassLoader parent) {
            super(name, urls, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (CONTAINER_PACKAGES.stream().anyMatch(name::startsWith)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> type = findLoadedClass(name);
                if (type == null) {
                    try {
                        type = findClass(name);
                    } catch (ClassNotFoundException notHere) {
                        return super.loadClass(name, resolve);
                    }
                }
                if (resolve) {
                    resolveClass(type);
                }
                return type;
            }
        }

        @Override
        public String toString() {
            return "webapp loader " + getName();
        }
    }
}
