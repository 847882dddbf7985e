package io.socketlet.bench;

import java.util.Locale;

/** The servers compared, each run as its own JVM by {@link io.socketlet.bench.server.BenchServer}. */
public enum ServerKind {
    SOCKETLET_JETTY("socketlet-jetty", "socketlet on Jetty 12.1"),
    SOCKETLET_TOMCAT("socketlet-tomcat", "socketlet on Tomcat 11"),
    JETTY("jetty", "Jetty 12.1 native"),
    TOMCAT("tomcat", "Tomcat 11 native"),
    TCP("tcp", "plain NIO TCP echo");

    public final String id;
    public final String label;

    ServerKind(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Speaks WebSocket (everything but the TCP echo). */
    public boolean webSocket() {
        return this != TCP;
    }

    public static ServerKind of(String id) {
        for (ServerKind k : values()) {
            if (k.id.equals(id.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown server '" + id + "'; known: socketlet-jetty, socketlet-tomcat, jetty, tomcat, tcp");
    }
}
