package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Control frames (RFC 6455 section 5.5) and the closing handshake (sections 5.5.1, 7.4) from a
 * hand-written client: close codes and reasons, pings and pongs, and what happens after a close.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class CloseAndControlIT {

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("echo", TestEndpoints.Echo.class, "/echo", Map.of("pingInterval", "0", "closeTimeout", "500ms")));

    private static RawWebSocketClient connect(ContainerKind kind) throws Exception {
        return RawWebSocketClient.connect(SERVERS.get(kind).ws("/echo"));
    }

    // ---- close frames ----

    @BothContainers
    void rejectsCloseWithAOneBytePayload(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.closeRaw(new byte[] {0x03}));
            c.expectFailure(1002);
        }
    }

    static Stream<Arguments> invalidCloseCodes() {
        return ContainerKind.times(0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535);
    }

    @ParameterizedTest(name = "[{0}] code {1}")
    @MethodSource("invalidCloseCodes")
    void rejectsCloseCodesThatMayNotBeSent(ContainerKind kind, int code) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.close(code, ""));
            c.expectFailure(1002);
        }
    }

    static Stream<Arguments> validCloseCodes() {
        return ContainerKind.times(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999);
    }

    @ParameterizedTest(name = "[{0}] code {1}")
    @MethodSource("validCloseCodes")
    void echoesAValidCloseCodeAndClosesTcp(ContainerKind kind, int code) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.close(code, "bye"));
            Frame.Received close = c.readClose(false);
            assertEquals(code, close.closeCode(), () -> "the server should echo the client's close code\n" + c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    @BothContainers
    void echoesACloseWithAMaximalUtf8Reason(ContainerKind kind) throws Exception {
        String reason = "é".repeat(61) + "x"; // 123 bytes: the most a close reason can hold
        assertEquals(123, reason.getBytes(StandardCharsets.UTF_8).length);
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.close(1000, reason));
            assertEquals(1000, c.readClose(false).closeCode(), c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    @BothContainers
    void dropsTcpByItselfAfterAnInvalidCloseCodeTheClientNeverFollowsUp(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.close(1005, ""));
            c.expectFailureUnanswered(1002);
        }
    }

    @BothContainers
    void rejectsACloseReasonThatIsNotUtf8(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.close(1000, new byte[] {'o', 'k', (byte) 0xC3, 0x28}));
            c.expectFailure(1007);
        }
    }

    @BothContainers
    void answersAnEmptyCloseWithAnEmptyCloseOr1000(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.closeRaw(new byte[0]));
            Frame.Received close = c.readClose(false);
            assertTrue(close.payload().length == 0 || close.closeCode() == 1000,
                    "an empty close is answered by an empty close or 1000\n" + c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    @BothContainers
    void answersACloseThatInterruptsAFragmentedMessage(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.text("never ").fin(false));
            c.send(Frame.close(1000, "changed my mind"));
            assertEquals(1000, c.readClose(false).closeCode(), c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    @BothContainers
    void ignoresFramesAfterAClose(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.write(Frame.close(1000, "").bytes());
            wire.write(Frame.text("after close").bytes());
            wire.write(Frame.ping("after close".getBytes()).bytes());
            c.sendRaw(wire.toByteArray(), 0);
            Frame.Received close = c.readClose(false); // no echo, no pong before or after it
            assertEquals(1000, close.closeCode(), c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    @BothContainers
    void ignoresAGarbageFrameAfterAClose(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.write(Frame.close(1000, "").bytes());
            wire.write(Frame.of(0x5, new byte[] {1}).unmasked().bytes()); // would be a 1002 before the close
            c.sendRaw(wire.toByteArray(), 0);
            assertEquals(1000, c.readClose(false).closeCode(), c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    @BothContainers
    void flushesEarlierRepliesBeforeTheCloseReply(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int i = 0; i < 20; i++) {
                wire.write(Frame.text("m" + i).bytes());
            }
            wire.write(Frame.close(1000, "").bytes());
            c.sendRaw(wire.toByteArray(), 0);
            for (int i = 0; i < 20; i++) {
                c.expectText("m" + i);
            }
            assertEquals(1000, c.readClose(false).closeCode(), c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    // ---- ping and pong ----

    static Stream<Arguments> pingPayloads() {
        return ContainerKind.times("", "hello", "x".repeat(125));
    }

    @ParameterizedTest(name = "[{0}] payload of {1}")
    @MethodSource("pingPayloads")
    void answersPingWithPongOfTheSamePayload(ContainerKind kind, String payload) throws Exception {
        byte[] bytes = payload.getBytes(StandardCharsets.US_ASCII);
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.ping(bytes));
            c.expectPong(bytes);
        }
    }

    @BothContainers
    void answersABinaryPingPayloadByteForByte(ContainerKind kind) throws Exception {
        byte[] bytes = new byte[125];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (255 - i);
        }
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.ping(bytes));
            c.expectPong(bytes);
        }
    }

    @BothContainers
    void answersAPingInterleavedInAFragmentedText(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.text("Hel").fin(false));
            c.send(Frame.ping("inside".getBytes()));
            c.expectPong("inside".getBytes()); // answered at once, before the message completes
            c.send(Frame.continuation("lo").fin(false));
            c.send(Frame.pong("unsolicited".getBytes()));
            c.send(Frame.continuation(", world"));
            c.expectText("Hello, world");
        }
    }

    @BothContainers
    void ignoresAnUnsolicitedPong(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.pong("nobody asked".getBytes()));
            c.send(Frame.pong(new byte[0]));
            c.send(Frame.text("still here"));
            c.expectText("still here");
        }
    }

    @BothContainers
    void answersEveryPingOfABurst(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            for (int i = 0; i < 10; i++) {
                wire.write(Frame.ping(("p" + i).getBytes()).bytes());
            }
            c.sendRaw(wire.toByteArray(), 0);
            // RFC 6455 5.5.3 lets an endpoint answer only the most recent of several pings:
            // accept any increasing subsequence of the pongs that ends with the last ping's.
            int last = -1;
            while (last < 9) {
                Frame.Received pong = c.read();
                assertEquals(Frame.PONG, pong.opcode(), c.transcript());
                int n = Integer.parseInt(pong.text().substring(1));
                assertTrue(n > last, "pongs out of order\n" + c.transcript());
                last = n;
            }
        }
    }

    // ---- a whole conversation fed one byte per write ----

    @BothContainers
    void holdsAWholeConversationFedOneBytePerWrite(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        String key = RawWebSocketClient.newKey();
        String request = RawWebSocketClient.upgradeRequest(server.ws("/echo"), key, List.of());
        try (RawWebSocketClient c = RawWebSocketClient.connectWith(server.port(), request, key, 1)) {
            byte[] data = new byte[200];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            c.send(Frame.text("héllo"), 1);
            c.expectText("héllo");
            c.send(Frame.binary(data), 1);
            c.expectBinary(data);
            c.send(Frame.ping("pp".getBytes()), 1);
            c.expectPong("pp".getBytes());
            c.send(Frame.text("frag").fin(false), 1);
            c.send(Frame.ping(new byte[0]), 1);
            c.expectPong(new byte[0]);
            c.send(Frame.continuation("mented"), 1);
            c.expectText("fragmented");
            c.send(Frame.close(1000, "bye"), 1);
            assertEquals(1000, c.readClose(false).closeCode(), c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }
}
