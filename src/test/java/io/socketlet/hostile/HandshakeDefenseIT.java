package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.BothContainers;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.ContainerPool;
import io.socketlet.it.Frame;
import io.socketlet.it.RawHttp;
import io.socketlet.it.RawWebSocketClient;
import io.socketlet.internal.server.EndpointMetricsMXBean;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * The opening handshake against hostile requests, on both containers: cross-site WebSocket
 * hijacking (RFC 6455 section 10.2), header counts and lengths, the connection cap, a megabyte
 * header, and refusal counters that an attacker cannot grow without bound.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandshakeDefenseIT {

    private static final Duration T = Duration.ofSeconds(5);

    @RegisterExtension
    static final ContainerPool SERVERS = ContainerPool.perKind("handshake", d -> d
            .servlet("same", Probe.class, "/same", Map.of("pingInterval", "0"))
            .servlet("any", Probe.class, "/any", Map.of("pingInterval", "0", "allowedOrigins", "*"))
            .servlet("listed", Probe.class, "/listed", Map.of("pingInterval", "0", "allowedOrigins", "http://a.test, https://b.test:8443"))
            .servlet("limits", Probe.class, "/limits", Map.of("pingInterval", "0", "maxHeaders", "20", "maxHeaderLength", "200"))
            .servlet("capped", Probe.class, "/capped", Map.of("pingInterval", "0", "maxConnections", "3")));

    private static int port(ContainerKind kind) {
        return SERVERS.get(kind).port();
    }

    /** Sends an upgrade request with the extra header lines; reads the response (a 101 ends the exchange). */
    private static RawHttp.Response handshake(ContainerKind kind, String path, List<String> extra) throws IOException {
        List<String> headers = new ArrayList<>(List.of(
                "Host: 127.0.0.1:" + port(kind),
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: " + RawWebSocketClient.newKey(),
                "Sec-WebSocket-Version: 13"));
        headers.addAll(extra);
        return RawHttp.exchange(port(kind), RawHttp.request("GET " + SERVERS.get(kind).path(path) + " HTTP/1.1", headers), T);
    }

    private static void assertRefused(RawHttp.Response r, int status, String reasonWord) {
        assertEquals(status, r.status(), r.toString());
        String body = r.bodyText().strip();
        assertTrue(!body.isEmpty() && !body.contains("\n"), "a one-line reason in the body\n" + r);
        assertTrue(body.toLowerCase(Locale.ROOT).contains(reasonWord), "the reason should name '" + reasonWord + "'\n" + r);
    }

    // ---- CSWSH ----

    static Stream<Arguments> origins() {
        // path, Origin ("" none, PORT this server's port), accepted?
        List<Object[]> cases = List.of(
                new Object[] {"/same", "", true},
                new Object[] {"/same", "http://127.0.0.1:PORT", true},
                new Object[] {"/same", "HTTP://127.0.0.1:PORT", true},
                new Object[] {"/same", "http://evil.test", false},
                new Object[] {"/same", "http://evil.test:PORT", false},
                new Object[] {"/same", "http://localhost:PORT", false},
                new Object[] {"/same", "https://127.0.0.1:PORT", false},
                new Object[] {"/same", "http://127.0.0.1:PORT@evil.test", false},
                new Object[] {"/same", "http://127.0.0.1.evil.test:PORT", false},
                new Object[] {"/same", "null", false},
                new Object[] {"/any", "", true},
                new Object[] {"/any", "http://evil.test", true},
                new Object[] {"/any", "null", true},
                new Object[] {"/listed", "", true},
                new Object[] {"/listed", "http://a.test", true},
                new Object[] {"/listed", "https://b.test:8443", true},
                new Object[] {"/listed", "http://a.test:8080", false},
                new Object[] {"/listed", "https://a.test", false},
                new Object[] {"/listed", "http://b.test:8443", false},
                new Object[] {"/listed", "https://b.test", false},
                new Object[] {"/listed", "http://a.test.evil.test", false},
                new Object[] {"/listed", "http://127.0.0.1:PORT", false});
        return ContainerKind.selected().flatMap(kind -> cases.stream().map(c -> Arguments.of(kind, c[0], c[1], c[2])));
    }

    @ParameterizedTest(name = "[{0}] {1} Origin: ''{2}'' accepted={3}")
    @MethodSource("origins")
    void refusesCrossSiteOrigins(ContainerKind kind, String path, String origin, boolean accepted) throws Exception {
        String value = origin.replace("PORT", String.valueOf(port(kind)));
        RawHttp.Response r = handshake(kind, path, value.isEmpty() ? List.of() : List.of("Origin: " + value));
        if (accepted) {
            assertEquals(101, r.status(), "Origin '" + value + "' on " + path + "\n" + r);
        } else {
            assertRefused(r, 403, "origin");
        }
    }

    /**
     * Refusals are counted "by status and reason kind" (EndpointMetricsMXBean): an attacker who
     * varies the refused value (here the Origin) must not create a counter per value, or the
     * counter map (and every JMX scrape) grows without bound.
     */
    @BothContainers
    void refusalCountersDoNotGrowWithAttackerChosenValues(ContainerKind kind) throws Exception {
        SERVERS.get(kind);
        EndpointMetricsMXBean m = HostileSupport.metrics(SERVERS.contextPath(kind), "same");
        int keysBefore = m.getHandshakesRefused().size();
        for (int i = 0; i < 40; i++) {
            RawHttp.Response r = handshake(kind, "/same", List.of("Origin: http://attacker-" + i + ".test"));
            assertEquals(403, r.status(), r.toString());
        }
        Map<String, Long> refused = m.getHandshakesRefused();
        assertTrue(refused.size() - keysBefore <= 2, "40 refusals of 40 different origins made "
                + (refused.size() - keysBefore) + " new counter keys: " + refused.keySet());
    }

    // ---- header limits: maxHeaders 20, maxHeaderLength 200 ----

    @BothContainers
    void tooManyHeaderFieldsAre400(ContainerKind kind) throws Exception {
        List<String> filler = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            filler.add("X-Filler-" + i + ": x");
        }
        assertRefused(handshake(kind, "/limits", filler), 400, "header");
        assertEquals(101, handshake(kind, "/limits", filler.subList(0, 10)).status(), "15 fields are under the limit of 20");
    }

    @BothContainers
    void longSubprotocolHeaderIs400(ContainerKind kind) throws Exception {
        assertRefused(handshake(kind, "/limits", List.of("Sec-WebSocket-Protocol: " + "p,".repeat(150) + "chat")), 400,
                "sec-websocket-protocol");
        assertEquals(101, handshake(kind, "/limits", List.of("Sec-WebSocket-Protocol: " + "p,".repeat(50) + "chat")).status());
    }

    @BothContainers
    void longExtensionsHeaderIs400(ContainerKind kind) throws Exception {
        assertRefused(handshake(kind, "/limits", List.of("Sec-WebSocket-Extensions: permessage-deflate" + "; a=b".repeat(60))), 400,
                "sec-websocket-extensions");
    }

    @BothContainers
    void headerSplitOverManyLinesCountsAsOne(ContainerKind kind) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lines.add("Sec-WebSocket-Extensions: x-extension-number-" + i + "; param=" + "v".repeat(20));
        }
        assertRefused(handshake(kind, "/limits", lines), 400, "sec-websocket-extensions");
    }

    /**
     * A megabyte header never reaches the servlet (both containers cap a request head, 8 KiB by
     * default): it is refused quickly, one way or another (400/431, or TCP closed), and the
     * server goes on serving.
     */
    @BothContainers
    void aMegabyteHeaderIsRefusedQuickly(ContainerKind kind) throws Exception {
        String request = RawHttp.request("GET " + SERVERS.get(kind).path("/same") + " HTTP/1.1", List.of(
                "Host: 127.0.0.1:" + port(kind),
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: " + RawWebSocketClient.newKey(),
                "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Extensions: " + "permessage-deflate; a=\"" + "\\a".repeat(512 * 1024)));
        long start = System.nanoTime();
        String outcome;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port(kind)), 3000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            Thread writer = new Thread(() -> {
                try {
                    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException expected) {
                    // the server closed early
                }
            }, "hostile-big-header-writer");
            writer.setDaemon(true);
            writer.start();
            try {
                RawHttp.Response r = RawHttp.readHead(in);
                outcome = "status " + r.status();
                assertTrue(r.status() >= 400 && r.status() < 500, "a 1 MB header should be refused, got " + r);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within 3 s to a request with a 1 MB header", e);
            } catch (SocketException | java.io.EOFException e) {
                outcome = "TCP closed: " + e;
            }
        }
        long ms = HostileSupport.elapsedMs(start);
        assertTrue(ms < 3000, "refusing took " + ms + " ms (" + outcome + ")");
        try (RawWebSocketClient c = RawWebSocketClient.connect(URI.create(SERVERS.get(kind).ws("/same") + "?id=after-big-header"))) {
            c.send(Frame.text("ok"));
            Frame.Received echo = c.readOrEnd(T);
            assertNotNull(echo, c.transcript());
            assertEquals("ok", echo.text());
        }
    }

    // ---- maxConnections 3 ----

    @BothContainers
    void connectionsPastTheCapGet503WithRetryAfter(ContainerKind kind) throws Exception {
        URI uri = URI.create(SERVERS.get(kind).ws("/capped") + "?id=cap");
        List<RawWebSocketClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawWebSocketClient c = RawWebSocketClient.connect(uri);
                open.add(c);
                c.send(Frame.text("hello " + i));
                assertNotNull(c.readOrEnd(T), c.transcript()); // open on the server, not just answered
            }
            RawHttp.Response fourth = handshake(kind, "/capped", List.of());
            assertRefused(fourth, 503, "connections");
            String retry = fourth.header("Retry-After");
            assertNotNull(retry, "503 carries Retry-After\n" + fourth);
            assertTrue(retry.strip().matches("\\d+"), "Retry-After is a number of seconds: " + retry);
            open.get(0).send(Frame.close(1000, ""));
            open.get(0).readUntilClose(T);
            assertTrue(HostileSupport.await(Duration.ofSeconds(5), () -> {
                try {
                    return handshake(kind, "/capped", List.of()).status() == 101;
                } catch (IOException e) {
                    return false;
                }
            }), "a slot frees up after a close");
        } finally {
            for (RawWebSocketClient c : open) {
                c.close();
            }
        }
    }
}
