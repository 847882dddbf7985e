package io.socketlet.internal.server;

import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.WebSocketSettings.TransportMode;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine behind {@link io.socketlet.server.WebSocketServlet}, the class applications extend:
 * handshake, upgrade, settings, lifecycle. It lives here, beside the engine's package-private
 * parts, so that none of them has to be public; the contract and its documentation are
 * {@code WebSocketServlet}'s.
 */
public abstract class EngineServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger("io.socketlet.server.WebSocketServlet");
    /** How long a stopping application waits for close handshakes before dropping connections. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);

    private transient Endpoint endpoint;
    private transient SharedScheduler scheduler;
    /** On Jetty: the hook that sends 1001s when the server starts to stop (see JettyUpgrade.whenServerStops). */
    private transient volatile AutoCloseable jettyStopHook;
    /** Set when destroy() begins; guarded by this, with {@link #jettyStopHook}. */
    private transient boolean destroyed;

    /**
     * Decides whether to take a connection, after the handshake was found valid.
     *
     * @param request the handshake: path, query, headers, origin, user
     * @return the handler for the new connection, or null to refuse it with 403
     */
    protected abstract WebSocketHandler accept(HandshakeRequest request);

    /**
     * Sets this endpoint's own defaults, before the init-params are applied: a value set here is
     * what the endpoint uses unless {@code web.xml} names the setting. Does nothing by default.
     *
     * @param settings the builder, at the engine's defaults; set values on it
     */
    protected void defaults(WebSocketSettings.Builder settings) {
    }

    /**
     * Adjusts the settings in code after the init-params were applied: a value set here wins over
     * {@code web.xml}. Does nothing by default.
     *
     * @param settings the builder, holding the defaults and init-params; set values on it
     */
    protected void configure(WebSocketSettings.Builder settings) {
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        WebSocketSettings settings = buildSettings(config);
        if (settings.transport() != TransportMode.SERVLET) {
            try {
                JettyUpgrade.checkAvailable(config.getServletContext());
            } catch (IllegalStateException e) {
                throw new ServletException(config.getServletName() + ": " + e.getMessage(), e);
            }
        }
        scheduler = SharedScheduler.acquire(config.getServletContext());
        endpoint = new Endpoint(config.getServletName(), settings, scheduler);
        endpoint.metrics().register(config.getServletContext(), config.getServletName());
        LiveEndpoints.started(endpoint.metrics(), config.getServletContext().getContextPath(), config.getServletName());
    }

    /** defaults(), then the init-params, then configure(); any bad value fails init naming the servlet. */
    private WebSocketSettings buildSettings(ServletConfig config) throws ServletException {
        WebSocketSettings.Builder settings = WebSocketSettings.builder();
        try {
            defaults(settings);
            Enumeration<String> names = config.getInitParameterNames();
            while (names.hasMoreElements()) {
                String name = names.nextElement();
                if (WebSocketSettings.PARAMETER_NAMES.contains(name)) {
                    settings.set(name, config.getInitParameter(name));
                }
            }
            configure(settings);
        } catch (IllegalArgumentException e) {
            throw new ServletException(config.getServletName() + ": " + e.getMessage(), e);
        }
        return settings.build();
    }

    /**
     * This endpoint's settings, as built at init.
     *
     * @return the settings; available once {@code init} has run
     */
    protected WebSocketSettings settings() {
        return endpoint.settings();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        if (!Handshake.isWebSocketRequest(name -> headerValues(request, name))) {
            super.service(request, response);
            return;
        }
        ServletHandshakeRequest handshake = ServletHandshakeRequest.of(request);
        if (endpoint.isStopping()) {
            refuse(response, 503, "Server is shutting down", Map.of("Retry-After", "5"));
            return;
        }
        HandshakeDecision decision = Handshake.negotiate(request.getMethod(), request.getProtocol(), handshake, endpoint.settings());
        if (!decision.accepted()) {
            refuse(response, decision.status(), decision.reason(), decision.headers());
            return;
        }
        Object reservation = endpoint.reserve();
        if (reservation == null) {
            refuse(response, 503, "Too many connections (limit " + endpoint.settings().maxConnections() + ")",
                    Map.of("Retry-After", "5"));
            return;
        }
        boolean upgraded = false;
        try {
            WebSocketHandler handler;
            try {
                handler = accept(handshake);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "accept() failed for " + handshake.path(), e);
                refuse(response, 500, "The endpoint failed to accept the connection", Map.of());
                return;
            }
            if (handler == null) {
                refuse(response, 403, "The endpoint refused the connection", Map.of());
                return;
            }
            upgraded = upgrade(request, response, handshake, decision, handler, reservation);
        } finally {
            if (!upgraded) {
                endpoint.release(reservation);
            }
        }
    }

    /** All values of a header; the Servlet API allows null where a container hides headers. */
    private static List<String> headerValues(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        return values == null ? List.of() : Collections.list(values);
    }

    /** Plain GET: says the server is here. */
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        sendPlain(response, 200, "WebSocket server works!");
    }

    /** Switches the request to WebSocket; returns false if it was refused instead. */
    private boolean upgrade(HttpServletRequest request, HttpServletResponse response, ServletHandshakeRequest handshake,
                            HandshakeDecision decision, WebSocketHandler handler, Object reservation)
            throws IOException, ServletException {
        TransportMode mode = endpoint.settings().transport();
        // SERVLET only chooses how an HTTP/1.1 socket is upgraded: on Jetty, an HTTP/2 stream can
        // only be taken over (Jetty never hands a CONNECT tunnel's DATA to the servlet's input).
        boolean jetty = (mode != TransportMode.SERVLET || decision.extendedConnect()) && JettyUpgrade.isAvailable(request);
        if (mode == TransportMode.JETTY && !jetty) {
            refuse(response, 500, "transport=JETTY is set, but this container is not Jetty 12", Map.of());
            return false;
        }
        if (decision.extendedConnect() && !jetty && !request.isAsyncSupported()) {
            refuse(response, 500, "WebSocket over HTTP/2 needs <async-supported>true</async-supported> on servlet "
                    + getServletName(), Map.of());
            return false;
        }
        WebSocketConnection connection = new WebSocketConnection(endpoint, handler, handshake, decision);
        // 101, or 200 for an RFC 8441 extended CONNECT. Both containers want the headers set by us
        // before the switch (Tomcat adds neither Upgrade nor Connection).
        response.setStatus(decision.status());
        decision.headers().forEach(response::setHeader);
        Consumer<Transport> open = transport -> connection.open(transport, reservation);
        if (jetty) {
            // The socket, or on HTTP/2 the stream: Jetty hands a CONNECT tunnel's DATA to the
            // connection set on the request, never to the servlet's input stream.
            hookJettyStop(request);
            JettyUpgrade.takeOver(request, open);
        } else if (decision.extendedConnect()) {
            ExtendedConnect.start(request, response, open);
        } else {
            request.upgrade(UpgradeHandler.class).onOpen(open);
        }
        return true;
    }

    private void refuse(HttpServletResponse response, int status, String reason, Map<String, String> headers)
            throws IOException {
        endpoint.metrics().handshakeRefused(status, reason);
        headers.forEach(response::setHeader);
        sendPlain(response, status, reason);
    }

    private static void sendPlain(HttpServletResponse response, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private void hookJettyStop(HttpServletRequest request) {
        if (jettyStopHook != null) {
            return;
        }
        synchronized (this) {
            // Not once destroy() has begun: the Server would keep this servlet, and with it the
            // whole web application, reachable after the undeploy.
            if (jettyStopHook == null && !destroyed) {
                jettyStopHook = JettyUpgrade.whenServerStops(request, () -> endpoint.shutdown(SHUTDOWN_GRACE));
            }
        }
    }

    @Override
    public void destroy() {
        AutoCloseable hook;
        synchronized (this) {
            destroyed = true;
            hook = jettyStopHook;
            jettyStopHook = null;
        }
        if (hook != null) {
            try {
                hook.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "removing the Jetty stop hook", e);
            }
        }
        if (endpoint != null) {
            endpoint.shutdown(SHUTDOWN_GRACE);
            LiveEndpoints.stopped(endpoint.metrics());
        }
        if (scheduler != null) {
            scheduler.release(getServletContext());
        }
        RecordMethodCaches.forgetApplicationTypes(); // after the last callback: JDK 17 would keep a record class
        super.destroy();
    }
}
