package io.socketlet.server.jetty;

import io.socketlet.server.Transport;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.function.Consumer;

import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Components;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The Jetty-typed half of {@link JettyUpgrade}, loaded only after
 * {@link JettyUpgrade#isAvailable} found the Jetty classes, so that Tomcat never resolves it.
 *
 * <p>How Jetty 12.1 does it: when an HTTP/1.1 response completes, Jetty's {@code HttpConnection}
 * looks for a {@link Connection} in the core request's attribute
 * {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}; if there is one, it calls
 * {@code EndPoint.upgrade(connection)}, which passes the bytes Jetty had read past the request
 * ({@code Connection.UpgradeFrom/UpgradeTo}) and opens the new connection. Jetty's own
 * {@code ConnectHandler} uses the same hook for CONNECT tunnels.
 */
final class JettyTakeover {

    private JettyTakeover() {
    }

    static boolean isJettyRequest(HttpServletRequest request) {
        return ServletContextRequest.getServletContextRequest(request) != null;
    }

    static AutoCloseable whenServerStops(HttpServletRequest request, Runnable hook) {
        ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
        Server server = jettyRequest.getConnectionMetaData().getConnector().getServer();
        LifeCycle.Listener listener = new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopping(LifeCycle event) {
                hook.run();
            }
        };
        server.addEventListener(listener);
        return () -> server.removeEventListener(listener);
    }

    static void takeOver(HttpServletRequest request, Consumer<Transport> onOpen) {
        ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
        if (jettyRequest == null) {
            throw new IllegalStateException("not a Jetty ee10 request: " + request.getClass().getName());
        }
        HttpServletResponse response = jettyRequest.getHttpServletResponse();
        if (response.getStatus() != HttpServletResponse.SC_SWITCHING_PROTOCOLS) {
            throw new IllegalStateException("set the response status to 101 before the takeover, not "
                    + response.getStatus());
        }
        Connection connection = jettyRequest.getConnectionMetaData().getConnection();
        EndPoint endPoint = connection.getEndPoint();
        if (endPoint.getConnection() != connection) {
            throw new IllegalStateException("the request's connection no longer owns its socket: " + connection);
        }
        Components components = jettyRequest.getComponents();
        // The innermost response: Jetty recycles the servlet one before the switch, this one after.
        Response sent = Response.getOriginalResponse(jettyRequest.getServletContextResponse());
        JettyTransport transport = new JettyTransport(endPoint, components.getExecutor(),
                components.getByteBufferPool(), sent::getStatus, onOpen);
        // On the innermost request, the one HttpConnection reads when the response completes:
        // a handler's Request.Wrapper may keep attributes of its own.
        Request.unWrap(jettyRequest).setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, transport.connection());
    }
}
