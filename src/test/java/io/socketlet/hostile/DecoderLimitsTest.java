package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.Frame;
import io.socketlet.internal.protocol.CloseStatus;
import io.socketlet.internal.protocol.FrameDecoder;
import io.socketlet.internal.protocol.MessageInflater;
import io.socketlet.internal.protocol.MessageListener;
import io.socketlet.internal.protocol.ProtocolException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The decoder's limits against the attacks that broke other servers, without a container: a
 * 64-bit length with the top bit set (Tomcat CVE-2020-13935), a huge declared length, a deflate
 * bomb (Netty 4.1.122), and floods of empty fragments (ws 8.21.0). Each must be refused at once,
 * without holding memory of the announced or inflated size.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DecoderLimitsTest {

    private static final int KIB = 1024;

    /** Records what reached the application. */
    static final class Events implements MessageListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onText(String text) {
            seen.add("text(" + text.length() + ")");
        }

        @Override
        public void onBinary(ByteBuffer data) {
            seen.add("binary(" + data.remaining() + ")");
        }

        @Override
        public void onPing(byte[] payload) {
            seen.add("ping");
        }

        @Override
        public void onPong(byte[] payload) {
            seen.add("pong");
        }

        @Override
        public void onClose(CloseStatus status) {
            seen.add("close " + status.code());
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void lengthWithTheTopBitSetIs1002AtThatByte() {
        // 2^63: 127, then 80 00 00 00 00 00 00 00
        byte[] header = Frame.binary(new byte[0]).declaredLength(Long.MIN_VALUE).header();
        FrameDecoderPropertiesTest.HeaderResult r = FrameDecoderPropertiesTest.feedHeaderByteByByte(header, 1 << 20);
        assertEquals(1002, r.code(), r.toString());
        assertEquals(2, r.failedAtByte(), "refused at the first byte of the 64-bit length: " + r);
    }

    @Test
    void lengthOf2To62Is1009OnceTheLengthIsRead() {
        byte[] header = Frame.binary(new byte[0]).declaredLength(1L << 62).header();
        long before = allocatedBytes();
        FrameDecoderPropertiesTest.HeaderResult r = FrameDecoderPropertiesTest.feedHeaderByteByByte(header, 1 << 20);
        long allocated = allocatedBytes() - before;
        assertEquals(1009, r.code(), r.toString());
        assertEquals(9, r.failedAtByte(), "refused at the last length byte, before the mask and any payload: " + r);
        assertTrue(allocated < 1 << 20, "decoding the header allocated " + allocated + " bytes");
    }

    /**
     * One frame of about 1 MiB of deflate data that inflates to 1 GiB of zeros, to a decoder
     * with maxMessageSize 2 MiB (so the frame's own header is acceptable and the inflater must
     * stop it): 1009 after a few KiB of input, allocating nothing like 1 GiB.
     */
    @Test
    void deflateBombInOneFrameIs1009WithoutInflatingIt() throws Exception {
        byte[] bomb = Bombs.zeros(1024);
        long inflated = Bombs.inflatedSize(bomb);
        assertTrue(inflated >= (1L << 30), "the bomb should inflate to 1 GiB, inflates to " + inflated);
        assertBombRefused(List.of(Frame.binary(bomb).rsv(4)), 2 << 20, inflated);
    }

    /**
     * The same bomb in fragments of 16 KiB, each under maxMessageSize 64 KiB: no header is
     * refusable, only the inflated size is.
     */
    @Test
    void fragmentedDeflateBombIs1009WithoutInflatingIt() throws Exception {
        byte[] bomb = Bombs.zeros(1025);
        long inflated = Bombs.inflatedSize(bomb);
        assertTrue(inflated > (1L << 30), "the bomb should inflate past 1 GiB, inflates to " + inflated);
        List<Frame> frames = new ArrayList<>();
        for (int off = 0; off < bomb.length; off += 16 * KIB) {
            byte[] piece = Arrays.copyOfRange(bomb, off, Math.min(bomb.length, off + 16 * KIB));
            boolean last = off + 16 * KIB >= bomb.length;
            frames.add(off == 0 ? Frame.binary(piece).rsv(4).fin(last) : Frame.continuation(piece).fin(last));
        }
        assertBombRefused(frames, 64 * KIB, inflated);
    }

    /** Feeds each frame's header alone (it must be accepted), then its payload in 4 KiB pieces, until the decoder refuses. */
    private static void assertBombRefused(List<Frame> frames, int maxMessage, long inflated) {
        Events events = new Events();
        FrameDecoder decoder = new FrameDecoder(4 << 20, maxMessage, 100_000, events, new MessageInflater(true, maxMessage));
        long before = allocatedBytes();
        long payloadFed = 0;
        ProtocolException failure = null;
        outer:
        for (Frame f : frames) {
            byte[] bytes = f.bytes();
            int headerLength = f.header().length;
            decoder.decode(ByteBuffer.wrap(Arrays.copyOf(bytes, headerLength))); // a header under the limits: accepted
            for (int off = headerLength; off < bytes.length; off += 4 * KIB) {
                int n = Math.min(4 * KIB, bytes.length - off);
                try {
                    decoder.decode(ByteBuffer.wrap(Arrays.copyOfRange(bytes, off, off + n)));
                    payloadFed += n;
                } catch (ProtocolException e) {
                    failure = e;
                    break outer;
                }
            }
        }
        long allocated = allocatedBytes() - before;
        decoder.release();
        assertTrue(failure != null, "a bomb inflating to " + inflated + " bytes was accepted with maxMessageSize " + maxMessage
                + "; events " + events.seen);
        assertEquals(1009, failure.closeCode(), failure.toString());
        assertTrue(events.seen.isEmpty(), "nothing reaches the application: " + events.seen);
        assertTrue(payloadFed < 64 * KIB, "refused only after " + payloadFed + " compressed bytes");
        assertTrue(allocated < 8L * maxMessage + (8 << 20), "refusing the bomb allocated " + (allocated >> 10)
                + " KiB (maxMessageSize " + (maxMessage >> 10) + " KiB)");
    }

    /** Control: a message of exactly maxMessageSize is allowed when not compressed... */
    @Test
    void uncompressedMessageOfExactlyMaxMessageSizeIsAccepted() {
        Events events = new Events();
        FrameDecoder decoder = new FrameDecoder(64 * KIB, 64 * KIB, 100_000, events, null);
        decoder.decode(ByteBuffer.wrap(Frame.binary(new byte[64 * KIB]).bytes()));
        assertEquals(List.of("binary(65536)"), events.seen);
    }

    /**
     * ...and so it must be when compressed: the limit is on the message's size, "a larger message
     * (all fragments, or inflated size) closes with 1009" (README settings table).
     */
    @Test
    void compressedMessageInflatingToExactlyMaxMessageSizeIsAccepted() {
        byte[] data = FrameDecoderPropertiesTest.randomUtf8(new java.util.Random(7), 64 * KIB);
        data = java.util.Arrays.copyOf(data, 64 * KIB); // compressible, exactly 65536 bytes
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] payload = FrameDecoderPropertiesTest.deflate(d, data);
        d.end();
        Events events = new Events();
        FrameDecoder decoder = new FrameDecoder(1 << 20, 64 * KIB, 100_000, events, new MessageInflater(true, 64 * KIB));
        try {
            decoder.decode(ByteBuffer.wrap(Frame.binary(payload).rsv(4).bytes()));
        } catch (ProtocolException e) {
            throw new AssertionError("a compressed message inflating to exactly maxMessageSize (65536) was refused: "
                    + e.closeCode() + " " + e.getMessage(), e);
        }
        assertEquals(List.of("binary(65536)"), events.seen);
    }

    /**
     * Random bytes grow a little when deflated (stored blocks: 65536 bytes become 65541 on the
     * wire). The message is still 65536 bytes, within the limit; only its inflated size should
     * count, as the README says ("a larger message (all fragments, or inflated size)").
     */
    @Test
    void incompressibleMessageOfExactlyMaxMessageSizeIsAccepted() {
        byte[] data = new byte[64 * KIB];
        new java.util.Random(7).nextBytes(data);
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] payload = FrameDecoderPropertiesTest.deflate(d, data);
        d.end();
        Events events = new Events();
        FrameDecoder decoder = new FrameDecoder(1 << 20, 64 * KIB, 100_000, events, new MessageInflater(true, 64 * KIB));
        try {
            decoder.decode(ByteBuffer.wrap(Frame.binary(payload).rsv(4).bytes()));
        } catch (ProtocolException e) {
            throw new AssertionError("a 65536-byte message (maxMessageSize 65536) sent compressed as " + payload.length
                    + " bytes was refused: " + e.closeCode() + " " + e.getMessage(), e);
        }
        assertEquals(List.of("binary(65536)"), events.seen);
    }

    @Test
    void compressedMessageOneByteOverMaxMessageSizeIs1009() {
        byte[] data = new byte[64 * KIB + 1];
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] payload = FrameDecoderPropertiesTest.deflate(d, data);
        d.end();
        FrameDecoder decoder = new FrameDecoder(1 << 20, 64 * KIB, 100_000, new Events(), new MessageInflater(true, 64 * KIB));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> decoder.decode(ByteBuffer.wrap(Frame.binary(payload).rsv(4).bytes())));
        assertEquals(1009, e.closeCode());
    }

    @Test
    void floodOfEmptyContinuationFramesIs1009AtMaxFragments() {
        int maxFragments = 1000;
        Events events = new Events();
        FrameDecoder decoder = new FrameDecoder(1 << 20, 1 << 20, maxFragments, events, null);
        decoder.decode(ByteBuffer.wrap(Frame.text("").fin(false).bytes()));
        byte[] empty = Frame.continuation(new byte[0]).fin(false).bytes();
        int accepted = 1;
        ProtocolException failure = null;
        long before = allocatedBytes();
        for (int i = 0; i < 100_000 && failure == null; i++) {
            try {
                decoder.decode(ByteBuffer.wrap(empty.clone()));
                accepted++;
            } catch (ProtocolException e) {
                failure = e;
            }
        }
        assertTrue(failure != null, "100,000 empty fragments were accepted with maxFragments " + maxFragments);
        assertEquals(1009, failure.closeCode(), failure.toString());
        assertEquals(maxFragments, accepted, "the fragment after the " + maxFragments + "th is refused");
        assertTrue(allocatedBytes() - before < 8L << 20, "empty fragments should cost no memory");
    }

    @Test
    void controlFramesInterleavedWithATinyFragmentFloodStillCountFragments() {
        Events events = new Events();
        FrameDecoder decoder = new FrameDecoder(1 << 20, 1 << 20, 10, events, null);
        decoder.decode(ByteBuffer.wrap(Frame.binary(new byte[] {1}).fin(false).bytes()));
        ProtocolException failure = null;
        for (int i = 0; i < 50 && failure == null; i++) {
            try {
                decoder.decode(ByteBuffer.wrap(Frame.ping(new byte[0]).bytes()));
                decoder.decode(ByteBuffer.wrap(Frame.continuation(new byte[] {2}).fin(false).bytes()));
            } catch (ProtocolException e) {
                failure = e;
            }
        }
        assertTrue(failure != null && failure.closeCode() == 1009, "maxFragments 10 with pings between: " + failure);
    }
}
