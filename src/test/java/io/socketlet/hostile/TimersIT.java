package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.BothContainers;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.ContainerPool;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import io.socketlet.it.RawHttp;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's own clock against quiet, dead and stalling peers, on both containers. The issue's
 * numbers are scaled down to keep the suite short: a 60 s proxy read timeout becomes 1 s, with
 * pingInterval 300 ms and idleTimeout 1 s; closeTimeout and handshakeTimeout are 500 ms.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimersIT {

    @RegisterExtension
    static final ContainerPool SERVERS = ContainerPool.perKind("timers", d -> d
            .servlet("keepalive", Probe.class, "/keepalive",
                    Map.of("pingInterval", "300ms", "idleTimeout", "1s", "closeTimeout", "500ms"))
            .servlet("pong", Probe.class, "/pong",
                    Map.of("pingInterval", "300ms", "pongTimeout", "500ms", "idleTimeout", "60s"))
            .servlet("silent", Probe.class, "/silent", Map.of("pingInterval", "0", "idleTimeout", "0"))
            .servlet("closing", Probe.class, "/closing", Map.of("pingInterval", "0", "closeTimeout", "500ms"))
            .servlet("hixie", Probe.class, "/hixie",
                    Map.of("protocols", "13, hixie-76", "pingInterval", "0", "handshakeTimeout", "500ms")));

    private static URI uri(ContainerKind kind, String path, String id) {
        return URI.create(SERVERS.get(kind).ws(path) + "?id=" + id);
    }

    /**
     * Stays quiet for {@code ms}, answering every ping with a pong and sending nothing else;
     * returns the number of pings. Fails if anything but a ping arrives or TCP ends.
     */
    private static int answerPingsFor(RawWebSocketClient c, long ms) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        int pings = 0;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return pings;
            }
            Frame.Received f = c.tryRead(Duration.ofMillis(left)); // fails the test if TCP ends
            if (f == null) {
                return pings; // quiet until the deadline
            }
            assertEquals(Frame.PING, f.opcode(), "only pings should come to a quiet client, after " + pings + " pings\n"
                    + c.transcript());
            pings++;
            c.send(Frame.pong(f.payload()));
        }
    }

    @BothContainers
    void aQuietClientThatAnswersPingsStaysConnected(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/keepalive", id))) {
            int pings = answerPingsFor(c, 3500); // three and a half idle timeouts
            assertTrue(pings >= 4, "pingInterval 300ms over 3.5 s gave only " + pings + " pings\n" + c.transcript());
            c.send(Frame.text("still open"));
            Frame.Received echo;
            do {
                echo = c.readOrEnd(Duration.ofSeconds(3));
                assertNotNull(echo, c.transcript());
                if (echo.opcode() == Frame.PING) {
                    c.send(Frame.pong(echo.payload()));
                }
            } while (echo.opcode() == Frame.PING);
            assertEquals("still open", echo.text(), c.transcript());
            assertNull(Probe.record(id).await("close", 0), "no close while the client answered pings: " + Probe.record(id));
            assertTrue(Probe.record(id).events.stream().filter(e -> e.type().equals("pong")).count() >= 4,
                    "the application heard the pongs: " + Probe.record(id));
        }
    }

    @BothContainers
    void aProxyWithAReadTimeoutDoesNotCutAPingedConnection(ContainerKind kind) throws Exception {
        try (ReadTimeoutProxy proxy = new ReadTimeoutProxy(SERVERS.get(kind).port(), 1000);
             RawWebSocketClient c = RawWebSocketClient.connect(proxy.port(), uri(kind, "/keepalive", UUID.randomUUID().toString()), List.of(), 0)) {
            int pings = answerPingsFor(c, 3500);
            assertEquals(0, proxy.cuts(), "the proxy cut the connection after " + pings + " pings\n" + c.transcript());
            assertTrue(pings >= 4, "only " + pings + " pings in 3.5 s\n" + c.transcript());
            c.send(Frame.text("through the proxy"));
            Frame.Received echo;
            do {
                echo = c.readOrEnd(Duration.ofSeconds(3));
                assertNotNull(echo, "the proxy cut the connection\n" + c.transcript());
                if (echo.opcode() == Frame.PING) {
                    c.send(Frame.pong(echo.payload()));
                }
            } while (echo.opcode() == Frame.PING);
            assertEquals("through the proxy", echo.text());
            assertEquals(0, proxy.cuts());
        }
    }

    /** Control: the same proxy does cut a connection on an endpoint without pings (so the test above means something). */
    @BothContainers
    void theProxyCutsAConnectionWithoutPings(ContainerKind kind) throws Exception {
        try (ReadTimeoutProxy proxy = new ReadTimeoutProxy(SERVERS.get(kind).port(), 1000);
             RawWebSocketClient c = RawWebSocketClient.connect(proxy.port(), uri(kind, "/silent", UUID.randomUUID().toString()), List.of(), 0)) {
            assertTrue(c.tcpClosedWithin(Duration.ofSeconds(4)), "the proxy should cut a silent connection after 1 s\n" + c.transcript());
            assertEquals(1, proxy.cuts());
        }
    }

    /**
     * A peer that reads nothing and sends nothing (a laptop that went to sleep): pings go
     * unanswered, the idle timeout sends 1001, the close is not answered either, and after the
     * close timeout TCP is dropped; the application hears onClose 1006 in bounded time.
     */
    @BothContainers
    void aDeadPeerIsDroppedAndReportedAs1006(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        // Timed from before the connection exists: the server's clock for it cannot start earlier,
        // so it cannot drop it sooner than idleTimeout + closeTimeout after this, however late
        // this thread runs after the 101.
        long start = System.nanoTime();
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/keepalive", id))) {
            Probe.Event closed = Probe.record(id).await("close", 6000);
            long ms = HostileSupport.elapsedMs(start);
            assertNotNull(closed, "a dead peer should be dropped within 6 s (idleTimeout 1s + closeTimeout 500ms): "
                    + Probe.record(id));
            assertEquals(1006, closed.code(), "a dead peer is reported as 1006: " + closed);
            assertTrue(ms >= 1500 && ms < 6000, "dropped " + ms + " ms after connecting (idleTimeout 1s, closeTimeout 500ms)");
            // What the dead peer would find on waking: pings, the 1001 close, then EOF.
            Frame.Received close = c.readUntilClose(Duration.ofSeconds(3));
            assertNotNull(close, "the server's 1001 should be in the socket before TCP ended\n" + c.transcript());
            assertEquals(1001, close.closeCode(), c.transcript());
            assertTrue(c.tcpClosedWithin(Duration.ofSeconds(3)), "TCP was dropped\n" + c.transcript());
        }
    }

    /**
     * pongTimeout over a real container: a peer that answers no ping is dropped once a ping went
     * unanswered for pongTimeout (not after the minute of idleTimeout), reported as 1006 with no
     * close frame (a peer that does not answer pings would not answer a close either); a peer
     * that answers every ping stays.
     */
    @BothContainers
    void aPeerThatAnswersNoPingIsDroppedAfterPongTimeoutAndOneThatAnswersStays(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        long start = System.nanoTime();
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/pong", id))) {
            Probe.Event closed = Probe.record(id).await("close", 8000);
            long ms = HostileSupport.elapsedMs(start);
            assertNotNull(closed, "dropped within 8 s (pingInterval 300 ms + pongTimeout 500 ms; idleTimeout 60 s): "
                    + Probe.record(id));
            assertEquals(1006, closed.code(), "an unreachable peer is reported as 1006: " + closed);
            assertTrue(ms >= 800, "dropped " + ms + " ms after connecting, before a ping could have gone unanswered for 500 ms");
            Frame.Received f = c.readUntilClose(Duration.ofSeconds(3));
            assertEquals(null, f, "no close frame, only pings, then TCP ended\n" + c.transcript());
            assertTrue(c.tcpClosedWithin(Duration.ofSeconds(3)), "TCP was dropped\n" + c.transcript());
        }

        String answering = UUID.randomUUID().toString();
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/pong", answering))) {
            int pings = answerPingsFor(c, 2500);
            assertTrue(pings >= 2, "pinged every 300 ms of quiet: " + pings + " pings\n" + c.transcript());
            assertEquals(null, Probe.record(answering).await("close", 0), "a peer that answers pings stays: " + Probe.record(answering));
        }
    }

    @BothContainers
    void aPeerThatNeverAnswersTheServersCloseIsDroppedAfterCloseTimeout(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/closing", id))) {
            c.send(Frame.text("close 4000 going"));
            Frame.Received close = c.readOrEnd(Duration.ofSeconds(3));
            assertNotNull(close, c.transcript());
            assertEquals(4000, close.closeCode(), c.transcript());
            long start = System.nanoTime();
            assertTrue(c.tcpClosedWithin(Duration.ofSeconds(4)), "TCP still open 4 s after an unanswered close (closeTimeout 500ms)\n" + c.transcript());
            long ms = HostileSupport.elapsedMs(start);
            assertTrue(ms >= 300 && ms < 3000, "dropped after " + ms + " ms (closeTimeout 500ms)");
        }
        Probe.Event closed = Probe.record(id).await("close", 3000);
        assertNotNull(closed, Probe.record(id).toString());
        assertEquals(1006, closed.code(), "an unanswered close ends as 1006 (WebSocketHandler.onClose): " + closed);
    }

    @BothContainers
    void aHixie76HandshakeWhoseKeyBytesNeverComeIsCut(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        String request = RawHttp.request("GET " + server.path("/hixie") + "?id=" + UUID.randomUUID() + " HTTP/1.1", List.of(
                "Host: 127.0.0.1:" + server.port(),
                "Connection: Upgrade",
                "Sec-WebSocket-Key2: 12998 5 Y3 1  .P00",
                "Upgrade: WebSocket",
                "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5",
                "Origin: http://127.0.0.1:" + server.port()));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 3000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1)); // and never the 8 key bytes
            s.getOutputStream().flush();
            long start = System.nanoTime();
            InputStream in = new BufferedInputStream(s.getInputStream());
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            s.setSoTimeout(5000);
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    got.write(b);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("still open 5 s after a hixie-76 handshake without key bytes (handshakeTimeout 500ms); got "
                        + RawHttp.printable(got.toByteArray()), e);
            } catch (SocketException reset) {
                // cut
            }
            long ms = HostileSupport.elapsedMs(start);
            assertTrue(ms >= 300 && ms < 3000, "cut after " + ms + " ms (handshakeTimeout 500ms); got "
                    + RawHttp.printable(got.toByteArray()));
        }
        var metrics = HostileSupport.metrics(SERVERS.contextPath(kind), "hixie");
        HostileSupport.awaitOrFail(Duration.ofSeconds(3), () -> metrics.getOpenConnections() == 0,
                () -> "the cut handshake still counts as open: " + HostileSupport.describe(metrics));
    }
}
