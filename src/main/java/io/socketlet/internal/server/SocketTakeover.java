package io.socketlet.internal.server;

import java.util.function.Consumer;

/**
 * Taking a request's socket over from the container, as the engine sees it. The one
 * implementation, {@code io.socketlet.internal.server.jetty.JettyTakeover}, lives inside Jetty's own class
 * loader (see {@code JettyClassLoader}), so this interface is the border between the two loaders:
 * it names only JDK types and {@link Transport}, which both sides resolve to the same class. The
 * request is passed as the container's own object, the innermost one under any
 * {@code ServletRequestWrapper}.
 */
public interface SocketTakeover {

    /**
     * Whether this request's socket can be taken over.
     *
     * @param containerRequest the container's own request object
     * @return true for a Jetty 12 request of a Servlet environment this takeover knows
     */
    boolean canTakeOver(Object containerRequest);

    /**
     * Arranges that once the 101 response has gone out, the socket is switched to a new
     * {@link Transport} handed to {@code onOpen} (see {@code JettyUpgrade.takeOver}); for an
     * HTTP/2 extended CONNECT, once the 200 has gone out, the request's stream is.
     *
     * @param containerRequest the container's own request object
     * @param onOpen           called with the transport once the socket was switched
     *
     * @throws IllegalStateException if the request cannot be taken over or the response status
     *                               is not 101 (200 for an HTTP/2 CONNECT)
     */
    void takeOver(Object containerRequest, Consumer<Transport> onOpen);

    /**
     * Runs {@code hook} when the server that serves this request starts to stop; closing the
     * handle removes it (see {@code JettyUpgrade.whenServerStops}).
     *
     * @param containerRequest the container's own request object
     * @param hook             what to run
     * @return the handle that removes the hook
     */
    AutoCloseable whenServerStops(Object containerRequest, Runnable hook);
}
