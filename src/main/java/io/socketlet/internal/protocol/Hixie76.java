package io.socketlet.internal.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The draft-hixie-76 handshake challenge (draft-hixie-thewebsocketprotocol-76, section 5.2).
 *
 * <p>The client sends two keys, {@code Sec-WebSocket-Key1} and {@code -Key2}, each a number
 * times a count of spaces hidden among random characters, and 8 raw bytes after the headers;
 * the server proves it read them by answering with the 16-byte MD5 of the two numbers and the
 * 8 bytes, sent raw after its own headers.
 */
public final class Hixie76 {

    private static final long MAX_UINT32 = 0xFFFF_FFFFL;

    private Hixie76() {
    }

    /**
     * A key's number: its digits "interpreted as a base ten integer, ignoring all other
     * characters", divided by its count of U+0020 SPACE characters.
     *
     * @throws IllegalArgumentException with a one-line reason if the key has no spaces or no
     *     digits, the number is not an exact multiple of the spaces, or the number or the
     *     quotient does not fit in 32 bits unsigned
     */
    public static long keyNumber(String key) {
        long number = 0;
        int digits = 0;
        int spaces = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c >= '0' && c <= '9') {
                number = number * 10 + (c - '0');
                digits++;
                // Checked at every digit, so the long never overflows however many digits come.
                if (number > MAX_UINT32) {
                    throw new IllegalArgumentException("key number does not fit in 32 bits");
                }
            } else if (c == ' ') {
                spaces++;
            }
        }
        if (digits == 0) {
            throw new IllegalArgumentException("key has no digits");
        }
        // "If either /spaces_1/ or /spaces_2/ is zero, then abort": "a symptom of a cross-protocol attack".
        if (spaces == 0) {
            throw new IllegalArgumentException("key has no spaces");
        }
        // "If /key-number_1/ is not an integral multiple of /spaces_1/, then abort the WebSocket connection."
        if (number % spaces != 0) {
            throw new IllegalArgumentException("key number " + number + " is not a multiple of its " + spaces + " spaces");
        }
        // Never more than the number itself, so it fits in 32 bits too.
        return number / spaces;
    }

    /**
     * The 16-byte answer: MD5 over key1's number and key2's number, each as a 4-byte big-endian
     * integer, followed by the 8 key bytes.
     *
     * @throws IllegalArgumentException if a key is refused by {@link #keyNumber} or
     *     {@code key3} is not 8 bytes
     */
    public static byte[] challengeResponse(String key1, String key2, byte[] key3) {
        if (key3.length != 8) {
            throw new IllegalArgumentException("key3 must be 8 bytes, not " + key3.length);
        }
        byte[] challenge = new byte[16];
        putInt(challenge, 0, keyNumber(key1));
        putInt(challenge, 4, keyNumber(key2));
        System.arraycopy(key3, 0, challenge, 8, 8);
        try {
            return MessageDigest.getInstance("MD5").digest(challenge);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support MD5", e);
        }
    }

    private static void putInt(byte[] b, int at, long value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }
}
