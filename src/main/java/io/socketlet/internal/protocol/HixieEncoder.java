package io.socketlet.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the legacy drafts' frames: text as {@code 0x00}, UTF-8, {@code 0xFF} (UTF-8 never
 * contains the byte 0xFF, so no escaping is needed), and the closing frame {@code 0xFF 0x00}.
 * The drafts have no binary messages, no ping and no close status.
 */
public final class HixieEncoder implements Encoder {

    private static final byte[] CLOSE = {(byte) 0xff, 0x00};

    @Override
    public ByteBuffer[] text(CharSequence text) {
        return textFrame(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code 0x00}, the UTF-8 bytes (copied), {@code 0xFF}. */
    static ByteBuffer[] textFrame(byte[] utf8) {
        byte[] frame = new byte[utf8.length + 2];
        frame[0] = 0x00;
        System.arraycopy(utf8, 0, frame, 1, utf8.length);
        frame[frame.length - 1] = (byte) 0xff;
        return new ByteBuffer[] {ByteBuffer.wrap(frame)};
    }

    @Override
    public ByteBuffer[] prepared(PreparedFrames message) {
        return message.hixie();
    }

    @Override
    public ByteBuffer[] binary(ByteBuffer data) {
        throw new UnsupportedOperationException("A hixie (legacy WebSocket) connection cannot carry binary messages");
    }

    @Override
    public ByteBuffer[] ping(ByteBuffer payload) {
        throw new UnsupportedOperationException("A hixie (legacy WebSocket) connection has no ping");
    }

    @Override
    public ByteBuffer[] pong(byte[] payload) {
        return null;
    }

    @Override
    public ByteBuffer[] close(int code, String reason) {
        return new ByteBuffer[] {ByteBuffer.wrap(CLOSE.clone())};
    }
}
