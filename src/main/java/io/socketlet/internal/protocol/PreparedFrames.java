package io.socketlet.internal.protocol;

import java.nio.ByteBuffer;

/**
 * One data message encoded once per wire format and shared by every connection that sends it:
 * the engine's half of {@link io.socketlet.PreparedMessage} (which extends this class, so that the
 * wire formats stay out of the public API). Each format is encoded on first use, at most once
 * (a race encodes twice and keeps one, harmlessly), and handed out as fresh
 * {@link ByteBuffer#duplicate() duplicates}: positions are per connection, the bytes are shared
 * and never written to.
 *
 * <p>Formats: the RFC 6455 frame uncompressed; the RFC 6455 frame compressed by a fresh
 * compressor (valid only for connections whose compressor starts afresh with every message,
 * i.e. {@code server_no_context_takeover}, where it is byte for byte what that connection's own
 * compressor would produce); and the hixie text frame. An {@link Encoder} picks the one that fits
 * its connection, or none ({@link Encoder#prepared}).
 */
public abstract class PreparedFrames {

    private final boolean text;
    /** UTF-8 for a text message; owned by this object, never written after construction. */
    private final byte[] payload;
    private volatile ByteBuffer[] rfc6455;
    private volatile ByteBuffer[] rfc6455Compressed;
    private volatile ByteBuffer[] hixie;

    protected PreparedFrames(boolean text, byte[] payload) {
        this.text = text;
        this.payload = payload;
    }

    /** Whether this is a text message (else binary). */
    public final boolean isText() {
        return text;
    }

    /** Payload bytes (UTF-8 for text), before any compression. */
    public final int size() {
        return payload.length;
    }

    /** The payload; callers must not write to it. */
    protected final byte[] payload() {
        return payload;
    }

    ByteBuffer[] rfc6455() {
        ByteBuffer[] frame = rfc6455;
        if (frame == null) {
            // frame() copies small payloads behind their header and wraps large ones as they are:
            // either way nothing of ours is written to afterwards.
            frame = FrameEncoder.frame(text ? Opcode.TEXT : Opcode.BINARY, payload, 0, payload.length, false);
            rfc6455 = frame;
        }
        return duplicates(frame);
    }

    ByteBuffer[] rfc6455Compressed() {
        ByteBuffer[] frame = rfc6455Compressed;
        if (frame == null) {
            MessageDeflater fresh = new MessageDeflater(false);
            try {
                byte[] compressed = fresh.compress(payload, 0, payload.length);
                frame = FrameEncoder.frame(text ? Opcode.TEXT : Opcode.BINARY, compressed, 0, compressed.length, true);
            } finally {
                fresh.release();
            }
            rfc6455Compressed = frame;
        }
        return duplicates(frame);
    }

    /** @throws UnsupportedOperationException for a binary message: hixie has none */
    ByteBuffer[] hixie() {
        if (!text) {
            throw new UnsupportedOperationException("A hixie (legacy WebSocket) connection cannot carry binary messages");
        }
        ByteBuffer[] frame = hixie;
        if (frame == null) {
            frame = HixieEncoder.textFrame(payload);
            hixie = frame;
        }
        return duplicates(frame);
    }

    private static ByteBuffer[] duplicates(ByteBuffer[] frame) {
        ByteBuffer[] copy = new ByteBuffer[frame.length];
        for (int i = 0; i < frame.length; i++) {
            copy[i] = frame[i].duplicate();
        }
        return copy;
    }
}
