package io.socketlet.internal.protocol;

import static io.socketlet.internal.protocol.ClientFrames.BINARY;
import static io.socketlet.internal.protocol.ClientFrames.CONTINUATION;
import static io.socketlet.internal.protocol.ClientFrames.TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "The frame decoder is an incremental state machine that accepts input split at ANY byte
 * boundary" (design guide). This class holds the harness every decoder test runs through, and
 * the property-style tests of splitting itself.
 *
 * <p>The harness feeds the same bytes whole, in two pieces at every split point (a sample of
 * them for inputs over {@value #EVERY_SPLIT_LIMIT} bytes), and one byte at a time, each time to a
 * fresh decoder, and asserts the same events, or the same close code thrown by the piece that
 * holds the byte that breaks the rule. Each piece is a fresh heap buffer, with its position or
 * array offset away from zero and bytes past its limit, and is scribbled over after
 * {@code decode} returns ("lent for this call"), so a delivered message that still points into
 * the input shows up as a wrong event.
 */
class FrameDecoderSplitTest {

    static final int EVERY_SPLIT_LIMIT = 4096;
    /** Limits generous enough for every test that is not about limits. */
    static final int DEFAULT_LIMIT = 64 << 20;

    private static final int PAD = 5;

    // ---------------------------------------------------------------- harness

    /** Makes a fresh decoder reporting to the listener, once per feeding. */
    interface Decoders extends Function<MessageListener, FrameDecoder> {
    }

    static Decoders defaults() {
        return limits(DEFAULT_LIMIT, DEFAULT_LIMIT);
    }

    static Decoders limits(int maxFrameSize, int maxMessageSize) {
        return listener -> new FrameDecoder(maxFrameSize, maxMessageSize, 100_000, listener, null);
    }

    /** permessage-deflate negotiated (a decoder with an inflater): RSV1 allowed on the first frame of a data message. */
    static Decoders withRsv1() {
        return listener -> new FrameDecoder(DEFAULT_LIMIT, DEFAULT_LIMIT, 100_000, listener, new MessageInflater(true, DEFAULT_LIMIT));
    }

    /** permessage-deflate negotiated, with the same message limit for the inflater as the server gives it. */
    static Decoders withRsv1(int maxFrameSize, int maxMessageSize) {
        return listener -> new FrameDecoder(maxFrameSize, maxMessageSize, 100_000, listener, new MessageInflater(true, maxMessageSize));
    }

    /** One event as the listener saw it; the content is compared when asserted, not when delivered. */
    static final class Event {
        final String kind;
        private final Object value;

        private Event(String kind, Object value) {
            this.kind = kind;
            this.value = value;
        }

        static Event text(String text) {
            return new Event("text", text);
        }

        static Event binary(byte[] data) {
            return new Event("binary", ByteBuffer.wrap(data.clone()));
        }

        static Event ping(byte[] data) {
            return new Event("ping", data.clone());
        }

        static Event pong(byte[] data) {
            return new Event("pong", data.clone());
        }

        static Event close(int code, String reason) {
            return new Event("close", new CloseStatus(code, reason));
        }

        /** The delivered object, as delivered (a binary message's buffer, a ping's array). */
        Object value() {
            return value;
        }

        private Object content() {
            if (value instanceof ByteBuffer b) {
                byte[] a = new byte[b.remaining()];
                b.duplicate().get(a);
                return ByteBuffer.wrap(a);
            }
            if (value instanceof byte[] a) {
                return ByteBuffer.wrap(a.clone());
            }
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Event e && kind.equals(e.kind) && content().equals(e.content());
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, content());
        }

        @Override
        public String toString() {
            Object c = content();
            String shown;
            if (c instanceof ByteBuffer b) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                shown = a.length + " bytes " + HexFormat.of().formatHex(a, 0, Math.min(a.length, 24))
                        + (a.length > 24 ? "... hash " + Arrays.hashCode(a) : "");
            } else if (c instanceof String s) {
                shown = s.length() <= 40 ? '"' + s + '"' : s.length() + " chars \"" + s.substring(0, 24) + "...\" hash " + s.hashCode();
            } else {
                shown = String.valueOf(c);
            }
            return kind + "(" + shown + ")";
        }
    }

    /** A listener that keeps what it is handed, without copying it. */
    static class Recorder implements MessageListener {
        final List<Event> events = new ArrayList<>();

        @Override
        public void onText(String text) {
            events.add(new Event("text", Objects.requireNonNull(text)));
        }

        @Override
        public void onBinary(ByteBuffer data) {
            events.add(new Event("binary", Objects.requireNonNull(data)));
        }

        @Override
        public void onPing(byte[] payload) {
            events.add(new Event("ping", Objects.requireNonNull(payload)));
        }

        @Override
        public void onPong(byte[] payload) {
            events.add(new Event("pong", Objects.requireNonNull(payload)));
        }

        @Override
        public void onClose(CloseStatus status) {
            events.add(new Event("close", Objects.requireNonNull(status)));
        }
    }

    /** How one input is cut into pieces: at the given points, or every {@code chunk} bytes. */
    record Feeding(String name, int[] cuts, int chunk) {
        static Feeding whole() {
            return new Feeding("whole", new int[0], 0);
        }

        static Feeding at(int... cuts) {
            return new Feeding("split at " + Arrays.toString(cuts), cuts, 0);
        }

        static Feeding everyByte() {
            return new Feeding("one byte at a time", null, 1);
        }

        static Feeding chunks(int size) {
            return new Feeding("chunks of " + size, null, size);
        }

        List<int[]> pieces(int n) {
            List<int[]> pieces = new ArrayList<>();
            if (chunk > 0) {
                for (int i = 0; i < n; i += chunk) {
                    pieces.add(new int[] {i, Math.min(n, i + chunk)});
                }
                return pieces;
            }
            int from = 0;
            for (int c : cuts) {
                pieces.add(new int[] {from, c});
                from = c;
            }
            pieces.add(new int[] {from, n});
            return pieces;
        }
    }

    /** What one feeding produced; {@code failure} null if none, else thrown by a piece [failFrom, failTo). */
    /** {@code closed}: the input held the peer's close, and the decoder ignores what comes after it. */
    record Outcome(List<Event> events, ProtocolException failure, int failFrom, int failTo, boolean closed) {
        Integer code() {
            return failure == null ? null : failure.closeCode();
        }

        @Override
        public String toString() {
            return events + (failure == null ? "" : " then " + failure.closeCode() + " \"" + failure.getMessage()
                    + "\" from the piece [" + failFrom + ", " + failTo + ")");
        }
    }

    /** Whole, two pieces at every split (sampled for large inputs), one byte at a time. */
    static List<Feeding> feedings(int n) {
        List<Feeding> feedings = new ArrayList<>();
        feedings.add(Feeding.whole());
        TreeSet<Integer> splits = new TreeSet<>();
        if (n <= EVERY_SPLIT_LIMIT) {
            for (int k = 1; k < n; k++) {
                splits.add(k);
            }
        } else {
            // Every split among the first and last bytes (headers live there), and a sample between.
            int edge = n > (1 << 20) ? 32 : 256;
            int sample = n > (1 << 20) ? 16 : 64;
            for (int k = 1; k <= edge; k++) {
                splits.add(k);
                splits.add(n - k);
            }
            Random random = new Random(n);
            for (int i = 0; i < sample; i++) {
                splits.add(random.nextInt(1, n));
            }
        }
        for (int k : splits) {
            feedings.add(Feeding.at(k));
        }
        if (n > 1) {
            feedings.add(Feeding.everyByte());
        }
        return feedings;
    }

    /** Feeds the input to a fresh decoder as the feeding says. Only ProtocolException counts as a failure. */
    static Outcome run(Decoders decoders, byte[] wire, Feeding feeding) {
        Recorder recorder = new Recorder();
        FrameDecoder decoder = decoders.apply(recorder);
        // An empty read changes nothing.
        decoder.decode(ByteBuffer.allocate(0));
        int index = 0;
        for (int[] piece : feeding.pieces(wire.length)) {
            int len = piece[1] - piece[0];
            byte[] array = new byte[PAD + len + PAD];
            Arrays.fill(array, (byte) 0xEE);
            System.arraycopy(wire, piece[0], array, PAD, len);
            ByteBuffer in = ByteBuffer.wrap(array, PAD, len);
            if ((index++ & 1) == 1) {
                in = in.slice(); // array offset 5, position 0
            }
            try {
                decoder.decode(in);
            } catch (ProtocolException e) {
                decoder.release();
                return new Outcome(recorder.events, e, piece[0], piece[1], false);
            } catch (RuntimeException | Error e) {
                throw new AssertionError(feeding.name() + ": decode threw " + e + " on the piece [" + piece[0] + ", "
                        + piece[1] + ") of " + wire.length + " bytes, after " + recorder.events, e);
            }
            if (in.hasRemaining()) {
                fail(feeding.name() + ": decode left " + in.remaining() + " bytes of the piece [" + piece[0] + ", " + piece[1] + ")");
            }
            Arrays.fill(array, (byte) 0x5A); // lent for this call only
        }
        List<Event> events = List.copyOf(recorder.events);
        boolean closed = events.stream().anyMatch(e -> e.kind.equals("close")) && ignoresFurtherInput(decoder, recorder);
        decoder.release();
        return new Outcome(events, null, -1, -1, closed);
    }

    /** Whether the decoder reads nothing more, as after the peer's close: a ping fed now yields no event. */
    private static boolean ignoresFurtherInput(FrameDecoder decoder, Recorder recorder) {
        int before = recorder.events.size();
        try {
            decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0x89, (byte) 0x80, 1, 2, 3, 4})); // masked empty ping
        } catch (ProtocolException e) {
            return false;
        }
        return recorder.events.size() == before;
    }

    static void assertDecodes(Decoders decoders, byte[] wire, Event... expected) {
        assertDecodes(decoders, wire, List.of(expected));
    }

    static void assertDecodes(Decoders decoders, byte[] wire, List<Event> expected) {
        boolean closes = expected.stream().anyMatch(e -> e.kind.equals("close"));
        for (Feeding feeding : feedings(wire.length)) {
            Outcome outcome = run(decoders, wire, feeding);
            if (outcome.failure() != null) {
                throw new AssertionError(feeding.name() + ": expected " + expected + " but got " + outcome, outcome.failure());
            }
            assertEquals(expected, outcome.events(), feeding.name());
            assertEquals(closes, outcome.closed(), feeding.name() + ": reads nothing after the close");
        }
    }

    /**
     * Asserts that every feeding fails with {@code code}, thrown by the piece that holds byte
     * {@code atByte} (the first byte that breaks the rule: never earlier, never later), after
     * exactly the events {@code before}.
     */
    static void assertFails(Decoders decoders, byte[] wire, int code, int atByte, Event... before) {
        assertTrue(atByte >= 0 && atByte < wire.length, "atByte inside the input");
        for (Feeding feeding : feedings(wire.length)) {
            Outcome outcome = run(decoders, wire, feeding);
            String where = feeding.name() + ": expected " + code + " at byte " + atByte + " after " + List.of(before)
                    + " but got " + outcome;
            if (outcome.failure() == null) {
                fail(where);
            }
            assertEquals(code, outcome.failure().closeCode(), where);
            assertTrue(outcome.failFrom() <= atByte && atByte < outcome.failTo(), where);
            assertEquals(List.of(before), outcome.events(), where);
            assertTrue(outcome.failure().getMessage() != null && !outcome.failure().getMessage().isEmpty(),
                    where + ": a refusal says why");
        }
    }

    // ---------------------------------------------------------------- random conversations

    /** Frames a client could send and the events they must produce. */
    static final class Conversation {
        final List<byte[]> frames = new ArrayList<>();
        final List<Event> events = new ArrayList<>();
        /** For each event, the offset just past the frame that completes it. */
        final List<Integer> eventEnds = new ArrayList<>();
        final List<String> plan = new ArrayList<>();
        private int length;

        byte[] wire() {
            return ClientFrames.concat(frames.toArray(new byte[0][]));
        }

        /** Adds a frame, and the event it completes (null if none). */
        void add(ClientFrames.Frame frame, Event completes) {
            addBytes(frame.bytes(), frame.toString());
            if (completes != null) {
                events.add(completes);
                eventEnds.add(length);
            }
        }

        void addBytes(byte[] bytes, String description) {
            frames.add(bytes);
            plan.add(description);
            length += bytes.length;
        }

        /** The events whose frames lie wholly before {@code offset}. */
        List<Event> eventsBefore(int offset) {
            int n = 0;
            while (n < events.size() && eventEnds.get(n) <= offset) {
                n++;
            }
            return events.subList(0, n);
        }
    }

    /** Random text of about {@code bytes} UTF-8 bytes: ASCII mostly, and 2-, 3- and 4-byte characters. */
    static String randomText(Random r, int bytes) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        while (n < bytes) {
            int kind = r.nextInt(10);
            int cp;
            if (kind < 6) {
                cp = r.nextInt(0x20, 0x7f);
            } else if (kind < 7) {
                cp = r.nextInt(0x80, 0x800);
            } else if (kind < 9) {
                do {
                    cp = r.nextInt(0x800, 0x10000);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
            } else {
                cp = r.nextInt(0x10000, 0x110000);
            }
            sb.appendCodePoint(cp);
            n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }
        return sb.toString();
    }

    private static int randomSize(Random r, int max) {
        int p = r.nextInt(100);
        int size = p < 70 ? r.nextInt(0, 131) : p < 95 ? r.nextInt(120, 2000) : r.nextInt(60_000, 70_000);
        return Math.min(size, max);
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static void maybeControl(Random r, Conversation c) {
        if (r.nextInt(10) < 3) {
            byte[] payload = randomBytes(r, r.nextInt(10) == 0 ? 125 : r.nextInt(0, 126));
            if (r.nextBoolean()) {
                c.add(ClientFrames.ping(payload).key(r.nextInt()), Event.ping(payload));
            } else {
                c.add(ClientFrames.pong(payload).key(r.nextInt()), Event.pong(payload));
            }
        }
    }

    /**
     * Valid frames: messages of random size and kind, split into random fragments (some empty,
     * text split inside characters), pings and pongs between the fragments, sometimes a close
     * with bytes after it.
     */
    static Conversation randomConversation(Random r, int maxMessageBytes) {
        Conversation c = new Conversation();
        int messages = r.nextInt(1, 7);
        for (int m = 0; m < messages; m++) {
            boolean text = r.nextBoolean();
            int size = randomSize(r, maxMessageBytes);
            byte[] payload = text ? ClientFrames.utf8(randomText(r, size)) : randomBytes(r, size);
            int fragments = r.nextBoolean() ? 1 : r.nextInt(2, 7);
            int[] cuts = new int[fragments + 1];
            for (int i = 1; i < fragments; i++) {
                cuts[i] = r.nextInt(0, payload.length + 1);
            }
            cuts[fragments] = payload.length;
            Arrays.sort(cuts, 1, fragments);
            maybeControl(r, c);
            for (int i = 0; i < fragments; i++) {
                byte[] part = Arrays.copyOfRange(payload, cuts[i], cuts[i + 1]);
                int opcode = i > 0 ? CONTINUATION : text ? TEXT : BINARY;
                boolean last = i == fragments - 1;
                Event message = !last ? null : text ? Event.text(new String(payload, StandardCharsets.UTF_8)) : Event.binary(payload);
                c.add(ClientFrames.frame(opcode, part).fin(last).key(r.nextInt()), message);
                if (!last) {
                    maybeControl(r, c);
                }
            }
            maybeControl(r, c);
        }
        if (r.nextInt(10) == 0) {
            int code = new int[] {1000, 1001, 1003, 1011, 3000, 4999}[r.nextInt(6)];
            String reason = randomText(r, r.nextInt(0, 40));
            c.add(ClientFrames.close(code, reason).key(r.nextInt()), Event.close(code, reason));
            c.addBytes(randomBytes(r, r.nextInt(0, 20)), "bytes after the close"); // ignored: nothing is read after a close
        }
        return c;
    }

    /** 1 to 8 random cut points, sorted, distinct, inside the input. */
    private static Feeding randomCuts(Random r, int n) {
        if (n < 2) {
            return Feeding.whole();
        }
        TreeSet<Integer> cuts = new TreeSet<>();
        int count = r.nextInt(1, 9);
        for (int i = 0; i < count; i++) {
            cuts.add(r.nextInt(1, n));
        }
        return Feeding.at(cuts.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void randomValidConversationsDecodeToTheirEventsAtAnySplit() {
        Random r = new Random(6455);
        for (int iteration = 0; iteration < 3000; iteration++) {
            Conversation c = randomConversation(r, Integer.MAX_VALUE);
            byte[] wire = c.wire();
            List<Feeding> feedings = new ArrayList<>(List.of(Feeding.whole(), randomCuts(r, wire.length),
                    randomCuts(r, wire.length), Feeding.chunks(r.nextInt(1, 200))));
            if (wire.length <= 20_000) {
                feedings.add(Feeding.everyByte());
            }
            for (Feeding feeding : feedings) {
                Outcome outcome = run(defaults(), wire, feeding);
                String where = "iteration " + iteration + ", " + feeding.name() + ", frames " + c.plan;
                if (outcome.failure() != null) {
                    throw new AssertionError(where + ": " + outcome, outcome.failure());
                }
                assertEquals(c.events, outcome.events(), where);
            }
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void randomSingleByteCorruptionsEndInEventsOrAProtocolCloseCode() {
        Random r = new Random(1007);
        int failures = 0;
        for (int iteration = 0; iteration < 3000; iteration++) {
            Conversation c = randomConversation(r, 600);
            byte[] wire = c.wire();
            int at = r.nextInt(wire.length);
            byte original = wire[at];
            do {
                wire[at] = (byte) r.nextInt(256);
            } while (wire[at] == original);
            // Small limits, so that a corrupted length can also end in 1009.
            Decoders decoders = limits(1024, 4096);
            String where = "iteration " + iteration + ": byte " + at + " of " + wire.length + " changed from "
                    + (original & 0xff) + " to " + (wire[at] & 0xff) + ", frames " + c.plan;
            Outcome whole = run(decoders, wire, Feeding.whole());
            Outcome bytewise = run(decoders, wire, Feeding.everyByte());
            Outcome split = run(decoders, wire, randomCuts(r, wire.length));
            for (Outcome o : List.of(whole, bytewise, split)) {
                if (o.failure() != null) {
                    int code = o.failure().closeCode();
                    assertTrue(code == 1002 || code == 1007 || code == 1009, where + ": close code " + code);
                }
            }
            // Frames before the corrupted byte still give their events.
            List<Event> intact = c.eventsBefore(at);
            assertTrue(whole.events().size() >= intact.size() && whole.events().subList(0, intact.size()).equals(intact),
                    where + ": events of the frames before the corruption " + intact + " but got " + whole);
            // Wherever the input is cut, the decoder decides the same, at the same byte.
            assertEquals(whole.events(), bytewise.events(), where + " (whole vs one byte at a time)");
            assertEquals(whole.code(), bytewise.code(), where + " (whole vs one byte at a time)");
            assertEquals(whole.events(), split.events(), where + " (whole vs split)");
            assertEquals(whole.code(), split.code(), where + " (whole vs split)");
            if (bytewise.failure() != null) {
                failures++;
                int failedAt = bytewise.failFrom();
                assertTrue(failedAt >= at, where + ": failed at byte " + failedAt + ", before the corruption");
                assertTrue(split.failFrom() <= failedAt && failedAt < split.failTo(), where + ": split failed at " + split);
            }
        }
        assertTrue(failures > 500, "most corruptions are caught: " + failures);
    }

    @Test
    void fragmentedMessageWithControlFramesDecodesAtEveryPairOfSplits() {
        byte[] wire = ClientFrames.wire(
                ClientFrames.text("h\u00e9").fin(false),
                ClientFrames.ping(new byte[] {1, 2, 3}),
                ClientFrames.continuation(new byte[] {(byte) 0xE2, (byte) 0x82}).fin(false),
                ClientFrames.pong(new byte[0]),
                ClientFrames.continuation(new byte[] {(byte) 0xAC, '!'}));
        List<Event> expected = List.of(Event.ping(new byte[] {1, 2, 3}), Event.pong(new byte[0]), Event.text("h\u00e9\u20ac!"));
        for (int i = 1; i < wire.length; i++) {
            for (int j = i + 1; j < wire.length; j++) {
                Outcome outcome = run(defaults(), wire, Feeding.at(i, j));
                assertEquals(expected, outcome.events(), "split at " + i + " and " + j + ": " + outcome);
            }
        }
    }

    @Test
    void harnessFeedsEveryTwoPieceSplitOfSmallInputs() {
        // The harness itself: the brief is every split point, plus whole and one byte at a time.
        List<Feeding> feedings = feedings(100);
        assertEquals(1 + 99 + 1, feedings.size());
        assertEquals(100, feedings.get(feedings.size() - 1).pieces(100).size());
    }
}
