package io.socketlet.internal.protocol;

import io.socketlet.CloseCodes;

import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses incoming permessage-deflate messages (RFC 7692 section 7.2.2) while their frames
 * arrive, never holding more than the message size limit: a small frame that would inflate to
 * gigabytes is refused with 1009 as soon as its output passes the limit. A corrupt stream is 1007.
 *
 * <p>The {@link Inflater} (native memory) is created on the first compressed message and, when
 * the client agreed to no context takeover, dropped after each message; {@link #release} frees it.
 */
public final class MessageInflater {

    /** "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message." */
    private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    private final boolean contextTakeover;
    private final int maxMessageSize;
    private Inflater inflater;
    private byte[] out;
    private int size;
    /** Compressed bytes of the current message so far (the tail excluded). */
    private long compressedBytes;

    public MessageInflater(boolean contextTakeover, int maxMessageSize) {
        this.contextTakeover = contextTakeover;
        this.maxMessageSize = maxMessageSize;
    }

    /** Starts a compressed message. */
    void begin() {
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        out = null;
        size = 0;
        compressedBytes = 0;
    }

    /** Inflates a piece of the message's payload; all of it is consumed before returning. */
    void inflate(byte[] a, int off, int len) {
        compressedBytes += len;
        inflater.setInput(a, off, len);
        drain();
        // "The next DEFLATE block follows the padded data if any": after a final block the stream
        // starts afresh, so what follows is inflated by a reset inflater rather than dropped.
        while (inflater.finished() && inflater.getRemaining() > 0) {
            int rest = inflater.getRemaining();
            inflater.reset();
            inflater.setInput(a, off + len - rest, rest);
            drain();
        }
    }

    /** Ends the message: inflates the implied tail, returns the decompressed bytes (array, length {@link #size()}). */
    byte[] finish() {
        if (compressedBytes == 0) {
            // A compressed message with no payload at all: empty. Feeding the tail alone would
            // leave the inflater inside a half-read stored block and break the next message.
            out = null;
            if (!contextTakeover) {
                inflater.end();
                inflater = null;
            }
            return new byte[0];
        }
        if (!inflater.finished()) {
            inflate(TAIL, 0, TAIL.length);
        }
        // else the data ended with a BFINAL block (RFC 7692 7.2.3.4 allows it, e.g. from a compressor
        // that can only finish()): that ends the DEFLATE stream, so the tail is not data. Inflated as
        // the start of a new stream it would leave the inflater inside a stored block's header and
        // corrupt the next message.
        byte[] result = out == null ? new byte[0] : out;
        out = null;
        if (inflater.finished()) {
            // The next message starts a new stream. A new stream starts with an empty window (RFC 1951:
            // no distance reaches back before a stream's start), so after a BFINAL block there is no
            // context to take over, whatever was negotiated: the client's compressor had to restart too.
            inflater.reset();
        }
        if (!contextTakeover) {
            inflater.end();
            inflater = null;
        }
        return result;
    }

    /** The current message's output buffer (valid up to {@link #size()}); null before any output. */
    byte[] buffer() {
        return out;
    }

    /** Bytes of the message decompressed so far. */
    int size() {
        return size;
    }

    private void drain() {
        try {
            while (true) {
                if (out == null) {
                    out = new byte[Math.min(maxMessageSize, 8192)];
                } else if (size == out.length) {
                    if (size >= maxMessageSize) {
                        // Output is full at the limit: fine if the rest of the input inflates to nothing
                        // (such as the 00 00 ff ff tail), too big if it yields one byte more.
                        if (!hasPendingOutput()) {
                            return;
                        }
                        throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "Decompressed message exceeds the limit of " + maxMessageSize + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(maxMessageSize, (long) out.length * 2));
                }
                int n = inflater.inflate(out, size, out.length - size);
                size += n;
                if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                    return;
                }
                if (inflater.needsDictionary()) {
                    throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "Compressed message asks for a preset dictionary");
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "Invalid compressed data: " + e.getMessage());
        }
    }

    /** Whether the inflater would still produce output: probed with a one-byte scratch buffer. */
    private boolean hasPendingOutput() {
        try {
            byte[] probe = new byte[1];
            while (true) {
                if (inflater.inflate(probe) > 0) {
                    return true;
                }
                if (inflater.needsInput() || inflater.finished() || inflater.needsDictionary()) {
                    return false;
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "Invalid compressed data: " + e.getMessage());
        }
    }

    /** Frees the native decompressor; idempotent. */
    public void release() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        out = null;
    }
}
