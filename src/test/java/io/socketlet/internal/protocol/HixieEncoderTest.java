package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the server writes on the legacy roads (draft-hixie-76 section 5.2, "Data framing", server
 * side): a text message is {@code 0x00}, its UTF-8, {@code 0xFF}; the close is {@code 0xFF 0x00};
 * the drafts have no binary messages, no ping, no pong.
 */
class HixieEncoderTest {

    private final HixieEncoder encoder = new HixieEncoder();

    private static byte[] joined(ByteBuffer[] frame) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : frame) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        return HexFormat.ofDelimiter(" ").parseHex(hex);
    }

    @Test
    void framesAsciiTextAs0x00Utf80xFF() {
        assertArrayEquals(hex("00 48 65 6c 6c 6f ff"), joined(encoder.text("Hello")));
    }

    @Test
    void framesMultiByteTextAsItsUtf8() {
        // é = C3 A9, € = E2 82 AC, U+1F600 = F0 9F 98 80
        assertArrayEquals(hex("00 c3 a9 e2 82 ac f0 9f 98 80 ff"), joined(encoder.text("é€\uD83D\uDE00")));
    }

    @Test
    void framesTheEmptyText() {
        assertArrayEquals(hex("00 ff"), joined(encoder.text("")));
    }

    @Test
    void takesAnyCharSequence() {
        assertArrayEquals(hex("00 61 62 ff"), joined(encoder.text(new StringBuilder("ab"))));
    }

    @Test
    void aLoneSurrogateNeverPutsA0xFFInsideTheFrame() {
        // UTF-8 never contains 0xFF, so the frame needs no escaping; a lone surrogate is no exception.
        byte[] frame = joined(encoder.text("a\uD800b\uDFFF"));
        assertEquals(0x00, frame[0]);
        assertEquals((byte) 0xFF, frame[frame.length - 1]);
        for (int i = 1; i < frame.length - 1; i++) {
            assertNotEquals((byte) 0xFF, frame[i], "0xFF inside the frame at " + i);
        }
        assertTrue(Utf8Validator.isValid(frame, 1, frame.length - 2), "the frame's text is UTF-8");
    }

    @Test
    void returnsANewBufferPerFrameReadyToWrite() {
        ByteBuffer[] first = encoder.text("same");
        ByteBuffer[] second = encoder.text("same");
        for (ByteBuffer[] frame : List.of(first, second)) {
            assertEquals(1, frame.length);
            assertEquals(0, frame[0].position());
            assertEquals(6, frame[0].remaining());
        }
        first[0].put(1, (byte) 'X');
        assertArrayEquals(hex("00 73 61 6d 65 ff"), joined(second), "frames share no bytes");
    }

    @Test
    void closesWith0xFF0x00DroppingCodeAndReason() {
        // The drafts' close carries no status: whatever the application asked for, two bytes go out.
        assertArrayEquals(hex("ff 00"), joined(encoder.close(1000, "")));
        assertArrayEquals(hex("ff 00"), joined(encoder.close(1009, "Message exceeds the limit")));
        assertArrayEquals(hex("ff 00"), joined(encoder.close(4000, "κόσμε")));
    }

    @Test
    void eachCloseIsItsOwnBuffer() {
        ByteBuffer[] first = encoder.close(1000, "");
        first[0].put(0, (byte) 0x00);
        assertArrayEquals(hex("ff 00"), joined(encoder.close(1000, "")), "the close bytes are not shared");
    }

    @Test
    void refusesBinaryWithAClearException() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> encoder.binary(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        String message = e.getMessage().toLowerCase(Locale.ROOT);
        assertTrue(message.contains("binary") && message.contains("hixie"), e.getMessage());
    }

    @Test
    void refusesAnEmptyBinaryToo() {
        assertThrows(UnsupportedOperationException.class, () -> encoder.binary(ByteBuffer.allocate(0)));
    }

    @Test
    void refusesPingWithAClearException() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> encoder.ping(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))));
        String message = e.getMessage().toLowerCase(Locale.ROOT);
        assertTrue(message.contains("ping") && message.contains("hixie"), e.getMessage());
    }

    @Test
    void hasNoPong() {
        assertNull(encoder.pong(new byte[] {1, 2}));
        assertNull(encoder.pong(new byte[0]));
    }

    @Test
    void whatItWritesTheDecoderReadsBack() {
        Random random = new Random(75);
        String[] pieces = {"a", " ", "é", "€", "中", "\uD83D\uDE00", "\u0000", "\u007F", "\uFFFD", "\uD7FF", "\uE000"};
        List<String> sent = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = random.nextInt(20); n > 0; n--) {
                sb.append(pieces[random.nextInt(pieces.length)]);
            }
            sent.add(sb.toString());
            wire.writeBytes(joined(encoder.text(sb)));
        }
        wire.writeBytes(joined(encoder.close(1000, "bye")));
        HixieFeeder.Recorder recorder = new HixieFeeder.Recorder();
        new HixieDecoder(1 << 20, recorder, null).decode(ByteBuffer.wrap(wire.toByteArray()));
        List<String> expected = new ArrayList<>();
        sent.forEach(s -> expected.add("text:" + s));
        expected.add("close:1005:");
        assertEquals(expected, recorder.events);
    }
}
