package io.socketlet.bench.client;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * A large binary payload, made once, and the same payload masked with a few keys, so that the
 * client pays nothing per message for masking 1 MiB: each message is the masked template with
 * its first 8 bytes (the message's sequence number) masked on the fly. The server still sees a
 * different key from frame to frame (one of four, in turn), and unmasks every byte.
 */
public final class MaskedTemplate {

    public static final int PREFIX = 8;

    private final ByteBuffer plain;
    private final int[] keys = new int[4];
    private final ByteBuffer[] masked = new ByteBuffer[4];

    public MaskedTemplate(int length, long seed) {
        if (length < PREFIX) {
            throw new IllegalArgumentException("template shorter than its prefix");
        }
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        plain = ByteBuffer.allocateDirect(length);
        plain.put(bytes).flip();
        for (int k = 0; k < keys.length; k++) {
            int key = random.nextInt() | 0x01010101; // no zero key bytes, so masking visibly changes every byte
            keys[k] = key;
            ByteBuffer m = ByteBuffer.allocateDirect(length);
            for (int i = 0; i < length; i++) {
                m.put((byte) (bytes[i] ^ (key >>> (24 - ((i & 3) << 3)))));
            }
            masked[k] = m.flip();
        }
    }

    public int length() {
        return plain.capacity();
    }

    int key(int index) {
        return keys[index & 3];
    }

    /** The masked bytes from the prefix on, as a fresh view. */
    ByteBuffer masked(int index) {
        return masked[index & 3].duplicate().position(PREFIX);
    }

    /** The unmasked bytes {@code [from, from + n)}, as a fresh view. */
    public ByteBuffer plain(long from, int n) {
        return plain.slice((int) from, n);
    }
}
