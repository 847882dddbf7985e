package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the application sees and what its actions do on the wire: an exception in a callback,
 * a client that vanishes mid-message, close codes reported to onClose, a close started by the
 * application.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ApplicationCallbacksIT {

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("")
            .servlet("record", TestEndpoints.Recording.class, "/record", Map.of("pingInterval", "0", "closeTimeout", "500ms"))
            .servlet("throw", TestEndpoints.Throwing.class, "/throw", Map.of("pingInterval", "0", "closeTimeout", "500ms"))
            .servlet("command", TestEndpoints.CloseOnCommand.class, "/command", Map.of("pingInterval", "0", "closeTimeout", "500ms")));

    /** A fresh connection id and its URI on /record. */
    private static URI recordUri(ContainerKind kind, String id) {
        return URI.create(SERVERS.get(kind).ws("/record") + "?id=" + id);
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Waits for the onClose event, skipping others; fails if none comes in time. Returns what came before it too. */
    private static List<TestEndpoints.Event> untilClose(String id, Duration timeout) throws InterruptedException {
        BlockingQueue<TestEndpoints.Event> events = TestEndpoints.Recording.events(id);
        List<TestEndpoints.Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            TestEndpoints.Event e = events.poll(Math.max(left, 0), TimeUnit.NANOSECONDS);
            if (e == null) {
                fail("the handler saw no onClose within " + timeout.toMillis() + " ms; events: " + seen);
            }
            seen.add(e);
            if (e.type().equals("close")) {
                return seen;
            }
        }
    }

    private static void assertNoMoreEvents(String id, List<TestEndpoints.Event> seen) throws InterruptedException {
        TestEndpoints.Event extra = TestEndpoints.Recording.events(id).poll(300, TimeUnit.MILLISECONDS);
        assertNull(extra, "nothing may follow onClose; events: " + seen + " then " + extra);
    }

    @BothContainers
    void closesWith1011WhenTheHandlerThrows(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/throw"))) {
            c.send(Frame.binary(new byte[] {1, 2, 3}));
            c.expectBinary(new byte[] {1, 2, 3});
            c.send(Frame.text("boom"));
            Frame.Received close = c.readClose(false);
            assertEquals(1011, close.closeCode(), c.transcript());
            // The server started this close: answer it, as a client would, and TCP must end.
            c.send(Frame.close(1011, ""));
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    @BothContainers
    void reportsAbnormalClosureWhenTheClientDropsTcpMidMessage(ContainerKind kind) throws Exception {
        String id = newId();
        try (RawWebSocketClient c = RawWebSocketClient.connect(recordUri(kind, id))) {
            c.send(Frame.text("complete"));
            c.expectText("complete");
            c.send(Frame.text("half a mess").fin(false));
            c.dropConnection();
        }
        List<TestEndpoints.Event> seen = untilClose(id, Duration.ofSeconds(8));
        TestEndpoints.Event close = seen.get(seen.size() - 1);
        assertEquals(1006, close.code(), "onClose after a vanished client; events: " + seen);
        assertTrue(seen.stream().noneMatch(e -> e.type().equals("text") && e.reason().startsWith("half")),
                "a partial message must not be delivered; events: " + seen);
        assertNoMoreEvents(id, seen);
    }

    @BothContainers
    void reportsAbnormalClosureWhenTheClientResetsTcpMidMessage(ContainerKind kind) throws Exception {
        String id = newId();
        try (RawWebSocketClient c = RawWebSocketClient.connect(recordUri(kind, id))) {
            c.send(Frame.binary(new byte[5000]).declaredLength(100_000)); // a frame cut short
            c.resetConnection();
        }
        List<TestEndpoints.Event> seen = untilClose(id, Duration.ofSeconds(8));
        assertEquals(1006, seen.get(seen.size() - 1).code(), "onClose after a reset; events: " + seen);
        assertNoMoreEvents(id, seen);
    }

    @BothContainers
    void reportsAbnormalClosureWhenAnIdleClientDropsTcp(ContainerKind kind) throws Exception {
        String id = newId();
        try (RawWebSocketClient c = RawWebSocketClient.connect(recordUri(kind, id))) {
            c.dropConnection();
        }
        List<TestEndpoints.Event> seen = untilClose(id, Duration.ofSeconds(8));
        assertEquals("open", seen.get(0).type(), "onOpen comes first; events: " + seen);
        assertEquals(1006, seen.get(seen.size() - 1).code(), "events: " + seen);
        assertNoMoreEvents(id, seen);
    }

    @BothContainers
    void reportsThePeersCloseCodeAndReason(ContainerKind kind) throws Exception {
        String id = newId();
        try (RawWebSocketClient c = RawWebSocketClient.connect(recordUri(kind, id))) {
            c.send(Frame.close(3001, "bye now"));
            assertEquals(3001, c.readClose(false).closeCode(), c.transcript());
        }
        List<TestEndpoints.Event> seen = untilClose(id, Duration.ofSeconds(8));
        TestEndpoints.Event close = seen.get(seen.size() - 1);
        assertEquals(3001, close.code(), "events: " + seen);
        assertEquals("bye now", close.reason(), "events: " + seen);
        assertNoMoreEvents(id, seen);
    }

    @BothContainers
    void reportsThePeersCloseCodeEvenWhenTcpEndsRightAfterIt(ContainerKind kind) throws Exception {
        // The close frame and the FIN arrive together: the frame was received, so onClose must
        // report its code, not 1006 ("ended without a close frame").
        String id = newId();
        try (RawWebSocketClient c = RawWebSocketClient.connect(recordUri(kind, id))) {
            c.send(Frame.close(3002, "and gone"));
            c.dropConnection();
        }
        List<TestEndpoints.Event> seen = untilClose(id, Duration.ofSeconds(8));
        TestEndpoints.Event close = seen.get(seen.size() - 1);
        assertEquals(3002, close.code(), "events: " + seen);
        assertEquals("and gone", close.reason(), "events: " + seen);
    }

    @BothContainers
    void reportsNoStatusForAnEmptyClose(ContainerKind kind) throws Exception {
        String id = newId();
        try (RawWebSocketClient c = RawWebSocketClient.connect(recordUri(kind, id))) {
            c.send(Frame.closeRaw(new byte[0]));
            c.readClose(false);
        }
        List<TestEndpoints.Event> seen = untilClose(id, Duration.ofSeconds(8));
        assertEquals(1005, seen.get(seen.size() - 1).code(), "events: " + seen);
    }

    @BothContainers
    void reportsTheServersCodeAfterAProtocolError(ContainerKind kind) throws Exception {
        String id = newId();
        try (RawWebSocketClient c = RawWebSocketClient.connect(recordUri(kind, id))) {
            c.send(Frame.text("unmasked").unmasked());
            c.expectFailure(1002);
        }
        List<TestEndpoints.Event> seen = untilClose(id, Duration.ofSeconds(8));
        assertEquals(1002, seen.get(seen.size() - 1).code(), "events: " + seen);
        assertTrue(seen.stream().anyMatch(e -> e.type().equals("error")), "onError precedes onClose; events: " + seen);
        assertNoMoreEvents(id, seen);
    }

    @BothContainers
    void sendsTheApplicationsCloseCodeAndReason(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/command"))) {
            c.send(Frame.text("echo me"));
            c.expectText("echo me");
            c.send(Frame.text("close 4001 going away now"));
            Frame.Received close = c.readClose(false);
            assertEquals(4001, close.closeCode(), c.transcript());
            assertEquals("going away now", close.closeReason(), c.transcript());
            try {
                c.send(Frame.text("ignored after the server's close")); // must not be echoed
                c.send(Frame.close(4001, ""));
            } catch (java.io.IOException alreadyClosed) {
                // the server may already have dropped TCP after its close timeout: fine
            }
            assertTrue(c.tcpClosedWithin(Duration.ofSeconds(3)), "TCP must end after the close handshake\n" + c.transcript());
        }
    }

    @BothContainers
    void jdkClientSeesTheApplicationsClose(ContainerKind kind) throws Exception {
        try (JdkClient client = JdkClient.connect(SERVERS.get(kind).ws("/command"))) {
            client.sendText("close 4002 done", true);
            JdkClient.Close close = client.closed().get(5, TimeUnit.SECONDS);
            assertNotNull(close);
            assertEquals(4002, close.code());
            assertEquals("done", close.reason());
        }
    }
}
