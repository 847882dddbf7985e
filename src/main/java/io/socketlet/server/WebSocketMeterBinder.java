package io.socketlet.server;

import io.socketlet.internal.server.EndpointMeterBinder;

/**
 * The counters of this application's WebSocket endpoints as Micrometer meters, the same numbers
 * the JMX MXBean ({@code io.socketlet:type=Endpoint,...}) shows. Micrometer is an optional dependency of
 * socketlet: nothing of it is loaded unless the application creates this binder. In Spring Boot
 * with the actuator, declare it as a bean and Boot binds it to its registry:
 *
 * <pre>{@code
 * @Bean
 * public WebSocketMeterBinder webSocketMetrics() {
 *     return new WebSocketMeterBinder();
 * }
 * }</pre>
 *
 * <p>Elsewhere, {@code new WebSocketMeterBinder().bindTo(registry)}. Every endpoint of the
 * application (every {@link WebSocketServlet}) is followed, including those that start after the
 * binder was bound; an endpoint's meters are removed when it stops. Meters, each tagged with
 * {@code context} (the context path) and {@code endpoint} (the servlet name):
 *
 * <ul>
 *   <li>{@code socketlet.connections.open} (gauge): connections open now;</li>
 *   <li>{@code socketlet.handshakes.accepted}, and {@code socketlet.handshakes.refused} tagged
 *       {@code status} and {@code reason} (such as {@code 403} and {@code Origin not}): handshakes;</li>
 *   <li>{@code socketlet.messages.in}, {@code socketlet.messages.out}: messages received and sent;</li>
 *   <li>{@code socketlet.bytes.in}, {@code socketlet.bytes.out}: bytes on the wire;</li>
 *   <li>{@code socketlet.closes} tagged {@code code}: closed connections by close code.</li>
 * </ul>
 */
public final class WebSocketMeterBinder extends EndpointMeterBinder {

    /**
     * A binder over every WebSocket endpoint this copy of socketlet runs (the web application's, when
     * the jar is in its {@code WEB-INF/lib}), those running now and those yet to start.
     */
    public WebSocketMeterBinder() {
    }
}
