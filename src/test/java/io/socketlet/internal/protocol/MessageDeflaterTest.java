package io.socketlet.internal.protocol;

import static io.socketlet.internal.protocol.MessageInflaterTest.HELLO;
import static io.socketlet.internal.protocol.MessageInflaterTest.HELLO_AGAIN;
import static io.socketlet.internal.protocol.MessageInflaterTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.internal.protocol.FrameDecoderSplitTest.Event;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7692 section 7.2.1 (compression) through {@link MessageDeflater} and {@link FrameEncoder}:
 * the RFC's own bytes of section 7.2.3, and for every size and kind of content, output that the
 * JDK's {@link Inflater} (an independent decompressor, not our {@link MessageInflater}) turns back
 * into the message, with context takeover (the second message refers into the first) and without.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageDeflaterTest {

    private static final byte[] TAIL = bytes(0x00, 0x00, 0xff, 0xff);
    private static final int[] SIZES = {0, 1, 255, 256, 257, 1000, 64 << 10, 1 << 20};

    /** An independent receiver: the JDK's raw Inflater, one window for the whole connection unless reset. */
    static final class Receiver implements AutoCloseable {
        private final boolean contextTakeover;
        private Inflater inflater = new Inflater(true);

        Receiver(boolean contextTakeover) {
            this.contextTakeover = contextTakeover;
        }

        /** RFC 7692 7.2.2: append 00 00 ff ff to the payload and inflate. */
        byte[] inflate(byte[] payload) throws DataFormatException {
            if (!contextTakeover) {
                inflater.reset();
            }
            byte[] input = Arrays.copyOf(payload, payload.length + 4);
            System.arraycopy(TAIL, 0, input, payload.length, 4);
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            while (true) {
                int n = inflater.inflate(buf);
                out.write(buf, 0, n);
                if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                    break;
                }
            }
            assertEquals(0, inflater.getRemaining(), "every compressed byte belongs to the message");
            assertFalse(inflater.finished(), "no BFINAL block: the stream goes on into the next message");
            return out.toByteArray();
        }

        @Override
        public void close() {
            inflater.end();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] compressible(int size) {
        byte[] phrase = "socketlet compresses chat and canvas traffic several-fold; ".getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = phrase[i % phrase.length];
        }
        return b;
    }

    static Stream<Arguments> sizesAndContent() {
        List<Arguments> args = new ArrayList<>();
        for (boolean contextTakeover : new boolean[] {true, false}) {
            for (int size : SIZES) {
                args.add(Arguments.of(contextTakeover, size, "random"));
                args.add(Arguments.of(contextTakeover, size, "compressible"));
            }
        }
        return args.stream();
    }

    private static byte[] content(String kind, int size, long seed) {
        return kind.equals("random") ? random(size, seed) : compressible(size);
    }

    /** The payload of one unmasked server frame, its length read from the header (RFC 6455 5.2). */
    static byte[] payloadOf(byte[] frame) {
        int lengthCode = frame[1] & 0x7f;
        int header = lengthCode == 126 ? 4 : lengthCode == 127 ? 10 : 2;
        long length = lengthCode < 126 ? lengthCode : 0;
        for (int i = 2; i < header; i++) {
            length = (length << 8) | (frame[i] & 0xff);
        }
        assertEquals(frame.length - header, length, "declared length");
        return Arrays.copyOfRange(frame, header, frame.length);
    }

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    // ---- RFC 7692 section 7.2.3

    @Test
    void compressesHelloToTheRfcBytes() {
        // 7.2.3.1: "Hello" -> 0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00 (the 00 00 ff ff tail removed).
        MessageDeflater deflater = new MessageDeflater(true);
        try {
            assertEquals(hex(HELLO), hex(deflater.compress("Hello".getBytes(StandardCharsets.US_ASCII), 0, 5)));
        } finally {
            deflater.release();
        }
    }

    @Test
    void compressesTheSecondHelloAgainstTheFirstWithContextTakeover() {
        // 7.2.3.2: the same message again, with the window shared: 0xf2 0x00 0x11 0x00 0x00.
        MessageDeflater deflater = new MessageDeflater(true);
        try {
            byte[] hello = "xHellox".getBytes(StandardCharsets.US_ASCII);
            assertEquals(hex(HELLO), hex(deflater.compress(hello, 1, 5)), "offset and length are honoured");
            assertEquals(hex(HELLO_AGAIN), hex(deflater.compress(hello, 1, 5)));
        } finally {
            deflater.release();
        }
    }

    @Test
    void compressesEveryHelloAloneWithoutContextTakeover() {
        // server_no_context_takeover: each message starts from an empty window, so it is 7.2.3.1 each time.
        MessageDeflater deflater = new MessageDeflater(false);
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(hex(HELLO), hex(deflater.compress("Hello".getBytes(StandardCharsets.US_ASCII), 0, 5)), "message " + i);
            }
        } finally {
            deflater.release();
        }
    }

    @Test
    void framesTheRfcExamplesExactly() {
        // Through the encoder, threshold 0: 0xc1 0x07 0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00, then 0xc1 0x05 0xf2 0x00 0x11 0x00 0x00.
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(true), 0);
        try {
            assertEquals("c1 07 f2 48 cd c9 c9 07 00", hex(ClientFrames.join(encoder.text("Hello"))));
            assertEquals("c1 05 f2 00 11 00 00", hex(ClientFrames.join(encoder.text("Hello"))));
        } finally {
            encoder.release();
        }
        FrameEncoder binary = new FrameEncoder(new MessageDeflater(true), 0);
        try {
            ByteBuffer hello = ByteBuffer.wrap("Hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("c2 07 f2 48 cd c9 c9 07 00", hex(ClientFrames.join(binary.binary(hello))));
            assertEquals("c2 05 f2 00 11 00 00", hex(ClientFrames.join(binary.binary(hello))));
        } finally {
            binary.release();
        }
    }

    @ParameterizedTest(name = "context takeover {0}")
    @ValueSource(booleans = {true, false})
    void compressesAnEmptyMessageToTheEmptyBlock(boolean contextTakeover) {
        // 7.2.3.6: an empty message is an empty DEFLATE block with no compression, 0x00 once the tail is removed.
        // It must not be a zero-length payload: 00 00 ff ff alone is not a complete DEFLATE block, so a receiver
        // keeping its window would stop inside a stored block's header and misread the next message.
        MessageDeflater deflater = new MessageDeflater(contextTakeover);
        try {
            assertEquals("00", hex(deflater.compress(new byte[0], 0, 0)), "an empty first message");
            deflater.compress("Hello".getBytes(StandardCharsets.US_ASCII), 0, 5);
            assertEquals("00", hex(deflater.compress(new byte[0], 0, 0)), "an empty message after another one");
        } finally {
            deflater.release();
        }
    }

    // ---- round trips through an independent inflater

    @ParameterizedTest(name = "context takeover {0}, {1} bytes {2}")
    @MethodSource("sizesAndContent")
    void roundTripsThroughTheJdkInflater(boolean contextTakeover, int size, String kind) throws Exception {
        MessageDeflater deflater = new MessageDeflater(contextTakeover);
        try (Receiver receiver = new Receiver(contextTakeover)) {
            for (int i = 0; i < 3; i++) {
                byte[] message = content(kind, size, size * 31L + i);
                byte[] z = deflater.compress(message, 0, message.length);
                assertFalse(z.length >= 4 && Arrays.equals(Arrays.copyOfRange(z, z.length - 4, z.length), TAIL),
                        "the 00 00 ff ff tail is removed");
                assertArrayEquals(message, receiver.inflate(z), "message " + i);
                if (kind.equals("compressible") && size >= 1000) {
                    assertTrue(z.length < size / 4, "compressible " + size + " -> " + z.length);
                }
                if (kind.equals("random") && size >= 1000) {
                    // Deflate's worst case: stored blocks, 5 bytes per block of up to 64 KiB, plus a little.
                    assertTrue(z.length <= size + 5 * (size / 16384 + 2) + 8, "random " + size + " -> " + z.length);
                }
            }
        } finally {
            deflater.release();
        }
    }

    @Test
    void secondMessageRefersIntoTheFirstWithContextTakeover() throws Exception {
        byte[] message = random(1000, 42); // incompressible alone, a single back-reference the second time
        MessageDeflater deflater = new MessageDeflater(true);
        try (Receiver shared = new Receiver(true); Receiver fresh = new Receiver(false)) {
            byte[] first = deflater.compress(message, 0, message.length);
            byte[] second = deflater.compress(message, 0, message.length);
            assertTrue(first.length >= 1000, "first: " + first.length);
            assertTrue(second.length < 20, "second: " + second.length + " bytes, should be a back-reference");
            assertArrayEquals(message, shared.inflate(first));
            assertArrayEquals(message, shared.inflate(second));
            // Alone, the second message means nothing: it needs the first one's window.
            assertThrows(DataFormatException.class, () -> fresh.inflate(second));
        } finally {
            deflater.release();
        }
    }

    @Test
    void messagesStandAloneWithoutContextTakeover() throws Exception {
        byte[] message = random(1000, 42);
        MessageDeflater deflater = new MessageDeflater(false);
        try (Receiver fresh = new Receiver(false)) {
            byte[] first = deflater.compress(message, 0, message.length);
            byte[] second = deflater.compress(message, 0, message.length);
            assertArrayEquals(first, second, "no window kept: the same message compresses the same way");
            assertArrayEquals(message, fresh.inflate(second));
        } finally {
            deflater.release();
        }
    }

    @Test
    void roundTripsThroughOurOwnDecoder() {
        // Encoder and decoder of the engine back to back: server frames turned into client frames (masked).
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(true), 256);
        try {
            List<byte[]> frames = new ArrayList<>();
            List<Event> expected = new ArrayList<>();
            for (int size : SIZES) {
                String text = FrameDecoderTest.textOfUtf8Length(size);
                frames.add(ClientFrames.maskServerFrame(ClientFrames.join(encoder.text(text)), ClientFrames.RFC_KEY));
                expected.add(Event.text(text));
                byte[] data = size % 2 == 0 ? compressible(size) : random(size, size);
                frames.add(ClientFrames.maskServerFrame(ClientFrames.join(encoder.binary(ByteBuffer.wrap(data))), ClientFrames.RFC_KEY));
                expected.add(Event.binary(data));
            }
            byte[] wire = ClientFrames.concat(frames.toArray(byte[][]::new));
            FrameDecoderSplitTest.Outcome outcome = FrameDecoderSplitTest.run(MessageInflaterTest.inflating(true, 4 << 20), wire,
                    FrameDecoderSplitTest.Feeding.chunks(1000));
            assertEquals(expected, outcome.events(), String.valueOf(outcome.failure()));
        } finally {
            encoder.release();
        }
    }

    // ---- the threshold, RSV1 and the frame header

    @Test
    void sendsMessagesUnderTheThresholdUncompressed() {
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(true), 256);
        try {
            for (int size : new int[] {0, 1, 255}) {
                String text = "a".repeat(size);
                byte[] frame = ClientFrames.join(encoder.text(text));
                assertEquals(0x81, frame[0] & 0xff, size + " bytes of text: FIN, RSV1 clear, TEXT");
                assertEquals(text, new String(frame, FrameEncoder.headerLength(size), size, StandardCharsets.US_ASCII));
                byte[] bin = ClientFrames.join(encoder.binary(ByteBuffer.wrap(compressible(size))));
                assertEquals(0x82, bin[0] & 0xff, size + " bytes of binary: RSV1 clear");
            }
            for (int size : new int[] {256, 257, 1000}) {
                assertEquals(0xc1, ClientFrames.join(encoder.text("a".repeat(size)))[0] & 0xff, size + " bytes of text: RSV1 set");
                assertEquals(0xc2, ClientFrames.join(encoder.binary(ByteBuffer.wrap(compressible(size))))[0] & 0xff,
                        size + " bytes of binary: RSV1 set");
            }
        } finally {
            encoder.release();
        }
    }

    @Test
    void measuresTheThresholdInUtf8Bytes() {
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(true), 256);
        try {
            // 128 two-byte characters are 256 bytes on the wire: compressed; 127 of them (254 bytes) are not.
            assertEquals(0xc1, ClientFrames.join(encoder.text("\u00e9".repeat(128)))[0] & 0xff);
            assertEquals(0x81, ClientFrames.join(encoder.text("\u00e9".repeat(127)))[0] & 0xff);
        } finally {
            encoder.release();
        }
    }

    @Test
    void writesTheCompressedLengthInItsMinimalForm() throws Exception {
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(false), 0);
        try (Receiver receiver = new Receiver(false)) {
            for (int size : new int[] {100, 200, 70_000}) {
                byte[] data = random(size, size);
                byte[] frame = ClientFrames.join(encoder.binary(ByteBuffer.wrap(data)));
                byte[] payload = payloadOf(frame);
                assertEquals(FrameEncoder.headerLength(payload.length), frame.length - payload.length,
                        size + " bytes: header for a payload of " + payload.length);
                assertEquals(0, frame[1] & 0x80, "a server never masks");
                assertArrayEquals(data, receiver.inflate(payload));
            }
        } finally {
            encoder.release();
        }
    }

    @Test
    void leavesControlFramesUncompressed() {
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(true), 0);
        try {
            assertEquals(0x89, ClientFrames.join(encoder.ping(ByteBuffer.wrap("ping".repeat(20).getBytes())))[0] & 0xff);
            assertEquals(0x8a, ClientFrames.join(encoder.pong("pong".repeat(20).getBytes()))[0] & 0xff);
            assertEquals(0x88, ClientFrames.join(encoder.close(1000, "bye ".repeat(20)))[0] & 0xff);
        } finally {
            encoder.release();
        }
    }

    @Test
    void copiesTheBinaryInputBeforeReturning() throws Exception {
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(true), 0);
        try (Receiver receiver = new Receiver(true)) {
            byte[] data = compressible(10_000);
            ByteBuffer buffer = ByteBuffer.wrap(data.clone());
            byte[] frame = ClientFrames.join(encoder.binary(buffer));
            assertEquals(10_000, buffer.remaining(), "the caller's buffer is not consumed");
            Arrays.fill(buffer.array(), (byte) 0);
            assertArrayEquals(data, receiver.inflate(payloadOf(frame)));
        } finally {
            encoder.release();
        }
    }

    // ---- memory

    @Test
    void doesNotKeepTheLastMessageReachableAfterCompressingIt() throws Exception {
        // java.util.zip.Deflater keeps a reference to the array given to setInput until the next setInput: with
        // context takeover (the Deflater lives as long as the connection) an idle connection would otherwise hold
        // its last compressed message, up to maxMessageSize (16 MiB on /echo), on the heap until it sends again.
        for (boolean contextTakeover : new boolean[] {true, false}) {
            MessageDeflater deflater = new MessageDeflater(contextTakeover);
            try {
                byte[] message = compressible(1 << 20);
                java.lang.ref.WeakReference<byte[]> sent = new java.lang.ref.WeakReference<>(message);
                deflater.compress(message, 0, message.length);
                message = null;
                for (int i = 0; i < 20 && sent.get() != null; i++) {
                    System.gc();
                    Thread.sleep(20);
                }
                assertTrue(sent.get() == null, "context takeover " + contextTakeover
                        + ": the compressor still references the 1 MiB message it compressed");
            } finally {
                deflater.release();
            }
        }
    }

    // ---- native memory

    @Test
    void releaseIsIdempotentAndRefusesLaterUse() {
        MessageDeflater deflater = new MessageDeflater(true);
        deflater.compress(HELLO, 0, HELLO.length);
        deflater.release();
        deflater.release();
        assertThrows(IllegalStateException.class, () -> deflater.compress(HELLO, 0, HELLO.length));
        MessageDeflater unused = new MessageDeflater(true); // never compressed: nothing native to free
        unused.release();
        FrameEncoder encoder = new FrameEncoder(new MessageDeflater(true), 0);
        encoder.text("x".repeat(500));
        encoder.release();
        encoder.release();
        assertThrows(IllegalStateException.class, () -> encoder.text("x".repeat(500)));
        // Under the threshold nothing is compressed, so nothing fails after release either.
        FrameEncoder thresholded = new FrameEncoder(new MessageDeflater(true), 256);
        thresholded.release();
        assertEquals(0x81, ClientFrames.join(thresholded.text("small"))[0] & 0xff);
    }
}
