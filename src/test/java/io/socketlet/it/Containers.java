package io.socketlet.it;

import jakarta.servlet.Servlet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Starts embedded Jetty 12.1 (ee10) or embedded Tomcat 11 on 127.0.0.1 with an ephemeral port,
 * with one web application made of the given servlets, init-params, mappings and context path.
 *
 * <pre>{@code
 * Deployment app = Containers.deployment("/socketlet")
 *         .servlet("echo", EchoServlet.class, "/echo", Map.of("maxFrameSize", "1K"));
 * try (Running server = Containers.start(ContainerKind.TOMCAT, app)) {
 *     URI uri = server.ws("/echo");   // ws://127.0.0.1:PORT/socketlet/echo
 * }
 * }</pre>
 */
public final class Containers {

    /** Strong references, so the JUL configuration below is not garbage collected. */
    private static final List<Logger> QUIET = new ArrayList<>();

    static {
        // Tomcat logs through JULI to java.util.logging; startup INFO lines are noise in test output.
        for (String name : List.of("org.apache.catalina", "org.apache.coyote", "org.apache.tomcat",
                "org.apache.jasper", "org.apache.naming")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            QUIET.add(logger);
        }
        // Jetty logs through SLF4J; with no provider on the test classpath SLF4J is a no-op.
    }

    private Containers() {
    }

    /** A new web application description. {@code ""} or {@code "/"} is the ROOT context. */
    public static Deployment deployment(String contextPath) {
        return new Deployment(contextPath);
    }

    /** Starts the container and returns once it accepts connections. */
    public static Running start(ContainerKind kind, Deployment deployment) throws Exception {
        return switch (kind) {
            case JETTY -> startJetty(deployment);
            case TOMCAT -> startTomcat(deployment);
        };
    }

    /** One servlet of a deployment. */
    public record ServletSpec(String name, Supplier<? extends Servlet> factory, List<String> mappings,
                              Map<String, String> initParams) {
    }

    /** What to deploy: the context path and its servlets. */
    public static final class Deployment {
        private final String contextPath;
        private final List<ServletSpec> servlets = new ArrayList<>();

        private Deployment(String contextPath) {
            String p = contextPath == null ? "" : contextPath.trim();
            if (p.equals("/")) {
                p = "";
            }
            if (!p.isEmpty() && (!p.startsWith("/") || p.endsWith("/"))) {
                throw new IllegalArgumentException("context path must be \"\" or like /name: " + contextPath);
            }
            this.contextPath = p;
        }

        /** The context path: {@code ""} for ROOT, else {@code /name}. */
        public String contextPath() {
            return contextPath;
        }

        public List<ServletSpec> servlets() {
            return List.copyOf(servlets);
        }

        /** Adds a servlet by class; a fresh instance is made for each container start. */
        public Deployment servlet(String name, Class<? extends Servlet> type, String mapping, Map<String, String> initParams) {
            return servlet(name, () -> instantiate(type), mapping, initParams);
        }

        public Deployment servlet(String name, Class<? extends Servlet> type, String mapping) {
            return servlet(name, type, mapping, Map.of());
        }

        /**
         * Adds a servlet by class name, loaded when the container starts: lets the suite compile
         * while a class of the engine (such as the demo endpoints) is still being written.
         */
        public Deployment servlet(String name, String className, String mapping, Map<String, String> initParams) {
            return servlet(name, () -> {
                try {
                    return instantiate(Class.forName(className).asSubclass(Servlet.class));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("servlet class " + className + " is not on the classpath (not written yet?)", e);
                }
            }, mapping, initParams);
        }

        /** Adds a servlet made by the factory (called once per container start). */
        public Deployment servlet(String name, Supplier<? extends Servlet> factory, String mapping, Map<String, String> initParams) {
            servlets.add(new ServletSpec(name, factory, List.of(mapping), new LinkedHashMap<>(initParams)));
            return this;
        }

        private static Servlet instantiate(Class<? extends Servlet> type) {
            try {
                return type.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot instantiate " + type.getName(), e);
            }
        }
    }

    /** A started container. Closing it stops the container. */
    public interface Running extends AutoCloseable {
        ContainerKind kind();

        /** The port the container listens on, on 127.0.0.1. */
        int port();

        /** {@code ""} for ROOT, else {@code /name}. */
        String contextPath();

        /** The request path of a servlet path under this context: {@code contextPath() + path}. */
        default String path(String servletPath) {
            return contextPath() + servletPath;
        }

