package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Endpoint settings given as servlet init-params, seen on the wire: allowed origins, the
 * compression switches, fragment and connection limits, handshake header limits.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class SettingsIT {

    private static final Duration T = Duration.ofSeconds(5);

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("")
            .servlet("default", TestEndpoints.Echo.class, "/default", Map.of("pingInterval", "0", "closeTimeout", "500ms"))
            .servlet("listed", TestEndpoints.Echo.class, "/listed",
                    Map.of("pingInterval", "0", "closeTimeout", "500ms", "allowedOrigins", "http://example.test, same-origin"))
            .servlet("any", TestEndpoints.Echo.class, "/any", Map.of("pingInterval", "0", "closeTimeout", "500ms", "allowedOrigins", "*"))
            .servlet("nodeflate", TestEndpoints.Echo.class, "/nodeflate", Map.of("pingInterval", "0", "closeTimeout", "500ms", "compression", "false"))
            .servlet("notakeover", TestEndpoints.Echo.class, "/notakeover",
                    Map.of("pingInterval", "0", "closeTimeout", "500ms", "compressionContextTakeover", "false"))
            .servlet("fragments", TestEndpoints.Echo.class, "/fragments", Map.of("pingInterval", "0", "closeTimeout", "500ms", "maxFragments", "3"))
            .servlet("two", TestEndpoints.Echo.class, "/two", Map.of("pingInterval", "0", "closeTimeout", "500ms", "maxConnections", "2"))
            .servlet("twoBurst", TestEndpoints.SlowAccept.class, "/two-burst", Map.of("pingInterval", "0", "closeTimeout", "500ms", "maxConnections", "2"))
            .servlet("servletTransport", TestEndpoints.Echo.class, "/servlet-transport",
                    Map.of("pingInterval", "0", "closeTimeout", "500ms", "transport", "servlet"))
            .servlet("jettyTransport", TestEndpoints.Echo.class, "/jetty-transport",
                    Map.of("pingInterval", "0", "closeTimeout", "500ms", "transport", "jetty"))
            .servlet("headers", TestEndpoints.Echo.class, "/headers",
                    Map.of("pingInterval", "0", "closeTimeout", "500ms", "maxHeaders", "20", "maxHeaderLength", "100")));

    private static int port(ContainerKind kind) {
        return SERVERS.get(kind).port();
    }

    private static RawHttp.Response handshake(ContainerKind kind, String path, String... extra) throws Exception {
        List<String> headers = new ArrayList<>(List.of(
                "Host: 127.0.0.1:" + port(kind),
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: " + RawWebSocketClient.newKey(),
                "Sec-WebSocket-Version: 13"));
        headers.addAll(List.of(extra));
        // Only the status and headers matter: a 101 response has no body and the socket closes here.
        return RawHttp.exchange(port(kind), RawHttp.request("GET " + path + " HTTP/1.1", headers), T);
    }

    // ---- Origin (RFC 6455 section 10.2) ----

    static Stream<Arguments> origins() {
        // path, Origin header ("" = none, PORT = this server's port), accepted?
        List<Object[]> cases = List.of(
                new Object[] {"/default", "", true},
                new Object[] {"/default", "http://127.0.0.1:PORT", true},
                new Object[] {"/default", "http://evil.test", false},
                new Object[] {"/default", "http://127.0.0.1:1", false},
                new Object[] {"/default", "https://127.0.0.1:PORT", false},
                new Object[] {"/default", "null", false},
                new Object[] {"/listed", "http://example.test", true},
                new Object[] {"/listed", "http://127.0.0.1:PORT", true},
                new Object[] {"/listed", "http://example.test.evil.test", false},
                new Object[] {"/listed", "http://evil.test", false},
                new Object[] {"/any", "http://evil.test", true});
        return ContainerKind.selected().flatMap(kind -> cases.stream().map(c -> Arguments.of(kind, c[0], c[1], c[2])));
    }

    @ParameterizedTest(name = "[{0}] {1} Origin: ''{2}'' accepted={3}")
    @MethodSource("origins")
    void checksTheOrigin(ContainerKind kind, String path, String origin, boolean accepted) throws Exception {
        String value = origin.replace("PORT", String.valueOf(port(kind)));
        RawHttp.Response r = value.isEmpty() ? handshake(kind, path) : handshake(kind, path, "Origin: " + value);
        if (accepted) {
            assertEquals(101, r.status(), "Origin '" + value + "' on " + path + "\n" + r);
        } else {
            assertEquals(403, r.status(), "Origin '" + value + "' on " + path + "\n" + r);
            String body = r.bodyText().strip();
            assertTrue(!body.isEmpty() && !body.contains("\n") && body.toLowerCase(Locale.ROOT).contains("origin"),
                    "a one-line reason naming the origin rule\n" + r);
        }
    }

    // ---- compression switches ----

    @BothContainers
    void declinesCompressionWhenItIsSwitchedOff(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/nodeflate"),
                List.of("Sec-WebSocket-Extensions: permessage-deflate"))) {
            assertNull(c.handshake().header("Sec-WebSocket-Extensions"), c.transcript());
            c.send(Frame.text("x").rsv(4)); // RSV1 without a negotiated extension
            c.expectFailure(1002);
        }
    }

    @BothContainers
    void answersBothNoContextTakeoverParametersWhenTakeoverIsOff(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/notakeover"),
                List.of("Sec-WebSocket-Extensions: permessage-deflate"))) {
            String ext = c.handshake().header("Sec-WebSocket-Extensions");
            assertNotNull(ext, c.transcript());
            String lower = ext.toLowerCase(Locale.ROOT);
            assertTrue(lower.contains("permessage-deflate") && lower.contains("server_no_context_takeover")
                    && lower.contains("client_no_context_takeover"), c.transcript());
        }
    }

    // ---- maxFragments 3 ----

    @BothContainers
    void acceptsAMessageOfMaxFragments(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/fragments"))) {
            c.send(Frame.text("a").fin(false));
            c.send(Frame.continuation("b").fin(false));
            c.send(Frame.continuation("c"));
            c.expectText("abc");
        }
    }

    @BothContainers
    void rejectsAMessageOfMoreThanMaxFragments(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/fragments"))) {
            c.send(Frame.text("a").fin(false));
            c.send(Frame.continuation("b").fin(false));
            c.send(Frame.continuation("c").fin(false));
            c.send(Frame.continuation("d").fin(false));
            c.expectFailure(1009);
        }
    }

    // ---- maxConnections 2 ----

    @BothContainers
    void refusesConnectionsPastMaxConnectionsWith503(ContainerKind kind) throws Exception {
        var uri = SERVERS.get(kind).ws("/two");
        try (RawWebSocketClient first = RawWebSocketClient.connect(uri);
             RawWebSocketClient second = RawWebSocketClient.connect(uri)) {
            // An echo on each proves both connections are open on the server, not just answered with 101
            // (the race between the 101 and the server counting the connection is tested below).
            first.send(Frame.text("one"));
            first.expectText("one");
            second.send(Frame.text("two"));
            second.expectText("two");
            RawHttp.Response third = handshake(kind, "/two");
            assertEquals(503, third.status(), third.toString());
            assertNotNull(third.header("Retry-After"), "503 should carry Retry-After\n" + third);
            first.send(Frame.close(1000, ""));
            first.readClose(false);
            first.expectTcpClosed(Duration.ofSeconds(3));
            second.send(Frame.text("still open"));
            second.expectText("still open");
        }
        // Both closed now (one by handshake, one dropped): a new one must be admitted soon.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = handshake(kind, "/two").status();
            if (status == 101) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals(101, status, "a slot should free up once connections closed");
    }

    @BothContainers
    void neverAdmitsMoreThanMaxConnectionsFromConcurrentHandshakes(ContainerKind kind) throws Exception {
        // 24 handshakes held back by their last CRLF, then released together, on an endpoint
        // whose accept() takes 300 ms (an application checking a token): the limit must hold
        // however admission, accept() and registration interleave.
        var uri = SERVERS.get(kind).ws("/two-burst");
        int attempts = 24;
        List<java.net.Socket> sockets = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        try {
            List<byte[]> requests = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", uri.getPort());
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(5000);
                sockets.add(socket);
                byte[] request = RawWebSocketClient.upgradeRequest(uri, RawWebSocketClient.newKey(), List.of())
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                requests.add(request);
                socket.getOutputStream().write(request, 0, request.length - 2);
                socket.getOutputStream().flush();
            }
            Thread.sleep(200);
            for (int i = 0; i < attempts; i++) {
                byte[] request = requests.get(i);
                sockets.get(i).getOutputStream().write(request, request.length - 2, 2);
                sockets.get(i).getOutputStream().flush();
            }
            for (java.net.Socket socket : sockets) {
                try {
                    statuses.add(RawHttp.readHead(new java.io.BufferedInputStream(socket.getInputStream())).status());
                } catch (java.io.IOException e) {
                    statuses.add(-1);
                }
            }
        } finally {
            for (java.net.Socket socket : sockets) {
                socket.close();
            }
        }
        long admitted = statuses.stream().filter(s -> s == 101).count();
        assertTrue(admitted <= 2, "maxConnections=2, but " + admitted + " of " + attempts
                + " simultaneous handshakes got 101; statuses: " + statuses);
        assertTrue(statuses.stream().allMatch(s -> s == 101 || s == 503), "statuses: " + statuses);
    }

    // ---- transport ----

    @BothContainers
    void servletTransportCarriesAClientThatSendsContentLengthZero(ContainerKind kind) throws Exception {
        // The JDK client sends Content-Length: 0, which Jetty 12.1's servlet upgrade survives
        // (docs: a request without it loses its first frame there).
        try (JdkClient c = JdkClient.connect(SERVERS.get(kind).ws("/servlet-transport"))) {
            c.sendText("over the servlet streams", true);
            assertEquals("over the servlet streams", c.nextText(T));
            byte[] data = new byte[200_000];
            new java.util.Random(5).nextBytes(data);
            c.sendBinary(data, true);
            org.junit.jupiter.api.Assertions.assertArrayEquals(data, c.nextBinary(T));
        }
    }

    @BothContainers
    void jettyTransportWorksOnJettyAndIsRefusedElsewhere(ContainerKind kind) throws Exception {
        if (kind == ContainerKind.JETTY) {
            try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/jetty-transport"))) {
                c.send(Frame.text("over Jetty's socket"));
                c.expectText("over Jetty's socket");
            }
        } else {
            RawHttp.Response r = handshake(kind, "/jetty-transport");
            assertEquals(500, r.status(), r.toString());
        }
    }

    // ---- handshake header limits ----

    @BothContainers
    void refusesMoreThanMaxHeaders(ContainerKind kind) throws Exception {
        String[] filler = new String[25];
        for (int i = 0; i < filler.length; i++) {
            filler[i] = "X-Filler-" + i + ": " + i;
        }
        RawHttp.Response r = handshake(kind, "/headers", filler);
        assertEquals(400, r.status(), r.toString());
        assertFalse(r.bodyText().strip().isEmpty(), "a reason\n" + r);
    }

    @BothContainers
    void refusesAHeaderLongerThanMaxHeaderLength(ContainerKind kind) throws Exception {
        RawHttp.Response r = handshake(kind, "/headers", "Sec-WebSocket-Protocol: " + "p".repeat(60) + ", " + "q".repeat(60));
        assertEquals(400, r.status(), r.toString());
    }

    @BothContainers
    void acceptsHeadersWithinTheLimits(ContainerKind kind) throws Exception {
        RawHttp.Response r = handshake(kind, "/headers", "X-One: 1", "Sec-WebSocket-Protocol: " + "p".repeat(50));
        assertEquals(101, r.status(), r.toString());
    }
}
