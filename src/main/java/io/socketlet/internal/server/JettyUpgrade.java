package io.socketlet.internal.server;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;

import java.lang.reflect.InvocationTargetException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Takes an upgrade request's socket over from Jetty 12.1 (any Servlet 6 environment: ee10, ee11),
 * instead of {@link HttpServletRequest#upgrade}, which on Jetty 12.1 loses the client's first
 * bytes when the request has no {@code Content-Length} (docs/jetty-upgrade-bug.md).
 *
 * <p>The servlet does the handshake through the Servlet API as usual: status 101, and the
 * {@code Upgrade}, {@code Connection} and {@code Sec-WebSocket-Accept} (or hixie) headers on the
 * response, no body. Then, instead of {@code request.upgrade(...)}, it calls {@link #takeOver},
 * and returns from {@code service()}. Jetty sends the 101 as it sends any response and, when that
 * response is complete, switches the socket to a {@code JettyTransport} that gets every byte after
 * the request headers.
 *
 * <p>Jetty hides its classes from webapps, and a WAR should not need a Jetty-specific file to
 * un-hide them. So this class names no Jetty type: it finds Jetty's class loader from the
 * container's own request object, and has the Jetty-facing classes defined inside it by a
 * {@link JettyClassLoader}; it talks to them through {@link SocketTakeover} and {@link Transport}
 * only. On Tomcat it answers false and loads nothing.
 */
final class JettyUpgrade {

    private static final System.Logger LOG = System.getLogger(JettyUpgrade.class.getName());
    private static final String TAKEOVER_CLASS = JettyClassLoader.JETTY_SIDE_PACKAGE + ".JettyTakeover";

    /**
     * One takeover per Jetty class loader (in practice one per webapp), or the reason it cannot be
     * made there. A static of the webapp's own class: it goes away with the webapp, and Jetty's
     * loaders keep no reference to it.
     */
    private static final Map<ClassLoader, Object> TAKEOVERS = new HashMap<>();
    /** The last lookup, so that the usual request costs one comparison. */
    private static volatile Found last;
    /** Whether {@link #warnOnce} has spoken. */
    private static volatile boolean warnedCannotTakeOver;

    private record Found(ClassLoader jetty, SocketTakeover takeover) {
    }

    private JettyUpgrade() {
    }

    /**
     * Whether this request is served by Jetty 12 over HTTP/1.1, or is an HTTP/2 CONNECT (RFC 8441,
     * whose stream is taken over instead of the socket), and can be taken over. Never throws.
     */
    public static boolean isAvailable(HttpServletRequest request) {
        if (request == null) {
            return false;
        }
        String protocol = request.getProtocol();
        boolean http2Connect = "CONNECT".equals(request.getMethod()) && protocol != null && protocol.startsWith("HTTP/2");
        if (!"HTTP/1.1".equals(protocol) && !http2Connect) {
            return false; // another HTTP/2 request: its socket carries other streams, nothing to take over
        }
        Object container = containerRequest(request);
        SocketTakeover takeover = takeoverFor(container);
        if (takeover == null) {
            return false;
        }
        try {
            if (takeover.canTakeOver(container)) {
                return true;
            }
            warnOnce(container, null);
        } catch (LinkageError | RuntimeException x) { // a Jetty we do not know: say no, never throw
            warnOnce(container, x);
        }
        return false;
    }

    /**
     * A Jetty request that cannot be taken over (an environment this takeover does not know, such
     * as ee9): say so once, since the Servlet API road it then takes loses browsers' first messages
     * on Jetty 12.1.
     */
    private static void warnOnce(Object containerRequest, Throwable cause) {
        if (!warnedCannotTakeOver) {
            warnedCannotTakeOver = true;
            LOG.log(System.Logger.Level.WARNING, "Jetty socket takeover does not know requests of type "
                    + containerRequest.getClass().getName() + "; connections take HttpServletRequest.upgrade(), "
                    + "which on Jetty 12.1 loses the first message of clients that send no Content-Length "
                    + "(docs/jetty-upgrade-bug.md)", cause);
        }
    }

    /**
     * Arranges that Jetty, once it has sent the 101 response, switches the socket to a new
     * {@link Transport} and then calls {@code onOpen} with it, on the Jetty thread that completed
     * the response (after {@code service()} returned). Bytes the client sent after the request
     * headers reach the transport's listener first, once it is started.
     *
     * <p>Call it from {@code service()}, after the response status was set to 101 and its
     * headers were set. Jetty sends no body with a 101 (whatever is written to the response
     * output is dropped): bytes that belong after the 101 headers, such as hixie-76's challenge
     * answer, go through {@link Transport#write} once open. If the response that finally goes out
     * is not a 101 (service() threw afterwards and Jetty sent an error page), {@code onOpen} is
     * never called and the socket is closed.
     *
     * <p>For an HTTP/2 extended CONNECT (RFC 8441) the status is 200 and what is switched is the
     * request's stream: Jetty treats a CONNECT answered 2xx as a tunnel and passes its DATA frames
     * only to a connection set this way, never to the servlet's input stream.
     *
     * @throws IllegalStateException if not {@link #isAvailable}, or if the response status is not
     *                               101 (200 for an HTTP/2 CONNECT)
     */
    public static void takeOver(HttpServletRequest request, Consumer<Transport> onOpen) {
        Objects.requireNonNull(onOpen, "onOpen");
        if (!isAvailable(request)) {
            throw new IllegalStateException("Jetty socket takeover is not available for this request "
                    + "(not a Jetty 12 request over HTTP/1.1): " + request);
        }
        Object container = containerRequest(request);
        takeoverFor(container).takeOver(container, onOpen);
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
        Object container = containerRequest(request);
        return takeoverFor(container).whenServerStops(container, hook);
    }

    /**
     * Checked when a servlet starts: on Jetty 12, makes the takeover inside Jetty's class loader
     * now, so that a Jetty it cannot work with stops the webapp with the reason rather than let
     * every browser's connection fail later (the Servlet API road loses their first message).
     * Does nothing on other containers.
     *
     * @throws IllegalStateException naming the cause and the way out ({@code transport=SERVLET})
     */
    public static void checkAvailable(ServletContext context) {
        checkAvailable(String.valueOf(context.getServerInfo()), context.getClass());
    }

    /** {@link #checkAvailable(ServletContext)} on the context's server info and class. */
    static void checkAvailable(String serverInfo, Class<?> contextClass) {
        if (!serverInfo.toLowerCase(Locale.ROOT).startsWith("jetty/12.")) {
            return;
        }
        if (!isJettyClass(contextClass)) {
            return; // a wrapped context: the first request tells
        }
        Object found = lookUp(contextClass.getClassLoader());
        if (found instanceof Throwable failure) {
            throw new IllegalStateException("socketlet cannot take sockets over from " + serverInfo + " ("
                    + failure + "). On Jetty 12.1, HttpServletRequest.upgrade() loses the first message of "
                    + "clients that send no Content-Length, browsers among them (docs/jetty-upgrade-bug.md). "
                    + "To use it anyway, set the servlet's init-param transport=SERVLET.", failure);
        }
    }

    /** The container's own request under any wrappers: its class is Jetty's, if this is Jetty. */
    static Object containerRequest(ServletRequest request) {
        ServletRequest inner = request;
        while (inner instanceof ServletRequestWrapper wrapper) {
            inner = wrapper.getRequest();
        }
        return inner;
    }

    private static boolean isJettyClass(Class<?> type) {
        return type.getName().startsWith("org.eclipse.jetty.");
    }

    /** The takeover inside the loader of this Jetty request's class, or null if not Jetty or broken. */
    private static SocketTakeover takeoverFor(Object containerRequest) {
        if (containerRequest == null || !isJettyClass(containerRequest.getClass())) {
            return null;
        }
        ClassLoader jetty = containerRequest.getClass().getClassLoader();
        Found recent = last;
        if (recent != null && recent.jetty() == jetty) {
            return recent.takeover();
        }
        Object found = lookUp(jetty);
        if (found instanceof SocketTakeover takeover) {
            last = new Found(jetty, takeover);
            return takeover;
        }
        return null;
    }

    /** The takeover made in this loader, or the Throwable that says why it could not be made. */
    private static Object lookUp(ClassLoader jetty) {
        synchronized (TAKEOVERS) {
            Object found = TAKEOVERS.get(jetty);
            if (found == null) {
                found = load(jetty);
                TAKEOVERS.put(jetty, found);
                if (found instanceof Throwable failure) {
                    LOG.log(System.Logger.Level.WARNING, "Jetty socket takeover unavailable in " + jetty
                            + "; connections take HttpServletRequest.upgrade()", failure);
                }
            }
            return found;
        }
    }

    private static Object load(ClassLoader jetty) {
        try {
            JettyClassLoader loader = new JettyClassLoader(jetty, JettyUpgrade.class.getClassLoader());
            Class<?> type = Class.forName(TAKEOVER_CLASS, true, loader);
            return type.asSubclass(SocketTakeover.class).getConstructor().newInstance();
        } catch (InvocationTargetException x) {
            return x.getCause();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException x) {
            return x;
        }
    }
}
