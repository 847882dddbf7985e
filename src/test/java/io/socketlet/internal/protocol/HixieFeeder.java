package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The split-everywhere harness for {@link HixieDecoder}: feeds the same bytes whole, in two
 * pieces at every split point, and one byte at a time, each time to a fresh decoder, and asserts
 * the same events each time (or the same close code thrown by the piece that holds the first
 * impossible byte). Each piece is a fresh heap buffer with a non-zero array offset and position
 * and noise on both sides of its window, and is scribbled over after {@code decode} returns, so a
 * decoder that reads outside the window or keeps a reference into it shows up as a wrong event.
 */
final class HixieFeeder {

    private static final int PAD = 7;
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /** The road a decoder is built for. */
    enum Road {
        /** hixie-76: 8 challenge bytes first, handed to the key callback. */
        HIXIE_76,
        /** hixie-75: frames from the first byte. */
        HIXIE_75
    }

    private final Road road;
    private final int maxMessageSize;

    HixieFeeder(Road road, int maxMessageSize) {
        this.road = road;
        this.maxMessageSize = maxMessageSize;
    }

    /** Records what the decoder delivered, as strings: {@code key3:<hex>}, {@code text:<text>}, {@code close:<code>:<reason>}. */
    static final class Recorder implements MessageListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onText(String text) {
            events.add("text:" + text);
        }

        @Override
        public void onBinary(ByteBuffer data) {
            events.add("UNEXPECTED binary " + data.remaining());
        }

        @Override
        public void onPing(byte[] payload) {
            events.add("UNEXPECTED ping");
        }

        @Override
        public void onPong(byte[] payload) {
            events.add("UNEXPECTED pong");
        }

        @Override
        public void onClose(CloseStatus status) {
            events.add("close:" + status.code() + ":" + status.reason());
        }

