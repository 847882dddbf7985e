package io.socketlet.internal.protocol;

import static io.socketlet.internal.protocol.ClientFrames.join;
import static io.socketlet.internal.protocol.ClientFrames.maskServerFrame;
import static io.socketlet.internal.protocol.ClientFrames.utf8;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.assertDecodes;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.defaults;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.internal.protocol.FrameDecoderSplitTest.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 section 5.2 as a server writes it: one rule per test. */
class FrameEncoderTest {

    private final FrameEncoder encoder = new FrameEncoder();

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] pattern(int length) {
        return FrameDecoderTest.pattern(length);
    }

    /** The payload of one unmasked frame, after its header. */
    private static byte[] payloadOf(byte[] frame) {
        int code = frame[1] & 0x7f;
        int header = code == 126 ? 4 : code == 127 ? 10 : 2;
        return Arrays.copyOfRange(frame, header, frame.length);
    }

    static Stream<Arguments> headers() {
        // "Payload length: 7 bits, 7+16 bits, or 7+64 bits ... in network byte order"
        return Stream.of(
                Arguments.of(0L, bytes(0x82, 0x00)),
                Arguments.of(125L, bytes(0x82, 0x7D)),
                Arguments.of(126L, bytes(0x82, 0x7E, 0x00, 0x7E)),
                Arguments.of(65535L, bytes(0x82, 0x7E, 0xFF, 0xFF)),
                Arguments.of(65536L, bytes(0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00)),
                Arguments.of(1L << 32, bytes(0x82, 0x7F, 0, 0, 0, 0x01, 0, 0, 0, 0)));
    }

    @ParameterizedTest(name = "length {0}")
    @MethodSource("headers")
    void writesPayloadLengthInItsMinimalForm(long length, byte[] expected) {
        byte[] header = new byte[10];
        int n = FrameEncoder.writeHeader(header, 0, true, false, Opcode.BINARY, length);
        assertEquals(expected.length, n);
        assertEquals(expected.length, FrameEncoder.headerLength(length));
        assertArrayEquals(expected, Arrays.copyOf(header, n));
        if (length <= 65536) {
            byte[] frame = join(encoder.binary(ByteBuffer.wrap(pattern((int) length))));
            assertArrayEquals(expected, Arrays.copyOf(frame, n), "binary() header");
            assertEquals(n + length, frame.length);
            assertArrayEquals(pattern((int) length), payloadOf(frame));
        }
    }

    @Test
    void writesHeaderAtTheGivenOffset() {
        byte[] dst = new byte[14];
        Arrays.fill(dst, (byte) 0x55);
        assertEquals(4, FrameEncoder.writeHeader(dst, 3, true, false, Opcode.TEXT, 300));
        assertArrayEquals(bytes(0x55, 0x55, 0x55, 0x81, 0x7E, 0x01, 0x2C, 0x55), Arrays.copyOf(dst, 8));
    }

    static Stream<Arguments> everyKindOfFrame() {
        FrameEncoder e = new FrameEncoder();
        return Stream.of(
                Arguments.of("text", Opcode.TEXT, join(e.text("hi"))),
                Arguments.of("large text", Opcode.TEXT, join(e.text("x".repeat(70_000)))),
                Arguments.of("binary", Opcode.BINARY, join(e.binary(ByteBuffer.wrap(pattern(300))))),
                Arguments.of("ping", Opcode.PING, join(e.ping(ByteBuffer.wrap(pattern(5))))),
                Arguments.of("pong", Opcode.PONG, join(e.pong(pattern(5)))),
                Arguments.of("close", Opcode.CLOSE, join(e.close(1000, "bye"))),
                Arguments.of("empty close", Opcode.CLOSE, join(e.close(1005, ""))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKindOfFrame")
    void serverFramesAreUnmaskedWithFinSetAndNoReservedBits(String name, int opcode, byte[] frame) {
        // 5.1: "A server MUST NOT mask any frames that it sends to the client."
        assertEquals(0x80, frame[0] & 0x80, "FIN");
        assertEquals(0, frame[0] & 0x70, "RSV1-3");
        assertEquals(opcode, frame[0] & 0x0f, "opcode");
        assertEquals(0, frame[1] & 0x80, "MASK");
    }

    @Test
    void textIsEncodedAsUtf8() {
        String text = "Hello \u00e9\u20ac\ud83d\ude00";
        byte[] frame = join(encoder.text(text));
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), payloadOf(frame));
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, frame[1]);
        String large = "\u20ac".repeat(30_000);
        assertArrayEquals(utf8(large), payloadOf(join(encoder.text(new StringBuilder(large)))));
    }

    static Stream<String> texts() {
        return Stream.of("", "a", "x".repeat(125), "x".repeat(126), "x".repeat(4095), "x".repeat(4096),
                "caf\u00e9", "\u07ff\u0800\uffff", "\ud83d\ude00 end", "\ud83d", "\ude00", "a\ud800b", "\udc00\ud800",
                "\ud83d\ud83d\ude00", "mixed \u00e9\u20ac\ud83d\ude00 ".repeat(200));
    }

    /** The bytes on the wire are the JDK's UTF-8, unpaired surrogates included. */
    @ParameterizedTest
    @MethodSource("texts")
    void textIsEncodedByteForByteAsTheJdkEncodesIt(String text) {
        byte[] expected = text.getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, payloadOf(join(encoder.text(text))));
        assertArrayEquals(expected, payloadOf(join(encoder.text(new StringBuilder(text)))));
    }

    @Test
    void shortTextIsOneArrayHoldingHeaderAndPayload() {
        ByteBuffer[] frame = encoder.text("hello");
        assertEquals(1, frame.length);
        assertEquals(7, frame[0].remaining());
        assertEquals(0, frame[0].arrayOffset());
        assertEquals(7, frame[0].array().length, "no room left over: the frame array is exactly header and payload");
    }

    // ---- fragments (section 5.4): large messages leave in pieces so control frames can go between them

    /** Each fragment's bytes, joined. */
    private static byte[][] joinEach(ByteBuffer[][] fragments) {
        byte[][] out = new byte[fragments.length][];
        for (int i = 0; i < fragments.length; i++) {
            out[i] = join(fragments[i]);
        }
        return out;
    }

    @Test
    void aFrameNoLargerThanTheFragmentSizeIsSentWhole() {
        assertEquals(null, FrameEncoder.split(encoder.binary(ByteBuffer.wrap(pattern(1000))), 1000));
        assertEquals(null, FrameEncoder.split(encoder.text("small"), 1));
        ByteBuffer[] largest = encoder.binary(ByteBuffer.wrap(pattern(FrameEncoder.MAX_FRAGMENT_PAYLOAD)));
        assertEquals(null, encoder.fragments(largest, join(largest).length));
        ByteBuffer[] larger = encoder.binary(ByteBuffer.wrap(pattern(FrameEncoder.MAX_FRAGMENT_PAYLOAD + 1)));
        assertEquals(2, encoder.fragments(larger, join(larger).length).length);
    }

    @ParameterizedTest
    @ValueSource(ints = {1001, 2500, 3000, 70_000})
    void aLargeMessageIsSplitIntoFragmentsWithOpcodeFirstContinuationsAfterAndFinLast(int length) {
        byte[][] fragments = joinEach(FrameEncoder.split(encoder.binaryNoCopy(ByteBuffer.wrap(pattern(length))), 1000));
        assertEquals((length + 999) / 1000, fragments.length);
        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < fragments.length; i++) {
            byte[] f = fragments[i];
            boolean last = i == fragments.length - 1;
            assertEquals(last ? 0x80 : 0, f[0] & 0x80, "FIN only on the last fragment");
            assertEquals(i == 0 ? Opcode.BINARY : Opcode.CONTINUATION, f[0] & 0x0f, "opcode on the first, continuation after");
            assertEquals(0, f[0] & 0x70, "no RSV bits");
            assertEquals(0, f[1] & 0x80, "unmasked");
            byte[] p = payloadOf(f);
            assertEquals(last ? length - 1000 * i : 1000, p.length);
            assertEquals(p.length < 126 ? 2 : 4, f.length - p.length, "minimal length form per fragment");
            payload.writeBytes(p);
        }
        assertArrayEquals(pattern(length), payload.toByteArray());
    }

    @Test
    void fragmentsOfAMessageHandedOverAreViewsOfTheCallersBufferNotCopies() {
        byte[] source = pattern(10_000);
        ByteBuffer data = ByteBuffer.wrap(source, 7, 9000);
        ByteBuffer[][] fragments = FrameEncoder.split(encoder.binaryNoCopy(data), 4000);
        assertEquals(3, fragments.length);
        for (ByteBuffer[] f : fragments) {
            assertEquals(2, f.length, "a header, then one view of the payload");
            assertTrue(f[1].array() == source, "a view of the caller's array");
        }
        assertEquals(7, data.position(), "the caller's position is left as it was");
        assertEquals(7 + 4000, fragments[1][1].arrayOffset() + fragments[1][1].position());
    }

    @Test
    void fragmentsOfASmallCopiedFrameComeFromItsOneArray() {
        // Below 4 KiB a frame is one array of header and payload: the first fragment starts behind the header.
        byte[][] fragments = joinEach(FrameEncoder.split(encoder.text("abcdefghij".repeat(300)), 1024));
        assertEquals(3, fragments.length);
        assertEquals(Opcode.TEXT, fragments[0][0] & 0x0f);
        assertEquals("abcdefghij".repeat(300),
                new String(payloadOf(fragments[0]), StandardCharsets.US_ASCII) + new String(payloadOf(fragments[1]), StandardCharsets.US_ASCII)
                        + new String(payloadOf(fragments[2]), StandardCharsets.US_ASCII));
    }

    @Test
    void fragmentsMaskedLikeAClientDecodeToTheOneMessage() {
        String text = "h\u00e9llo \ud83d\ude00 ".repeat(300); // split inside multi-byte characters
        ByteBuffer[][] fragments = FrameEncoder.split(encoder.text(text), 777);
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (ByteBuffer[] f : fragments) {
            wire.writeBytes(maskServerFrame(join(f), new byte[] {1, 2, 3, 4}));
        }
        assertDecodes(defaults(), wire.toByteArray(), Event.text(text));
    }

    @Test
    void aCompressedMessageHasRsv1OnItsFirstFragmentOnly() {
        // RFC 7692 section 6.1: the compressed payload is split; RSV1 marks the message on its first frame.
        FrameEncoder deflating = new FrameEncoder(new MessageDeflater(false), 0);
        String text = "some text that deflate will compress, with a counter ";
        StringBuilder message = new StringBuilder();
        for (int i = 0; message.length() < 20_000; i++) {
            message.append(text).append(i * 7919 % 10007);
        }
        ByteBuffer[] whole = deflating.text(message);
        byte[] compressedPayload = payloadOf(join(whole));
        byte[][] fragments = joinEach(FrameEncoder.split(whole, 500));
        assertTrue(fragments.length > 2, "the compressed payload spans several fragments");
        java.io.ByteArrayOutputStream payload = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < fragments.length; i++) {
            assertEquals(i == 0 ? 0x40 : 0, fragments[i][0] & 0x40, "RSV1 on fragment " + i);
            payload.writeBytes(payloadOf(fragments[i]));
            wire.writeBytes(maskServerFrame(fragments[i], new byte[] {9, 8, 7, 6}));
        }
        assertArrayEquals(compressedPayload, payload.toByteArray());
        assertDecodes(FrameDecoderSplitTest.withRsv1(), wire.toByteArray(), Event.text(message.toString()));
        deflating.release();
    }

    @Test
    void textWithUnpairedSurrogateIsStillValidUtf8() {
        // A Java String may hold what UTF-8 cannot; what goes on the wire must still be valid text (5.6).
        byte[] payload = payloadOf(join(encoder.text("a\ud800b")));
        assertTrue(Utf8Validator.isValid(payload, 0, payload.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 5000, 100_000})
    void binaryCopiesItsInput(int length) {
        byte[] source = pattern(length);
        ByteBuffer[] frame = encoder.binary(ByteBuffer.wrap(source));
        Arrays.fill(source, (byte) 0);
        assertArrayEquals(pattern(length), payloadOf(join(frame)));
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 65536, 100_000})
    void binaryNoCopyWritesALargePayloadFromTheCallersBuffer(int length) {
        byte[] source = pattern(length + 7);
        ByteBuffer data = ByteBuffer.wrap(source, 3, length);
        ByteBuffer[] frame = encoder.binaryNoCopy(data);
        assertArrayEquals(join(encoder.binary(data)), join(frame), "the same bytes on the wire as binary()");
        assertEquals(3, data.position(), "the caller's position is left as it was");
        assertEquals(3 + length, data.limit());
        // The frame refers to the caller's bytes: a change before the write shows (no copy was made).
        source[3] ^= 0x55;
        assertEquals(source[3], payloadOf(join(frame))[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 4095})
    void binaryNoCopyCopiesASmallPayloadIntoOneArray(int length) {
        byte[] source = pattern(length);
        ByteBuffer[] frame = encoder.binaryNoCopy(ByteBuffer.wrap(source));
        assertEquals(1, frame.length, "header and payload in one buffer");
        Arrays.fill(source, (byte) 0);
        assertArrayEquals(pattern(length), payloadOf(join(frame)));
    }

    @Test
    void binaryNoCopyOfADirectBufferEncodesItsBytes() {
        ByteBuffer direct = ByteBuffer.allocateDirect(70_000);
        direct.put(pattern(70_000)).flip();
        assertArrayEquals(pattern(70_000), payloadOf(join(encoder.binaryNoCopy(direct))));
        assertEquals(0, direct.position());
    }

    @Test
    void binaryEncodesTheBytesBetweenPositionAndLimit() {
        ByteBuffer data = ByteBuffer.wrap(pattern(20), 5, 10).slice();
        byte[] frame = join(encoder.binary(data));
        assertArrayEquals(Arrays.copyOfRange(pattern(20), 5, 15), payloadOf(frame));
        assertEquals(0, data.position(), "the caller's buffer is left as it was");
    }

    @Test
    void pingAndPongCopyTheirPayload() {
        byte[] source = pattern(20);
        ByteBuffer[] ping = encoder.ping(ByteBuffer.wrap(source));
        ByteBuffer[] pong = encoder.pong(source);
        Arrays.fill(source, (byte) 0);
        assertArrayEquals(pattern(20), payloadOf(join(ping)));
        assertArrayEquals(pattern(20), payloadOf(join(pong)));
    }

    @Test
    void rejectsPingAndPongPayloadsOver125Bytes() {
        // 5.5: "All control frames MUST have a payload length of 125 bytes or less"
        assertThrows(IllegalArgumentException.class, () -> encoder.ping(ByteBuffer.wrap(pattern(126))));
        assertThrows(IllegalArgumentException.class, () -> encoder.pong(pattern(126)));
        assertEquals(127, join(encoder.ping(ByteBuffer.wrap(pattern(125)))).length);
        assertEquals(127, join(encoder.pong(pattern(125))).length);
    }

    @Test
    void closeWithNoStatus1005HasAnEmptyPayload() {
        // 7.4.1: 1005 "MUST NOT be set as a status code in a Close control frame"; echoing a bodiless close.
        assertArrayEquals(bytes(0x88, 0x00), join(encoder.close(1005, "")));
        assertArrayEquals(bytes(0x88, 0x00), join(encoder.close(1005, "ignored")));
    }

    @Test
    void closeCarriesCodeInNetworkByteOrderThenReason() {
        // 5.5.1: "a 2-byte unsigned integer (in network byte order)" followed by "UTF-8-encoded data"
        assertArrayEquals(bytes(0x88, 0x05, 0x03, 0xE8, 'b', 'y', 'e'), join(encoder.close(1000, "bye")));
        assertArrayEquals(bytes(0x88, 0x02, 0x13, 0x87), join(encoder.close(4999, "")));
        assertArrayEquals(bytes(0x88, 0x02, 0x0B, 0xB8), join(encoder.close(3000, null)));
    }

    static Stream<Arguments> longReasons() {
        return Stream.of(
                Arguments.of("ASCII", "r".repeat(200), "r".repeat(123)),
                Arguments.of("3-byte characters ending on the limit", "\u20ac".repeat(60), "\u20ac".repeat(41)),
                Arguments.of("3-byte character across the limit", "a" + "\u20ac".repeat(60), "a" + "\u20ac".repeat(40)),
                Arguments.of("4-byte character across the limit", "ab" + "\ud83d\ude00".repeat(40), "ab" + "\ud83d\ude00".repeat(30)),
                Arguments.of("2-byte character across the limit", "\u00e9".repeat(70), "\u00e9".repeat(61)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("longReasons")
    void closeTruncatesLongReasonTo123BytesOnACharacterBoundary(String name, String reason, String expected) {
        // 5.5: 125 bytes at most, 2 of them the code.
        byte[] frame = join(encoder.close(1001, reason));
        byte[] payload = payloadOf(frame);
        assertTrue(payload.length <= 125, "payload " + payload.length);
        assertEquals(payload.length, frame[1]);
        assertTrue(Utf8Validator.isValid(payload, 2, payload.length - 2), "reason stays valid UTF-8");
        assertEquals(expected, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1006, 1015, 1016, 2999, 5000})
    void refusesToSendCloseCodeNotAllowedOnTheWire(int code) {
        assertThrows(IllegalArgumentException.class, () -> encoder.close(code, "x"));
    }

    static Stream<Arguments> roundTrips() {
        String text = FrameDecoderTest.textOfUtf8Length(70_000);
        return Stream.of(
                Arguments.of("empty text", (Function<FrameEncoder, ByteBuffer[]>) e -> e.text(""), Event.text("")),
                Arguments.of("text", (Function<FrameEncoder, ByteBuffer[]>) e -> e.text("h\u00e9llo \ud83d\ude00"), Event.text("h\u00e9llo \ud83d\ude00")),
                Arguments.of("text of 126 bytes", (Function<FrameEncoder, ByteBuffer[]>) e -> e.text("t".repeat(126)), Event.text("t".repeat(126))),
                Arguments.of("text of 70000 bytes", (Function<FrameEncoder, ByteBuffer[]>) e -> e.text(text), Event.text(text)),
                Arguments.of("binary of 125", (Function<FrameEncoder, ByteBuffer[]>) e -> e.binary(ByteBuffer.wrap(pattern(125))), Event.binary(pattern(125))),
                Arguments.of("binary of 65535", (Function<FrameEncoder, ByteBuffer[]>) e -> e.binary(ByteBuffer.wrap(pattern(65535))), Event.binary(pattern(65535))),
                Arguments.of("binary of 65536", (Function<FrameEncoder, ByteBuffer[]>) e -> e.binary(ByteBuffer.wrap(pattern(65536))), Event.binary(pattern(65536))),
                Arguments.of("ping", (Function<FrameEncoder, ByteBuffer[]>) e -> e.ping(ByteBuffer.wrap(pattern(125))), Event.ping(pattern(125))),
                Arguments.of("pong", (Function<FrameEncoder, ByteBuffer[]>) e -> e.pong(new byte[0]), Event.pong(new byte[0])),
                Arguments.of("close", (Function<FrameEncoder, ByteBuffer[]>) e -> e.close(1000, "bye \u20ac"), Event.close(1000, "bye \u20ac")),
                Arguments.of("close 1005", (Function<FrameEncoder, ByteBuffer[]>) e -> e.close(1005, ""), Event.close(1005, "")),
                Arguments.of("close, long reason", (Function<FrameEncoder, ByteBuffer[]>) e -> e.close(4000, "\u20ac".repeat(50)),
                        Event.close(4000, "\u20ac".repeat(41))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("roundTrips")
    void encodedFrameMaskedLikeAClientDecodesToTheSameMessage(String name, Function<FrameEncoder, ByteBuffer[]> encode, Event expected) {
        byte[] masked = maskServerFrame(join(encode.apply(encoder)), new byte[] {(byte) 0x9c, 0x01, (byte) 0xe7, 0x42});
        assertDecodes(defaults(), masked, expected);
    }
}
