package io.socketlet.internal.server.jetty;

import io.socketlet.internal.server.SocketTakeover;
import io.socketlet.internal.server.Transport;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.SelectableChannelEndPoint;
import org.eclipse.jetty.server.Components;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.TunnelSupport;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The socket takeover on Jetty 12.1's core API, for every Servlet environment it hosts (ee10,
 * ee11). This class and {@link JettyTransport} are defined inside Jetty's own class loader by
 * {@code io.socketlet.internal.server.JettyClassLoader}: the webapp's loader cannot see Jetty's classes.
 * They use only public types of the engine ({@link SocketTakeover}, {@link Transport}).
 *
 * <p>How Jetty 12.1 does it: when an HTTP/1.1 response completes, Jetty's {@code HttpConnection}
 * looks for a {@link Connection} in the core request's attribute
 * {@link HttpStream#UPGRADE_CONNECTION_ATTRIBUTE}; if there is one, it calls
 * {@code EndPoint.upgrade(connection)}, which passes the bytes Jetty had read past the request
 * ({@code Connection.UpgradeFrom/UpgradeTo}) and opens the new connection. Jetty's own
 * {@code ConnectHandler} uses the same hook for CONNECT tunnels, and so does an HTTP/2 extended
 * CONNECT (RFC 8441) here: answered 200, its stream's {@code TunnelSupport} end point is switched.
 *
 * <p>From the servlet request to the core request: every environment has its own
 * {@code org.eclipse.jetty.<env>.servlet.ServletContextRequest}, a core {@link Request}, with a
 * static {@code getServletContextRequest(ServletRequest)}. Which one is found from the package of
 * the container's request class, and called by method handle: this class names no environment.
 */
public final class JettyTakeover implements SocketTakeover {

    /**
     * The Jetty types the takeover uses, resolved when this class initializes: a Jetty without
     * them fails at the servlet's start, not at its first connection.
     */
    private static final List<Class<?>> JETTY_TYPES = List.of(AbstractConnection.class, Connection.UpgradeTo.class,
            EndPoint.class, ByteBufferPool.class, RetainableByteBuffer.class, SelectableChannelEndPoint.class, Callback.class, Components.class,
            HttpStream.class, Request.class, Response.class, Server.class, LifeCycle.Listener.class, TunnelSupport.class);

    /** Per request class (one per environment): how to reach its core request and response. */
    private final ConcurrentMap<Class<?>, Optional<Environment>> environments = new ConcurrentHashMap<>();

    /** {@code ServletContextRequest.getServletContextRequest} and {@code getServletContextResponse}. */
    private record Environment(MethodHandle request, MethodHandle response) {
    }

    /** Made reflectively by {@code JettyUpgrade}, once per Jetty class loader. */
    public JettyTakeover() {
    }

    @Override
    public boolean canTakeOver(Object containerRequest) {
        return servletContextRequest(containerRequest) != null;
    }

    @Override
    public AutoCloseable whenServerStops(Object containerRequest, Runnable hook) {
        Server server = required(containerRequest).getConnectionMetaData().getConnector().getServer();
        LifeCycle.Listener listener = new LifeCycle.Listener() {
            @Override
            public void lifeCycleStopping(LifeCycle event) {
                hook.run();
            }
        };
        server.addEventListener(listener);
        return () -> server.removeEventListener(listener);
    }

    @Override
    public void takeOver(Object containerRequest, Consumer<Transport> onOpen) {
        Request jettyRequest = required(containerRequest);
        // The innermost response: Jetty recycles the servlet one before the switch, this one after.
        Response sent = Response.getOriginalResponse(servletContextResponse(containerRequest, jettyRequest));
        // An HTTP/2 CONNECT answered 2xx is a tunnel (RFC 8441): its stream, not the socket, is
        // switched, and Jetty passes the stream's DATA to no one else (not to the servlet's input).
        TunnelSupport tunnel = "CONNECT".equals(jettyRequest.getMethod()) ? jettyRequest.getTunnelSupport() : null;
        int switchStatus = tunnel != null ? 200 : 101;
        if (sent.getStatus() != switchStatus) {
            throw new IllegalStateException("set the response status to " + switchStatus + " before the takeover, not "
                    + sent.getStatus());
        }
        EndPoint endPoint;
        if (tunnel != null) {
            endPoint = tunnel.getEndPoint();
        } else {
            Connection connection = jettyRequest.getConnectionMetaData().getConnection();
            endPoint = connection.getEndPoint();
            if (endPoint.getConnection() != connection) {
                throw new IllegalStateException("the request's connection no longer owns its socket: " + connection);
            }
        }
        Components components = jettyRequest.getComponents();
        JettyTransport transport = new JettyTransport(endPoint, components.getExecutor(),
                components.getByteBufferPool(), sent::getStatus, switchStatus, onOpen);
        // On the innermost request, the one HttpConnection reads when the response completes:
        // a handler's Request.Wrapper may keep attributes of its own.
        Request.unWrap(jettyRequest).setAttribute(HttpStream.UPGRADE_CONNECTION_ATTRIBUTE, transport.connection());
    }

    private Request required(Object containerRequest) {
        Request request = servletContextRequest(containerRequest);
        if (request == null) {
            throw new IllegalStateException("not a Jetty 12 servlet request: " + containerRequest.getClass().getName());
        }
        return request;
    }

    /** The environment's {@code ServletContextRequest} (a core request), or null. */
    private Request servletContextRequest(Object containerRequest) {
        Environment environment = environment(containerRequest.getClass());
        if (environment == null) {
            return null;
        }
        try {
            return (Request) environment.request().invoke(containerRequest);
        } catch (RuntimeException x) { // IllegalStateException: Jetty found no ServletContextRequest
            return null;
        } catch (Throwable x) {
            throw new IllegalStateException("ServletContextRequest.getServletContextRequest failed", x);
        }
    }

    private Response servletContextResponse(Object containerRequest, Request servletContextRequest) {
        try {
            return (Response) environment(containerRequest.getClass()).response().invoke(servletContextRequest);
        } catch (Throwable x) {
            throw new IllegalStateException("ServletContextRequest.getServletContextResponse failed", x);
        }
    }

    private Environment environment(Class<?> requestClass) {
        return environments.computeIfAbsent(requestClass, JettyTakeover::find).orElse(null);
    }

    /**
     * For {@code org.eclipse.jetty.ee11.servlet.ServletApiRequest}, the methods of
     * {@code org.eclipse.jetty.ee11.servlet.ServletContextRequest}; empty for a class that has no
     * such neighbour (Jetty's ee8/ee9 environments, another container).
     */
    private static Optional<Environment> find(Class<?> requestClass) {
        ClassLoader loader = requestClass.getClassLoader();
        try {
            Class<?> type = Class.forName(requestClass.getPackageName() + ".ServletContextRequest", false, loader);
            Class<?> servletRequest = Class.forName("jakarta.servlet.ServletRequest", false, loader);
            if (!Request.class.isAssignableFrom(type) || !servletRequest.isAssignableFrom(requestClass)) {
                return Optional.empty();
            }
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle request = lookup.findStatic(type, "getServletContextRequest", MethodType.methodType(type, servletRequest))
                    .asType(MethodType.methodType(Object.class, Object.class));
            Class<?> responseType = type.getMethod("getServletContextResponse").getReturnType();
            MethodHandle response = lookup.findVirtual(type, "getServletContextResponse", MethodType.methodType(responseType))
                    .asType(MethodType.methodType(Object.class, Object.class));
            return Optional.of(new Environment(request, response));
        } catch (ReflectiveOperationException | LinkageError x) {
            return Optional.empty();
        }
    }
}
