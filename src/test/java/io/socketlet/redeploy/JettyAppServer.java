package io.socketlet.redeploy;

import io.socketlet.it.ContainerKind;
import io.socketlet.it.Containers;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * Embedded Jetty 12.1 (ee10) on 127.0.0.1 deploying web applications into a
 * {@link ContextHandlerCollection}, as Jetty's deployer does: each context with a class loader of
 * its own that looks in the web application first ({@link WebappClasses}); virtual hosts as
 * {@code ContextHandler.setVirtualHosts}.
 */
final class JettyAppServer implements AppServer {

    private final Server server;
    private final ContextHandlerCollection contexts;
    private final int port;

    private JettyAppServer(Server server, ContextHandlerCollection contexts, int port) {
        this.server = server;
        this.contexts = contexts;
        this.port = port;
    }

    static JettyAppServer start() throws Exception {
        Server server = Containers.newJetty();
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        server.setHandler(contexts);
        server.start();
        return new JettyAppServer(server, contexts, Containers.port(server));
    }

    @Override
    public ContainerKind kind() {
        return ContainerKind.JETTY;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Deployed deploy(App app) throws Exception {
        ServletContextHandler context = new ServletContextHandler(app.path().isEmpty() ? "/" : app.path());
        if (app.host() != null) {
            context.setVirtualHosts(List.of(app.host()));
        }
        ClassLoader loader = WebappClasses.newLoader(app.path() + (app.version() == null ? "" : "##" + app.version()),
                JettyAppServer.class.getClassLoader());
        context.setClassLoader(loader);
        for (Servlet s : app.servlets()) {
            ServletHolder holder = new ServletHolder();
            holder.setName(s.name());
            holder.setClassName(s.className());
            holder.setInitOrder(1);
            holder.setAsyncSupported(true);
            s.initParams().forEach(holder::setInitParameter);
            context.addServlet(holder, s.mapping());
        }
        contexts.addHandler(context);
        if (!context.isStarted()) {
            context.start();
        }
        return new Deployed() {
            @Override
            public ClassLoader loader() {
                return loader;
            }

            @Override
            public void undeploy() {
                try {
                    context.stop();
                } catch (Exception e) {
                    throw new IllegalStateException("Jetty context did not stop", e);
                } finally {
                    contexts.removeHandler(context);
                    context.destroy();
                }
            }
        };
    }

    @Override
    public List<String> leakWarnings() {
        return List.of();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop", e);
        }
    }

    @Override
    public String toString() {
        return "Jetty 127.0.0.1:" + port;
    }
}
