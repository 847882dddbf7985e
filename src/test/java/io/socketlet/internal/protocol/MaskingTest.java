package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskingTest {

    private static final int[] MASKS = {0x37FA213D, 0x00000000, 0xFFFFFFFF, 0x80000001, 0x01020304, 0xA5C3E1F0};

    /** The rule as RFC 6455 section 5.3 states it, one byte at a time. */
    private static int naiveUnmask(byte[] buf, int off, int len, int mask, int maskIndex) {
        for (int i = 0; i < len; i++) {
            int j = (maskIndex + i) % 4;
            buf[off + i] ^= (byte) (mask >>> (24 - 8 * j));
        }
        return (maskIndex + len) % 4;
    }

    @Test
    void unmasksRfc6455HelloExample() {
        // RFC 6455 section 5.7: "0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58 (contains "Hello")".
        byte[] payload = {0x7f, (byte) 0x9f, 0x4d, 0x51, 0x58};
        assertEquals(1, Masking.unmask(payload, 0, 5, 0x37FA213D, 0));
        assertEquals("Hello", new String(payload, StandardCharsets.US_ASCII));
    }

    @Test
    void matchesByteLoopForEveryOffsetLengthAndKeyIndex() {
        SplittableRandom random = new SplittableRandom(6455);
        byte[] original = new byte[48];
        random.nextBytes(original);
        for (int mask : MASKS) {
            for (int maskIndex = 0; maskIndex < 4; maskIndex++) {
                for (int off = 0; off <= original.length; off++) {
                    for (int len = 0; off + len <= original.length; len++) {
                        byte[] expected = original.clone();
                        byte[] actual = original.clone();
                        int expectedNext = naiveUnmask(expected, off, len, mask, maskIndex);
                        int actualNext = Masking.unmask(actual, off, len, mask, maskIndex);
                        String where = "mask=" + Integer.toHexString(mask) + " index=" + maskIndex + " off=" + off + " len=" + len;
                        assertArrayEquals(expected, actual, where);
                        assertEquals(expectedNext, actualNext, where);
                    }
                }
            }
        }
    }

    @Test
    void matchesByteLoopOnRandomBigArrays() {
        SplittableRandom random = new SplittableRandom(42);
        for (int round = 0; round < 40; round++) {
            byte[] original = new byte[random.nextInt(1, 1 << 20)];
            random.nextBytes(original);
            int off = random.nextInt(original.length);
            int len = random.nextInt(original.length - off + 1);
            int mask = random.nextInt();
            int maskIndex = random.nextInt(4);
            byte[] expected = original.clone();
            byte[] actual = original.clone();
            assertEquals(naiveUnmask(expected, off, len, mask, maskIndex), Masking.unmask(actual, off, len, mask, maskIndex));
            assertArrayEquals(expected, actual, "round " + round);
        }
    }

    @Test
    void continuesTheKeyAcrossAPayloadSplitAtEveryPoint() {
        // A frame's payload may arrive over many reads; the returned index carries the key on.
        SplittableRandom random = new SplittableRandom(7);
        byte[] original = new byte[70];
        random.nextBytes(original);
        int mask = 0x37FA213D;
        byte[] whole = original.clone();
        Masking.unmask(whole, 0, whole.length, mask, 0);
        for (int a = 0; a <= original.length; a++) {
            for (int b = a; b <= original.length; b++) {
                byte[] pieces = original.clone();
                int index = Masking.unmask(pieces, 0, a, mask, 0);
                index = Masking.unmask(pieces, a, b - a, mask, index);
                index = Masking.unmask(pieces, b, pieces.length - b, mask, index);
                assertArrayEquals(whole, pieces, "split at " + a + " and " + b);
                assertEquals(original.length & 3, index);
            }
        }
    }

    @Test
    void maskingTwiceRestoresTheData() {
        // "the same algorithm applies regardless of the direction of the translation".
        byte[] data = new byte[1000];
        new SplittableRandom(1).nextBytes(data);
        byte[] copy = data.clone();
        Masking.unmask(copy, 3, 990, 0xDEADBEEF, 2);
        Masking.unmask(copy, 3, 990, 0xDEADBEEF, 2);
        assertArrayEquals(data, copy);
    }

    @Test
    void leavesBytesOutsideTheRangeAlone() {
        byte[] data = new byte[64];
        Masking.unmask(data, 8, 40, 0xFFFFFFFF, 0);
        byte[] expected = new byte[64];
        Arrays.fill(expected, 8, 48, (byte) 0xFF);
        assertArrayEquals(expected, data);
    }

    @Test
    void rejectsARangeOutsideTheArray() {
        byte[] data = new byte[16];
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.unmask(data, 10, 7, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.unmask(data, -1, 4, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.unmask(data, 0, -1, 1, 0));
        assertArrayEquals(new byte[16], data);
    }

    @Test
    void rejectsAKeyIndexOutside0To3() {
        byte[] data = new byte[16];
        assertThrows(IllegalArgumentException.class, () -> Masking.unmask(data, 0, 16, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> Masking.unmask(data, 0, 16, 1, -1));
    }

    @Test
    void unmaskIntoCopiesUnmaskedForEveryOffsetLengthAndKeyIndexAndLeavesTheSourceAlone() {
        SplittableRandom random = new SplittableRandom(5_3);
        byte[] original = new byte[40];
        random.nextBytes(original);
        for (int mask : MASKS) {
            for (int maskIndex = 0; maskIndex < 4; maskIndex++) {
                for (int off = 0; off <= original.length; off++) {
                    for (int len = 0; off + len <= original.length; len++) {
                        byte[] expected = original.clone();
                        int expectedNext = naiveUnmask(expected, off, len, mask, maskIndex);
                        byte[] source = original.clone();
                        int dstOff = (off * 7 + len) % 5;
                        byte[] target = new byte[dstOff + len + 3];
                        Arrays.fill(target, (byte) 0x5A);
                        int actualNext = Masking.unmaskInto(source, off, target, dstOff, len, mask, maskIndex);
                        String where = "mask=" + Integer.toHexString(mask) + " index=" + maskIndex + " off=" + off + " len=" + len;
                        assertArrayEquals(original, source, where + ": source unchanged");
                        assertArrayEquals(Arrays.copyOfRange(expected, off, off + len), Arrays.copyOfRange(target, dstOff, dstOff + len), where);
                        for (int k = 0; k < target.length; k++) {
                            if (k < dstOff || k >= dstOff + len) {
                                assertEquals((byte) 0x5A, target[k], where + ": byte " + k + " outside the range");
                            }
                        }
                        assertEquals(expectedNext, actualNext, where);
                    }
                }
            }
        }
    }

    @Test
    void unmaskIntoMatchesUnmaskOnRandomBigArraysSplitAnywhere() {
        SplittableRandom random = new SplittableRandom(99);
        for (int round = 0; round < 20; round++) {
            byte[] original = new byte[random.nextInt(1, 1 << 20)];
            random.nextBytes(original);
            int mask = random.nextInt();
            byte[] expected = original.clone();
            Masking.unmask(expected, 0, expected.length, mask, 0);
            // The payload copied in two pieces, as it arrives over two reads.
            int cut = random.nextInt(original.length + 1);
            byte[] target = new byte[original.length];
            int index = Masking.unmaskInto(original, 0, target, 0, cut, mask, 0);
            Masking.unmaskInto(original, cut, target, cut, original.length - cut, mask, index);
            assertArrayEquals(expected, target, "round " + round + " cut " + cut);
        }
    }

    @Test
    void unmaskIntoRejectsRangesOutsideEitherArray() {
        byte[] src = new byte[16];
        byte[] dst = new byte[8];
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.unmaskInto(src, 0, dst, 0, 9, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.unmaskInto(src, 10, dst, 0, 7, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.unmaskInto(src, 0, dst, -1, 4, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Masking.unmaskInto(src, 0, dst, 0, 4, 1, 4));
        assertArrayEquals(new byte[8], dst);
    }
}
