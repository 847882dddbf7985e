package io.socketlet.internal.protocol;

import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Compresses outgoing messages for permessage-deflate (RFC 7692 section 7.2.1): DEFLATE with a
 * sync flush, the trailing {@code 00 00 ff ff} removed. With context takeover the compressor
 * keeps its window across messages (better ratios, about 256 KiB of native memory held); without
 * it the compressor is ended after each message, so none is held between messages.
 *
 * <p>The {@link Deflater} lives outside the heap and is created on the first compressed message,
 * so a connection that only sends small messages costs nothing; {@link #release} frees it, and
 * the connection calls it however it closes. Not thread-safe: the send queue calls it in order.
 */
public final class MessageDeflater {

    private static final byte[] EMPTY = new byte[0];

    private final boolean contextTakeover;
    private Deflater deflater;
    private boolean released;

    public MessageDeflater(boolean contextTakeover) {
        this.contextTakeover = contextTakeover;
    }

    /** Whether the compressor keeps its window from one message to the next. */
    public boolean contextTakeover() {
        return contextTakeover;
    }

    /** The compressed payload of one message, without the {@code 00 00 ff ff} tail. */
    public byte[] compress(byte[] data, int off, int len) {
        if (released) {
            throw new IllegalStateException("compressor released");
        }
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        deflater.setInput(data, off, len);
        byte[] out = new byte[Math.max(64, len / 2 + 16)];
        int size = 0;
        while (true) {
            size += deflater.deflate(out, size, out.length - size, Deflater.SYNC_FLUSH);
            if (size < out.length) {
                break; // "Flush": everything is out once the output was not filled
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        if (contextTakeover) {
            deflater.setInput(EMPTY); // the Deflater would otherwise keep the message reachable until the next one
        } else {
            // No compressor outlives a message: its ~256 KiB of native memory goes back at once.
            deflater.end();
            deflater = null;
        }
        // "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
        int trimmed = size >= 4 && out[size - 4] == 0 && out[size - 3] == 0 && out[size - 2] == (byte) 0xff
                && out[size - 1] == (byte) 0xff ? size - 4 : size;
        if (trimmed == 0) {
            // An empty message is "a single 0x00 octet" (RFC 7692 section 7.2.3.6), never an empty payload.
            return new byte[1];
        }
        return Arrays.copyOf(out, trimmed);
    }

    /** Frees the native compressor; idempotent. */
    public void release() {
        released = true;
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
    }
}
