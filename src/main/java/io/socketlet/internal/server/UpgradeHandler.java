package io.socketlet.internal.server;

import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The Servlet 3.1 upgrade hook. The container creates it in {@code request.upgrade()}; the
 * servlet gives it the connection to start before {@code service()} returns, and the container
 * calls {@link #init} once the 101 response is on the wire, handing over the raw streams.
 */
public final class UpgradeHandler implements HttpUpgradeHandler {

    private volatile Consumer<Transport> onOpen;
    private volatile ServletTransport transport;

    /** Public and without arguments: the container instantiates it. */
    public UpgradeHandler() {
    }

    void onOpen(Consumer<Transport> onOpen) {
        this.onOpen = onOpen;
    }

    @Override
    public void init(WebConnection connection) {
        try {
            transport = new ServletTransport(connection);
        } catch (IOException e) {
            throw new UncheckedIOException("Upgraded connection has no streams", e);
        }
        onOpen.accept(transport);
    }

    @Override
    public void destroy() {
        // The container is done with the connection (Tomcat and Jetty call this after close);
        // closing is idempotent, so a connection still open here ends as abnormal.
        ServletTransport t = transport;
        if (t != null) {
            t.containerDestroyed();
        }
    }
}
