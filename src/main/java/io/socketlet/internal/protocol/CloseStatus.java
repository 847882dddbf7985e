package io.socketlet.internal.protocol;

import static io.socketlet.CloseCodes.INVALID_PAYLOAD;
import static io.socketlet.CloseCodes.NO_STATUS;
import static io.socketlet.CloseCodes.PROTOCOL_ERROR;

import io.socketlet.CloseCodes;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A close frame's status (RFC 6455 sections 5.5.1 and 7.4): a code and a reason text.
 *
 * <p>Received without a body, it is code 1005 ("no status code was actually present") and an
 * empty reason; {@code reason} is never null.
 */
public record CloseStatus(int code, String reason) {

    /** "All control frames MUST have a payload length of 125 bytes or less", two of them the code. */
    public static final int MAX_REASON_BYTES = 123;

    public CloseStatus {
        reason = reason == null ? "" : reason;
    }

    /**
     * Whether the code may appear in a close frame on the wire: 1000-1003, 1007-1014 and
     * 3000-4999. 1004 is reserved, 1005 and 1006 "MUST NOT be set as a status code in a Close
     * control frame", 1015 is for TLS failures, and 0-999, 1016-2999 and 5000 up are not assigned
     * to anyone who could send them.
     */
    public static boolean isValidOnWire(int code) {
        return (code >= CloseCodes.NORMAL && code <= CloseCodes.UNSUPPORTED_DATA)
                || (code >= CloseCodes.INVALID_PAYLOAD && code <= CloseCodes.BAD_GATEWAY)
                || (code >= 3000 && code <= 4999); // registered (3xxx) and private (4xxx) codes
    }

    /**
     * Parses a received close payload.
     *
     * @return code 1005 with reason "" for an empty payload, else the code and reason sent
     * @throws ProtocolException 1002 for a one-byte payload or a code not valid on the wire,
     *     1007 for a reason that is not UTF-8
     */
    public static CloseStatus parse(byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        if (len == 0) {
            // "If this Close control frame contains no status code, _The WebSocket Connection Close Code_ is considered to be 1005."
            return new CloseStatus(NO_STATUS, "");
        }
        if (len == 1) {
            // "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer".
            throw new ProtocolException(PROTOCOL_ERROR, "close frame with a one-byte payload");
        }
        int code = ((payload[off] & 0xFF) << 8) | (payload[off + 1] & 0xFF);
        if (!isValidOnWire(code)) {
            throw new ProtocolException(PROTOCOL_ERROR, "invalid close code " + code);
        }
        // "the body MAY contain UTF-8-encoded data with value /reason/"; anything else is invalid text.
        if (!Utf8Validator.isValid(payload, off + 2, len - 2)) {
            throw new ProtocolException(INVALID_PAYLOAD, "close reason is not valid UTF-8");
        }
        return new CloseStatus(code, new String(payload, off + 2, len - 2, StandardCharsets.UTF_8));
    }

    /**
     * The payload of a close frame to send: the 2-byte code in network byte order, then the
     * reason in UTF-8, cut to at most {@link #MAX_REASON_BYTES} bytes at a character boundary.
     * A null reason is empty; an unpaired surrogate in it is sent as '?'.
     *
     * @throws IllegalArgumentException if {@code !isValidOnWire(code)}
     */
    public static byte[] payload(int code, String reason) {
        if (!isValidOnWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent in a close frame");
        }
        byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int n = text.length;
        if (n > MAX_REASON_BYTES) {
            n = MAX_REASON_BYTES;
            // If the first byte left out continues a character, that character goes too.
            while (n > 0 && (text[n] & 0xC0) == 0x80) {
                n--;
            }
        }
        byte[] out = new byte[2 + n];
        out[0] = (byte) (code >>> 8);
        out[1] = (byte) code;
        System.arraycopy(text, 0, out, 2, n);
        return out;
    }
}
