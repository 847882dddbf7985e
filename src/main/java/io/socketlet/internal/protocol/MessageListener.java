package io.socketlet.internal.protocol;

import java.nio.ByteBuffer;

/**
 * What a decoder delivers: whole messages and control frames, already validated. Both protocol
 * roads (RFC 6455 frames and the hixie drafts' {@code 0x00 ... 0xFF} frames) speak this
 * interface, so the connection above them does not know which one it has.
 */
public interface MessageListener {

    /** A whole text message, UTF-8 validated. */
    void onText(String text);

    /** A whole binary message; the buffer is newly allocated and handed over. */
    void onBinary(ByteBuffer data);

    /** A ping; the payload (0-125 bytes) is a fresh copy. */
    void onPing(byte[] payload);

    /** A pong; the payload is a fresh copy. */
    void onPong(byte[] payload);

    /** The peer's close frame, its status already validated (1005 when it carried none). */
    void onClose(CloseStatus status);
}
