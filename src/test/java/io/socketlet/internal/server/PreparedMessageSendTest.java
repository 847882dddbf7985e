package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.FakeHandshakeRequest;
import io.socketlet.PreparedMessage;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.protocol.PerMessageDeflate;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code WebSocket.send(PreparedMessage)}: a broadcast is encoded once and the very same bytes
 * (one backing array) go to every connection whose wire format fits; a connection whose
 * compressor keeps context encodes the message itself; what goes on the wire is what
 * {@code sendText} would have sent.
 */
class PreparedMessageSendTest {

    private final SharedScheduler scheduler = SharedScheduler.acquire(null);
    private final Endpoint endpoint = new Endpoint("prepared", WebSocketSettings.defaults(), scheduler);

    @AfterEach
    void release() {
        scheduler.release(null);
    }

    /** Keeps the buffers each write was given, and completes every write at once. */
    private static final class CapturingTransport implements Transport {
        final List<ByteBuffer> buffers = new ArrayList<>();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void start(TransportListener listener) {
        }

        @Override
        public synchronized void write(ByteBuffer[] frame, WriteCallback callback) {
            for (ByteBuffer b : frame) {
                buffers.add(b);
                ByteBuffer copy = b.duplicate();
                byte[] out = new byte[copy.remaining()];
                copy.get(out);
                bytes.writeBytes(out);
                b.position(b.limit()); // a transport consumes what it writes
            }
            callback.succeeded();
        }

        @Override
        public void close() {
        }

        synchronized byte[] written() {
            return bytes.toByteArray();
        }
    }

    private CapturingTransport open(ProtocolVersion version, PerMessageDeflate.Agreement deflate) {
        HandshakeDecision decision = HandshakeDecision.accept(version, new LinkedHashMap<>(), "", deflate);
        WebSocketConnection connection = new WebSocketConnection(endpoint, new WebSocketHandler() {
        }, FakeHandshakeRequest.rfcExample(), decision);
        CapturingTransport transport = new CapturingTransport();
        connection.open(transport);
        transport.buffers.clear();
        transport.bytes.reset();
        connections.add(connection);
        return transport;
    }

    private final List<WebSocketConnection> connections = new ArrayList<>();

    private WebSocketConnection last() {
        return connections.get(connections.size() - 1);
    }

    private static String text(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; b.length() < length; i++) {
            b.append("stroke ").append(i).append(' ');
        }
        return b.substring(0, length);
    }

    @Test
    void everyUncompressedConnectionSendsTheSameEncodedBytes() {
        for (int length : new int[] {10, 5_000}) { // one array with its header, and header + payload apart
            PreparedMessage message = PreparedMessage.text(text(length));
            CapturingTransport a = open(ProtocolVersion.RFC6455, null);
            last().send(message).join();
            CapturingTransport b = open(ProtocolVersion.RFC6455, null);
            last().send(message).join();
            CapturingTransport c = open(ProtocolVersion.RFC6455, null);
            last().sendText(text(length)).join();

            assertArrayEquals(c.written(), a.written(), "what sendText sends");
            assertArrayEquals(c.written(), b.written());
            assertEquals(a.buffers.size(), b.buffers.size());
            for (int i = 0; i < a.buffers.size(); i++) {
                assertSame(a.buffers.get(i).array(), b.buffers.get(i).array(), "encoded once, shared: buffer " + i);
                assertNotSame(a.buffers.get(i), b.buffers.get(i), "each connection gets its own position");
            }
        }
    }

    @Test
    void aCompressorWithoutContextTakeoverSharesTheMessageCompressedOnce() {
        PerMessageDeflate.Agreement noContext = new PerMessageDeflate.Agreement(true, true,
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        String text = text(2_000);
        PreparedMessage message = PreparedMessage.text(text);
        CapturingTransport a = open(ProtocolVersion.RFC6455, noContext);
        last().send(message).join();
        last().send(message).join(); // again: no context, so the same bytes again
        CapturingTransport b = open(ProtocolVersion.RFC6455, noContext);
        last().send(message).join();
        CapturingTransport own = open(ProtocolVersion.RFC6455, noContext);
        last().sendText(text).join();

        byte[] once = own.written();
        assertEquals(0x40, once[0] & 0x40, "compressed: RSV1 set");
        assertTrue(once.length < 1_000, "compressed to " + once.length + " bytes");
        assertArrayEquals(once, b.written(), "byte for byte what the connection's own compressor sends");
        byte[] twice = a.written();
        assertArrayEquals(once, java.util.Arrays.copyOfRange(twice, 0, once.length));
        assertArrayEquals(once, java.util.Arrays.copyOfRange(twice, once.length, twice.length));
        assertSame(a.buffers.get(0).array(), b.buffers.get(0).array(), "compressed once, shared");
    }

    @Test
    void aCompressorWithContextTakeoverCompressesTheMessageItself() {
        PerMessageDeflate.Agreement withContext = new PerMessageDeflate.Agreement(false, false, "permessage-deflate");
        PreparedMessage big = PreparedMessage.text(text(2_000));
        CapturingTransport a = open(ProtocolVersion.RFC6455, withContext);
        last().send(big).join();
        last().send(big).join();
        byte[] written = a.written();
        assertEquals(0x40, written[0] & 0x40, "compressed: RSV1 set");
        int first = FakeTransport.parseFrames(written).get(0).payload().length;
        int second = FakeTransport.parseFrames(written).get(1).payload().length;
        assertTrue(second < first, "the second copy compresses against the first (" + second + " < " + first
                + "): this connection's own compressor, with its context");

        // Below the threshold nothing is compressed, and the shared frame fits.
        PreparedMessage small = PreparedMessage.text("hi");
        CapturingTransport b = open(ProtocolVersion.RFC6455, withContext);
        last().send(small).join();
        CapturingTransport c = open(ProtocolVersion.RFC6455, null);
        last().send(small).join();
        assertSame(b.buffers.get(0).array(), c.buffers.get(0).array());
    }

    @Test
    void hixieConnectionsShareTheTextFrameAndRefuseBinary() throws Exception {
        PreparedMessage message = PreparedMessage.text("h\u00e9llo");
        CapturingTransport a = open(ProtocolVersion.HIXIE_75, null);
        last().send(message).join();
        CapturingTransport b = open(ProtocolVersion.HIXIE_75, null);
        last().send(message).join();
        byte[] utf8 = "h\u00e9llo".getBytes(StandardCharsets.UTF_8);
        byte[] expected = new byte[utf8.length + 2];
        System.arraycopy(utf8, 0, expected, 1, utf8.length);
        expected[expected.length - 1] = (byte) 0xff;
        assertArrayEquals(expected, a.written());
        assertSame(a.buffers.get(0).array(), b.buffers.get(0).array());

        var refused = last().send(PreparedMessage.binary(new byte[] {1, 2}));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, refused::get);
        assertInstanceOf(UnsupportedOperationException.class, e.getCause());
        assertTrue(last().isOpen());
    }

    @Test
    void binaryMessagesAreCopiedWhenPrepared() {
        byte[] data = {1, 2, 3};
        PreparedMessage message = PreparedMessage.binary(data);
        data[0] = 9;
        CapturingTransport a = open(ProtocolVersion.RFC6455, null);
        last().send(message).join();
        assertArrayEquals(new byte[] {(byte) 0x82, 3, 1, 2, 3}, a.written());
        assertTrue(message.binary().isReadOnly());
    }
}
