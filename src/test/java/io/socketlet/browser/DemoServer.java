package io.socketlet.browser;

import io.socketlet.http2.JettyHttp2;
import io.socketlet.it.ContainerKind;
import io.socketlet.tls.TestCertificate;
import jakarta.servlet.Servlet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The demo as a browser sees it, in embedded Jetty 12.1 or Tomcat 11 on 127.0.0.1: the servlets
 * and init-params of {@code webapp/WEB-INF/web.xml} (read from the file, so the tests run what
 * the WAR runs) and the page's static files from {@code webapp/}, served by the container's
 * default servlet.
 *
 * <p>{@link #stop()} and {@link #start()} restart it on the same port, as an operator's restart
 * would, for the page's reconnect test.
 */
final class DemoServer implements AutoCloseable {

    /** Strong references, so the JUL levels below stay set. */
    private static final List<Logger> QUIET = new ArrayList<>();

    static {
        for (String name : List.of("org.apache.catalina", "org.apache.coyote", "org.apache.tomcat")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            QUIET.add(logger);
        }
    }

    /** One {@code <servlet>} of web.xml with its mappings. */
    record ServletDef(String name, String className, Map<String, String> initParams, List<String> mappings) {
    }

    private final ContainerKind kind;
    private final String contextPath;
    private final Path webapp;
    private final List<ServletDef> servlets;
    /** HTTPS with HTTP/2 and HTTP/1.1 by ALPN (Jetty's http2 module, Tomcat's Http2Protocol), or plain HTTP/1.1. */
    private final boolean tls;
    /** Every request the container served: {@code METHOD /path PROTOCOL STATUS}. */
    private final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int port;
    private AutoCloseable running;

    private DemoServer(ContainerKind kind, String contextPath, boolean tls) throws Exception {
        this.kind = kind;
        this.contextPath = contextPath;
        this.tls = tls;
        this.webapp = webappDir();
        this.servlets = readWebXml(webapp.resolve("WEB-INF/web.xml"));
    }

    /** Starts the demo on a free port; {@code ""} is ROOT. */
    static DemoServer start(ContainerKind kind, String contextPath) throws Exception {
        DemoServer server = new DemoServer(kind, contextPath, false);
        server.start();
        return server;
    }

    /**
     * Starts the demo over TLS with HTTP/2 enabled, as a site runs it for browsers: the tests'
     * self-signed certificate, h2 and http/1.1 offered by ALPN. Jetty advertises RFC 8441, so
     * browsers open their WebSockets as HTTP/2 streams; Tomcat does not, so they use HTTP/1.1.
     */
    static DemoServer startOverTls(ContainerKind kind, String contextPath) throws Exception {
        DemoServer server = new DemoServer(kind, contextPath, true);
        server.start();
        return server;
    }

    /** What the container served so far, one line per request, such as {@code CONNECT /chat HTTP/2.0 200}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /**
     * The requests served so far, once every one of {@code lines} is among them (or after 5 s):
     * a container logs a request when its response is done, which can be a moment after the
     * browser saw the response (a refusal's body flushed from the servlet, a 101 sent before
     * Jetty completes the exchange).
     */
    List<String> requestsOnceLogged(String... lines) {
        return requestsOnceLogged(served -> served.containsAll(List.of(lines)));
    }

    /** The requests served so far, once they meet {@code condition} (or after 5 s). */
    List<String> requestsOnceLogged(java.util.function.Predicate<List<String>> condition) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (!condition.test(requests()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return requests();
    }

    static Path webappDir() {
        Path dir = Paths.get(System.getProperty("socketlet.webapp.dir", "webapp")).toAbsolutePath();
        if (!Files.isRegularFile(dir.resolve("index.html")) || !Files.isRegularFile(dir.resolve("WEB-INF/web.xml"))) {
            throw new IllegalStateException("no demo page at " + dir + " (socketlet.webapp.dir)");
        }
        return dir;
    }

    /** The page's URL, ending with a slash. */
    URI page() {
        return URI.create((tls ? "https://localhost:" : "http://127.0.0.1:") + port + contextPath + "/");
    }

    int port() {
        return port;
    }

    ContainerKind kind() {
        return kind;
    }

    /** Starts (again): on a free port the first time, then on the same port as before. */
    synchronized void start() throws Exception {
        if (running != null) {
            return;
        }
        running = kind == ContainerKind.JETTY ? startJetty() : startTomcat();
    }

    /** Stops the container: the page's connections get a 1001 and the port closes. */
    synchronized void stop() throws Exception {
        if (running != null) {
            AutoCloseable r = running;
            running = null;
            r.close();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    private AutoCloseable startJetty() throws Exception {
        Server server = new Server();
        ServerConnector connector;
        if (tls) {
            connector = JettyHttp2.h2OverTls(server, port);
        } else {
            connector = new ServerConnector(server, 1, 1);
            connector.setHost("127.0.0.1");
            connector.setPort(port);
            connector.setReuseAddress(true);
            server.addConnector(connector);
        }
        server.setRequestLog((request, response) -> requests.add(request.getMethod() + " "
                + request.getHttpURI().getPath() + " " + request.getConnectionMetaData().getProtocol() + " "
                + response.getStatus()));
        ServletContextHandler context = new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
        context.setBaseResourceAsPath(webapp);
        context.setWelcomeFiles(new String[] {"index.html"});
        for (ServletDef def : servlets) {
            ServletHolder holder = new ServletHolder(def.name(), instantiate(def.className()));
            def.initParams().forEach(holder::setInitParameter);
            holder.setInitOrder(1);
            holder.setAsyncSupported(true);
            for (String mapping : def.mappings()) {
                context.addServlet(holder, mapping);
            }
        }
        ServletHolder files = new ServletHolder("default", org.eclipse.jetty.ee10.servlet.DefaultServlet.class);
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/");
        server.setHandler(context);
        server.setStopTimeout(2000);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        port = connector.getLocalPort();
        return server::stop;
    }

    private AutoCloseable startTomcat() throws Exception {
        Path base = Files.createTempDirectory("socketlet-browser-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        if (tls) {
            connector.setSecure(true);
            connector.setScheme("https");
            connector.setProperty("SSLEnabled", "true");
            SSLHostConfig ssl = new SSLHostConfig();
            SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.RSA);
            certificate.setCertificateKeystoreFile(TestCertificate.get().keystore().toString());
            certificate.setCertificateKeystorePassword(TestCertificate.PASSWORD);
            certificate.setCertificateKeystoreType("PKCS12");
            ssl.addCertificate(certificate);
            connector.addSslHostConfig(ssl);
            connector.addUpgradeProtocol(new Http2Protocol()); // h2 by ALPN, as server.xml's <UpgradeProtocol>
        }
        tomcat.setConnector(connector);
        Context context = tomcat.addContext(contextPath, webapp.toString());
        if (context instanceof StandardContext standard) {
            standard.setClearReferencesThreadLocals(false);
            standard.setClearReferencesRmiTargets(false);
        }
        Tomcat.addDefaultMimeTypeMappings(context);
        context.addWelcomeFile("index.html");
        for (ServletDef def : servlets) {
            Wrapper wrapper = Tomcat.addServlet(context, def.name(), instantiate(def.className()));
            def.initParams().forEach(wrapper::addInitParameter);
            wrapper.setLoadOnStartup(1);
            wrapper.setAsyncSupported(true);
            for (String mapping : def.mappings()) {
                context.addServletMapping(mapping, def.name());
            }
        }
        context.getPipeline().addValve(new ValveBase(true) {
            @Override
            public void invoke(Request request, Response response) throws IOException, jakarta.servlet.ServletException {
                getNext().invoke(request, response);
                requests.add(request.getMethod() + " " + request.getRequestURI() + " " + request.getProtocol() + " "
                        + response.getStatus());
            }
        });
        Tomcat.addServlet(context, "default", new DefaultServlet()).setLoadOnStartup(1);
        context.addServletMapping("/", "default");
        AutoCloseable stop = () -> {
            try {
                tomcat.stop();
                tomcat.destroy();
            } finally {
                try (Stream<Path> files = Files.walk(base)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temp folder left behind is harmless
                }
            }
        };
        try {
            tomcat.start();
        } catch (Exception e) {
            stop.close();
            throw e;
        }
        port = connector.getLocalPort();
        if (port <= 0) {
            stop.close();
            throw new IllegalStateException("Tomcat did not bind a port (see the log above)");
        }
        return stop;
    }

    private static Servlet instantiate(String className) throws ReflectiveOperationException {
        return Class.forName(className).asSubclass(Servlet.class).getDeclaredConstructor().newInstance();
    }

    /** The servlets, init-params and mappings a web.xml declares. */
    static List<ServletDef> readWebXml(Path webXml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = factory.newDocumentBuilder().parse(webXml.toFile());
        Map<String, List<String>> mappings = new LinkedHashMap<>();
        NodeList maps = doc.getElementsByTagName("servlet-mapping");
        for (int i = 0; i < maps.getLength(); i++) {
            Element m = (Element) maps.item(i);
            String name = text(m, "servlet-name");
            NodeList patterns = m.getElementsByTagName("url-pattern");
            for (int j = 0; j < patterns.getLength(); j++) {
                mappings.computeIfAbsent(name, k -> new ArrayList<>()).add(patterns.item(j).getTextContent().trim());
            }
        }
        List<ServletDef> result = new ArrayList<>();
        NodeList defs = doc.getElementsByTagName("servlet");
        for (int i = 0; i < defs.getLength(); i++) {
            Element s = (Element) defs.item(i);
            Map<String, String> params = new LinkedHashMap<>();
            NodeList ps = s.getElementsByTagName("init-param");
            for (int j = 0; j < ps.getLength(); j++) {
                Element p = (Element) ps.item(j);
                params.put(text(p, "param-name"), text(p, "param-value"));
            }
            String name = text(s, "servlet-name");
            result.add(new ServletDef(name, text(s, "servlet-class"), params, mappings.getOrDefault(name, List.of())));
        }
        if (result.isEmpty()) {
            throw new IllegalStateException(webXml + " declares no servlets");
        }
        return result;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }

    @Override
    public String toString() {
        return kind + " " + page();
    }
}
