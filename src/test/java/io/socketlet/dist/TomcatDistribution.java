package io.socketlet.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A Tomcat as a person installs it, run with its own CATALINA_BASE: the installation's
 * configuration with the HTTP connector moved to a free port on 127.0.0.1, the shutdown port
 * turned off and no APR listener (the tests need no native library, whatever the machine has),
 * an empty {@code webapps/} (none of the default applications) with the demo WAR as
 * {@code ROOT.war}, {@code socketlet.war} and {@code redeploy.war} (the one the redeploy test
 * replaces and removes; autoDeploy looks every second) and the sample WAR as {@code sample.war}, and
 * {@code org.apache.catalina.startup.Bootstrap start} run by {@code java} the way
 * {@code catalina.sh run} does. Two installations: the Tomcat 11 distribution from Maven Central,
 * and Debian's {@code tomcat10} package (Tomcat 10.1, its configuration in {@code /usr/share/tomcat10/etc}).
 */
final class TomcatDistribution extends StandaloneServer {

    /** The distribution's listener that loads Tomcat Native (APR) from {@code java.library.path} if it is there. */
    static final String APR_LISTENER = "<Listener className=\"org.apache.catalina.core.AprLifecycleListener\" />";
    /** A third copy of the demo WAR, for the redeploy test to replace and remove. */
    static final String REDEPLOY = "/redeploy";
    /** The class of Tomcat's web-application class loaders. */
    static final String WEBAPP_LOADER = "org.apache.catalina.loader.ParallelWebappClassLoader";

    /** The installation's configuration folder, copied into the base. */
    private final Path conf;
    private final String name;

    private TomcatDistribution(Path home, Path conf, String folder, String name) throws IOException {
        super(home, folder);
        this.conf = conf;
        this.name = name;
    }

    /** The Tomcat 11 distribution that the dependency plugin unpacked. */
    static TomcatDistribution startNew() throws Exception {
        Path home = requiredDir("socketlet.tomcat.home");
        return start(new TomcatDistribution(home, home.resolve("conf"), "tomcat", "Tomcat 11.0.24 (distribution)"));
    }

    /** Debian's tomcat10 package: CATALINA_HOME /usr/share/tomcat10, its default configuration in etc/. */
    static TomcatDistribution startDebianTomcat10() throws Exception {
        Path home = Path.of(System.getProperty("socketlet.tomcat10.home", "/usr/share/tomcat10"));
        if (!Files.isRegularFile(home.resolve("bin/bootstrap.jar"))) {
            throw new IllegalStateException("Debian's tomcat10 is not installed in " + home
                    + ": apt-get install tomcat10 (.ci/run does)");
        }
        return start(new TomcatDistribution(home, home.resolve("etc"), "tomcat10-debian", "Tomcat 10.1 (Debian tomcat10)"));
    }

    private static TomcatDistribution start(TomcatDistribution tomcat) throws Exception {
        try {
            tomcat.configure();
            tomcat.launch();
            return tomcat;
        } catch (Exception | Error e) {
            tomcat.close();
            throw e;
        }
    }

    private void configure() throws IOException {
        copyTree(conf, base.resolve("conf"));
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        String shutdown = "<Server port=\"(8005|-1)\" shutdown=\"SHUTDOWN\">";
        String connector = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
        if (!xml.matches("(?s).*" + shutdown + ".*") || !xml.contains(connector)) {
            throw new IllegalStateException(serverXml + " is not the server.xml these tests know how to edit");
        }
        String engine = "<Engine name=\"Catalina\" defaultHost=\"localhost\">";
        if (!xml.contains(engine)) {
            throw new IllegalStateException(serverXml + " has no " + engine);
        }
        // autoDeploy looks at webapps/ every second instead of every 10 s: the redeploy test is quicker.
        xml = xml.replace(engine, "<Engine name=\"Catalina\" defaultHost=\"localhost\" backgroundProcessorDelay=\"1\">");
        xml = xml.replaceFirst(shutdown, "<Server port=\"-1\" shutdown=\"SHUTDOWN\">")
                .replace(connector, "<Connector port=\"" + port + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"")
                // The tests need no APR (plain HTTP on NIO), and must not depend on what else the machine has:
                // with Debian's libtcnative-1 (1.2.35, which tomcat10 recommends) installed, this listener loads
                // it, logs SEVERE about the version (Tomcat 11 wants 1.3.8+) and the run fails.
                .replace(APR_LISTENER, "<!-- AprLifecycleListener removed by the tests: no Tomcat Native -->");
        Files.writeString(serverXml, xml, StandardCharsets.UTF_8);
        for (String dir : List.of("logs", "temp", "work", "webapps")) {
            Files.createDirectories(base.resolve(dir));
        }
        Files.copy(war(), base.resolve("webapps/ROOT.war"));
        Files.copy(war(), base.resolve("webapps/socketlet.war"));
        Files.copy(SampleProjects.war(), base.resolve("webapps" + SampleProjects.WAR_CONTEXT + ".war"));
        Files.copy(war(), redeployWar());
    }

    private Path redeployWar() {
        return base.resolve("webapps" + REDEPLOY + ".war");
    }

    /** Drops a new copy of the WAR over {@link #REDEPLOY}'s, as an operator does: autoDeploy redeploys it. */
    void replaceRedeployWar() throws IOException {
        Path next = base.resolve("temp/next.war");
        Files.copy(war(), next, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(next, FileTime.fromMillis(System.currentTimeMillis()));
        Files.move(next, redeployWar(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Deletes {@link #REDEPLOY}'s WAR: autoDeploy undeploys it. */
    void removeRedeployWar() throws IOException {
        Files.delete(redeployWar());
    }

    @Override
    String name() {
        return name;
    }

    @Override
    List<String> command() {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m"));
        // What catalina.sh adds, so Tomcat's memory-leak protection does not warn.
        for (String open : List.of("java.base/java.lang", "java.base/java.lang.reflect", "java.base/java.io",
                "java.base/java.util", "java.base/java.util.concurrent", "java.rmi/sun.rmi.transport")) {
            cmd.add("--add-opens=" + open + "=ALL-UNNAMED");
        }
        cmd.addAll(List.of(
                "-Dcatalina.home=" + home,
                "-Dcatalina.base=" + base,
                "-Djava.io.tmpdir=" + base.resolve("temp"),
                "-Djava.util.logging.config.file=" + base.resolve("conf/logging.properties"),
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-classpath", home.resolve("bin/bootstrap.jar") + java.io.File.pathSeparator + home.resolve("bin/tomcat-juli.jar"),
                "org.apache.catalina.startup.Bootstrap", "start"));
        return cmd;
    }

    @Override
    List<String> contexts() {
        return List.of("", "/socketlet", SampleProjects.WAR_CONTEXT, REDEPLOY);
    }
}
