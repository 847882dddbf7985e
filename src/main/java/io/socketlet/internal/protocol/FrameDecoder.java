package io.socketlet.internal.protocol;

import static io.socketlet.internal.protocol.FrameHeader.FIN;
import static io.socketlet.internal.protocol.FrameHeader.LENGTH_16_BIT;
import static io.socketlet.internal.protocol.FrameHeader.LENGTH_64_BIT;
import static io.socketlet.internal.protocol.FrameHeader.MASK;
import static io.socketlet.internal.protocol.FrameHeader.MAX_16_BIT_LENGTH;
import static io.socketlet.internal.protocol.FrameHeader.MAX_CONTROL_PAYLOAD;
import static io.socketlet.internal.protocol.FrameHeader.OPCODE;
import static io.socketlet.internal.protocol.FrameHeader.PAYLOAD_LENGTH;
import static io.socketlet.internal.protocol.FrameHeader.RSV1;
import static io.socketlet.internal.protocol.FrameHeader.RSV2;
import static io.socketlet.internal.protocol.FrameHeader.RSV3;
import static io.socketlet.internal.protocol.FrameHeader.TOP_BIT_OF_64_BIT_LENGTH;

import io.socketlet.CloseCodes;

import java.nio.ByteBuffer;

/**
 * Reads RFC 6455 frames from a client, incrementally: an explicit state machine (header, extended
 * length, masking key, payload) that never assumes a frame arrived whole, so input may be split at
 * any byte. Each rule of RFC 6455 section 5 is enforced at the earliest byte that breaks it, with
 * the close code section 7.4.1 gives. Data frames go to the {@link MessageAssembler}; control
 * frames (at most 125 bytes) are collected here and handed to the {@link MessageListener}.
 */
public final class FrameDecoder implements Decoder {

    private static final int FIRST_BYTE = 0;
    private static final int SECOND_BYTE = 1;
    private static final int EXTENDED_LENGTH = 2;
    private static final int MASKING_KEY = 3;
    private static final int PAYLOAD = 4;
    /** After the peer's close frame: "the endpoint MUST NOT send any more data frames"; we read nothing more either. */
    private static final int CLOSED = 5;

    private final int maxFrameSize;
    private final MessageAssembler assembler;
    private final MessageListener listener;
    private final boolean rsv1Allowed;
    private final MessageInflater inflater;

    private int state = FIRST_BYTE;
    private boolean fin;
    private boolean rsv1;
    private int opcode;
    private int lengthBytesLeft;
    private int extendedLengthForm;
    private long payloadLength;
    private int maskBytesLeft;
    private int mask;
    private int maskIndex;
    private long payloadLeft;

    /** A control frame's payload, collected across reads; allocated on the first control frame. */
    private byte[] control;
    private int controlLength;

    /**
     * @param maxFragments most frames one message may span: zero-length or one-byte fragments
     *                     cost a frame's work each while adding nothing, so their number is bounded
     * @param inflater permessage-deflate's decompressor when the extension was negotiated (RSV1 is
     *                 then allowed on a data message's first frame), or null
     */
    public FrameDecoder(int maxFrameSize, int maxMessageSize, int maxFragments, MessageListener listener,
                        MessageInflater inflater) {
        this.maxFrameSize = maxFrameSize;
        this.listener = listener;
        this.assembler = new MessageAssembler(maxMessageSize, maxFragments, listener, inflater);
        this.rsv1Allowed = inflater != null;
        this.inflater = inflater;
    }

    /** Ends decoding (later input is ignored, even the rest of a buffer being decoded) and frees the decompressor. */
    @Override
    public void release() {
        state = CLOSED;
        if (inflater != null) {
            inflater.release();
        }
    }

    @Override
    public void decode(ByteBuffer in) {
        byte[] a = in.array();
        int pos = in.arrayOffset() + in.position();
        int end = in.arrayOffset() + in.limit();
        in.position(in.limit());
        while (pos < end) {
            switch (state) {
                case FIRST_BYTE -> firstByte(a[pos++] & 0xff);
                case SECOND_BYTE -> secondByte(a[pos++] & 0xff);
                case EXTENDED_LENGTH -> extendedLengthByte(a[pos++] & 0xff);
                case MASKING_KEY -> maskingKeyByte(a[pos++] & 0xff);
                case PAYLOAD -> pos = payload(a, pos, end);
                default -> pos = end; // CLOSED: "frames after a close are ignored"
            }
        }
    }

