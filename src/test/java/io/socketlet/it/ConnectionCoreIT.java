package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The connection core under patterns real applications use, over real sockets on both
 * containers: a client and the server closing at once, and a blocking send inside a callback.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ConnectionCoreIT {

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("command", TestEndpoints.CloseOnCommand.class, "/command",
                    Map.of("pingInterval", "0", "closeTimeout", "2s", "writeTimeout", "0")));

    private static RawWebSocketClient connect(ContainerKind kind) throws Exception {
        return RawWebSocketClient.connect(SERVERS.get(kind).ws("/command"));
    }

    /**
     * A message and the client's close in one TCP segment; the handler replies and closes too.
     * Everything the server queued before its close frame is written, then the close, then TCP
     * ends: nothing is lost to the crossing closes.
     */
    @BothContainers
    void bothSidesClosingAtOnceLoseNothing(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            ByteArrayOutputStream segment = new ByteArrayOutputStream();
            segment.write(Frame.text("reply-and-close 1000").bytes());
            segment.write(Frame.close(4000, "client leaves").bytes());
            c.sendRaw(segment.toByteArray(), 0);
            c.expectText("reply");
            assertEquals(1000, c.readClose(false).closeCode(), c.transcript());
            c.expectTcpClosed(Duration.ofSeconds(3));
        }
    }

    /** {@code sendText(x).join()} inside onText completes (the engine lets the corked reply go first). */
    @BothContainers
    void aBlockingSendInsideACallbackCompletes(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = connect(kind)) {
            c.send(Frame.text("first"));
            c.expectText("first");
            c.send(Frame.text("join hello"));
            c.expectText("hello");
            c.expectText("joined");
            c.send(Frame.text("still open"));
            c.expectText("still open");
        }
    }
}
