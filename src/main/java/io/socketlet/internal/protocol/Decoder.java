package io.socketlet.internal.protocol;

import java.nio.ByteBuffer;

/**
 * An incremental decoder for one connection's input: bytes in, in whatever pieces the network
 * delivers them, events out to a {@link MessageListener}.
 */
public interface Decoder {

    /**
     * Consumes every byte between the buffer's position and limit (the buffer is a heap buffer
     * lent for this call; the decoder may change its contents, for example to unmask in place).
     * Keeps whatever state an incomplete frame needs for the next call.
     *
     * @throws ProtocolException when the peer broke the protocol; the decoder is then unusable
     */
    void decode(ByteBuffer in);

    /** Frees what the decoder holds outside the heap (a decompressor); called once the connection ended. */
    default void release() {
    }
}