    private void firstByte(int b) {
        fin = (b & FIN) != 0;
        rsv1 = (b & RSV1) != 0;
        opcode = b & OPCODE;
        // "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values."
        if ((b & (RSV2 | RSV3)) != 0) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "RSV2 or RSV3 set, but no extension defines them");
        }
        if (Opcode.isReserved(opcode)) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "Reserved opcode 0x" + Integer.toHexString(opcode));
        }
        boolean control = Opcode.isControl(opcode);
        if (rsv1 && (!rsv1Allowed || control || opcode == Opcode.CONTINUATION)) {
            // RFC 7692: RSV1 marks a compressed message on its first frame only, never on control frames.
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, rsv1Allowed
                    ? "RSV1 set on a " + (control ? "control" : "continuation") + " frame"
                    : "RSV1 set, but no extension was negotiated");
        }
        if (control) {
            // "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            if (!fin) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "Fragmented control frame");
            }
        } else if (opcode == Opcode.CONTINUATION) {
            if (!assembler.inMessage()) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "Continuation frame with no message to continue");
            }
        } else if (assembler.inMessage()) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "New data frame inside a fragmented message");
        }
        state = SECOND_BYTE;
    }

    private void secondByte(int b) {
        // "All frames sent from client to server have this bit set to 1."
        if ((b & MASK) == 0) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "Client frame is not masked");
        }
        int length = b & PAYLOAD_LENGTH;
        if (Opcode.isControl(opcode) && length > MAX_CONTROL_PAYLOAD) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "Control frame payload over 125 bytes");
        }
        payloadLength = 0;
        if (length == LENGTH_16_BIT) {
            lengthBytesLeft = 2;
            extendedLengthForm = 2;
            state = EXTENDED_LENGTH;
        } else if (length == LENGTH_64_BIT) {
            lengthBytesLeft = 8;
            extendedLengthForm = 8;
            state = EXTENDED_LENGTH;
        } else {
            payloadLength = length;
            lengthComplete();
        }
    }

    private void extendedLengthByte(int b) {
        // "the most significant bit MUST be 0": refused at the first byte, before any arithmetic on it.
        if (lengthBytesLeft == 8 && (b & TOP_BIT_OF_64_BIT_LENGTH) != 0) {
            throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "64-bit payload length with the most significant bit set");
        }
        payloadLength = (payloadLength << 8) | b;
        if (--lengthBytesLeft == 0) {
            // "the minimal number of bytes MUST be used to encode the length"
            long smallestForForm = extendedLengthForm == 2 ? LENGTH_16_BIT : MAX_16_BIT_LENGTH + 1;
            if (payloadLength < smallestForForm) {
                throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "Payload length " + payloadLength + " not in its minimal encoding");
            }
            lengthComplete();
        }
    }

    private void lengthComplete() {
        state = MASKING_KEY;
        maskBytesLeft = 4;
        mask = 0;
        if (!Opcode.isControl(opcode)) {
            // Compressed frames stream into the inflater, which bounds the message, so they may be
            // larger than their plain content: deflate expands incompressible data, by up to about
            // 1/8 + 1/64 with a small memLevel (zlib's conservative deflateBound; Python's
            // websockets sends 16 MiB of random bytes as 16.04 MiB).
            boolean compressed = rsv1 || (opcode == Opcode.CONTINUATION && assembler.isCompressed());
            long limit = compressed ? (long) maxFrameSize + (maxFrameSize >>> 3) + (maxFrameSize >>> 6) + 64 : maxFrameSize;
            if (payloadLength > limit) {
                throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "Frame of " + payloadLength + " bytes exceeds the limit of " + maxFrameSize);
            }
            // Decided from the header, before a byte of payload is held.
            assembler.onFrameStart(opcode, fin, rsv1, payloadLength);
        }
    }

    private void maskingKeyByte(int b) {
        mask = (mask << 8) | b;
        if (--maskBytesLeft == 0) {
            maskIndex = 0;
            payloadLeft = payloadLength;
            controlLength = 0;
            state = PAYLOAD;
            if (payloadLeft == 0) {
                frameComplete();
            }
        }
    }

    private int payload(byte[] a, int pos, int end) {
        int n = (int) Math.min(payloadLeft, end - pos);
        if (Opcode.isControl(opcode)) {
            if (control == null) {
                control = new byte[MAX_CONTROL_PAYLOAD];
            }
            System.arraycopy(a, pos, control, controlLength, n);
            maskIndex = Masking.unmask(control, controlLength, n, mask, maskIndex);
            controlLength += n;
        } else {
            // Data payloads go to the assembler still masked: it unmasks in the copy it makes anyway.
            if (n == payloadLength && fin && opcode != Opcode.CONTINUATION && !rsv1) {
                // A whole unfragmented message in this read: decoded straight from the input.
                state = FIRST_BYTE;
                assembler.onWholeMessage(a, pos, n, mask);
                return pos + n;
            }
            assembler.onPayload(a, pos, n, mask, maskIndex);
            maskIndex = (maskIndex + n) & 3;
        }
        payloadLeft -= n;
        if (payloadLeft == 0) {
            frameComplete();
        }
        return pos + n;
    }

    private void frameComplete() {
        state = FIRST_BYTE;
        switch (opcode) {
            case Opcode.PING -> listener.onPing(copyControl());
            case Opcode.PONG -> listener.onPong(copyControl());
            case Opcode.CLOSE -> {
                state = CLOSED;
                listener.onClose(CloseStatus.parse(control == null ? new byte[0] : control, 0, controlLength));
            }
            default -> assembler.onFrameEnd(fin);
        }
    }

    private byte[] copyControl() {
        byte[] copy = new byte[controlLength];
        if (controlLength > 0) {
            System.arraycopy(control, 0, copy, 0, controlLength);
        }
        return copy;
    }
}
