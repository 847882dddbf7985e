package io.socketlet.internal.server;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * RFC 8441, WebSocket over one HTTP/2 stream, on nothing but the Servlet API. The extended
 * CONNECT is answered 200 (headers sent at once, the stream left open); from then on the request
 * body carries the client's frames and the response body ours, read and written with
 * {@code ReadListener}/{@code WriteListener} in an async cycle that never times out (the engine
 * owns idle timeouts and pings). No socket is taken over: the HTTP/2 connection goes on carrying
 * the page's other streams.
 *
 * <p>Closing completes the async cycle, which ends the response stream; a stream the client or
 * the container reset reaches the engine as a failure, and the application sees 1006.
 *
 * <p>This is the road for a container that gives a CONNECT tunnel's DATA to the request's input
 * stream. Jetty 12.1 does not (its HTTP/2 stream withholds tunnel content from the servlet and
 * passes it only to a connection set on the request), so on Jetty the stream is taken over like
 * the HTTP/1.1 socket is ({@code JettyUpgrade}); Tomcat 11 does not advertise RFC 8441 at all.
 */
final class ExtendedConnect implements AsyncListener {

    private final ServletTransport transport;

    private ExtendedConnect(ServletTransport transport) {
        this.transport = transport;
    }

    /**
     * Sends the 200 (status and headers already set on the response) and hands the stream to
     * {@code open}. The request must support async ({@code <async-supported>true}); the caller checks.
     */
    static void start(HttpServletRequest request, HttpServletResponse response, Consumer<Transport> open)
            throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(0);
        // The client may send nothing until it sees the 200 (browsers fire onopen on it).
        response.flushBuffer();
        ServletTransport transport = new ServletTransport(request.getInputStream(), response.getOutputStream(), async::complete);
        async.addListener(new ExtendedConnect(transport));
        open.accept(transport);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // After our own close this changes nothing; otherwise the container ended the stream.
        transport.containerDestroyed();
    }

    @Override
    public void onError(AsyncEvent event) {
        Throwable cause = event.getThrowable();
        transport.onError(cause != null ? cause : new IOException("HTTP/2 stream failed"));
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // Never: the timeout is 0. Should a container apply one anyway, the stream is done.
        transport.containerDestroyed();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // not restarted
    }
}
