package io.socketlet.internal.protocol;

import static io.socketlet.internal.protocol.ClientFrames.BINARY;
import static io.socketlet.internal.protocol.ClientFrames.CLOSE;
import static io.socketlet.internal.protocol.ClientFrames.PING;
import static io.socketlet.internal.protocol.ClientFrames.PONG;
import static io.socketlet.internal.protocol.ClientFrames.RSV1;
import static io.socketlet.internal.protocol.ClientFrames.RSV2;
import static io.socketlet.internal.protocol.ClientFrames.RSV3;
import static io.socketlet.internal.protocol.ClientFrames.TEXT;
import static io.socketlet.internal.protocol.ClientFrames.binary;
import static io.socketlet.internal.protocol.ClientFrames.close;
import static io.socketlet.internal.protocol.ClientFrames.concat;
import static io.socketlet.internal.protocol.ClientFrames.continuation;
import static io.socketlet.internal.protocol.ClientFrames.frame;
import static io.socketlet.internal.protocol.ClientFrames.ping;
import static io.socketlet.internal.protocol.ClientFrames.pong;
import static io.socketlet.internal.protocol.ClientFrames.text;
import static io.socketlet.internal.protocol.ClientFrames.utf8;
import static io.socketlet.internal.protocol.ClientFrames.wire;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.assertDecodes;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.assertFails;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.defaults;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.limits;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.withRsv1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.internal.protocol.FrameDecoderSplitTest.Decoders;
import io.socketlet.internal.protocol.FrameDecoderSplitTest.Event;
import io.socketlet.internal.protocol.FrameDecoderSplitTest.Feeding;
import io.socketlet.internal.protocol.FrameDecoderSplitTest.Outcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 6455 sections 5 and 7, one test per rule. Every input goes through the split harness of
 * {@link FrameDecoderSplitTest}: whole, in two pieces at every split point, and one byte at a
 * time; a refusal must come from the piece holding the first byte that breaks the rule.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a decoder gone quadratic fails, never hangs the build
class FrameDecoderTest {

