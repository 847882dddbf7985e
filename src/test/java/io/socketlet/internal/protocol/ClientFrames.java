package io.socketlet.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Client-to-server frames built by hand from the drawing in RFC 6455 section 5.2, so the decoder
 * is tested against the RFC and not against our own {@link FrameEncoder} or {@link Masking}.
 * Anything can be built, valid or not: any opcode, FIN, RSV bits, masked or not, the length in
 * its minimal form or forced into the 16- or 64-bit form, or a declared length that differs from
 * the payload (to send only the header of a huge frame).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 * |     Extended payload length continued, if payload len == 127  |
 * + - - - - - - - - - - - - - - - +-------------------------------+
 * |                               |Masking-key, if MASK set to 1  |
 * +-------------------------------+-------------------------------+
 * | Masking-key (continued)       |          Payload Data         |
 * +-------------------------------- - - - - - - - - - - - - - - - +
 * </pre>
 */
final class ClientFrames {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    static final int RSV1 = 0x40;
    static final int RSV2 = 0x20;
    static final int RSV3 = 0x10;

    /** The masking key of the RFC's own examples (section 5.7): 0x37 0xfa 0x21 0x3d. */
    static final byte[] RFC_KEY = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private ClientFrames() {
    }

    static Frame frame(int opcode, byte[] payload) {
        return new Frame(opcode, payload);
    }

    static Frame text(String text) {
        return new Frame(TEXT, utf8(text));
    }

    static Frame text(byte[] utf8) {
        return new Frame(TEXT, utf8);
    }

    static Frame binary(byte[] data) {
        return new Frame(BINARY, data);
    }

    static Frame continuation(String text) {
        return new Frame(CONTINUATION, utf8(text));
    }

    static Frame continuation(byte[] data) {
        return new Frame(CONTINUATION, data);
    }

    static Frame ping(byte[] data) {
        return new Frame(PING, data);
    }

    static Frame pong(byte[] data) {
        return new Frame(PONG, data);
    }

    /** A close frame: the 2-byte code in network byte order, then the reason bytes as given. */
    static Frame close(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return new Frame(CLOSE, p);
    }

    static Frame close(int code, String reason) {
        return close(code, utf8(reason));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** The bytes of all frames, one after another. */
    static byte[] wire(Frame... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(f.bytes());
        }
        return out.toByteArray();
    }

    /**
     * A message's payload compressed as RFC 7692 section 7.2.1 says, with the JDK's DEFLATE (not
     * our {@link MessageDeflater}): "Compress all the octets of the payload of the message using
     * DEFLATE", flushed to a byte boundary, and "Remove 4 octets (that are 0x00 0x00 0xff 0xff)
     * from the tail end".
     */
    static byte[] deflateMessage(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            byte[] out = new byte[data.length + data.length / 100 + 64];
            int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            if (n < 4 || out[n - 4] != 0 || out[n - 3] != 0 || out[n - 2] != (byte) 0xff || out[n - 1] != (byte) 0xff) {
                throw new IllegalStateException("sync flush did not end with 00 00 ff ff");
            }
            return Arrays.copyOf(out, n - 4);
        } finally {
            deflater.end();
        }
    }

    /** The bytes of a frame's buffers (as an encoder returns them) joined into one array. */
    static byte[] join(ByteBuffer[] buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    /**
     * Turns one unmasked frame, as a server sends it, into the frame a client would send: the
     * MASK bit set, the key after the length, the payload masked. The header is read from the
     * RFC's drawing, not by our decoder.
     */
    static byte[] maskServerFrame(byte[] frame, byte[] key) {
        int lengthCode = frame[1] & 0x7f;
        if ((frame[1] & 0x80) != 0) {
            throw new IllegalArgumentException("frame is already masked");
        }
        int headerLength = lengthCode == 126 ? 4 : lengthCode == 127 ? 10 : 2;
        byte[] out = new byte[frame.length + 4];
        System.arraycopy(frame, 0, out, 0, headerLength);
        out[1] |= (byte) 0x80;
        System.arraycopy(key, 0, out, headerLength, 4);
        for (int i = 0; i < frame.length - headerLength; i++) {
            out[headerLength + 4 + i] = (byte) (frame[headerLength + i] ^ key[i % 4]);
        }
        return out;
    }

    /** One frame; a mutable builder, {@link #bytes()} encodes it. */
    static final class Frame {

        private final int opcode;
        private final byte[] payload;
        private boolean fin = true;
        private int rsv;
        private boolean masked = true;
        private byte[] key = RFC_KEY;
        /** 7, 16 or 64: the smallest of these forms the length is written in. */
        private int minimumForm = 7;
        private Long declaredLength;

        private Frame(int opcode, byte[] payload) {
            this.opcode = opcode;
            this.payload = payload.clone();
        }

        Frame fin(boolean value) {
            this.fin = value;
            return this;
        }

        /** ORs RSV bits into the first byte: {@link #RSV1}, {@link #RSV2}, {@link #RSV3}. */
        Frame rsv(int bits) {
            this.rsv = bits & 0x70;
            return this;
        }

        /** Leaves the MASK bit clear and the payload as it is ("MUST" be set by a client). */
        Frame unmasked() {
            this.masked = false;
            return this;
        }

        Frame key(byte[] key4) {
            this.key = key4.clone();
            return this;
        }

        Frame key(int key) {
            return key(new byte[] {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key});
        }

        /** Writes the length in the 16-bit form even if it is under 126 (not minimal). */
        Frame length16() {
            this.minimumForm = 16;
            return this;
        }

        /** Writes the length in the 64-bit form even if it is under 65536 (not minimal). */
        Frame length64() {
            this.minimumForm = 64;
            return this;
        }

        /** Writes this length in the header instead of the payload's own. */
        Frame declaredLength(long length) {
            this.declaredLength = length;
            return this;
        }

        /** First byte, payload length, extended payload length and masking key. */
        byte[] header() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write((fin ? 0x80 : 0) | rsv | (opcode & 0x0f));
            long length = declaredLength != null ? declaredLength : payload.length;
            int maskBit = masked ? 0x80 : 0;
            if (minimumForm == 64 || length < 0 || length > 0xffff) {
                out.write(maskBit | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (length >>> shift));
                }
            } else if (minimumForm == 16 || length > 125) {
                out.write(maskBit | 126);
                out.write((int) (length >>> 8));
                out.write((int) length);
            } else {
                out.write(maskBit | (int) length);
            }
            if (masked) {
                out.write(key, 0, 4);
            }
            return out.toByteArray();
        }

        /**
         * Header and payload. "Octet i of the transformed data ("transformed-octet-i") is the XOR
         * of octet i of the original data ("original-octet-i") with octet at index i modulo 4 of
         * the masking key ("masking-key-octet-j")".
         */
        byte[] bytes() {
            byte[] header = header();
            byte[] out = Arrays.copyOf(header, header.length + payload.length);
            for (int i = 0; i < payload.length; i++) {
                out[header.length + i] = masked ? (byte) (payload[i] ^ key[i % 4]) : payload[i];
            }
            return out;
        }

        @Override
        public String toString() {
            return "opcode=" + opcode + " fin=" + fin + " rsv=" + Integer.toHexString(rsv) + " masked=" + masked
                    + " length=" + (declaredLength != null ? declaredLength : payload.length);
        }
    }
}
