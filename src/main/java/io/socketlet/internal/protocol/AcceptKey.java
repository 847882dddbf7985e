package io.socketlet.internal.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The Sec-WebSocket-Accept value of RFC 6455 section 4.2.2: "the base64-encoded SHA-1 of the
 * concatenation of the |Sec-WebSocket-Key| (as a string, not base64-decoded) with the string
 * '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'".
 */
public final class AcceptKey {

    /** The GUID of RFC 6455 section 1.3, "which is unlikely to be used by network endpoints that do not understand the WebSocket Protocol". */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private AcceptKey() {
    }

    /**
     * The Sec-WebSocket-Accept value for a Sec-WebSocket-Key, used as given: the caller trims
     * and validates the header (a base64 value of 16 bytes) first.
     */
    public static String of(String secWebSocketKey) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-1", e);
        }
        // A valid key is base64 text, so ASCII is its encoding; the GUID is ASCII too.
        byte[] digest = sha1.digest((secWebSocketKey + GUID).getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(digest);
    }
}
