package io.socketlet.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One WebSocket frame as RFC 6455 section 5.2 draws it, built by hand so a test can send
 * anything, valid or not: any opcode, RSV bits, FIN, masked or not, the payload length in its
 * minimal form or forced into the 16- or 64-bit form, or a declared length that differs from
 * the payload actually sent (to send only the header of a huge frame).
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
 * </pre>
 *
 * Instances are mutable builders; {@link #bytes()} encodes.
 */
public final class Frame {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** How the payload length is written. */
    public enum LengthForm {
        /** 7-bit up to 125, 16-bit up to 65535, else 64-bit: what RFC 6455 says a sender MUST use. */
        MINIMAL,
        /** Always 126 + 16-bit, even for a short payload (legal to receive: the minimal rule binds senders). */
        FORCE_16,
        /** Always 127 + 64-bit. */
        FORCE_64
    }

    private boolean fin = true;
    private int rsv; // bits: 4 = RSV1, 2 = RSV2, 1 = RSV3
    private final int opcode;
    private boolean masked = true;
    private byte[] maskKey = randomMask();
    private final byte[] payload;
    private LengthForm lengthForm = LengthForm.MINIMAL;
    private Long declaredLength;

    private Frame(int opcode, byte[] payload) {
        this.opcode = opcode;
        this.payload = payload;
    }

    public static Frame of(int opcode, byte[] payload) {
        return new Frame(opcode, payload);
    }

    public static Frame text(String text) {
        return new Frame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Frame text(byte[] utf8) {
        return new Frame(TEXT, utf8);
    }

    public static Frame binary(byte[] data) {
        return new Frame(BINARY, data);
    }

    public static Frame continuation(String text) {
        return new Frame(CONTINUATION, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Frame continuation(byte[] data) {
        return new Frame(CONTINUATION, data);
    }

    public static Frame ping(byte[] data) {
        return new Frame(PING, data);
    }

    public static Frame pong(byte[] data) {
        return new Frame(PONG, data);
    }

    /** A close frame with a 2-byte code and a UTF-8 reason. */
    public static Frame close(int code, String reason) {
        return close(code, reason.getBytes(StandardCharsets.UTF_8));
    }

    /** A close frame with a 2-byte code and the reason bytes as given (maybe not UTF-8). */
    public static Frame close(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return new Frame(CLOSE, p);
    }

    /** A close frame whose payload is exactly these bytes (empty, 1 byte, ...). */
    public static Frame closeRaw(byte[] payload) {
        return new Frame(CLOSE, payload);
    }

    public Frame fin(boolean value) {
        this.fin = value;
        return this;
    }

    /** Sets the RSV bits: {@code 4} is RSV1, {@code 2} RSV2, {@code 1} RSV3. */
    public Frame rsv(int bits) {
        this.rsv = bits & 7;
        return this;
    }

    /** Sends the payload unmasked (a client MUST mask: the server must fail the connection). */
    public Frame unmasked() {
        this.masked = false;
        return this;
    }

    public Frame maskKey(byte[] key) {
        this.maskKey = key.clone();
        return this;
    }

    public Frame lengthForm(LengthForm form) {
        this.lengthForm = form;
        return this;
    }

    /**
     * Writes this length in the header instead of the payload's own (64-bit form when it does
     * not fit 16 bits; with the top bit set it is a value RFC 6455 forbids).
     */
    public Frame declaredLength(long length) {
        this.declaredLength = length;
        return this;
    }

    public int opcode() {
        return opcode;
    }

    public byte[] payload() {
        return payload.clone();
    }

    /** The header: first byte, length, extended length, mask key. */
    public byte[] header() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | (rsv << 4) | (opcode & 0x0f));
        long length = declaredLength != null ? declaredLength : payload.length;
        int maskBit = masked ? 0x80 : 0;
        boolean bigLength = length < 0 || length > 0xffff;
        if (lengthForm == LengthForm.FORCE_64 || bigLength) {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift));
            }
        } else if (lengthForm == LengthForm.FORCE_16 || length > 125) {
            out.write(maskBit | 126);
            out.write((int) (length >>> 8));
            out.write((int) length);
        } else {
            out.write(maskBit | (int) length);
        }
        if (masked) {
            out.write(maskKey, 0, 4);
        }
        return out.toByteArray();
    }

    /** The whole frame on the wire: header, then the payload, masked if the frame is masked. */
    public byte[] bytes() {
        byte[] header = header();
        byte[] out = Arrays.copyOf(header, header.length + payload.length);
        for (int i = 0; i < payload.length; i++) {
            out[header.length + i] = masked ? (byte) (payload[i] ^ maskKey[i & 3]) : payload[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return describe(fin, rsv, opcode, masked, payload)
                + (declaredLength != null ? " declaredLength=" + declaredLength : "")
                + (lengthForm != LengthForm.MINIMAL ? " " + lengthForm : "");
    }

    static String describe(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
        StringBuilder sb = new StringBuilder();
        sb.append(opcodeName(opcode)).append(fin ? "" : " FIN=0");
        if (rsv != 0) {
            sb.append(" RSV=").append(Integer.toBinaryString(rsv | 8).substring(1));
        }
        sb.append(masked ? " masked" : "");
        sb.append(" len=").append(payload.length);
        if (opcode == CLOSE && payload.length >= 2) {
            int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
            sb.append(" code=").append(code);
            if (payload.length > 2) {
                sb.append(" reason='").append(RawHttp.printable(Arrays.copyOfRange(payload, 2, payload.length))).append('\'');
            }
        } else if (payload.length > 0) {
            byte[] head = Arrays.copyOf(payload, Math.min(payload.length, 48));
            sb.append(" '").append(RawHttp.printable(head)).append(payload.length > 48 ? "...'" : "'");
        }
        return sb.toString();
    }

    static String opcodeName(int opcode) {
        return switch (opcode) {
            case CONTINUATION -> "CONT";
            case TEXT -> "TEXT";
            case BINARY -> "BINARY";
            case CLOSE -> "CLOSE";
            case PING -> "PING";
            case PONG -> "PONG";
            default -> String.format("OP_0x%X", opcode);
        };
    }

    private static byte[] randomMask() {
        byte[] key = new byte[4];
        ThreadLocalRandom.current().nextBytes(key);
        if (key[0] == 0 && key[1] == 0 && key[2] == 0 && key[3] == 0) {
            key[0] = 0x5a; // an all-zero key would hide a server that forgets to unmask
        }
        return key;
    }

    /** A frame as received from the server. */
    public record Received(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code, or -1 for a close frame without one. */
        public int closeCode() {
            if (opcode != CLOSE) {
                throw new IllegalStateException("not a close frame: " + this);
            }
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        @Override
        public String toString() {
            return describe(fin, rsv, opcode, masked, payload);
        }
    }
}
