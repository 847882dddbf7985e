package io.socketlet.internal.server;

import io.socketlet.server.WebSocketMeterBinder;
import io.socketlet.server.WebSocketServlet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.socketlet.HandshakeRequest;
import io.socketlet.WebSocketHandler;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Micrometer view of the endpoint counters, read from a {@link SimpleMeterRegistry}. */
class WebSocketMeterBinderTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WebSocketMeterBinder binder = new WebSocketMeterBinder();
    private final AtomicInteger open = new AtomicInteger();
    private final EndpointMetrics metrics = new EndpointMetrics(open::get);

    @AfterEach
    void cleanUp() {
        binder.close();
        LiveEndpoints.stopped(metrics);
    }

    @Test
    void everyCounterOfARunningEndpointIsAMeter() {
        binder.bindTo(registry);
        LiveEndpoints.started(metrics, "/app", "chat");
        open.set(3);
        metrics.handshakeAccepted();
        metrics.handshakeAccepted();
        metrics.messageIn();
        metrics.bytesIn(120);
        metrics.written(4, 300);

        assertEquals(3.0, gauge(registry, "socketlet.connections.open").value());
        assertEquals(2.0, counter(registry, "socketlet.handshakes.accepted").count());
        assertEquals(1.0, counter(registry, "socketlet.messages.in").count());
        assertEquals(4.0, counter(registry, "socketlet.messages.out").count());
        assertEquals(120.0, counter(registry, "socketlet.bytes.in").count());
        assertEquals(300.0, counter(registry, "socketlet.bytes.out").count());
        assertEquals("bytes", counter(registry, "socketlet.bytes.out").getId().getBaseUnit());
    }

    @Test
    void refusalsAndClosesAppearAsTheyHappenTaggedByKind() {
        binder.bindTo(registry);
        LiveEndpoints.started(metrics, "/app", "chat");
        assertNull(registry.find("socketlet.handshakes.refused").functionCounter(), "no refusal yet, no meter");

        metrics.handshakeRefused(403, "Origin not allowed: https://evil.example");
        metrics.handshakeRefused(403, "Origin not allowed: https://other.example");
        metrics.closed(1000);
        metrics.closed(1009);
        metrics.closed(1000);

        FunctionCounter refused = registry.find("socketlet.handshakes.refused")
                .tags("context", "/app", "endpoint", "chat", "status", "403", "reason", "Origin not").functionCounter();
        assertNotNull(refused, () -> registry.getMetersAsString());
        assertEquals(2.0, refused.count());
        assertEquals(2.0, registry.get("socketlet.closes").tag("code", "1000").functionCounter().count());
        assertEquals(1.0, registry.get("socketlet.closes").tag("code", "1009").functionCounter().count());
    }

    @Test
    void anEndpointRunningBeforeTheBinderIsBoundIsFollowedWithItsCounters() {
        LiveEndpoints.started(metrics, "", "echo");
        metrics.closed(1001);
        binder.bindTo(registry);

        assertEquals("/", gauge(registry, "socketlet.connections.open").getId().getTag("context"), "the root context is named /");
        assertEquals(1.0, registry.get("socketlet.closes").tag("code", "1001").functionCounter().count());
    }

    @Test
    void aStoppedEndpointLeavesNoMeter() {
        binder.bindTo(registry);
        LiveEndpoints.started(metrics, "/app", "chat");
        metrics.closed(1000);
        LiveEndpoints.stopped(metrics);
        assertEquals(List.of(), registry.getMeters());
    }

    @Test
    void closingTheBinderRemovesItsMetersAndStopsFollowing() {
        binder.bindTo(registry);
        LiveEndpoints.started(metrics, "/app", "chat");
        binder.close();
        assertEquals(List.of(), registry.getMeters());
        EndpointMetrics later = new EndpointMetrics(() -> 0);
        LiveEndpoints.started(later, "/app", "later");
        try {
            assertEquals(List.of(), registry.getMeters(), "a closed binder follows no new endpoint");
        } finally {
            LiveEndpoints.stopped(later);
        }
    }

    @Test
    void everyRegistryItIsBoundToGetsTheMeters() {
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        binder.bindTo(registry);
        LiveEndpoints.started(metrics, "/app", "chat");
        binder.bindTo(second);
        metrics.closed(1000);
        open.set(7);
        for (MeterRegistry r : List.of(registry, second)) {
            assertEquals(7.0, gauge(r, "socketlet.connections.open").value());
            assertEquals(1.0, r.get("socketlet.closes").tag("code", "1000").functionCounter().count());
        }
    }

    /** The servlet's own life: init makes the endpoint's meters, a refused handshake counts, destroy removes them. */
    @Test
    void aServletsEndpointIsFollowedFromInitToDestroy() throws Exception {
        binder.bindTo(registry);
        WebSocketServlet servlet = new WebSocketServlet() {
            @Override
            protected WebSocketHandler accept(HandshakeRequest request) {
                return null;
            }
        };
        ServletContext context = mock(ServletContext.class);
        when(context.getContextPath()).thenReturn("/shop");
        ServletConfig config = mock(ServletConfig.class);
        when(config.getServletName()).thenReturn("orders");
        when(config.getServletContext()).thenReturn(context);
        when(config.getInitParameterNames()).thenReturn(Collections.emptyEnumeration());
        servlet.init(config);
        try {
            Gauge gauge = registry.find("socketlet.connections.open").tags("context", "/shop", "endpoint", "orders").gauge();
            assertNotNull(gauge, () -> registry.getMetersAsString());
            assertEquals(0.0, gauge.value());

            // An upgrade request without Sec-WebSocket-Key: refused with 400.
            HttpServletRequest request = mock(HttpServletRequest.class);
            when(request.getMethod()).thenReturn("GET");
            when(request.getProtocol()).thenReturn("HTTP/1.1");
            when(request.getRequestURI()).thenReturn("/shop/orders");
            when(request.getHeaderNames()).thenAnswer(i -> Collections.enumeration(List.of("Host", "Upgrade", "Connection", "Sec-WebSocket-Version")));
            when(request.getHeader(anyString())).thenAnswer(i -> switch (i.<String>getArgument(0).toLowerCase()) {
                case "host" -> "shop.example";
                case "upgrade" -> "websocket";
                case "connection" -> "Upgrade";
                case "sec-websocket-version" -> "13";
                default -> null;
            });
            when(request.getHeaders(anyString())).thenAnswer(i -> {
                String value = request.getHeader(i.getArgument(0));
                return value == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(value));
            });
            HttpServletResponse response = mock(HttpServletResponse.class);
            when(response.getOutputStream()).thenReturn(new WebSocketServletTest.CapturingOutputStream(new ByteArrayOutputStream()));
            servlet.service(request, response);

            FunctionCounter refused = registry.find("socketlet.handshakes.refused")
                    .tags("endpoint", "orders", "status", "400").functionCounter();
            assertNotNull(refused, () -> registry.getMetersAsString());
            assertEquals(1.0, refused.count());
        } finally {
            servlet.destroy();
        }
        assertEquals(List.of(), registry.find("socketlet.connections.open").tags("endpoint", "orders").gauges().stream().toList(),
                "destroy removes the endpoint's meters");
    }

    private static Gauge gauge(MeterRegistry registry, String name) {
        return registry.get(name).gauge();
    }

    private static FunctionCounter counter(MeterRegistry registry, String name) {
        return registry.get(name).functionCounter();
    }
}
