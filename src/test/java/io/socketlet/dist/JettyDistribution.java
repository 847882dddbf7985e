package io.socketlet.dist;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The jetty-home 12.1.8 distribution, as a person installs it: a jetty.base made with
 * {@code start.jar --add-modules=http,<environment>-deploy} (ee10 or ee11), the WAR copied into
 * {@code webapps/} unchanged as {@code ROOT.war} and {@code socketlet.war}, the sample WAR as
 * {@code sample.war}, and
 * {@code java -jar start.jar} in the foreground.
 *
 * <p>A third copy, {@code servlet-road.war}, has its {@code /echo} servlet set to
 * {@code transport=SERVLET}: it takes {@code HttpServletRequest.upgrade()}, which on Jetty 12.1
 * loses a client's first frame when the upgrade request has no {@code Content-Length}. The tests
 * use it as the control that shows the other two really take the Jetty takeover road.
 */
public final class JettyDistribution extends StandaloneServer {

    /** The context of the WAR copy whose echo takes the Servlet API road. */
    static final String SERVLET_ROAD = "/servlet-road";

    /** The Servlet environment module: {@code ee10} (Servlet 6.0) or {@code ee11} (Servlet 6.1). */
    private final String environment;
    /** With {@link #startNewWithHttp2}: the port of the {@code https} connector (h2 and http/1.1 by ALPN); else 0. */
    private final int httpsPort;

    private JettyDistribution(String environment, boolean https) throws IOException {
        super("socketlet.jetty.home", "jetty-" + environment + (https ? "-h2" : ""));
        this.environment = environment;
        this.httpsPort = https ? freePort() : 0;
    }

    /** Makes a jetty.base for this environment, deploys the WAR three times and starts Jetty. */
    public static JettyDistribution startNew(String environment) throws Exception {
        return start(new JettyDistribution(environment, false));
    }

    /**
     * The same with {@code --add-modules=http,https,http2,requestlog,<environment>-deploy} and the
     * tests' self-signed certificate as the keystore: what a site runs for browsers. Jetty's {@code http2}
     * module advertises RFC 8441, so browsers open their WebSockets as HTTP/2 streams there.
     */
    public static JettyDistribution startNewWithHttp2(String environment) throws Exception {
        return start(new JettyDistribution(environment, true));
    }

    /** {@code https://localhost:<https port><path>}. */
    public URI httpsUri(String path) {
        if (httpsPort == 0) {
            throw new IllegalStateException(name() + " has no https connector");
        }
        return URI.create("https://localhost:" + httpsPort + path);
    }

    /** With {@link #startNewWithHttp2}: Jetty's request log so far (NCSA lines, such as {@code "CONNECT /chat HTTP/2.0" 200}). */
    public String requestLog() throws IOException {
        Path logs = base.resolve("logs");
        StringBuilder all = new StringBuilder();
        if (Files.isDirectory(logs)) {
            try (var files = Files.list(logs)) {
                for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".request.log")).toList()) {
                    all.append(Files.readString(f));
                }
            }
        }
        return all.toString();
    }

    private static JettyDistribution start(JettyDistribution jetty) throws Exception {
        try {
            jetty.configure();
            jetty.launch();
            return jetty;
        } catch (Exception | Error e) {
            jetty.close();
            throw e;
        }
    }

    private void configure() throws Exception {
        Process setup = new ProcessBuilder(java(), "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base,
                "--add-modules=http," + (httpsPort != 0 ? "https,http2,requestlog," : "") + environment + "-deploy")
                .directory(base.toFile())
                .redirectErrorStream(true)
                .redirectOutput(base.resolve("setup.log").toFile())
                .start();
        if (!setup.waitFor(60, TimeUnit.SECONDS)) {
            destroyTree(setup);
            throw new IllegalStateException("start.jar --add-modules did not finish within 60 s");
        }
        if (setup.exitValue() != 0) {
            throw new IllegalStateException("start.jar --add-modules failed (" + setup.exitValue() + "):\n"
                    + Files.readString(base.resolve("setup.log")));
        }
        Path webapps = Files.createDirectories(base.resolve("webapps"));
        Files.createDirectories(base.resolve("work")); // Jetty unpacks WARs here rather than in /tmp
        Path war = war();
        Files.copy(war, webapps.resolve("ROOT.war"));
        Files.copy(war, webapps.resolve("socketlet.war"));
        Files.copy(SampleProjects.war(), webapps.resolve(SampleProjects.WAR_CONTEXT.substring(1) + ".war"));
        Path control = webapps.resolve(SERVLET_ROAD.substring(1) + ".war");
        Files.copy(war, control);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + control.toUri()), Map.of())) {
            Path webXml = zip.getPath("/WEB-INF/web.xml");
            String echo = "<servlet-class>io.socketlet.demo.EchoServlet</servlet-class>";
            String xml = Files.readString(webXml);
            if (!xml.contains(echo)) {
                throw new IllegalStateException("the demo's web.xml no longer declares " + echo);
            }
            Files.writeString(webXml, xml.replace(echo, echo
                    + "<init-param><param-name>transport</param-name><param-value>SERVLET</param-value></init-param>"));
        }
    }

    @Override
    String name() {
        return "Jetty 12.1.8 (jetty-home, " + environment + (httpsPort != 0 ? ", https + http2" : "") + ")";
    }

    @Override
    List<String> command() {
        List<String> command = new java.util.ArrayList<>(List.of(java(), "-Xmx256m",
                "-Djava.io.tmpdir=" + base.resolve("work"),
                "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base,
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port));
        if (httpsPort != 0) {
            try {
                io.socketlet.tls.TestCertificate cert = io.socketlet.tls.TestCertificate.get();
                command.addAll(List.of("jetty.ssl.host=127.0.0.1", "jetty.ssl.port=" + httpsPort,
                        "jetty.sslContext.keyStorePath=" + cert.keystore(),
                        "jetty.sslContext.keyStorePassword=" + io.socketlet.tls.TestCertificate.PASSWORD,
                        "jetty.sslContext.keyStoreType=PKCS12"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return command;
    }

    @Override
    List<String> contexts() {
        return List.of("", "/socketlet", SERVLET_ROAD, SampleProjects.WAR_CONTEXT);
    }
}
