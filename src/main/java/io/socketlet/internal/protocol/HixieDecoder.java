package io.socketlet.internal.protocol;

import io.socketlet.CloseCodes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Reads the legacy drafts' framing (draft-hixie-thewebsocketprotocol-75 and -76), incrementally:
 * a text frame is {@code 0x00}, UTF-8, {@code 0xFF}; a frame type with the high bit set is
 * followed by a length (7 bits per byte, high bit meaning "more") and that many bytes, which are
 * discarded, except {@code 0xFF 0x00}, the closing handshake (-76).
 *
 * <p>For -76 it first collects the 8 challenge bytes that follow the request headers and hands
 * them to the connection, which answers them before any message.
 *
 * <p>A text frame has no length up front, so the message size limit is enforced while scanning
 * for its {@code 0xFF}, never by buffering without bound.
 */
public final class HixieDecoder implements Decoder {

    /** hixie-76 section 5.2: "the last eight bytes of the client's handshake". */
    public static final int KEY3_LENGTH = 8;

    private static final int CHALLENGE = 0;
    private static final int FRAME_TYPE = 1;
    private static final int TEXT = 2;
    private static final int DISCARD_TEXT = 3;
    private static final int LENGTH = 4;
    private static final int DISCARD_BINARY = 5;
    private static final int CLOSED = 6;

    private final int maxMessageSize;
    private final MessageListener listener;
    private final Consumer<byte[]> onKey3;
    private final Utf8Validator utf8 = new Utf8Validator();

    private int state;
    private byte[] key3;
    private int key3Length;
    private byte[] text;
    private int textLength;
    private int frameType;
    private long length;

    /**
     * @param onKey3 receives the 8 challenge bytes (hixie-76), or null for hixie-75, which has none
     */
    public HixieDecoder(int maxMessageSize, MessageListener listener, Consumer<byte[]> onKey3) {
        this.maxMessageSize = maxMessageSize;
        this.listener = listener;
        this.onKey3 = onKey3;
        this.state = onKey3 == null ? FRAME_TYPE : CHALLENGE;
    }

    @Override
    public void decode(ByteBuffer in) {
        byte[] a = in.array();
        int pos = in.arrayOffset() + in.position();
        int end = in.arrayOffset() + in.limit();
        in.position(in.limit());
        while (pos < end) {
            switch (state) {
                case CHALLENGE -> pos = challenge(a, pos, end);
                case FRAME_TYPE -> frameType(a[pos++] & 0xff);
                case TEXT -> pos = text(a, pos, end);
                case DISCARD_TEXT -> pos = discardText(a, pos, end);
                case LENGTH -> lengthByte(a[pos++] & 0xff);
                case DISCARD_BINARY -> pos = discardBinary(pos, end);
                default -> pos = end;
            }
        }
    }

    private int challenge(byte[] a, int pos, int end) {
        if (key3 == null) {
            key3 = new byte[KEY3_LENGTH];
        }
        int n = Math.min(KEY3_LENGTH - key3Length, end - pos);
        System.arraycopy(a, pos, key3, key3Length, n);
        key3Length += n;
        if (key3Length == KEY3_LENGTH) {
            state = FRAME_TYPE;
            onKey3.accept(key3);
            key3 = null;
        }
        return pos + n;
    }

    private void frameType(int type) {
        frameType = type;
        if ((type & 0x80) == 0) {
            // "If the high-order bit of the /frame type/ byte is _not_ set": bytes up to 0xFF;
            // only type 0x00 carries text, others are read and discarded.
            if (type == 0x00) {
                textLength = 0;
                utf8.reset();
                state = TEXT;
            } else {
                state = DISCARD_TEXT;
            }
        } else {
            length = 0;
            state = LENGTH;
        }
    }

    private int text(byte[] a, int pos, int end) {
        int stop = pos;
        while (stop < end && a[stop] != (byte) 0xff) {
            stop++;
        }
        int n = stop - pos;
        // Validate what fits under the limit first, so the verdict does not depend on how TCP split the input.
        int fits = (int) Math.min(n, (long) maxMessageSize - textLength);
        if (fits > 0 && !utf8.feed(a, pos, fits)) {
            throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "Invalid UTF-8 in text message");
        }
        if (n > fits) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "Message exceeds the limit of " + maxMessageSize + " bytes");
        }
        if (n > 0) {
            append(a, pos, n);
        }
        if (stop < end) {
            if (!utf8.isComplete()) {
                throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "Text message ends inside a UTF-8 sequence");
            }
            String message = textLength == 0 ? "" : new String(text, 0, textLength, StandardCharsets.UTF_8);
            text = null;
            state = FRAME_TYPE;
            listener.onText(message);
            return stop + 1;
        }
        return stop;
    }

    private void append(byte[] a, int off, int n) {
        if (text == null) {
            text = new byte[Math.max(n, Math.min(1024, maxMessageSize))];
        } else if (text.length < textLength + n) {
            text = Arrays.copyOf(text, (int) Math.min(maxMessageSize, Math.max(textLength + n, (long) text.length * 2)));
        }
        System.arraycopy(a, off, text, textLength, n);
        textLength += n;
    }

    private int discardText(byte[] a, int pos, int end) {
        while (pos < end) {
            if (a[pos++] == (byte) 0xff) {
                state = FRAME_TYPE;
                break;
            }
        }
        return pos;
    }

    private void lengthByte(int b) {
        if (length > Integer.MAX_VALUE) {
            // Skipping is cheap, but a length beyond any sane frame is an attack, not a message.
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "Length-prefixed frame too long");
        }
        length = length * 128 + (b & 0x7f);
        if ((b & 0x80) != 0) {
            return;
        }
        if (frameType == 0xff && length == 0) {
            // "0xFF 0x00": the closing handshake.
            state = CLOSED;
            listener.onClose(new CloseStatus(CloseCodes.NO_STATUS, ""));
        } else {
            state = length == 0 ? FRAME_TYPE : DISCARD_BINARY;
        }
    }

    private int discardBinary(int pos, int end) {
        int n = (int) Math.min(length, end - pos);
        length -= n;
        if (length == 0) {
            state = FRAME_TYPE;
        }
        return pos + n;
    }
}
