package io.socketlet.bench.server;

import io.socketlet.HandshakeRequest;
import io.socketlet.PreparedMessage;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.demo.EchoServlet;
import io.socketlet.rooms.Room;
import io.socketlet.rooms.RoomFullException;
import io.socketlet.rooms.RoomOptions;
import io.socketlet.rooms.Rooms;
import io.socketlet.rooms.redis.RedisBroker;
import io.socketlet.server.WebSocketServlet;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * socketlet's own servlets on embedded Jetty 12.1 (the AUTO transport takes Jetty's socket over)
 * and on embedded Tomcat 11 (the Servlet upgrade road), with container defaults but for the
 * connection limits and idle timeouts that 20,000 idle connections need (set alike for the native
 * servers of the same container). Jetty's connector also speaks h2c (HTTP/2 by prior knowledge,
 * with RFC 8441's extended CONNECT), as Jetty native's does: HTTP/1.1 clients see no difference.
 */
final class SocketletServers {

    private SocketletServers() {
    }

    /** The servlets every socketlet server deploys: path, servlet, init-params. */
    private static Map<String, Map.Entry<Servlet, Map<String, String>>> servlets() {
        Map<String, Map.Entry<Servlet, Map<String, String>>> m = new LinkedHashMap<>();
        m.put("/echo", Map.entry(new EchoServlet(), Map.of("compression", "false")));
        m.put("/echo-large", Map.entry(new EchoServlet(), Map.of("compression", "false")));
        // Every message compressed, as the native servers do, for a like-for-like comparison
        // (socketlet's default threshold of 256 bytes would send 32-byte messages uncompressed).
        m.put("/echo-deflate", Map.entry(new EchoServlet(), Map.of("compression", "true", "compressionThreshold", "0")));
        m.put("/broadcast", Map.entry(new BroadcastServlet(), Map.of("compression", "false")));
        // Every message compressed, and without context takeover, so one compressed frame serves
        // every connection (what rooms.md advises for compressed broadcasts).
        m.put("/broadcast-deflate", Map.entry(new BroadcastServlet(), Map.of("compression", "true", "compressionThreshold", "0",
                "compressionContextTakeover", "false")));
        m.put("/room", Map.entry(new RoomServlet(), Map.of("compression", "false")));
        return m;
    }

    static BenchServer.Running jetty() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(), h2c());
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(600_000);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        servlets().forEach((path, s) -> {
            ServletHolder holder = new ServletHolder(path.substring(1), s.getKey());
            s.getValue().forEach(holder::setInitParameter);
            holder.setInitOrder(1);
            context.addServlet(holder, path);
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

    /** HTTP/2 by prior knowledge beside HTTP/1.1 on one port, advertising RFC 8441 (Jetty's default, said anyway). */
    static HTTP2CServerConnectionFactory h2c() {
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory();
        h2c.setConnectProtocolEnabled(true);
        return h2c;
    }

    static BenchServer.Running tomcat() throws Exception {
        Tomcat tomcat = tomcatServer();
        Context context = tomcat.addContext("", docBase(tomcat));
        servlets().forEach((path, s) -> {
            Wrapper wrapper = Tomcat.addServlet(context, path.substring(1), s.getKey());
            s.getValue().forEach(wrapper::addInitParameter);
            wrapper.setLoadOnStartup(1);
            context.addServletMappingDecoded(path, path.substring(1));
        });
        return startTomcat(tomcat);
    }

    /** An embedded Tomcat on 127.0.0.1:0 with room for 20,000 connections (both Tomcat kinds use it). */
    static Tomcat tomcatServer() throws Exception {
        java.util.logging.Logger.getLogger("org.apache").setLevel(java.util.logging.Level.WARNING);
        Path base = Files.createTempDirectory("bench-tomcat");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector("HTTP/1.1");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("maxConnections", "30000"); // default 8192
        // Experiments only (bench/run.sh --jvm-flag -Dbench.tomcat.NAME=VALUE): other connector attributes.
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("bench.tomcat.")) {
                connector.setProperty(name.substring("bench.tomcat.".length()), System.getProperty(name));
            }
        }
        tomcat.setConnector(connector);
        Files.createDirectories(base.resolve("docBase"));
        return tomcat;
    }

    static String docBase(Tomcat tomcat) {
        return Path.of(tomcat.getServer().getCatalinaBase().getPath(), "docBase").toString();
    }

    static BenchServer.Running startTomcat(Tomcat tomcat) throws Exception {
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();
        if (port <= 0) {
            throw new IllegalStateException("Tomcat did not bind a port");
        }
        return new BenchServer.Running() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public void stop() throws Exception {
                Path base = tomcat.getServer().getCatalinaBase().toPath();
                tomcat.stop();
                tomcat.destroy();
                try (var files = Files.walk(base)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        };
    }

    /**
     * Sends every text message to every connection of this endpoint with a plain loop: encoded once
     * ({@link PreparedMessage}), or, for a message whose first character is {@code e}, per
     * connection with {@code sendText} (what the natives do), so the load client can measure both
     * in turn on the same connections.
     */
    public static final class BroadcastServlet extends WebSocketServlet {
        private static final long serialVersionUID = 1L;
        private final transient Set<WebSocket> sockets = ConcurrentHashMap.newKeySet();

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    sockets.add(socket);
                }

                @Override
                public void onText(WebSocket socket, String text) {
                    if (!text.startsWith("e")) {
                        PreparedMessage message = PreparedMessage.text(text);
                        for (WebSocket s : sockets) {
                            s.send(message);
                        }
                    } else {
                        for (WebSocket s : sockets) {
                            s.sendText(text);
                        }
                    }
                }

                @Override
                public void onClose(WebSocket socket, int code, String reason) {
                    sockets.remove(socket);
                }
            };
        }
    }

    /**
     * One room of {@code io.socketlet.rooms}: every connection joins it, every text message is the
     * room's broadcast to all members (the sender too). Over Redis ({@link RedisBroker}) when the
     * system property {@code bench.redis} names one, so several server processes form one room;
     * else in this JVM ({@link Rooms#inMemory()}).
     */
    public static final class RoomServlet extends WebSocketServlet {
        private static final long serialVersionUID = 1L;
        private transient Rooms rooms;
        private transient Room room;

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            String redis = System.getProperty("bench.redis");
            rooms = redis == null ? Rooms.inMemory() : new Rooms(RedisBroker.connect(redis));
            room = rooms.room(System.getProperty("bench.room", "bench"), RoomOptions.defaults().maxMembers(50_000), null);
        }

        @Override
        protected WebSocketHandler accept(HandshakeRequest request) {
            return new WebSocketHandler() {
                @Override
                public void onOpen(WebSocket socket) {
                    try {
                        room.join(socket, null);
                    } catch (RoomFullException e) {
                        socket.close(1013, "room full");
                    }
                }

                @Override
                public void onText(WebSocket socket, String text) {
                    room.broadcast(text);
                }

                @Override
                public void onClose(WebSocket socket, int code, String reason) {
                    room.leave(socket, "closed");
                }
            };
        }

        @Override
        public void destroy() {
            rooms.close();
            super.destroy();
        }
    }
}