        default URI http(String servletPath) {
            return URI.create("http://127.0.0.1:" + port() + path(servletPath));
        }

        default URI ws(String servletPath) {
            return URI.create("ws://127.0.0.1:" + port() + path(servletPath));
        }

        /**
         * Stops the web application only (servlets destroyed, as on undeploy), leaving the
         * container and its connector running.
         */
        void stopApplication();

        @Override
        void close();
    }

    /**
     * An embedded Jetty with one connector on 127.0.0.1 at an ephemeral port (one acceptor, one
     * selector: enough for tests, light on a 2-core machine), not yet started; after
     * {@code start()}, {@link #port(Server)} tells the port.
     */
    public static Server newJetty() {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setStopTimeout(1000);
        return server;
    }

    /** The port a started {@link #newJetty()} listens on. */
    public static int port(Server jetty) {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** An embedded Tomcat in {@code base} with an HTTP/1.1 connector on 127.0.0.1 at an ephemeral port, not yet started. */
    public static Tomcat newTomcat(Path base) {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        return tomcat;
    }

    /** Starts a {@link #newTomcat}; returns its port, or stops it and throws if it did not start or bind. */
    public static int start(Tomcat tomcat, Path base) throws Exception {
        try {
            tomcat.start();
        } catch (Exception e) {
            destroy(tomcat, base);
            throw e;
        }
        int port = tomcat.getConnector().getLocalPort();
        if (port <= 0) {
            destroy(tomcat, base);
            throw new IllegalStateException("Tomcat did not bind a port (see the log above)");
        }
        return port;
    }

    /** Stops and destroys a Tomcat, then deletes its base folder. */
    public static void destroy(Tomcat tomcat, Path base) {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (Exception e) {
            throw new IllegalStateException("Tomcat did not stop", e);
        } finally {
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp folder left behind is harmless
            }
        }
    }

    /** What stops a part of a running container. */
    private interface Stop {
        void run() throws Exception;
    }

    /** A started container: the same for both kinds but for how its parts stop. */
    private record Started(ContainerKind kind, int port, String contextPath, Stop application, Stop container)
            implements Running {
        @Override
        public void stopApplication() {
            try {
                application.run();
            } catch (Exception e) {
                throw new IllegalStateException(this + ": the web application did not stop", e);
            }
        }

        @Override
        public void close() {
            try {
                container.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(this + " did not stop", e);
            }
        }

        @Override
        public String toString() {
            return (kind == ContainerKind.JETTY ? "Jetty" : "Tomcat") + " 127.0.0.1:" + port + contextPath;
        }
    }

    private static Running startJetty(Deployment deployment) throws Exception {
        Server server = newJetty();
        ServletContextHandler context = new ServletContextHandler(
                deployment.contextPath().isEmpty() ? "/" : deployment.contextPath());
        for (ServletSpec spec : deployment.servlets()) {
            ServletHolder holder = new ServletHolder(spec.name(), spec.factory().get());
            spec.initParams().forEach(holder::setInitParameter);
            holder.setInitOrder(1); // init at startup: a bad setting fails start(), not the first request
            for (String mapping : spec.mappings()) {
                context.addServlet(holder, mapping);
            }
        }
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new Started(ContainerKind.JETTY, port(server), deployment.contextPath(), context::stop, server::stop);
    }

    private static Running startTomcat(Deployment deployment) throws Exception {
        Path base = Files.createTempDirectory("socketlet-tomcat");
        Tomcat tomcat = newTomcat(base);
        Path docBase = Files.createDirectories(base.resolve("docBase"));
        Context context = tomcat.addContext(deployment.contextPath(), docBase.toString());
        if (context instanceof StandardContext standard) {
            // These two checks only print "add --add-opens" warnings on a modern JDK. The thread
            // check stays on: it reports a webapp thread left running after undeploy.
            standard.setClearReferencesThreadLocals(false);
            standard.setClearReferencesRmiTargets(false);
        }
        for (ServletSpec spec : deployment.servlets()) {
            Wrapper wrapper = Tomcat.addServlet(context, spec.name(), spec.factory().get());
            spec.initParams().forEach(wrapper::addInitParameter);
            wrapper.setLoadOnStartup(1);
            for (String mapping : spec.mappings()) {
                context.addServletMapping(mapping, spec.name());
            }
        }
        int port = start(tomcat, base);
        return new Started(ContainerKind.TOMCAT, port, deployment.contextPath(), context::stop,
                () -> destroy(tomcat, base));
    }
}