    private static final byte[] NO_BYTES = new byte[0];

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** Binary data of the given length, a pattern that differs from its neighbours at each byte. */
    static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8) + 7);
        }
        return b;
    }

    /** Text of exactly this many UTF-8 bytes, with 1-, 2-, 3- and 4-byte characters. */
    static String textOfUtf8Length(int length) {
        String[] pieces = {"a", "\u00e9", "\u20ac", "\ud83d\ude00", "z"};
        StringBuilder sb = new StringBuilder();
        int n = 0;
        int i = 0;
        while (length - n >= 4) {
            String p = pieces[i++ % pieces.length];
            sb.append(p);
            n += p.getBytes(StandardCharsets.UTF_8).length;
        }
        while (n < length) {
            sb.append('x');
            n++;
        }
        return sb.toString();
    }

    @Nested
    class Rfc6455Examples {

        @Test
        void decodesSingleFrameMaskedTextMessage() {
            // Section 5.7: "0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58 (contains "Hello")"
            assertDecodes(defaults(), bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58), Event.text("Hello"));
        }

        @Test
        void decodesMaskedPongResponse() {
            // Section 5.7: "0x8a 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58"
            assertDecodes(defaults(), bytes(0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58), Event.pong(utf8("Hello")));
        }

        @Test
        void decodesFragmentedTextMessage() {
            // Section 5.7: "0x01 0x03 0x48 0x65 0x6c (contains "Hel")", "0x80 0x02 0x6c 0x6f (contains "lo")", masked.
            assertDecodes(defaults(), wire(text("Hel").fin(false), continuation("lo")), Event.text("Hello"));
        }

        @Test
        void decodes256ByteAnd64KibBinaryMessages() {
            // Section 5.7: "0x82 0x7E 0x0100 [256 bytes of binary data]", "0x82 0x7F 0x0000000000010000 [65536 bytes]"
            byte[] small = wire(binary(pattern(256)));
            assertArrayEquals(bytes(0x82, 0xFE, 0x01, 0x00), Arrays.copyOf(small, 4));
            byte[] big = wire(binary(pattern(65536)));
            assertArrayEquals(bytes(0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0), Arrays.copyOf(big, 10));
            assertDecodes(defaults(), concat(small, big), Event.binary(pattern(256)), Event.binary(pattern(65536)));
        }
    }

    @Nested
    class ClientMasking {

        @Test
        void rejectsUnmaskedClientFrame() {
            // 5.1: "The server MUST close the connection upon receiving a frame that is not masked", "status code of 1002"
            assertFails(defaults(), bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f), 1002, 1);
        }

        @ParameterizedTest
        @ValueSource(ints = {PING, PONG, CLOSE, BINARY})
        void rejectsUnmaskedFrameOfAnyOpcode(int opcode) {
            assertFails(defaults(), frame(opcode, NO_BYTES).unmasked().bytes(), 1002, 1);
        }

        @Test
        void unmasksEachFrameWithItsOwnKey() {
            assertDecodes(defaults(),
                    wire(text("one").key(0x01020304), text("two").key(0xFFFFFFFF), text("three").key(0)),
                    Event.text("one"), Event.text("two"), Event.text("three"));
        }
    }

    @Nested
    class ReservedBits {

        @ParameterizedTest
        @ValueSource(ints = {RSV1, RSV2, RSV3, RSV1 | RSV2 | RSV3})
        void rejectsReservedBitsWithoutNegotiatedExtension(int bits) {
            // 5.2: "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values."
            assertFails(defaults(), text("x").rsv(bits).bytes(), 1002, 0);
        }

        @ParameterizedTest
        @ValueSource(ints = {RSV2, RSV3})
        void rejectsRsv2AndRsv3EvenWithPermessageDeflate(int bits) {
            assertFails(withRsv1(), binary(pattern(3)).rsv(bits).bytes(), 1002, 0);
        }

        @Test
        void allowsRsv1OnFirstFrameOfDataMessageWithPermessageDeflate() {
            // RFC 7692 section 6: the "Per-Message Compressed" bit is set on the first frame of a message.
            // Section 7.2.3.1: "Hello" compressed, "0xc1 0x07 0xf2 0x48 0xcd 0xc9 0xc9 0x07 0x00", and fragmented,
            // "0x41 0x03 0xf2 0x48 0xcd" then "0x80 0x04 0xc9 0xc9 0x07 0x00" (here masked, as a client sends them).
            assertDecodes(withRsv1(), text(bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)).rsv(RSV1).bytes(), Event.text("Hello"));
            assertDecodes(withRsv1(), wire(text(bytes(0xf2, 0x48, 0xcd)).rsv(RSV1).fin(false), continuation(bytes(0xc9, 0xc9, 0x07, 0x00))),
                    Event.text("Hello"));
        }

        @Test
        void rejectsRsv1OnContinuationFrameWithPermessageDeflate() {
            // RFC 7692 section 6: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and
            // non-first fragments of a data message."
            byte[] first = text(bytes(0xf2, 0x48, 0xcd)).rsv(RSV1).fin(false).bytes();
            assertFails(withRsv1(), concat(first, continuation(bytes(0xc9, 0xc9, 0x07, 0x00)).rsv(RSV1).bytes()), 1002, first.length);
        }

        @ParameterizedTest
        @ValueSource(ints = {PING, PONG, CLOSE})
        void rejectsRsv1OnControlFrameWithPermessageDeflate(int opcode) {
            assertFails(withRsv1(), frame(opcode, NO_BYTES).rsv(RSV1).bytes(), 1002, 0);
        }
    }

    @Nested
    class Opcodes {

        @ParameterizedTest
        @ValueSource(ints = {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
        void rejectsReservedOpcode(int opcode) {
            // 5.2: "%x3-7 are reserved for further non-control frames", "%xB-F are reserved for further control frames"
            assertFails(defaults(), frame(opcode, pattern(2)).bytes(), 1002, 0);
        }

        @ParameterizedTest
        @ValueSource(ints = {0x3, 0xB})
        void rejectsReservedOpcodeInsideFragmentedMessage(int opcode) {
            byte[] first = text("a").fin(false).bytes();
            assertFails(defaults(), concat(first, frame(opcode, NO_BYTES).bytes(), continuation("b").bytes()), 1002, first.length);
        }
    }

    @Nested
    class ControlFrames {

        @ParameterizedTest
        @ValueSource(ints = {PING, PONG, CLOSE})
        void rejectsControlFramePayloadOver125Bytes(int opcode) {
            // 5.5: "All control frames MUST have a payload length of 125 bytes or less"; decided at the length byte.
            assertFails(defaults(), frame(opcode, pattern(126)).bytes(), 1002, 1);
            assertFails(defaults(), frame(opcode, pattern(65536)).bytes(), 1002, 1);
        }

        @ParameterizedTest
        @ValueSource(ints = {PING, PONG})
        void acceptsControlFramePayloadOf125Bytes(int opcode) {
            assertDecodes(defaults(), frame(opcode, pattern(125)).bytes(),
                    opcode == PING ? Event.ping(pattern(125)) : Event.pong(pattern(125)));
        }

        @ParameterizedTest
        @ValueSource(ints = {PING, PONG, CLOSE})
        void rejectsFragmentedControlFrame(int opcode) {
            // 5.5: control frames "MUST NOT be fragmented"; FIN=0 is refused at the first byte.
            assertFails(defaults(), frame(opcode, pattern(3)).fin(false).bytes(), 1002, 0);
        }

        @ParameterizedTest
        @ValueSource(ints = {PING, PONG})
        void deliversZeroLengthControlFrame(int opcode) {
            assertDecodes(defaults(), frame(opcode, NO_BYTES).bytes(), opcode == PING ? Event.ping(NO_BYTES) : Event.pong(NO_BYTES));
        }

        @Test
        void deliversPingAndPongPayloadsAsCopies() {
            // MessageListener: "the payload (0-125 bytes) is a fresh copy". The harness keeps each delivered array
            // without copying it, so a decoder that reuses its control buffer shows here as a changed earlier event.
            byte[] wire = wire(ping(utf8("first")), pong(utf8("second!")), ping(pattern(125)), ping(NO_BYTES), pong(utf8("x")));
            assertDecodes(defaults(), wire, Event.ping(utf8("first")), Event.pong(utf8("second!")), Event.ping(pattern(125)),
                    Event.ping(NO_BYTES), Event.pong(utf8("x")));

            Outcome outcome = FrameDecoderSplitTest.run(defaults(), wire, Feeding.whole());
            List<Object> arrays = outcome.events().stream().map(Event::value).toList();
            for (int i = 0; i < arrays.size(); i++) {
                for (int j = i + 1; j < arrays.size(); j++) {
                    assertNotSame(arrays.get(i), arrays.get(j), "events " + i + " and " + j + " share an array");
                }
            }
        }

        @Test
        void deliversPingPayloadThatTheListenerMayKeepAndChange() {
            // The copy belongs to the listener: scribbling on it changes nothing for the next ping.
            List<byte[]> kept = new ArrayList<>();
            FrameDecoder decoder = new FrameDecoder(1 << 20, 1 << 20, 100_000, new FrameDecoderSplitTest.Recorder() {
                @Override
                public void onPing(byte[] payload) {
                    kept.add(payload.clone());
                    Arrays.fill(payload, (byte) 0);
                }
            }, null);
            decoder.decode(ByteBuffer.wrap(wire(ping(utf8("abc")), ping(utf8("abc")))));
            assertEquals(2, kept.size());
            assertArrayEquals(utf8("abc"), kept.get(0));
            assertArrayEquals(utf8("abc"), kept.get(1));
        }

        @Test
        void assemblesFragmentedTextAroundInterleavedControlFrames() {
            // 5.4: "Control frames MAY be injected in the middle of a fragmented message."
            byte[] wire = wire(
                    ping(utf8("p1")),
                    text("Hel").fin(false),
                    ping(utf8("p2")),
                    continuation("l").fin(false),
                    pong(NO_BYTES),
                    ping(pattern(125)),
                    continuation("o"),
                    pong(utf8("after")));
            assertDecodes(defaults(), wire, Event.ping(utf8("p1")), Event.ping(utf8("p2")), Event.pong(NO_BYTES),
                    Event.ping(pattern(125)), Event.text("Hello"), Event.pong(utf8("after")));
        }

        @Test
        void assemblesFragmentedBinaryAroundInterleavedControlFrames() {
            byte[] data = pattern(300);
            byte[] wire = wire(
                    binary(Arrays.copyOfRange(data, 0, 100)).fin(false),
                    pong(utf8("x")),
                    continuation(Arrays.copyOfRange(data, 100, 290)).fin(false),
                    ping(NO_BYTES),
                    continuation(Arrays.copyOfRange(data, 290, 300)));
            assertDecodes(defaults(), wire, Event.pong(utf8("x")), Event.ping(NO_BYTES), Event.binary(data));
        }

        @Test
        void closeInsideFragmentedMessageEndsReading() {
            // A close may come between fragments; the unfinished message is never delivered.
            byte[] wire = wire(text("Hel").fin(false), close(1001, "going"), continuation("lo"));
            assertDecodes(defaults(), wire, Event.close(1001, "going"));
        }
    }

    @Nested
    class Fragmentation {

        @Test
        void rejectsContinuationWithNoMessageToContinue() {
            // 5.4: a fragmented message is "a single frame with the FIN bit clear and an opcode other than 0,
            // followed by zero or more frames with the FIN bit clear and the opcode set to 0".
            assertFails(defaults(), continuation("x").bytes(), 1002, 0);
            assertFails(defaults(), continuation("x").fin(false).bytes(), 1002, 0);
            byte[] done = wire(text("Hel").fin(false), continuation("lo"));
            assertFails(defaults(), concat(done, continuation("!").bytes()), 1002, done.length, Event.text("Hello"));
        }

        @ParameterizedTest
        @ValueSource(ints = {TEXT, BINARY})
        void rejectsNewDataFrameInsideFragmentedMessage(int opcode) {
            // 5.4: "the fragments of one message MUST NOT be interleaved between the fragments of another message"
            byte[] first = text("Hel").fin(false).bytes();
            assertFails(defaults(), concat(first, frame(opcode, utf8("lo")).bytes()), 1002, first.length);
            byte[] firstBinary = wire(binary(pattern(3)).fin(false), continuation(pattern(2)).fin(false));
            assertFails(defaults(), concat(firstBinary, frame(opcode, pattern(1)).fin(false).bytes()), 1002, firstBinary.length);
        }

        @Test
        void acceptsEmptyFragments() {
            byte[] wire = wire(text("").fin(false), continuation("Hel").fin(false), continuation("").fin(false), continuation("lo"),
                    binary(NO_BYTES).fin(false), continuation(NO_BYTES), text(""));
            assertDecodes(defaults(), wire, Event.text("Hello"), Event.binary(NO_BYTES), Event.text(""));
        }
    }

    @Nested
    class Utf8 {

        static Stream<Arguments> invalidSequences() {
            return Stream.of(
                    Arguments.of("impossible byte FF", bytes(0xFF), 0),
                    Arguments.of("lone continuation byte", bytes(0x80), 0),
                    Arguments.of("overlong C0 80", bytes(0xC0, 0x80), 0),
                    Arguments.of("overlong E0 80 80", bytes(0xE0, 0x80, 0x80), 1),
                    Arguments.of("surrogate ED A0 80", bytes(0xED, 0xA0, 0x80), 1),
                    Arguments.of("above U+10FFFF F4 90 80 80", bytes(0xF4, 0x90, 0x80, 0x80), 1),
                    Arguments.of("lead byte then ASCII", bytes(0xE2, 0x82, 0x28), 2));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidSequences")
        void rejectsInvalidUtf8InSingleFrame(String name, byte[] bad, int badIndex) {
            // 8.1: "that endpoint MUST _Fail the WebSocket Connection_"; 7.4.1: 1007 "data ... not consistent with the type"
            byte[] payload = concat(utf8("Hello \u20ac "), bad, utf8(" world"));
            byte[] frame = text(payload).bytes();
            int header = frame.length - payload.length;
            assertFails(defaults(), frame, 1007, header + utf8("Hello \u20ac ").length + badIndex);
        }

        @Test
        void rejectsInvalidUtf8SplitAcrossFragments() {
            // Each fragment alone could still be the start or end of valid text; together they are not.
            byte[] first = text(bytes('a', 0xE2, 0x82)).fin(false).bytes();
            byte[] second = continuation(bytes(0x28, 'b')).bytes(); // 0x28 cannot continue E2 82
            assertFails(defaults(), concat(first, second), 1007, first.length + 6);
        }

        @Test
        void failsFastOnInvalidUtf8InFirstFragment() {
            // 8.1 and the design guide: fail at the first impossible byte, before the message (or even the frame) ends.
            byte[] first = text(bytes('a', 'b', 0xFF, 'c', 'd')).fin(false).bytes();
            assertFails(defaults(), first, 1007, 6 + 2);
        }

        @Test
        void failsFastOnInvalidUtf8BeforeTheFrameEnds() {
            // Only part of a 1000-byte text frame arrives; its byte 10 can never be UTF-8.
            byte[] payload = pattern(1000);
            Arrays.fill(payload, (byte) 'a');
            payload[10] = (byte) 0xC1;
            byte[] frame = text(payload).bytes();
            int header = frame.length - payload.length;
            assertFails(defaults(), Arrays.copyOf(frame, header + 50), 1007, header + 10);
        }

        @Test
        void rejectsTextEndingInsideUtf8SequenceAtFin() {
            // A single frame ending in the middle of a character: decided by its last byte.
            byte[] single = text(bytes('a', 0xE2, 0x82)).bytes();
            assertFails(defaults(), single, 1007, single.length - 1);
            // The final fragment ends inside a character.
            byte[] fragmented = wire(text("a").fin(false), continuation(bytes(0xF0, 0x9F, 0x98)));
            assertFails(defaults(), fragmented, 1007, fragmented.length - 1);
            // An empty final fragment after a fragment that stopped inside a character: decided by its last mask byte.
            byte[] emptyLast = wire(text(bytes('a', 0xC3)).fin(false), continuation(NO_BYTES));
            assertFails(defaults(), emptyLast, 1007, emptyLast.length - 1);
        }

        @Test
        void acceptsMultiByteTextSplitAcrossFragmentsInsideCharacters() {
            // 5.6: "a particular text frame might include a partial UTF-8 sequence; however, the whole message MUST contain
            // valid UTF-8."
            String text = "a\u00e9\u20ac\ud83d\ude00b";
            byte[] utf8 = utf8(text);
            for (int cut = 0; cut <= utf8.length; cut++) {
                byte[] wire = wire(text(Arrays.copyOfRange(utf8, 0, cut)).fin(false), ping(NO_BYTES),
                        continuation(Arrays.copyOfRange(utf8, cut, utf8.length)));
                assertDecodes(defaults(), wire, Event.ping(NO_BYTES), Event.text(text));
            }
            // One byte per fragment.
            List<ClientFrames.Frame> frames = new ArrayList<>();
            for (int i = 0; i < utf8.length; i++) {
                byte[] one = {utf8[i]};
                frames.add((i == 0 ? text(one) : continuation(one)).fin(i == utf8.length - 1));
            }
            assertDecodes(defaults(), wire(frames.toArray(new ClientFrames.Frame[0])), Event.text(text));
        }
    }

    @Nested
    class Limits {

        static Stream<Arguments> lengthForms() {
            // maxFrameSize, then a length one over it: 7-bit, 16-bit and 64-bit forms.
            return Stream.of(Arguments.of(100, 2), Arguments.of(1000, 4), Arguments.of(70_000, 10), Arguments.of(Integer.MAX_VALUE, 10));
        }

        @ParameterizedTest(name = "maxFrameSize {0}")
        @MethodSource("lengthForms")
        void rejectsFrameOverMaxFrameSizeFromHeaderAlone(int maxFrameSize, int headerLength) {
            // 7.4.1: 1009 "a message that is too big for it to process"; no payload need be held to decide.
            long length = maxFrameSize + 1L;
            byte[] header = Arrays.copyOf(binary(NO_BYTES).declaredLength(length).bytes(), headerLength);
            assertFails(limits(maxFrameSize, Integer.MAX_VALUE), header, 1009, headerLength - 1);
            byte[] textHeader = Arrays.copyOf(text("").fin(false).declaredLength(length).bytes(), headerLength);
            assertFails(limits(maxFrameSize, Integer.MAX_VALUE), textHeader, 1009, headerLength - 1);
        }

        @Test
        void rejectsHugeDeclaredLengthFromHeaderAlone() {
            byte[] header = Arrays.copyOf(binary(NO_BYTES).declaredLength(Long.MAX_VALUE).bytes(), 10);
            assertFails(defaults(), header, 1009, 9);
        }

        @Test
        void acceptsFrameOfExactlyMaxFrameSize() {
            assertDecodes(limits(1000, 1000), binary(pattern(1000)).bytes(), Event.binary(pattern(1000)));
            assertDecodes(limits(125, 125), text("y".repeat(125)).bytes(), Event.text("y".repeat(125)));
        }

        @Test
        void rejectsContinuationFrameOverMaxFrameSize() {
            byte[] first = binary(pattern(10)).fin(false).bytes();
            byte[] header = Arrays.copyOf(continuation(pattern(101)).bytes(), 2);
            assertFails(limits(100, 10_000), concat(first, header), 1009, first.length + 1);
        }

        @Test
        void rejectsMessageOverMaxMessageSizeAtHeaderOfFragmentThatPassesIt() {
            // 40 + 40 + 21 > 100: the third header already tells, before any of its payload.
            byte[] before = wire(text("a".repeat(40)).fin(false), ping(NO_BYTES), continuation("b".repeat(40)).fin(false));
            byte[] passing = continuation("c".repeat(21)).bytes();
            assertFails(limits(100, 100), concat(before, passing), 1009, before.length + 1, Event.ping(NO_BYTES));
            // 64-bit length form, binary
            byte[] big = wire(binary(pattern(65536)).fin(false));
            byte[] over = continuation(pattern(65536)).bytes();
            assertFails(limits(65536, 131071), concat(big, over), 1009, big.length + 9);
        }

        @Test
        void rejectsSingleFrameOverMaxMessageSize() {
            assertFails(limits(1000, 100), binary(pattern(101)).bytes(), 1009, 1);
        }

        @Test
        void acceptsMessageOfExactlyMaxMessageSize() {
            byte[] wire = wire(text("a".repeat(40)).fin(false), ping(pattern(125)), continuation("b".repeat(40)).fin(false),
                    continuation("c".repeat(20)), binary(pattern(100)));
            // Control frames do not count toward a message's size.
            assertDecodes(limits(100, 100), wire, Event.ping(pattern(125)),
                    Event.text("a".repeat(40) + "b".repeat(40) + "c".repeat(20)), Event.binary(pattern(100)));
        }

        @Test
        void rejectsMessageOfMoreFragmentsThanTheLimit() {
            // Zero-length fragments cost a frame's work each and add nothing: their number is bounded (1009).
            Decoders threeFragments = listener -> new FrameDecoder(1000, 1000, 3, listener, null);
            byte[] three = wire(text("a").fin(false), continuation("").fin(false), ping(NO_BYTES), continuation("b"));
            assertDecodes(threeFragments, three, Event.ping(NO_BYTES), Event.text("ab"));
            byte[] before = wire(text("a").fin(false), continuation("").fin(false), continuation("").fin(false));
            assertFails(threeFragments, concat(before, continuation("b").bytes()), 1009, before.length + 1);
            // Each message counts its own fragments.
            assertDecodes(threeFragments, concat(three, three), Event.ping(NO_BYTES), Event.text("ab"), Event.ping(NO_BYTES),
                    Event.text("ab"));
        }

        @Test
        void countsEachMessageSeparately() {
            byte[] wire = wire(binary(pattern(60)).fin(false), continuation(pattern(40)), binary(pattern(60)).fin(false),
                    continuation(pattern(40)));
            byte[] data = pattern(100);
            System.arraycopy(pattern(40), 0, data, 60, 40);
            System.arraycopy(pattern(60), 0, data, 0, 60);
            assertDecodes(limits(100, 100), wire, Event.binary(data), Event.binary(data));
        }
    }

    /** RFC 7692 messages: the limits are about the message the application gets, decompressed. */
    @Nested
    class CompressedLimits {

        @Test
        void acceptsCompressedMessageOfExactlyMaxMessageSize() {
            byte[] message = "a".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            byte[] compressed = ClientFrames.deflateMessage(message);
            assertDecodes(withRsv1(1 << 20, 1000), binary(compressed).rsv(RSV1).bytes(), Event.binary(message));
            byte[] zeros = new byte[100_000];
            assertDecodes(withRsv1(1 << 20, 100_000), binary(ClientFrames.deflateMessage(zeros)).rsv(RSV1).bytes(), Event.binary(zeros));
        }

        @Test
        void rejectsCompressedMessageThatInflatesPastMaxMessageSize() {
            byte[] message = "a".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            byte[] wire = binary(ClientFrames.deflateMessage(message)).rsv(RSV1).bytes();
            // Where the output passes the limit depends on DEFLATE's bit layout; every feeding must agree on that byte.
            Outcome bytewise = FrameDecoderSplitTest.run(withRsv1(1 << 20, 999), wire, Feeding.everyByte());
            assertTrue(bytewise.failure() != null, "refused: " + bytewise);
            assertFails(withRsv1(1 << 20, 999), wire, 1009, bytewise.failFrom());
        }

        @Test
        void limitsCompressedMessageByItsDecompressedSize() {
            // Random bytes do not compress: 1000 of them deflate to about 1006. Sent in two fragments or as one frame,
            // the message is the same 1000 bytes, under a 1003-byte limit.
            byte[] random = new byte[1000];
            new Random(7692).nextBytes(random);
            byte[] compressed = ClientFrames.deflateMessage(random);
            assertTrue(compressed.length > 1003, "compressed " + compressed.length);
            byte[] fragmented = wire(binary(Arrays.copyOf(compressed, 500)).rsv(RSV1).fin(false),
                    continuation(Arrays.copyOfRange(compressed, 500, compressed.length)));
            assertDecodes(withRsv1(1 << 20, 1003), fragmented, Event.binary(random));
            assertDecodes(withRsv1(1 << 20, 1003), binary(compressed).rsv(RSV1).bytes(), Event.binary(random));
            // RFC 7692 section 7.2.3.1: "Hello" (5 bytes) compresses to 7; a 6-byte limit lets it through.
            byte[] hello = bytes(0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00);
            assertDecodes(withRsv1(125, 6), text(hello).rsv(RSV1).bytes(), Event.text("Hello"));
        }
    }

    @Nested
    class LengthEncoding {

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 125})
        void rejects16BitLengthFormCarryingUnder126(int length) {
            // 5.2: "the minimal number of bytes MUST be used to encode the length"
            assertFails(defaults(), binary(pattern(length)).length16().bytes(), 1002, 3);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 125, 126, 65535})
        void rejects64BitLengthFormCarryingAtMost65535(int length) {
            assertFails(defaults(), binary(pattern(length)).length64().bytes(), 1002, 9);
        }

        @ParameterizedTest
        @ValueSource(ints = {0x80, 0xFF})
        void rejects64BitLengthWithMostSignificantBitSetAtItsFirstByte(int firstLengthByte) {
            // 5.2: "the most significant bit MUST be 0"; nothing after the first length byte is needed.
            assertFails(defaults(), bytes(0x82, 0xFF, firstLengthByte), 1002, 2);
            assertFails(defaults(), bytes(0x81, 0xFF, firstLengthByte, 0, 0, 0, 0, 0, 0, 5), 1002, 2);
        }

        @Test
        void acceptsSmallestLengthOfEachForm() {
            assertDecodes(defaults(), wire(binary(pattern(126)), binary(pattern(65536))), Event.binary(pattern(126)),
                    Event.binary(pattern(65536)));
        }
    }

    @Nested
    class Close {

        @Test
        void emptyCloseMeansStatus1005() {
            // 7.1.5: "If this Close control frame contains no status code, _The WebSocket Connection Close Code_ is
            // considered to be 1005."
            assertDecodes(defaults(), frame(CLOSE, NO_BYTES).bytes(), Event.close(1005, ""));
        }

        @Test
        void rejectsClosePayloadOfOneByte() {
            // 5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer"
            byte[] frame = frame(CLOSE, bytes(0x03)).bytes();
            assertFails(defaults(), frame, 1002, frame.length - 1);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
        void rejectsCloseCodesNotAllowedOnTheWire(int code) {
            // 7.4.1/7.4.2: 1004 reserved; 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close control
            // frame"; 0-999 unused; 1016-2999 for the RFC and extensions; 5000 up undefined.
            byte[] frame = close(code, "why").bytes();
            assertFails(defaults(), frame, 1002, frame.length - 1);
        }

        @ParameterizedTest
        @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
        void parsesValidCloseCodeWithReason(int code) {
            assertDecodes(defaults(), close(code, "bye \u20ac").bytes(), Event.close(code, "bye \u20ac"));
            assertDecodes(defaults(), close(code, "").bytes(), Event.close(code, ""));
        }

        @Test
        void acceptsCloseReasonOf123Bytes() {
            String reason = "r".repeat(120) + "\u20ac";
            assertDecodes(defaults(), close(1000, reason).bytes(), Event.close(1000, reason));
        }

        @Test
        void rejectsCloseReasonThatIsNotUtf8() {
            // 5.5.1: the reason is "UTF-8-encoded data"; 7.4.1: 1007.
            byte[] frame = close(1000, bytes('o', 'k', 0xC0, 0x80)).bytes();
            assertFails(defaults(), frame, 1007, frame.length - 1);
            byte[] truncated = close(1000, bytes('o', 'k', 0xE2, 0x82)).bytes();
            assertFails(defaults(), truncated, 1007, truncated.length - 1);
        }

        @Test
        void ignoresBytesAfterCloseFrame() {
            // 5.5.1: "The application MUST NOT send any more data frames after sending a Close frame"; whatever follows is not read:
            // a valid frame, an unmasked frame, a reserved opcode, a bad continuation.
            byte[] wire = concat(
                    wire(text("before"), close(1000, "done"), text("after"), ping(utf8("p"))),
                    bytes(0x81, 0x05, 'h', 'e', 'l', 'l', 'o', 0x83, 0x80, 0x80, 0xFF, 0xFF, 0xFF));
            assertDecodes(defaults(), wire, Event.text("before"), Event.close(1000, "done"));
        }

        @Test
        void closeFrameWithStatusMayFollowFragments() {
            assertDecodes(defaults(), wire(binary(pattern(3)).fin(false), ping(NO_BYTES), continuation(pattern(1)), close(4000, "")),
                    Event.ping(NO_BYTES), Event.binary(concat(pattern(3), pattern(1))), Event.close(4000, ""));
        }
    }

    @Nested
    class Lengths {

        static IntStream lengths() {
            return IntStream.of(0, 1, 125, 126, 65535, 65536, 3 * 1024 * 1024 + 17);
        }

        @ParameterizedTest
        @MethodSource("lengths")
        void decodesTextOfEveryLengthForm(int length) {
            String text = textOfUtf8Length(length);
            assertEquals(length, utf8(text).length);
            assertDecodes(defaults(), text(text).bytes(), Event.text(text));
        }

        @ParameterizedTest
        @MethodSource("lengths")
        void decodesBinaryOfEveryLengthForm(int length) {
            assertDecodes(defaults(), binary(pattern(length)).bytes(), Event.binary(pattern(length)));
        }

        @Test
        void decodesManyMessagesInOneBuffer() {
            Random random = new Random(17);
            List<ClientFrames.Frame> frames = new ArrayList<>();
            List<Event> expected = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                switch (i % 4) {
                    case 0 -> {
                        String t = "message " + i + " \u20ac";
                        frames.add(text(t).key(random.nextInt()));
                        expected.add(Event.text(t));
                    }
                    case 1 -> {
                        byte[] b = pattern(i % 130);
                        frames.add(binary(b).key(random.nextInt()));
                        expected.add(Event.binary(b));
                    }
                    case 2 -> {
                        frames.add(ping(pattern(i % 7)).key(random.nextInt()));
                        expected.add(Event.ping(pattern(i % 7)));
                    }
                    default -> {
                        frames.add(text("").key(random.nextInt()));
                        expected.add(Event.text(""));
                    }
                }
            }
            assertDecodes(defaults(), wire(frames.toArray(new ClientFrames.Frame[0])), expected);
        }

        @Test
        @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // fails at 5 s even if the decoder never returns
        void assemblesTenThousandOneByteFragments() {
            List<ClientFrames.Frame> frames = new ArrayList<>();
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                String one = String.valueOf((char) ('a' + i % 26));
                expected.append(one);
                frames.add((i == 0 ? text(one) : continuation(one)).fin(i == 9_999).key(i * 0x01010101));
            }
            assertDecodes(defaults(), wire(frames.toArray(new ClientFrames.Frame[0])), Event.text(expected.toString()));
        }

        @Test
        @Timeout(value = 5, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // fails at 5 s even if the decoder never returns
        void assemblesLargeFragmentedMessageInLinearTime() {
            // 10,000 one-byte fragments copy too little to show quadratic growth; 10,000 fragments of 1 KiB
            // (10 MiB) would copy some 50 GB if each fragment copied the message so far.
            byte[] fragment = pattern(1024);
            byte[][] frames = new byte[10_000][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = (i == 0 ? binary(fragment) : continuation(fragment)).fin(i == frames.length - 1).bytes();
            }
            byte[] wire = concat(frames);
            byte[] expected = new byte[1024 * 10_000];
            for (int i = 0; i < 10_000; i++) {
                System.arraycopy(fragment, 0, expected, i * 1024, 1024);
            }
            for (Feeding feeding : List.of(Feeding.whole(), Feeding.at(1, wire.length / 2, wire.length - 1), Feeding.chunks(1500))) {
                Outcome outcome = FrameDecoderSplitTest.run(defaults(), wire, feeding);
                assertEquals(List.of(Event.binary(expected)), outcome.events(), feeding.name() + ": " + outcome);
            }
        }
    }

    @Test
    void decoderConsumesNothingPastTheLimit() {
        // Bytes past the buffer's limit belong to someone else: a valid frame whose trailing garbage is outside.
        byte[] frame = text("ok").bytes();
        byte[] array = concat(bytes(0xFF, 0xFF), frame, bytes(0x00, 0xFF, 0xFF));
        FrameDecoderSplitTest.Recorder recorder = new FrameDecoderSplitTest.Recorder();
        FrameDecoder decoder = new FrameDecoder(1000, 1000, 100_000, recorder, null);
        ByteBuffer in = ByteBuffer.wrap(array, 2, frame.length);
        decoder.decode(in);
        assertEquals(in.limit(), in.position());
        assertEquals(List.of(Event.text("ok")), recorder.events);
    }
}
