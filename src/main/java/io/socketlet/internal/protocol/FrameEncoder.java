package io.socketlet.internal.protocol;

import io.socketlet.CloseCodes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes RFC 6455 frames from the server: unmasked ("A server MUST NOT mask any frames"), the
 * length in its minimal encoding. A message is encoded as one frame (FIN set); the send queue
 * may then split a large one into fragments ({@link #fragments}) so that control frames can go
 * between them.
 */
public final class FrameEncoder implements Encoder {

    /** Payloads below this are copied behind their header into one array; larger ones travel as their own buffer. */
    private static final int COPY_LIMIT = 4096;

    /**
     * Messages with a larger payload leave in fragments of at most this many bytes (RFC 6455
     * section 5.4): a pong or a close then waits behind one fragment, not behind a whole 16 MiB
     * message in flight to a slow reader.
     */
    public static final int MAX_FRAGMENT_PAYLOAD = 1024 * 1024;

    private final MessageDeflater deflater;
    private final int compressionThreshold;
    /** Whether the deflater starts afresh with every message (server_no_context_takeover). */
    private final boolean freshCompressorPerMessage;

    /** An encoder without compression. */
    public FrameEncoder() {
        this(null, 0);
    }

    /**
     * @param deflater permessage-deflate's compressor when negotiated, or null
     * @param compressionThreshold messages shorter than this go uncompressed: below a few hundred
     *                             bytes deflate saves little and costs CPU
     */
    public FrameEncoder(MessageDeflater deflater, int compressionThreshold) {
        this.deflater = deflater;
        this.compressionThreshold = compressionThreshold;
        this.freshCompressorPerMessage = deflater != null && !deflater.contextTakeover();
    }

    /**
     * Uncompressed, the shared frame fits every connection. Compressed, only a connection whose
     * compressor starts afresh with each message produces the shared compressed frame's very
     * bytes; one that keeps context (the default) must compress the message itself.
     */
    @Override
    public ByteBuffer[] prepared(PreparedFrames message) {
        if (deflater == null || message.size() < compressionThreshold) {
            return message.rfc6455();
        }
        return freshCompressorPerMessage ? message.rfc6455Compressed() : null;
    }

    /**
     * The JDK's encoder, then a copy behind the header: encoding straight into the frame array
     * (a char loop to size it, another to encode) was measured slower for short ASCII text than
     * the JDK's vectorized {@code getBytes} plus one small copy (bench/notes.md).
     */
    @Override
    public ByteBuffer[] text(CharSequence text) {
        byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
        return data(Opcode.TEXT, utf8, 0, utf8.length);
    }

    @Override
    public ByteBuffer[] binary(ByteBuffer data) {
        int length = data.remaining();
        if (deflater != null && length >= compressionThreshold) {
            byte[] copy = new byte[length];
            data.duplicate().get(copy);
            return data(Opcode.BINARY, copy, 0, length);
        }
        byte[] frame = new byte[headerLength(length) + length];
        int header = writeHeader(frame, 0, true, false, Opcode.BINARY, length);
        data.duplicate().get(frame, header, length);
        return new ByteBuffer[] {ByteBuffer.wrap(frame)};
    }

    /**
     * Large and uncompressed: the header in an array of its own and a view of the caller's
     * buffer, written as one gathering write. Below {@link #COPY_LIMIT} one array of header and
     * payload is cheaper than two buffers, and a compressed message is new bytes anyway.
     */
    @Override
    public ByteBuffer[] binaryNoCopy(ByteBuffer data) {
        int length = data.remaining();
        if (length < COPY_LIMIT || (deflater != null && length >= compressionThreshold)) {
            return binary(data);
        }
        byte[] header = new byte[headerLength(length)];
        writeHeader(header, 0, true, false, Opcode.BINARY, length);
        return new ByteBuffer[] {ByteBuffer.wrap(header), data.slice()};
    }

    /** A data message, compressed (RSV1 set, RFC 7692) when the extension is on and it is large enough. */
    private ByteBuffer[] data(int opcode, byte[] payload, int off, int len) {
        if (deflater != null && len >= compressionThreshold) {
            byte[] compressed = deflater.compress(payload, off, len);
            return frame(opcode, compressed, 0, compressed.length, true);
        }
        return frame(opcode, payload, off, len, false);
    }

    @Override
    public void release() {
        if (deflater != null) {
            deflater.release();
        }
    }

    @Override
    public ByteBuffer[] ping(ByteBuffer payload) {
        return control(Opcode.PING, payload);
    }

    @Override
    public ByteBuffer[] pong(byte[] payload) {
        return control(Opcode.PONG, ByteBuffer.wrap(payload));
    }

    /** A close frame; code 1005 ("no status") means an empty payload, the echo of a close that had none. */
    @Override
    public ByteBuffer[] close(int code, String reason) {
        byte[] payload = code == CloseCodes.NO_STATUS ? new byte[0] : CloseStatus.payload(code, reason);
        return frame(Opcode.CLOSE, payload, 0, payload.length, false);
    }

    private static ByteBuffer[] control(int opcode, ByteBuffer payload) {
        if (payload.remaining() > FrameHeader.MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("A control frame's payload is at most 125 bytes, was " + payload.remaining());
        }
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return frame(opcode, bytes, 0, bytes.length, false);
    }

    /** One whole frame of the given payload, which the caller hands over (it is not copied when large). */
    public static ByteBuffer[] frame(int opcode, byte[] payload, int off, int len, boolean rsv1) {
        int headerLength = headerLength(len);
        if (len < COPY_LIMIT) {
            byte[] frame = new byte[headerLength + len];
            writeHeader(frame, 0, true, rsv1, opcode, len);
            System.arraycopy(payload, off, frame, headerLength, len);
            return new ByteBuffer[] {ByteBuffer.wrap(frame)};
        }
        byte[] header = new byte[headerLength];
        writeHeader(header, 0, true, rsv1, opcode, len);
        return new ByteBuffer[] {ByteBuffer.wrap(header), ByteBuffer.wrap(payload, off, len)};
    }

    /** Messages over {@link #MAX_FRAGMENT_PAYLOAD} bytes leave in fragments of that size. */
    @Override
    public ByteBuffer[][] fragments(ByteBuffer[] frame, long size) {
        return size <= MAX_FRAGMENT_PAYLOAD ? null : split(frame, MAX_FRAGMENT_PAYLOAD);
    }

    /**
     * Splits one whole data frame as this encoder writes it (unmasked, FIN set) into fragments of
     * at most {@code maxPayload} bytes, or returns null when it is not larger than that. The first
     * fragment keeps the opcode and RSV1 (permessage-deflate marks a compressed message on its
     * first frame only, RFC 7692 section 6.1), the others are continuations, the last has FIN.
     * Payloads are views of the frame's buffers, not copies: an application's buffer handed over
     * by {@code sendBinaryNoCopy} stays the only copy.
     *
     * @param frame a frame returned by this encoder's data methods; its positions are not moved
     * @return each fragment's buffers (a header array, then views of the payload), in order
     */
    public static ByteBuffer[][] split(ByteBuffer[] frame, int maxPayload) {
        ByteBuffer first = frame[0];
        int at = first.position();
        int b0 = first.get(at) & 0xff;
        int b1 = first.get(at + 1) & 0x7f;
        long payloadLength;
        int headerLength;
        if (b1 < FrameHeader.LENGTH_16_BIT) {
            return null; // at most 125 bytes
        } else if (b1 == FrameHeader.LENGTH_16_BIT) {
            payloadLength = ((first.get(at + 2) & 0xff) << 8) | (first.get(at + 3) & 0xff);
            headerLength = 4;
        } else {
            payloadLength = first.getLong(at + 2);
            headerLength = 10;
        }
        if (payloadLength <= maxPayload || (b0 & FrameHeader.FIN) == 0) {
            return null;
        }
        int opcode = b0 & 0x0f;
        boolean rsv1 = (b0 & FrameHeader.RSV1) != 0;
        ByteBuffer[][] fragments = new ByteBuffer[(int) ((payloadLength + maxPayload - 1) / maxPayload)][];
        int index = 0;
        int position = at + headerLength; // in frame[index]
        long left = payloadLength;
        for (int f = 0; f < fragments.length; f++) {
            int length = (int) Math.min(maxPayload, left);
            left -= length;
            byte[] header = new byte[headerLength(length)];
            writeHeader(header, 0, left == 0, f == 0 && rsv1, f == 0 ? opcode : Opcode.CONTINUATION, length);
            List<ByteBuffer> parts = new ArrayList<>(3);
            parts.add(ByteBuffer.wrap(header));
            int need = length;
            while (need > 0) {
                ByteBuffer source = frame[index];
                int available = source.limit() - position;
                if (available == 0) {
                    index++;
                    position = frame[index].position();
                    continue;
                }
                int n = Math.min(available, need);
                parts.add(source.slice(position, n));
                position += n;
                need -= n;
            }
            fragments[f] = parts.toArray(new ByteBuffer[0]);
        }
        return fragments;
    }

    /** Bytes of an unmasked frame header for this payload length: 2, 4 or 10. */
    public static int headerLength(long payloadLength) {
        return payloadLength < FrameHeader.LENGTH_16_BIT ? 2 : payloadLength <= FrameHeader.MAX_16_BIT_LENGTH ? 4 : 10;
    }

    /** Writes an unmasked frame header at dst[off]; returns its length. */
    public static int writeHeader(byte[] dst, int off, boolean fin, boolean rsv1, int opcode, long payloadLength) {
        dst[off] = (byte) ((fin ? FrameHeader.FIN : 0) | (rsv1 ? FrameHeader.RSV1 : 0) | opcode);
        if (payloadLength < FrameHeader.LENGTH_16_BIT) {
            dst[off + 1] = (byte) payloadLength;
            return 2;
        }
        if (payloadLength <= FrameHeader.MAX_16_BIT_LENGTH) {
            dst[off + 1] = FrameHeader.LENGTH_16_BIT;
            dst[off + 2] = (byte) (payloadLength >>> 8);
            dst[off + 3] = (byte) payloadLength;
            return 4;
        }
        dst[off + 1] = FrameHeader.LENGTH_64_BIT;
        for (int i = 0; i < 8; i++) {
            dst[off + 2 + i] = (byte) (payloadLength >>> (56 - 8 * i));
        }
        return 10;
    }
}
