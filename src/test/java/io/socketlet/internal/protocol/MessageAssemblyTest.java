package io.socketlet.internal.protocol;

import static io.socketlet.internal.protocol.FrameDecoderSplitTest.assertDecodes;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.assertFails;
import static io.socketlet.internal.protocol.FrameDecoderSplitTest.defaults;

import io.socketlet.internal.protocol.FrameDecoderSplitTest.Event;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Data payloads reach the {@link MessageAssembler} still masked and are unmasked in the copy
 * that assembles the message (one pass); a message in one frame gets its final-size buffer
 * early instead of a copy at every doubling. Every test feeds the input whole, split at every
 * header byte and a sample of payload bytes, and one byte at a time (the split harness), with
 * keys whose bytes all differ, so a key byte applied at the wrong offset shows.
 */
class MessageAssemblyTest {

    private static final int KEY = 0x9A3C_51E7;

    private static byte[] random(int n, long seed) {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void oneFrameBinaryLargerThanTheFirstBufferDecodesAtAnySplit() {
        // 200 KiB: past the 64 KiB first buffer, so the buffer jumps to the final size mid-frame.
        byte[] data = random(200 * 1024 + 3, 1);
        assertDecodes(defaults(), ClientFrames.binary(data).key(KEY).bytes(), Event.binary(data));
    }

    @Test
    void oneFrameBinaryWholeInOneReadIsACopyTheInputCannotChange() {
        // The harness scribbles over each piece after decode: a message still pointing into the
        // input, or unmasked there and then copied, would show the scribble or the mask.
        byte[] data = random(1000, 2);
        byte[] second = random(77, 3);
        assertDecodes(defaults(), ClientFrames.wire(ClientFrames.binary(data).key(KEY), ClientFrames.binary(second).key(~KEY)),
                Event.binary(data), Event.binary(second));
    }

    @Test
    void fragmentedBinaryWhoseLastFragmentIsLargeDecodesAtAnySplit() {
        // The final size is known only from the last fragment's header; the fragments before grow by doubling.
        byte[] first = random(70_001, 4);
        byte[] middle = random(5, 5);
        byte[] last = random(150_000, 6);
        byte[] wire = ClientFrames.wire(
                ClientFrames.binary(first).fin(false).key(KEY),
                ClientFrames.continuation(middle).fin(false).key(0x0102_0304),
                ClientFrames.continuation(last).key(~KEY));
        assertDecodes(defaults(), wire, Event.binary(ClientFrames.concat(first, middle, last)));
    }

    @Test
    void largeTextInOneFrameIsUnmaskedThenValidatedAtAnySplit() {
        StringBuilder sb = new StringBuilder();
        Random r = new Random(7);
        while (sb.length() < 90_000) {
            sb.append(switch (r.nextInt(4)) {
                case 0 -> "a";
                case 1 -> "\u00e9";
                case 2 -> "\u20ac";
                default -> "\ud83d\ude00";
            });
        }
        String text = sb.toString();
        assertDecodes(defaults(), ClientFrames.text(text).key(KEY).bytes(), Event.text(text));
    }

    @Test
    void invalidUtf8DeepInALargeFrameFailsWith1007AtItsByte() {
        byte[] utf8 = "x".repeat(100_000).getBytes(StandardCharsets.UTF_8);
        utf8[80_000] = (byte) 0xFF; // never valid in UTF-8
        byte[] wire = ClientFrames.text(utf8).key(KEY).bytes();
        int header = 2 + 8 + 4; // 64-bit length form, key
        assertFails(defaults(), wire, 1007, header + 80_000);
    }
}
