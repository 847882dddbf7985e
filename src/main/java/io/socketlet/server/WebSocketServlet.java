package io.socketlet.server;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.server.EngineServlet;

/**
 * A servlet that serves WebSocket and plain HTTP on one URL. Extend it, implement
 * {@link #accept}, map it like any servlet:
 *
 * <pre>{@code
 * public class EchoServlet extends WebSocketServlet {
 *     protected WebSocketHandler accept(HandshakeRequest request) {
 *         return new WebSocketHandler() {
 *             public void onText(WebSocket socket, String text) { socket.sendText(text); }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>A GET that is not an upgrade answers {@code 200 text/plain "WebSocket server works!"}. An
 * upgrade request is validated (each refusal with a one-line reason: 400 for a broken handshake,
 * 426 for another protocol version, 403 for a foreign {@code Origin}, 503 with {@code Retry-After}
 * past {@code maxConnections} or while the application stops), offered to {@link #accept} (null
 * refuses with 403), answered with 101, and handed to the
 * engine: on the container's {@code HttpUpgradeHandler}, or on Jetty over Jetty's own socket
 * (see {@code docs/jetty-upgrade-bug.md}). Over HTTP/2, an RFC 8441 extended CONNECT is answered
 * with 200 and the engine runs over that stream: taken over on Jetty, or over the request and
 * response bodies elsewhere.
 *
 * <p>Settings are built in three steps: {@link #defaults} (the application's own defaults), then
 * the init-params named as in {@link WebSocketSettings#PARAMETER_NAMES} (so {@code web.xml} wins
 * over code defaults), then {@link #configure} (code that must have the last word). A bad value
 * fails {@code init} with a message naming the servlet and the parameter.
 */
public abstract class WebSocketServlet extends EngineServlet {

    private static final long serialVersionUID = 1L;

    /** For subclasses; the container instantiates them. */
    protected WebSocketServlet() {
    }

    /**
     * Decides whether to take a connection, after the handshake was found valid.
     *
     * @param request the handshake: path, query, headers, origin, user
     * @return the handler for the new connection, or null to refuse it with 403
     */
    @Override
    protected abstract WebSocketHandler accept(HandshakeRequest request);

    /**
     * Sets this endpoint's own defaults, before the init-params are applied: a value set here is
     * what the endpoint uses unless {@code web.xml} names the setting. Does nothing by default.
     *
     * @param settings the builder, at the engine's defaults; set values on it
     */
    @Override
    protected void defaults(WebSocketSettings.Builder settings) {
    }

    /**
     * Adjusts the settings in code after the init-params were applied: a value set here wins over
     * {@code web.xml}. Does nothing by default.
     *
     * @param settings the builder, holding the defaults and init-params; set values on it
     */
    @Override
    protected void configure(WebSocketSettings.Builder settings) {
    }

    /**
     * This endpoint's settings, as built at init.
     *
     * @return the settings; available once {@code init} has run
     */
    @Override
    protected final WebSocketSettings settings() {
        return super.settings();
    }
}
