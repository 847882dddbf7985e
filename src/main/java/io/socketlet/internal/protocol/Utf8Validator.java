package io.socketlet.internal.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Incremental UTF-8 validation (RFC 3629) for text split across frames and reads.
 *
 * <p>RFC 6455 section 8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds
 * that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the
 * WebSocket Connection_." Section 5.6 lets a text message be split into frames at any byte,
 * even inside a character, so the validator keeps its place between calls.
 *
 * <p>A deterministic automaton over the grammar of RFC 3629 section 4 (the shape of Björn
 * Hoehrmann's decoder, without the decoding): each state knows exactly which bytes may come
 * next, so {@link #feed} fails at the first byte that no valid text can contain at that place,
 * never later. Runs of ASCII are skipped eight bytes at a time.
 *
 * <p>Not thread-safe: one instance per message being received.
 */
public final class Utf8Validator {

    // Plain reads on a byte-array view accept any index; the ASCII test does not care about byte order.
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    // Byte classes: each is a set of bytes that RFC 3629's grammar always treats alike.
    private static final int ASCII = 0;          // 00-7F
    private static final int TAIL_80_8F = 1;     // continuation bytes, split where a lead byte narrows them
    private static final int TAIL_90_9F = 2;
    private static final int TAIL_A0_BF = 3;
    private static final int NEVER = 4;          // C0-C1 (always overlong), F5-FF (above U+10FFFF)
    private static final int LEAD_2 = 5;         // C2-DF
    private static final int LEAD_E0 = 6;        // "%xE0 %xA0-BF UTF8-tail"
    private static final int LEAD_3 = 7;         // E1-EC, EE-EF: "2( UTF8-tail )"
    private static final int LEAD_ED = 8;        // "%xED %x80-9F UTF8-tail"
    private static final int LEAD_F0 = 9;        // "%xF0 %x90-BF 2( UTF8-tail )"
    private static final int LEAD_4 = 10;        // F1-F3: "3( UTF8-tail )"
    private static final int LEAD_F4 = 11;       // "%xF4 %x80-8F 2( UTF8-tail )"
    private static final int CLASSES = 12;

    // States, stored premultiplied by CLASSES so a step is one table read.
    private static final int ACCEPT = 0;                  // at a character boundary
    private static final int REJECT = CLASSES;            // sticky: nothing can make it valid again
    private static final int NEED_1 = 2 * CLASSES;        // any one more UTF8-tail
    private static final int NEED_2 = 3 * CLASSES;        // any two more
    private static final int NEED_3 = 4 * CLASSES;        // any three more
    private static final int AFTER_E0 = 5 * CLASSES;      // A0-BF, then one tail: below is overlong
    private static final int AFTER_ED = 6 * CLASSES;      // 80-9F, then one tail: above are surrogates
    private static final int AFTER_F0 = 7 * CLASSES;      // 90-BF, then two tails: below is overlong
    private static final int AFTER_F4 = 8 * CLASSES;      // 80-8F, then two tails: above is past U+10FFFF
    private static final int STATES = 9;

    private static final byte[] CLASS_OF = new byte[256];
    private static final byte[] NEXT = new byte[STATES * CLASSES];

    static {
        for (int b = 0; b < 256; b++) {
            CLASS_OF[b] = (byte) classOf(b);
        }
        Arrays.fill(NEXT, (byte) REJECT);
        NEXT[ACCEPT + ASCII] = ACCEPT;
        NEXT[ACCEPT + LEAD_2] = NEED_1;
        NEXT[ACCEPT + LEAD_E0] = AFTER_E0;
        NEXT[ACCEPT + LEAD_3] = NEED_2;
        NEXT[ACCEPT + LEAD_ED] = AFTER_ED;
        NEXT[ACCEPT + LEAD_F0] = AFTER_F0;
        NEXT[ACCEPT + LEAD_4] = NEED_3;
        NEXT[ACCEPT + LEAD_F4] = AFTER_F4;
        for (int tail = TAIL_80_8F; tail <= TAIL_A0_BF; tail++) {
            NEXT[NEED_1 + tail] = ACCEPT;
            NEXT[NEED_2 + tail] = NEED_1;
            NEXT[NEED_3 + tail] = NEED_2;
        }
        NEXT[AFTER_E0 + TAIL_A0_BF] = NEED_1;
        NEXT[AFTER_ED + TAIL_80_8F] = NEED_1;
        NEXT[AFTER_ED + TAIL_90_9F] = NEED_1;
        NEXT[AFTER_F0 + TAIL_90_9F] = NEED_2;
        NEXT[AFTER_F0 + TAIL_A0_BF] = NEED_2;
        NEXT[AFTER_F4 + TAIL_80_8F] = NEED_2;
    }

    private static int classOf(int b) {
        if (b < 0x80) {
            return ASCII;
        } else if (b < 0x90) {
            return TAIL_80_8F;
        } else if (b < 0xA0) {
            return TAIL_90_9F;
        } else if (b < 0xC0) {
            return TAIL_A0_BF;
        } else if (b < 0xC2) {
            return NEVER;
        } else if (b < 0xE0) {
            return LEAD_2;
        } else if (b == 0xE0) {
            return LEAD_E0;
        } else if (b == 0xED) {
            return LEAD_ED;
        } else if (b < 0xF0) {
            return LEAD_3;
        } else if (b == 0xF0) {
            return LEAD_F0;
        } else if (b < 0xF4) {
            return LEAD_4;
        } else if (b == 0xF4) {
            return LEAD_F4;
        }
        return NEVER;
    }

    private int state = ACCEPT;

    public Utf8Validator() {
    }

    /**
     * Feeds bytes.
     *
     * @return false as soon as the input can no longer become valid UTF-8, and false on every
     *     call after that until {@link #reset()}
     */
    public boolean feed(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (state != REJECT) {
            state = run(state, b, off, off + len);
        }
        return state != REJECT;
    }

    /** True when nothing invalid was seen and the input ends on a character boundary. */
    public boolean isComplete() {
        return state == ACCEPT;
    }

    /** Forgets all input, ready for the next message. */
    public void reset() {
        state = ACCEPT;
    }

    /** One-shot check of a whole buffer. */
    public static boolean isValid(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        return run(ACCEPT, b, off, off + len) == ACCEPT;
    }

    /** Runs the automaton over {@code b[i, end)}; returns the state after it, stopping early at REJECT. */
    private static int run(int s, byte[] b, int i, int end) {
        while (i < end) {
            if (s == ACCEPT) {
                // Text is mostly ASCII: skip it a word, then a byte, at a time, no table involved.
                while (i <= end - 8 && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                while (i < end && b[i] >= 0) {
                    i++;
                }
                if (i == end) {
                    break;
                }
            }
            s = NEXT[s + CLASS_OF[b[i] & 0xFF]];
            if (s == REJECT) {
                break;
            }
            i++;
        }
        return s;
    }
}