        void key3(byte[] key3) {
            events.add("key3:" + HEX.formatHex(key3));
        }
    }

    HixieDecoder newDecoder(Recorder recorder) {
        return new HixieDecoder(maxMessageSize, recorder, road == Road.HIXIE_76 ? recorder::key3 : null);
    }

    static String key3Event(byte[] key3) {
        return "key3:" + HEX.formatHex(key3);
    }

    /** Every way this harness cuts {@code length} bytes: whole, two pieces at each split point, byte by byte. */
    static List<int[]> plans(int length) {
        List<int[]> plans = new ArrayList<>();
        plans.add(new int[] {length});
        for (int at = 1; at < length; at++) {
            plans.add(new int[] {at, length - at});
        }
        if (length > 1) {
            int[] single = new int[length];
            Arrays.fill(single, 1);
            plans.add(single);
        }
        return plans;
    }

    /** A plan of pieces of {@code chunk} bytes (the last one shorter). */
    static int[] chunks(int length, int chunk) {
        int[] plan = new int[(length + chunk - 1) / chunk];
        for (int i = 0; i < plan.length; i++) {
            plan[i] = Math.min(chunk, length - i * chunk);
        }
        return plan;
    }

    /** Outcome of one feeding. */
    record Outcome(List<String> events, ProtocolException failure, int failedPieceStart, int failedPieceEnd,
                   boolean closed) {
    }

    /** Feeds the input cut as the plan says to a fresh decoder; stops at the first exception. */
    Outcome feed(byte[] input, int[] plan) {
        Recorder recorder = new Recorder();
        HixieDecoder decoder = newDecoder(recorder);
        int off = 0;
        for (int n : plan) {
            // Window [2*PAD, 2*PAD+n) of the array, seen through a slice with arrayOffset PAD and position PAD.
            byte[] backing = new byte[2 * PAD + n + PAD];
            Arrays.fill(backing, (byte) 0x00);
            for (int i = 0; i < backing.length; i += 3) {
                backing[i] = (byte) 0xFF; // noise outside the window: frame bytes, if anyone reads them
            }
            System.arraycopy(input, off, backing, 2 * PAD, n);
            ByteBuffer outer = ByteBuffer.wrap(backing);
            outer.position(PAD);
            ByteBuffer piece = outer.slice();
            piece.limit(PAD + n);
            piece.position(PAD);
            try {
                decoder.decode(piece);
            } catch (ProtocolException e) {
                return new Outcome(recorder.events, e, off, off + n, false);
            }
            assertEquals(piece.limit(), piece.position(), "decode must consume every byte it was lent");
            Arrays.fill(backing, (byte) 'X'); // "lent for this call"
            off += n;
        }
        List<String> events = List.copyOf(recorder.events);
        boolean closed = events.stream().anyMatch(e -> e.startsWith("close:")) && ignoresFurtherInput(decoder, recorder);
        return new Outcome(events, null, -1, -1, closed);
    }

    /** Whether the decoder reads nothing more, as after 0xFF 0x00: a text frame fed now yields no event. */
    private static boolean ignoresFurtherInput(HixieDecoder decoder, Recorder recorder) {
        int before = recorder.events.size();
        try {
            decoder.decode(ByteBuffer.wrap(new byte[] {0x00, 'p', (byte) 0xFF}));
        } catch (ProtocolException e) {
            return false;
        }
        return recorder.events.size() == before;
    }

    /** Asserts every plan delivers exactly these events and throws nothing. */
    void assertDecodes(byte[] input, String... expected) {
        assertDecodes(input, plans(input.length), expected);
    }

    void assertDecodes(byte[] input, List<int[]> plans, String... expected) {
        for (int[] plan : plans) {
            Outcome outcome = feed(input, plan);
            if (outcome.failure() != null) {
                fail("unexpected " + outcome.failure().closeCode() + " '" + outcome.failure().getMessage() + "' "
                        + describe(input, plan) + " after events " + outcome.events(), outcome.failure());
            }
            assertEquals(List.of(expected), outcome.events(), () -> describe(input, plan));
        }
    }

    /**
     * Asserts every plan delivers the events before the violation, then throws {@code code}
     * from the piece holding byte {@code failAt} (the first byte no valid stream can contain
     * there), never earlier and never later.
     */
    void assertFails(byte[] input, int code, int failAt, String... eventsBefore) {
        assertFails(input, plans(input.length), code, failAt, eventsBefore);
    }

    void assertFails(byte[] input, List<int[]> plans, int code, int failAt, String... eventsBefore) {
        assertTrue(failAt >= 0 && failAt < input.length, "failAt inside the input");
        for (int[] plan : plans) {
            Outcome outcome = feed(input, plan);
            String where = describe(input, plan) + "; events " + outcome.events();
            if (outcome.failure() == null) {
                fail("expected " + code + " at byte " + failAt + " but nothing was thrown " + where);
            }
            assertEquals(code, outcome.failure().closeCode(),
                    () -> "close code (reason '" + outcome.failure().getMessage() + "') " + where);
            assertTrue(outcome.failedPieceStart() <= failAt && failAt < outcome.failedPieceEnd(),
                    () -> "thrown by the piece [" + outcome.failedPieceStart() + ", " + outcome.failedPieceEnd()
                            + ") but the first impossible byte is " + failAt + " " + where);
            assertFalse(outcome.failure().getMessage() == null || outcome.failure().getMessage().isBlank(),
                    "a refusal says why");
            assertEquals(List.of(eventsBefore), outcome.events(), () -> "events before the failure " + where);
        }
    }

    static String describe(byte[] input, int[] plan) {
        String bytes = input.length <= 48 ? HEX.formatHex(input)
                : HEX.formatHex(input, 0, 48) + " ... (" + input.length + " bytes)";
        String cut = plan.length == 1 ? "whole"
                : plan.length == input.length && input.length > 2 ? "byte by byte"
                : plan.length == 2 ? "split at " + plan[0]
                : plan.length + " pieces";
        return "[" + cut + "] of " + bytes;
    }
}
