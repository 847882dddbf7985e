package io.socketlet.internal.server;

import jakarta.servlet.http.HttpServlet;

import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;

/** {@link JettyUpgradeTest} on Jetty 12.1's ee11 environment (Servlet 6.1). */
class JettyUpgradeEe11Test extends JettyUpgradeTest {

    @Override
    Handler contextServing(HttpServlet servlet) {
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(servlet), "/*");
        return context;
    }
}
