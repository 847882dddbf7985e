package io.socketlet.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Tomcat 11 distribution from Maven Central, as a person installs it, with its own
 * CATALINA_BASE: the distribution's {@code conf/} with the HTTP connector moved to a free port on
 * 127.0.0.1, the shutdown port turned off and the APR listener removed (see {@link #configure}),
 * an empty {@code webapps/} (none of the default
 * applications) with the WAR as {@code ROOT.war} and {@code socketlet.war}, and
 * {@code org.apache.catalina.startup.Bootstrap start} run by {@code java} the way
 * {@code catalina.sh run} does.
 */
final class TomcatDistribution extends StandaloneServer {

    /** The distribution's listener that loads Tomcat Native (APR) from {@code java.library.path} if it is there. */
    static final String APR_LISTENER = "<Listener className=\"org.apache.catalina.core.AprLifecycleListener\" />";

    private TomcatDistribution() throws IOException {
        super("socketlet.tomcat.home", "tomcat");
    }

    static TomcatDistribution startNew() throws Exception {
        TomcatDistribution tomcat = new TomcatDistribution();
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
        copyTree(home.resolve("conf"), base.resolve("conf"));
        Path serverXml = base.resolve("conf/server.xml");
        String xml = Files.readString(serverXml, StandardCharsets.UTF_8);
        String shutdown = "<Server port=\"8005\" shutdown=\"SHUTDOWN\">";
        String connector = "<Connector port=\"8080\" protocol=\"HTTP/1.1\"";
        if (!xml.contains(shutdown) || !xml.contains(connector)) {
            throw new IllegalStateException(serverXml + " is not the server.xml these tests know how to edit");
        }
        xml = xml.replace(shutdown, "<Server port=\"-1\" shutdown=\"SHUTDOWN\">")
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
    }

    @Override
    String name() {
        return "Tomcat 11.0.24 (distribution)";
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
        return List.of("", "/socketlet");
    }
}
