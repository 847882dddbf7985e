package io.socketlet.internal.protocol;

import java.nio.ByteBuffer;

/**
 * Turns messages into the bytes of one protocol road. Each method returns the buffers of one
 * frame, newly allocated and owned by the caller (the input is copied), ready to be written in
 * order.
 */
public interface Encoder {

    ByteBuffer[] text(CharSequence text);

    /** @throws UnsupportedOperationException if the protocol cannot carry binary messages */
    ByteBuffer[] binary(ByteBuffer data);

    /**
     * A binary message whose buffer the caller hands over: the frame may refer to its bytes
     * instead of copying them (the caller leaves them alone until the frame is written).
     *
     * @throws UnsupportedOperationException if the protocol cannot carry binary messages
     */
    default ByteBuffer[] binaryNoCopy(ByteBuffer data) {
        return binary(data);
    }

    /** @throws UnsupportedOperationException if the protocol has no ping */
    ByteBuffer[] ping(ByteBuffer payload);

    /** The answer to a ping; null if the protocol has none. */
    ByteBuffer[] pong(byte[] payload);

    /** The close frame (its status is dropped by protocols that cannot carry one). */
    ByteBuffer[] close(int code, String reason);

    /**
     * The shared frame of a message prepared once for many connections, if one fits this
     * connection: duplicates of buffers that must not be written to. Null when this connection
     * must encode the message itself (its compressor keeps context across messages).
     *
     * @throws UnsupportedOperationException if the protocol cannot carry the message (binary on hixie)
     */
    default ByteBuffer[] prepared(PreparedFrames message) {
        return null;
    }

    /**
     * The fragments a large data frame of this encoder leaves in, so that control frames can go
     * between them; null to send it whole (the default: the hixie drafts have no fragments).
     *
     * @param frame one frame returned by a data method of this encoder
     * @param size  the frame's bytes, header included (small frames are never split)
     */
    default ByteBuffer[][] fragments(ByteBuffer[] frame, long size) {
        return null;
    }

    /** Frees what the encoder holds outside the heap (a compressor); called once the connection ended. */
    default void release() {
    }
}
