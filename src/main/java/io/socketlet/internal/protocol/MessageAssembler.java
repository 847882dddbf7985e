package io.socketlet.internal.protocol;

import io.socketlet.CloseCodes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Joins the data frames of one message (RFC 6455 section 5.4), enforcing the message size limit
 * from each frame's header before its payload is held, and validating text as UTF-8 while it
 * arrives, so that invalid text fails at the first impossible byte, even in the first fragment
 * of a message whose end has not been sent yet (section 8.1).
 */
final class MessageAssembler {

    /** Frames up to this size get their whole buffer at once; larger ones grow it as bytes arrive. */
    private static final int EAGER_ALLOCATION = 64 * 1024;
    /** The buffer takes a known final message size once 1/this of it has arrived (see {@link #ensureCapacity}). */
    private static final int FINAL_SIZE_AFTER_SHARE = 16;

    private final int maxMessageSize;
    private final int maxFragments;
    private int fragments;
    private final MessageListener listener;
    private final Utf8Validator utf8 = new Utf8Validator();
    /** permessage-deflate, when negotiated; null otherwise. */
    private final MessageInflater inflater;
    private boolean compressed;

    private boolean inMessage;
    private boolean text;
    /** The message so far; null between messages, so an idle connection holds no buffer. */
    private byte[] buffer;
    private int size;
    /** The size the message will have when the current frame's payload has arrived. */
    private long frameEndSize;
    /** Whether the current frame ends the message, so that {@link #frameEndSize} is the final size. */
    private boolean finalFrame;

    MessageAssembler(int maxMessageSize, int maxFragments, MessageListener listener, MessageInflater inflater) {
        this.maxMessageSize = maxMessageSize;
        this.maxFragments = maxFragments;
        this.listener = listener;
        this.inflater = inflater;
    }

    /** Whether the message in progress is compressed (its first frame had RSV1). */
    boolean isCompressed() {
        return inMessage && compressed;
    }

    /** Whether a fragmented message has begun and not yet ended. */
    boolean inMessage() {
        return inMessage;
    }

    /** A data frame's header arrived; opcode is TEXT, BINARY or CONTINUATION (ordering already checked). */
    void onFrameStart(int opcode, boolean fin, boolean rsv1, long payloadLength) {
        if (opcode != Opcode.CONTINUATION) {
            inMessage = true;
            text = opcode == Opcode.TEXT;
            size = 0;
            fragments = 1;
            utf8.reset();
            // RFC 7692: RSV1 on a message's first frame marks the whole message compressed.
            compressed = rsv1;
            if (compressed) {
                inflater.begin();
            }
        } else if (++fragments > maxFragments) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "Message split into more than " + maxFragments + " fragments");
        }
        frameEndSize = size + payloadLength;
        // A compressed message is limited by its inflated size, which the inflater enforces as it goes.
        if (!compressed && frameEndSize > maxMessageSize) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "Message exceeds the limit of " + maxMessageSize + " bytes");
        }
        finalFrame = fin;
    }

    /**
     * Payload bytes of the current frame, still masked: {@code mask} is the frame's key and
     * {@code maskIndex} the key byte for {@code a[off]}. They are unmasked as they are copied into
     * the message, one pass over the bytes (compressed ones in place, before the inflater reads them).
     */
    void onPayload(byte[] a, int off, int len, int mask, int maskIndex) {
        if (compressed) {
            Masking.unmask(a, off, len, mask, maskIndex);
            int before = inflater.size();
            inflater.inflate(a, off, len);
            validateInflated(inflater.buffer(), before, inflater.size());
            return;
        }
        ensureCapacity(size + len);
        Masking.unmaskInto(a, off, buffer, size, len, mask, maskIndex);
        if (text && !utf8.feed(buffer, size, len)) {
            throw invalidUtf8();
        }
        size += len;
    }

    /** The current frame's payload has all arrived. */
    void onFrameEnd(boolean fin) {
        if (!fin) {
            return;
        }
        inMessage = false;
        if (compressed) {
            int before = inflater.size();
            buffer = inflater.finish();
            size = inflater.size();
            validateInflated(buffer, before, size);
        }
        if (text) {
            if (!utf8.isComplete()) {
                throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "Text message ends inside a UTF-8 sequence");
            }
            String message = size == 0 ? "" : new String(buffer, 0, size, StandardCharsets.UTF_8);
            buffer = null;
            listener.onText(message);
        } else {
            ByteBuffer message = size == 0 ? ByteBuffer.allocate(0) : ByteBuffer.wrap(buffer, 0, size);
            buffer = null;
            listener.onBinary(message);
        }
    }

    /**
     * An unfragmented message whose payload is whole in the input, still masked with
     * {@code mask} from its first byte: no reassembly buffer. Text is unmasked in place and
     * decoded from the input; binary is unmasked in the one copy the application gets.
     */
    void onWholeMessage(byte[] a, int off, int len, int mask) {
        inMessage = false;
        if (text) {
            Masking.unmask(a, off, len, mask, 0);
            if (!Utf8Validator.isValid(a, off, len)) {
                throw invalidUtf8();
            }
            listener.onText(new String(a, off, len, StandardCharsets.UTF_8));
        } else {
            byte[] message = new byte[len];
            Masking.unmaskInto(a, off, message, 0, len, mask, 0);
            listener.onBinary(ByteBuffer.wrap(message));
        }
    }

    /** Validates the text the inflater produced since {@code from}, so compressed text fails fast too. */
    private void validateInflated(byte[] inflated, int from, int to) {
        if (text && to > from && !utf8.feed(inflated, from, to - from)) {
            throw invalidUtf8();
        }
    }

    private static ProtocolException invalidUtf8() {
        return new ProtocolException(CloseCodes.INVALID_PAYLOAD, "Invalid UTF-8 in text message");
    }

    /**
     * Grows the buffer as bytes arrive (a header announcing a large frame holds no memory until
     * its payload comes), doubling so that many small fragments cost linear time. Once the last
     * frame's header has told the message's final size, the buffer jumps to that size as soon as
     * a sixteenth of it has arrived: a large message in one frame (the usual case) is copied
     * into its buffer once, not again at every doubling, while a peer still holds at most
     * sixteen bytes of ours per byte it sent.
     */
    private void ensureCapacity(int needed) {
        if (buffer != null && buffer.length >= needed) {
            return;
        }
        long grown;
        if (finalFrame) {
            grown = Math.min(frameEndSize, Math.max(EAGER_ALLOCATION, (long) needed * FINAL_SIZE_AFTER_SHARE));
        } else {
            grown = Math.min(maxMessageSize, buffer == null ? EAGER_ALLOCATION : (long) buffer.length * 2);
        }
        int capacity = (int) Math.max(needed, grown);
        buffer = buffer == null ? new byte[capacity] : Arrays.copyOf(buffer, capacity);
    }
}
