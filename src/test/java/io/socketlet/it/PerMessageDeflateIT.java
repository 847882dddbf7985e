package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RFC 7692 permessage-deflate from a hand-written client: negotiation, compressed messages
 * (whole, fragmented, with and without context takeover), the message limit applied to the
 * decompressed size (a small compressed frame must not inflate past maxMessageSize), and RSV1
 * where it may not be.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class PerMessageDeflateIT {

    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xFF, (byte) 0xFF};
    private static final List<String> OFFER = List.of("Sec-WebSocket-Extensions: permessage-deflate");

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("echo", TestEndpoints.Echo.class, "/echo", Map.of("pingInterval", "0", "closeTimeout", "500ms"))
            .servlet("limits", TestEndpoints.Echo.class, "/limits",
                    Map.of("maxFrameSize", "1K", "maxMessageSize", "4K", "pingInterval", "0", "closeTimeout", "500ms")));

    /** A client half of permessage-deflate over a {@link RawWebSocketClient}. */
    static final class DeflateClient implements AutoCloseable {
        final RawWebSocketClient raw;
        final String extensions;
        private final boolean serverNoContextTakeover;
        private final boolean clientNoContextTakeover;
        private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        private Inflater inflater = new Inflater(true);

        DeflateClient(RawWebSocketClient raw) {
            this.raw = raw;
            this.extensions = raw.handshake().header("Sec-WebSocket-Extensions");
            this.serverNoContextTakeover = extensions != null
                    && extensions.toLowerCase(Locale.ROOT).contains("server_no_context_takeover");
            this.clientNoContextTakeover = extensions != null
                    && extensions.toLowerCase(Locale.ROOT).contains("client_no_context_takeover");
        }

        boolean negotiated() {
            return extensions != null && extensions.toLowerCase(Locale.ROOT).contains("permessage-deflate");
        }

        /** Compresses one message's bytes (SYNC_FLUSH, tail removed), keeping the context. */
        byte[] compress(byte[] data) {
            if (clientNoContextTakeover) {
                deflater.reset(); // the server may forget our window after each message
            }
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            do {
                n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
            byte[] c = out.toByteArray();
            assertTrue(c.length >= 4 && Arrays.equals(Arrays.copyOfRange(c, c.length - 4, c.length), TAIL));
            return Arrays.copyOf(c, c.length - 4);
        }

        /** Reads one whole message (maybe fragmented, maybe compressed); returns {opcode, bytes}. */
        Object[] readMessage() throws Exception {
            Frame.Received first = raw.read();
            if (first.opcode() != Frame.TEXT && first.opcode() != Frame.BINARY) {
                fail("expected a data frame, got " + first + "\n" + raw.transcript());
            }
            boolean compressed = (first.rsv() & 4) != 0;
            assertEquals(0, first.rsv() & 3, "RSV2/RSV3 set by the server\n" + raw.transcript());
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            payload.write(first.payload());
            Frame.Received frame = first;
            while (!frame.fin()) {
                frame = raw.read();
                assertEquals(Frame.CONTINUATION, frame.opcode(), raw.transcript());
                assertEquals(0, frame.rsv(), "RSV1 on a continuation frame from the server\n" + raw.transcript());
                payload.write(frame.payload());
            }
            byte[] bytes = payload.toByteArray();
            if (compressed) {
                bytes = inflate(bytes);
            }
            return new Object[] {first.opcode(), bytes};
        }

        private byte[] inflate(byte[] compressed) throws DataFormatException {
            if (serverNoContextTakeover) {
                inflater.end();
                inflater = new Inflater(true);
            }
            byte[] input = Arrays.copyOf(compressed, compressed.length + 4);
            System.arraycopy(TAIL, 0, input, compressed.length, 4);
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (true) {
                int n = inflater.inflate(buf);
                out.write(buf, 0, n);
                if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                    break;
                }
            }
            return out.toByteArray();
        }

        void expectText(String text) throws Exception {
            Object[] m = readMessage();
            assertEquals(Frame.TEXT, m[0], raw.transcript());
            assertEquals(text, new String((byte[]) m[1], StandardCharsets.UTF_8), raw.transcript());
        }

        void expectBinary(byte[] data) throws Exception {
            Object[] m = readMessage();
            assertEquals(Frame.BINARY, m[0], raw.transcript());
            assertArrayEquals(data, (byte[]) m[1], raw.transcript());
        }

        @Override
        public void close() throws java.io.IOException {
            deflater.end();
            inflater.end();
            raw.close();
        }
    }

    private static DeflateClient connect(ContainerKind kind, String path, List<String> offer) throws Exception {
        DeflateClient c = new DeflateClient(RawWebSocketClient.connect(SERVERS.get(kind).ws(path), offer));
        if (!c.negotiated()) {
            c.close();
            fail("permessage-deflate was offered but not accepted:\n" + c.raw.transcript());
        }
        return c;
    }

    @BothContainers
    void acceptsAPlainOffer(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            String ext = c.extensions.toLowerCase(Locale.ROOT);
            assertFalse(ext.contains("client_max_window_bits"),
                    "client_max_window_bits may only be answered when offered (RFC 7692 7.1.2.2)\n" + c.raw.transcript());
            assertFalse(ext.contains(","), "one extension answered for one offered\n" + c.raw.transcript());
        }
    }

    @BothContainers
    void answersNoExtensionWhenNoneWasOffered(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/echo"))) {
            assertNull(c.handshake().header("Sec-WebSocket-Extensions"), c.transcript());
        }
    }

    @BothContainers
    void declinesAnOfferWithAnUnknownParameter(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/echo"),
                List.of("Sec-WebSocket-Extensions: permessage-deflate; x_unknown_param=1, x-webkit-deflate-frame"))) {
            String ext = c.handshake().header("Sec-WebSocket-Extensions");
            assertTrue(ext == null || !ext.toLowerCase(Locale.ROOT).contains("deflate"),
                    "an offer with an unknown parameter must be declined (RFC 7692 5.1)\n" + c.transcript());
            c.send(Frame.text("plain"));
            c.expectText("plain");
        }
    }

    @BothContainers
    void honoursServerNoContextTakeover(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", List.of(
                "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover"))) {
            assertTrue(c.extensions.toLowerCase(Locale.ROOT).contains("server_no_context_takeover"),
                    "an accepted server_no_context_takeover must be answered (RFC 7692 7.1.1.1)\n" + c.raw.transcript());
            for (int i = 0; i < 3; i++) {
                String text = "again and again and again " + i;
                c.raw.send(Frame.text(c.compress(text.getBytes(StandardCharsets.UTF_8))).rsv(4));
                c.expectText(text);
            }
        }
    }

    @BothContainers
    void echoesCompressedMessagesSharingTheContext(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            // The second and third messages refer back into the first one's window.
            String text = "the quick brown fox jumps over the lazy dog; ".repeat(40);
            for (int i = 0; i < 3; i++) {
                c.raw.send(Frame.text(c.compress(text.getBytes(StandardCharsets.UTF_8))).rsv(4));
                c.expectText(text);
            }
            byte[] data = new byte[100_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i % 251);
            }
            c.raw.send(Frame.binary(c.compress(data)).rsv(4));
            c.expectBinary(data);
            c.raw.send(Frame.text("not compressed")); // RSV1 clear: an uncompressed message is fine too
            c.expectText("not compressed");
        }
    }

    /**
     * Issue 10 item 11: a client whose compressor can only finish() (RFC 7692 7.2.3.4) ends each
     * message with a BFINAL block; the server took the 00 00 ff ff it appends for a new stream and
     * failed the next message with 1007.
     */
    @BothContainers
    void echoesMessagesThatEndWithABfinalBlock(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            for (int i = 0; i < 3; i++) {
                String text = "finished with BFINAL, message " + i + "; ".repeat(20);
                c.raw.send(Frame.text(finished(text.getBytes(StandardCharsets.UTF_8))).rsv(4));
                c.expectText(text);
            }
            // and a sync-flushed message after them: a fresh stream on both sides
            c.raw.send(Frame.text(c.compress("flushed again".getBytes(StandardCharsets.UTF_8))).rsv(4));
            c.expectText("flushed again");
        }
    }

    /** DEFLATE data ending with a BFINAL block, as {@code Deflater.finish()} makes it: nothing removed, nothing after it. */
    private static byte[] finished(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                out.write(buf, 0, deflater.deflate(buf));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    @BothContainers
    void echoesACompressedMessageSentInFragments(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            String text = "fragmented and compressed ".repeat(100) + "κόσμε";
            byte[] z = c.compress(text.getBytes(StandardCharsets.UTF_8));
            int a = z.length / 3;
            int b = 2 * z.length / 3;
            c.raw.send(Frame.text(Arrays.copyOfRange(z, 0, a)).rsv(4).fin(false)); // RSV1 on the first frame only
            c.raw.send(Frame.continuation(Arrays.copyOfRange(z, a, b)).fin(false));
            c.raw.send(Frame.continuation(Arrays.copyOfRange(z, b, z.length)));
            c.expectText(text);
        }
    }

    @BothContainers
    void acceptsACompressedMessageOfExactlyMaxMessageSize(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/limits", OFFER)) {
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 'q');
            c.raw.send(Frame.binary(c.compress(data)).rsv(4));
            c.expectBinary(data);
        }
    }

    @BothContainers
    void rejectsACompressedMessageThatInflatesPastMaxMessageSize(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/limits", OFFER)) {
            byte[] bomb = new byte[512 << 10]; // 512 KiB of zeros: about 500 bytes compressed
            byte[] z = c.compress(bomb);
            assertTrue(z.length <= 1024, "test data: " + z.length + " bytes compressed");
            c.raw.send(Frame.binary(z).rsv(4));
            c.raw.expectFailure(1009);
        }
    }

    @BothContainers
    void rejectsACompressedMessageOneByteOverMaxMessageSize(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/limits", OFFER)) {
            byte[] data = new byte[4097];
            Arrays.fill(data, (byte) 'q');
            c.raw.send(Frame.binary(c.compress(data)).rsv(4));
            c.raw.expectFailure(1009);
        }
    }

    @BothContainers
    void rejectsRsv1OnAContinuationFrame(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            byte[] z = c.compress("abcdef".getBytes(StandardCharsets.UTF_8));
            c.raw.send(Frame.text(Arrays.copyOfRange(z, 0, 2)).rsv(4).fin(false));
            c.raw.send(Frame.continuation(Arrays.copyOfRange(z, 2, z.length)).rsv(4));
            c.raw.expectFailure(1002);
        }
    }

    @BothContainers
    void rejectsRsv1OnAControlFrame(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            c.raw.send(Frame.ping("p".getBytes()).rsv(4));
            c.raw.expectFailure(1002);
        }
    }

    @BothContainers
    void failsOnCompressedDataThatIsNotDeflate(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            c.raw.send(Frame.binary(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x00, 0x12}).rsv(4));
            c.raw.expectFailureOneOf(1007, 1002);
        }
    }

    @BothContainers
    void validatesUtf8AfterDecompression(ContainerKind kind) throws Exception {
        try (DeflateClient c = connect(kind, "/echo", OFFER)) {
            c.raw.send(Frame.text(c.compress(new byte[] {'o', 'k', (byte) 0xC3, 0x28})).rsv(4));
            c.raw.expectFailure(1007);
        }
    }
}
