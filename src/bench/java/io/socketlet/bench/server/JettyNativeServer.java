package io.socketlet.bench.server;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Jetty 12.1's own WebSocket server (ee10, Jetty API), with its defaults except the message
 * limits (2 MiB, for the 1 MiB echo) and the idle timeout (10 minutes, for the idle connections).
 * permessage-deflate is Jetty's default: negotiated when the client offers it. The connector speaks
 * h2c beside HTTP/1.1, and Jetty's WebSocket takes RFC 8441's extended CONNECT on it.
 */
final class JettyNativeServer {

    private static final long MAX_MESSAGE = 2 << 20;

    private JettyNativeServer() {
    }

    static BenchServer.Running start() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(), SocketletServers.h2c());
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(600_000);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        Set<Session> broadcast = ConcurrentHashMap.newKeySet();
        Set<Session> broadcastDeflate = ConcurrentHashMap.newKeySet();
        JettyWebSocketServletContainerInitializer.configure(context, (servletContext, container) -> {
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.setMaxBinaryMessageSize(MAX_MESSAGE);
            container.setMaxTextMessageSize(MAX_MESSAGE);
            container.addMapping("/echo", (request, response) -> new Echo());
            container.addMapping("/echo-large", (request, response) -> new Echo());
            container.addMapping("/echo-deflate", (request, response) -> new Echo());
            container.addMapping("/broadcast", (request, response) -> new Broadcast(broadcast));
            container.addMapping("/broadcast-deflate", (request, response) -> new Broadcast(broadcastDeflate));
        });
        server.setHandler(context);
        server.start();
        int port = connector.getLocalPort();
        return new BenchServer.Running() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public void stop() throws Exception {
                server.stop();
            }
        };
    }

    /** Echo: text back as text; binary back as binary, the received buffer released once it was sent. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            session.sendBinary(payload, callback);
        }
    }

    /** Every text message to every session of the path, by a plain loop. */
    public static final class Broadcast implements Session.Listener.AutoDemanding {
        private final Set<Session> sessions;
        private Session session;

        Broadcast(Set<Session> sessions) {
            this.sessions = sessions;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            sessions.add(session);
        }

        @Override
        public void onWebSocketText(String message) {
            for (Session s : sessions) {
                s.sendText(message, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            sessions.remove(session);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            sessions.remove(session);
        }
    }
}
