package io.socketlet.server.jetty;

import io.socketlet.server.Transport;

import jakarta.servlet.http.HttpServletRequest;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Takes an upgrade request's socket over from Jetty 12.1 (ee10), instead of
 * {@link HttpServletRequest#upgrade}, which on Jetty 12.1 loses the client's first bytes when the
 * request has no {@code Content-Length} (docs/jetty-upgrade-bug.md).
 *
 * <p>The servlet does the handshake through the Servlet API as usual: status 101, and the
 * {@code Upgrade}, {@code Connection} and {@code Sec-WebSocket-Accept} (or hixie) headers on the
 * response, no body. Then, instead of {@code request.upgrade(...)}, it calls
 * {@link #takeOver}, and returns from {@code service()}. Jetty sends the 101 as it sends any
 * response, and, when that response is complete, switches the socket to a {@link JettyTransport}
 * that gets every byte after the request headers.
 *
 * <p>This class names no Jetty type, so a servlet may call {@link #isAvailable} on any container:
 * on Tomcat it answers false and nothing of Jetty is ever loaded. Only after it answered true does
 * {@link #takeOver} touch {@link JettyTakeover}, the half that does.
 */
public final class JettyUpgrade {

    /** Every Jetty class that {@link JettyTakeover} and {@link JettyTransport} name. */
    private static final String[] REQUIRED_CLASSES = {
            "org.eclipse.jetty.ee10.servlet.ServletContextRequest",
            "org.eclipse.jetty.ee10.servlet.ServletContextResponse",
            "org.eclipse.jetty.server.Request",
            "org.eclipse.jetty.server.Response",
            "org.eclipse.jetty.server.HttpStream",
            "org.eclipse.jetty.server.ConnectionMetaData",
            "org.eclipse.jetty.server.Components",
            "org.eclipse.jetty.io.AbstractConnection",
            "org.eclipse.jetty.io.Connection$UpgradeTo",
            "org.eclipse.jetty.io.EndPoint",
            "org.eclipse.jetty.io.ByteBufferPool",
            "org.eclipse.jetty.io.RetainableByteBuffer",
            "org.eclipse.jetty.util.Callback",
            "org.eclipse.jetty.util.component.LifeCycle",
            "org.eclipse.jetty.util.component.LifeCycle$Listener",
    };

    /** Whether {@link #REQUIRED_CLASSES} load from here; fixed for the life of the webapp. */
    private static volatile Boolean jettyClassesVisible;

    private JettyUpgrade() {
    }

    /**
     * Whether this request is served by Jetty 12 (ee10) over HTTP/1.1 and the Jetty classes the
     * takeover needs are visible from the webapp (a WAR needs its {@code WEB-INF/jetty-ee10-web.xml}
     * for that). Never throws.
     */
    public static boolean isAvailable(HttpServletRequest request) {
        if (request == null || !"HTTP/1.1".equals(request.getProtocol())) {
            return false; // HTTP/2 multiplexes streams on one socket: nothing to take over
        }
        if (!jettyClassesVisible()) {
            return false;
        }
        try {
            return JettyTakeover.isJettyRequest(request);
        } catch (LinkageError | RuntimeException x) { // a half-visible Jetty: say no, never throw
            return false;
        }
    }

    /**
     * Arranges that Jetty, once it has sent the 101 response, switches the socket to a new
     * {@link JettyTransport} and then calls {@code onOpen} with it, on the Jetty thread that
     * completed the response (after {@code service()} returned). Bytes the client sent after the
     * request headers reach the transport's listener first, once it is started.
     *
     * <p>Call it from {@code service()}, after the response status was set to 101 and its
     * headers were set. Jetty sends no body with a 101 (whatever is written to the response
     * output is dropped): bytes that belong after the 101 headers, such as hixie-76's challenge
     * answer, go through {@link Transport#write} once open. If the response that finally goes out
     * is not a 101 (service() threw afterwards and Jetty sent an error page), {@code onOpen} is
     * never called and the socket is closed.
     *
     * @throws IllegalStateException if not {@link #isAvailable}, or if the response status is not
     *                               101
     */
    public static void takeOver(HttpServletRequest request, Consumer<Transport> onOpen) {
        Objects.requireNonNull(onOpen, "onOpen");
        if (!isAvailable(request)) {
            throw new IllegalStateException("Jetty socket takeover is not available for this request "
                    + "(not Jetty 12 ee10 over HTTP/1.1, or Jetty classes hidden from the webapp: "
                    + "is WEB-INF/jetty-ee10-web.xml in the WAR?)");
        }
        JettyTakeover.takeOver(request, onOpen);
    }

    /**
     * Runs {@code hook} when the Jetty server that serves this request starts to stop, before it
     * closes its connectors: Jetty stops connectors before contexts, so by the time a servlet's
     * {@code destroy()} runs, taken-over sockets are already gone and no 1001 close can be sent.
     * Call only after {@link #isAvailable} answered true. Closing the returned handle removes the
     * hook (do so when the servlet is destroyed, so the server keeps no reference to the webapp).
     */
    public static AutoCloseable whenServerStops(HttpServletRequest request, Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        if (!isAvailable(request)) {
            throw new IllegalStateException("not a Jetty request");
        }
        return JettyTakeover.whenServerStops(request, hook);
    }

    private static boolean jettyClassesVisible() {
        Boolean visible = jettyClassesVisible;
        if (visible == null) {
            visible = loadJettyClasses();
            jettyClassesVisible = visible;
        }
        return visible;
    }

    private static boolean loadJettyClasses() {
        ClassLoader loader = JettyUpgrade.class.getClassLoader();
        try {
            for (String name : REQUIRED_CLASSES) {
                Class.forName(name, false, loader);
            }
            return true;
        } catch (ClassNotFoundException | LinkageError x) {
            return false;
        }
    }
}
