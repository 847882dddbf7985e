package io.socketlet.demo;

import io.socketlet.rooms.Rooms;
import io.socketlet.rooms.redis.RedisBroker;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;

/**
 * The demo's {@link Rooms}, one per web application, shared by the chat and the canvas servlets
 * and closed when the last of them is destroyed. In one JVM by default; across nodes over Redis
 * when the servlet's init-param {@code redis}, the system property {@code socketlet.redis} or
 * the environment variable {@code SOCKETLET_REDIS} gives a {@code redis://host:port} URI (checked
 * in that order). Redis unreachable at start: the node starts anyway (the broker says so at ERROR
 * and connects when Redis answers).
 */
final class DemoRooms {

    private static final String ATTRIBUTE = DemoRooms.class.getName();

    private final Rooms rooms;
    private int users;

    private DemoRooms(Rooms rooms) {
        this.rooms = rooms;
    }

    static Rooms acquire(ServletConfig config) {
        ServletContext context = config.getServletContext();
        synchronized (context) {
            DemoRooms shared = (DemoRooms) context.getAttribute(ATTRIBUTE);
            if (shared == null) {
                String redis = redisUri(config);
                shared = new DemoRooms(redis == null ? Rooms.inMemory() : new Rooms(RedisBroker.connect(redis)));
                context.log("socketlet demo rooms: " + (redis == null ? "this node only" : "across nodes over " + redis));
                context.setAttribute(ATTRIBUTE, shared);
            }
            shared.users++;
            return shared.rooms;
        }
    }

    private static String redisUri(ServletConfig config) {
        for (String value : new String[] {config.getInitParameter("redis"), System.getProperty("socketlet.redis"),
                System.getenv("SOCKETLET_REDIS")}) {
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }

    static void release(ServletContext context) {
        synchronized (context) {
            DemoRooms shared = (DemoRooms) context.getAttribute(ATTRIBUTE);
            if (shared != null && --shared.users == 0) {
                context.removeAttribute(ATTRIBUTE);
                shared.rooms.close();
            }
        }
    }
}
