package io.socketlet;

import io.socketlet.internal.protocol.PreparedFrames;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A message to send to many connections, encoded once: {@link WebSocket#send(PreparedMessage)}
 * on a thousand connections costs one UTF-8 encoding and one frame, shared by every connection
 * whose wire format matches, instead of a thousand of each. Immutable and thread-safe; build it
 * once, send it anywhere, keep it as long as you like.
 *
 * <p>Which connections share the encoded frame: every RFC 6455 connection without
 * permessage-deflate; every one with permessage-deflate when the message is below its
 * {@code compressionThreshold} (it goes uncompressed anyway); every one that negotiated
 * {@code server_no_context_takeover} (the message is compressed once, by a fresh compressor,
 * which is exactly what such a connection would send); and every hixie connection (text). A
 * connection whose compressor keeps context across messages (the default when the client allows
 * it) compresses the message itself, as {@link WebSocket#sendText} would: its compressed bytes
 * depend on what it sent before. Set {@code compressionContextTakeover=false} to make every
 * compressed broadcast compress once.
 */
public final class PreparedMessage extends PreparedFrames {

    private final String text;

    private PreparedMessage(String text) {
        super(true, text.getBytes(StandardCharsets.UTF_8));
        this.text = text;
    }

    private PreparedMessage(byte[] data) {
        super(false, data);
        this.text = null;
    }

    /**
     * A text message.
     *
     * @param text the message, not null; may be empty
     * @return the prepared message
     */
    public static PreparedMessage text(CharSequence text) {
        return new PreparedMessage(text.toString());
    }

    /**
     * A binary message of the bytes between the buffer's position and limit, copied now.
     *
     * @param data the bytes; its position is not moved
     * @return the prepared message
     */
    public static PreparedMessage binary(ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return new PreparedMessage(copy);
    }

    /**
     * A binary message; the array is copied now.
     *
     * @param data the bytes, the whole array
     * @return the prepared message
     */
    public static PreparedMessage binary(byte[] data) {
        return new PreparedMessage(data.clone());
    }

    /**
     * The text of a text message.
     *
     * @return the text as given to {@link #text(CharSequence)}
     * @throws IllegalStateException for a binary message
     */
    public String text() {
        if (text == null) {
            throw new IllegalStateException("a binary message has no text");
        }
        return text;
    }

    /**
     * The bytes of a binary message, read-only.
     *
     * @return a new read-only buffer over the message, position zero
     * @throws IllegalStateException for a text message
     */
    public ByteBuffer binary() {
        if (text != null) {
            throw new IllegalStateException("a text message: use text()");
        }
        return ByteBuffer.wrap(payload()).asReadOnlyBuffer();
    }

    @Override
    public String toString() {
        return "PreparedMessage[" + (isText() ? "text" : "binary") + ", " + size() + " bytes]";
    }
}
