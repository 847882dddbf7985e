package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TomcatSocketCloser} reaches a private field of Tomcat's upgraded output stream. These
 * tests pin that field on each Tomcat we support, so a Tomcat that renames it fails here rather
 * than leaking a socket per timer-driven close in production; and they check the warning a user
 * gets if it happens anyway.
 */
class TomcatSocketCloserTest {

    /** Where Debian's tomcat10 package (10.1) puts its jars; {@code .ci/run} installs it. */
    private static final Path DEBIAN_TOMCAT_LIB = Path.of("/usr/share/tomcat10/lib");
    /** Tomcat's logging, which its classes need to load: on Tomcat's own class path, not in lib/. */
    private static final Path DEBIAN_TOMCAT_JULI = Path.of("/usr/share/tomcat10/bin/tomcat-juli.jar");

    @Test
    void findsTheSocketFieldOnEmbeddedTomcat11() throws Exception {
        Class<?> stream = Class.forName(TomcatSocketCloser.TOMCAT_STREAM);
        assertSocketFieldCloses(stream);
        assertTrue(TomcatSocketCloser.tomcatVersion(stream).startsWith("Apache Tomcat/11."), TomcatSocketCloser.tomcatVersion(stream));
    }

    @Test
    void findsTheSocketFieldOnDebiansTomcat10() throws Exception {
        if (!Files.isDirectory(DEBIAN_TOMCAT_LIB)) {
            if (System.getenv("CI") != null) {
                fail(DEBIAN_TOMCAT_LIB + " is missing: .ci/run installs Debian's tomcat10");
            }
            Assumptions.abort("Debian's tomcat10 is not installed (apt-get install tomcat10)");
        }
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEBIAN_TOMCAT_LIB)) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                jars.add(jar.toRealPath().toUri().toURL());
            }
        }
        jars.add(DEBIAN_TOMCAT_JULI.toRealPath().toUri().toURL());
        // Isolated from the test class path, which holds embedded Tomcat 11.
        try (URLClassLoader debian = new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            Class<?> stream = Class.forName(TomcatSocketCloser.TOMCAT_STREAM, false, debian);
            assertEquals(debian, stream.getClassLoader(), "loaded from Debian's jars, not the test class path");
            assertSocketFieldCloses(stream);
            assertTrue(TomcatSocketCloser.tomcatVersion(stream).startsWith("Apache Tomcat/10.1."),
                    TomcatSocketCloser.tomcatVersion(stream));
        }
    }

    /** The field exists, is an instance field, and its type has the public {@code close()} the closer calls. */
    private static void assertSocketFieldCloses(Class<?> stream) throws NoSuchMethodException {
        Field field;
        try {
            field = stream.getDeclaredField(TomcatSocketCloser.SOCKET_FIELD);
        } catch (NoSuchFieldException e) {
            throw new AssertionError(TomcatSocketCloser.tomcatVersion(stream) + " has no field " + TomcatSocketCloser.SOCKET_FIELD
                    + " in " + stream.getName() + ": TomcatSocketCloser must learn its new name", e);
        }
        assertTrue(!Modifier.isStatic(field.getModifiers()), field.toString());
        assertEquals("org.apache.tomcat.util.net.SocketWrapperBase", field.getType().getName(), field.toString());
        Method close = field.getType().getMethod("close");
        assertTrue(Modifier.isPublic(close.getModifiers()), close.toString());
        // The close is taken under the lock Tomcat holds while it processes the socket's events.
        Method getLock = field.getType().getMethod("getLock");
        assertTrue(java.util.concurrent.locks.Lock.class.isAssignableFrom(getLock.getReturnType()), getLock.toString());
        assertEquals(boolean.class, field.getType().getMethod("isClosed").getReturnType());
        // A close that must wait is retried on Tomcat's own utility executor.
        Method getEndpoint = field.getType().getDeclaredMethod("getEndpoint");
        assertEquals("java.util.concurrent.ScheduledExecutorService",
                getEndpoint.getReturnType().getMethod("getUtilityExecutor").getReturnType().getName());
    }

    @Test
    void warnsOnceNamingTheTomcatVersionWhenTheFieldIsGone(@TempDir Path dir) throws Exception {
        // A Tomcat whose stream kept its class name but renamed the field, and says which version it is.
        ClassLoader renamed = compile(dir,
                "org.apache.coyote.http11.upgrade.UpgradeServletOutputStream", """
                        package org.apache.coyote.http11.upgrade;
                        public class UpgradeServletOutputStream {
                            private Object socket = new Object();
                        }
                        """,
                "org.apache.catalina.util.ServerInfo", """
                        package org.apache.catalina.util;
                        public class ServerInfo {
                            public static String getServerInfo() { return "Apache Tomcat/99.0.0-renamed"; }
                        }
                        """);
        Object stream = renamed.loadClass(TomcatSocketCloser.TOMCAT_STREAM).getConstructor().newInstance();

        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(TomcatSocketCloser.class.getName());
        logger.addHandler(capture);
        try {
            assertNull(TomcatSocketCloser.of(stream), "no closer without the field");
            assertNull(TomcatSocketCloser.of(stream), "nor the second time");
        } finally {
            logger.removeHandler(capture);
        }
        assertEquals(1, records.size(), "one warning, not one per connection: " + records);
        LogRecord warning = records.get(0);
        assertEquals(Level.WARNING, warning.getLevel());
        assertTrue(warning.getMessage().contains("Apache Tomcat/99.0.0-renamed"), warning.getMessage());
        assertTrue(warning.getMessage().contains(TomcatSocketCloser.SOCKET_FIELD), warning.getMessage());
    }

    /** Reflection is looked up once per Tomcat class, not once per connection (or per retried close). */
    @Test
    void looksTomcatsMembersUpOncePerClass() throws Exception {
        Class<?> stream = Class.forName(TomcatSocketCloser.TOMCAT_STREAM);
        assertSame(TomcatSocketCloser.streamMembers(stream), TomcatSocketCloser.streamMembers(stream));
        assertSame(TomcatSocketCloser.streamMembers(stream).socket(), TomcatSocketCloser.streamMembers(stream).socket());
        Class<?> wrapper = Class.forName("org.apache.tomcat.util.net.NioEndpoint$NioSocketWrapper");
        TomcatSocketCloser.WrapperMembers members = TomcatSocketCloser.wrapperMembers(wrapper);
        assertSame(members, TomcatSocketCloser.wrapperMembers(wrapper));
        assertEquals("getEndpoint", members.getEndpoint().getName());
    }

    @Test
    void isNotAskedForOnOtherContainers() {
        assertNull(TomcatSocketCloser.of(new Object()));
    }

    /** Compiles the given classes (name, source, name, source...) and loads them in a loader of their own. */
    private static ClassLoader compile(Path dir, String... namesAndSources) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests run on a JDK");
        List<String> args = new ArrayList<>(List.of("-d", dir.toString()));
        for (int i = 0; i < namesAndSources.length; i += 2) {
            Path source = dir.resolve(namesAndSources[i].substring(namesAndSources[i].lastIndexOf('.') + 1) + ".java");
            Files.writeString(source, namesAndSources[i + 1], StandardCharsets.UTF_8);
            args.add(source.toString());
        }
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "compiled");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }
}
