package io.socketlet.demo;

import io.socketlet.rooms.Rooms;
import jakarta.servlet.ServletContext;

/**
 * The demo's {@link Rooms}, one per web application, shared by the chat and the canvas servlets
 * and closed when the last of them is destroyed.
 */
final class DemoRooms {

    private static final String ATTRIBUTE = DemoRooms.class.getName();

    private final Rooms rooms;
    private int users;

    private DemoRooms(Rooms rooms) {
        this.rooms = rooms;
    }

    static Rooms acquire(ServletContext context) {
        synchronized (context) {
            DemoRooms shared = (DemoRooms) context.getAttribute(ATTRIBUTE);
            if (shared == null) {
                shared = new DemoRooms(Rooms.inMemory());
                context.setAttribute(ATTRIBUTE, shared);
            }
            shared.users++;
            return shared.rooms;
        }
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
