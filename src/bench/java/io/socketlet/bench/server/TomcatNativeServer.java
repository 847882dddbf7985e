package io.socketlet.bench.server;

import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.websocket.server.WsSci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tomcat 11's own JSR-356 WebSocket server (tomcat-embed-websocket), programmatic endpoints,
 * Tomcat's defaults except the connection limit (as for socketlet on Tomcat) and, on
 * {@code /echo-large} only, the whole-message buffers raised to 2 MiB: Tomcat allocates them per
 * connection up front, so raising them everywhere would cost every idle connection 4 MiB.
 * Echoes use the blocking basic remote (an async send may not start before the previous one
 * completed); the broadcast loop uses the async remote. permessage-deflate is Tomcat's default:
 * negotiated when offered.
 */
final class TomcatNativeServer {

    private static final int LARGE_BUFFER = 2 << 20;

    private TomcatNativeServer() {
    }

    static BenchServer.Running start() throws Exception {
        Tomcat tomcat = SocketletServers.tomcatServer();
        Context context = tomcat.addContext("", SocketletServers.docBase(tomcat));
        // Tomcat maps a request to a servlet before filters run: without one, the upgrade filter never sees it.
        Tomcat.addServlet(context, "default", new jakarta.servlet.http.HttpServlet() {
            private static final long serialVersionUID = 1L;
        });
        context.addServletMappingDecoded("/", "default");
        context.addServletContainerInitializer(new WsSci(), null);
        context.addServletContainerInitializer((classes, servletContext) -> {
            ServerContainer container = (ServerContainer) servletContext.getAttribute(ServerContainer.class.getName());
            try {
                container.addEndpoint(ServerEndpointConfig.Builder.create(Echo.class, "/echo").build());
                container.addEndpoint(ServerEndpointConfig.Builder.create(LargeEcho.class, "/echo-large").build());
                container.addEndpoint(ServerEndpointConfig.Builder.create(Echo.class, "/echo-deflate").build());
                container.addEndpoint(ServerEndpointConfig.Builder.create(Broadcast.class, "/broadcast").build());
                container.addEndpoint(ServerEndpointConfig.Builder.create(Broadcast.class, "/broadcast-deflate").build());
            } catch (DeploymentException e) {
                throw new IllegalStateException(e);
            }
        }, null);
        return SocketletServers.startTomcat(tomcat);
    }

    /** Echo: whole messages, sent back with the basic remote. */
    public static class Echo extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            configure(session);
            RemoteEndpoint.Basic remote = session.getBasicRemote();
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                try {
                    remote.sendText(text);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            session.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> {
                try {
                    remote.sendBinary(data);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        void configure(Session session) {
        }
    }

    /** Echo with 2 MiB whole-message buffers. */
    public static class LargeEcho extends Echo {
        @Override
        void configure(Session session) {
            session.setMaxBinaryMessageBufferSize(LARGE_BUFFER);
            session.setMaxTextMessageBufferSize(LARGE_BUFFER);
        }
    }

    /** The sessions of each broadcast path. */
    private static final Map<String, Set<Session>> BROADCAST = new ConcurrentHashMap<>();

    private static Set<Session> sessionsOf(Session session) {
        return BROADCAST.computeIfAbsent(session.getRequestURI().getPath(), p -> ConcurrentHashMap.newKeySet());
    }

    /** Every text message to every session of the path, by a plain loop over the async remotes. */
    public static class Broadcast extends Endpoint {
        @Override
        public void onOpen(Session session, EndpointConfig config) {
            Set<Session> sessions = sessionsOf(session);
            sessions.add(session);
            session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
                for (Session s : sessions) {
                    try {
                        s.getAsyncRemote().sendText(text);
                    } catch (IllegalStateException e) {
                        System.err.println("broadcast: " + e);
                    }
                }
            });
        }

        @Override
        public void onClose(Session session, CloseReason closeReason) {
            sessionsOf(session).remove(session);
        }

        @Override
        public void onError(Session session, Throwable thr) {
            sessionsOf(session).remove(session);
        }
    }
}
