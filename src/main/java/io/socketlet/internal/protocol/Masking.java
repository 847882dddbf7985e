package io.socketlet.internal.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The client-to-server masking of RFC 6455 section 5.3, applied in place or fused into the
 * copy that moves a payload out of the read buffer (one pass over the bytes, not two).
 *
 * <p>"Octet i of the transformed data is the XOR of octet i of the original data with octet at
 * index i modulo 4 of the masking key." Masking and unmasking are the same operation.
 */
public final class Masking {

    // Plain get/set on a byte-array view accept any index, aligned or not; native order avoids byte swaps.
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private Masking() {
    }

    /**
     * XORs {@code buf[off, off+len)} in place with the 4-byte masking key {@code mask}
     * (big-endian: wire byte 0 is {@code mask >>> 24}), starting at key byte {@code maskIndex}
     * (0..3).
     *
     * @return the key index for the byte after the last one, {@code (maskIndex + len) & 3}, so a
     *     payload split across reads can be unmasked piece by piece
     * @throws IndexOutOfBoundsException if the range is not inside {@code buf}
     * @throws IllegalArgumentException if {@code maskIndex} is not 0..3
     */
    public static int unmask(byte[] buf, int off, int len, int mask, int maskIndex) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if ((maskIndex & ~3) != 0) {
            throw new IllegalArgumentException("mask index must be 0..3: " + maskIndex);
        }
        // Turn the key so that its first byte is the one for buf[off].
        int rotated = Integer.rotateLeft(mask, maskIndex << 3);
        int end = off + len;
        int i = off;
        if (len >= 8) {
            // Eight key bytes in the order they meet the buffer, read back in the view's byte order.
            long key = wordOf(rotated);
            for (int last = end - 8; i <= last; i += 8) {
                LONGS.set(buf, i, (long) LONGS.get(buf, i) ^ key);
            }
        }
        // Each word step covers 8 bytes, a multiple of 4, so the key is still at byte 0 here.
        for (int k = 0; i < end; i++, k++) {
            buf[i] ^= (byte) (rotated >>> (24 - ((k & 3) << 3)));
        }
        return (maskIndex + len) & 3;
    }

    /**
     * Copies {@code src[srcOff, srcOff+len)} to {@code dst[dstOff, dstOff+len)} unmasked, in one
     * pass: the copy a message needs anyway does the unmasking too. {@code src} is not changed.
     *
     * @return the key index for the byte after the last one, as {@link #unmask}
     * @throws IndexOutOfBoundsException if a range is not inside its array
     * @throws IllegalArgumentException if {@code maskIndex} is not 0..3
     */
    public static int unmaskInto(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int mask, int maskIndex) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if ((maskIndex & ~3) != 0) {
            throw new IllegalArgumentException("mask index must be 0..3: " + maskIndex);
        }
        int rotated = Integer.rotateLeft(mask, maskIndex << 3);
        int i = 0;
        if (len >= 8) {
            long key = wordOf(rotated);
            for (int last = len - 8; i <= last; i += 8) {
                LONGS.set(dst, dstOff + i, (long) LONGS.get(src, srcOff + i) ^ key);
            }
        }
        for (; i < len; i++) {
            dst[dstOff + i] = (byte) (src[srcOff + i] ^ (rotated >>> (24 - ((i & 3) << 3))));
        }
        return (maskIndex + len) & 3;
    }

    /** The big-endian 32-bit key twice, as the word the byte-array view reads for those 8 bytes. */
    private static long wordOf(int key) {
        long twice = ((key & 0xFFFF_FFFFL) << 32) | (key & 0xFFFF_FFFFL);
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? twice : Long.reverseBytes(twice);
    }
}
