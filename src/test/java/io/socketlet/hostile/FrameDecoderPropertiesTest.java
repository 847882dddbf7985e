package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.socketlet.it.Frame;
import io.socketlet.internal.protocol.CloseStatus;
import io.socketlet.internal.protocol.FrameDecoder;
import io.socketlet.internal.protocol.MessageInflater;
import io.socketlet.internal.protocol.MessageListener;
import io.socketlet.internal.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Property-based tests of {@link FrameDecoder}, the parser every client byte goes through.
 *
 * <p>Client frames are built from RFC 6455 section 5.2 by {@link Frame} (masked, with keys drawn
 * here), never by the engine's own encoder. A script is a sequence of text and binary messages,
 * each fragmented at random byte positions (a text message may be cut inside a UTF-8 sequence),
 * with pings and pongs between the fragments, some messages compressed with permessage-deflate
 * (java.util.zip, raw deflate, sync flush, the 4-byte tail removed as RFC 7692 section 7.2.1
 * says), and maybe a close frame followed by garbage that must be ignored. The bytes are fed to
 * the decoder in random pieces (each piece copied into a fresh array at a random offset, since
 * the decoder unmasks in place and must honour {@code arrayOffset}).
 *
 * <ul>
 * <li>{@link #validScriptsRoundTripExactly}: the events equal the script, whatever the split.
 * <li>{@link #corruptedScriptsFailOnlyWithProtocolCodes}: after random mutations (bit flips,
 *     replaced, inserted and deleted bytes, truncation), decoding ends normally or with a
 *     {@link ProtocolException} whose code is 1002, 1007 or 1009: never another exception,
 *     never a hang (each decode runs under a 5 s watchdog), and the outcome does not depend on
 *     where the input was split.
 * <li>Length rules at the exact byte: a 64-bit length with its top bit set fails at that byte
 *     (1002), a frame over the limit fails when its length is complete (1009), before any
 *     payload, a non-minimal length fails with 1002.
 * </ul>
 *
 * <p>Plain JUnit Jupiter: each property runs a fixed number of tries; try {@code i} draws all its
 * inputs from one {@link Random} seeded with {@link #caseSeed(long, int)} of the property's fixed
 * base seed, so every run checks the same cases. The generators lean towards edge values (empty
 * lists and payloads, cuts at 0 and 1, lengths at the 7/16/64-bit boundaries). A failure names
 * its case seed; {@code -Dhostile.seed=0x...} (with {@code -Dtest=FrameDecoderPropertiesTest#name})
 * reruns only that case. Tries (500 round trips, 2,000 corruptions, 1,000 random tails) keep the
 * class at a few seconds on a busy 2-core machine; {@code -Dhostile.tries.factor=N} multiplies
 * them when hunting, {@code -Dhostile.base.seed=0x...} explores other cases than the fixed ones.
 */
class FrameDecoderPropertiesTest {

    private static final Set<Integer> PROTOCOL_CODES = Set.of(1002, 1007, 1009);

    /** Runs each decode, so that a decoder stuck in a loop fails the property instead of hanging the build. */
    private static final ExecutorService WATCHDOG = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-decoder-watchdog");
        t.setDaemon(true);
        return t;
    });

    // ---- the model ----

    /** A ping or a pong. */
    record Control(boolean ping, byte[] payload) {
        @Override
        public String toString() {
            return (ping ? "ping" : "pong") + "[" + payload.length + "]";
        }
    }

    /**
     * One data message: its content, where its wire payload is cut into fragments (fractions of
     * its length), the control frames before each fragment, and whether it is compressed.
     */
    record Message(boolean text, byte[] content, List<Double> cuts, List<List<Control>> controls, boolean compressed) {
        @Override
        public String toString() {
            return (text ? "text" : "binary") + "[" + content.length + " bytes" + (compressed ? ", deflated" : "")
                    + ", cuts=" + cuts + ", controls=" + controls.stream().mapToInt(List::size).sum() + "]";
        }
    }

    /** A close frame at the end, then bytes the decoder must ignore. */
    record Close(int code, String reason, byte[] garbage) {
        @Override
        public String toString() {
            return "Close[" + code + ", reason " + reason.length() + " chars, garbage " + hex(garbage) + "]";
        }
    }

    record Script(List<Message> messages, Close close, boolean contextTakeover, long maskSeed) {
        boolean anyCompressed() {
            return messages.stream().anyMatch(Message::compressed);
        }
    }

    /** The bytes of a script on the wire and the events a correct decoder reports for them. */
    record Wire(byte[] bytes, List<String> events) {
    }

    // ---- properties ----

    @Test
    void validScriptsRoundTripExactly() {
        forAll("validScriptsRoundTripExactly", 0x5EED_0001L, 500, (r, sample) -> {
            Script script = sample.add("script", scripts(r));
            List<Integer> chunks = sample.add("chunks", chunkSizes(r));
            Wire wire = encode(script);
            Outcome outcome = decode(wire.bytes(), chunks, 1 << 20, 1 << 20, 100_000,
                    script.anyCompressed() ? new MessageInflater(script.contextTakeover(), 1 << 20) : null);
            assertNull(outcome.failure, () -> "a valid script failed: " + outcome.failure + "\n" + script);
            assertEquals(wire.events(), outcome.events, () -> "events differ for " + script);
        });
    }

    @Test
    void corruptedScriptsFailOnlyWithProtocolCodes() {
        forAll("corruptedScriptsFailOnlyWithProtocolCodes", 0x5EED_0002L, 2000, (r, sample) -> {
            Script script = sample.add("script", smallScripts(r));
            List<Mutation> mutations = sample.add("mutations", mutations(r));
            List<Integer> chunks = sample.add("chunks", chunkSizes(r));
            byte[] corrupted = mutate(encode(script).bytes(), mutations);
            boolean inflate = script.anyCompressed() || (script.maskSeed() & 1) == 0;
            // Small limits, so that 1009 (frame, message, fragments, inflated size) is reachable.
            Outcome split = decode(corrupted, chunks, 512, 1024, 6, inflate ? new MessageInflater(script.contextTakeover(), 1024) : null);
            Outcome whole = decode(corrupted, List.of(Integer.MAX_VALUE), 512, 1024, 6,
                    inflate ? new MessageInflater(script.contextTakeover(), 1024) : null);
            for (Outcome o : List.of(split, whole)) {
                if (o.failure != null) {
                    assertTrue(o.failure instanceof ProtocolException,
                            () -> "decoding corrupted input threw " + o.failure + " instead of a ProtocolException\n"
                                    + stackOf(o.failure) + "input: " + hex(corrupted));
                    int code = ((ProtocolException) o.failure).closeCode();
                    assertTrue(PROTOCOL_CODES.contains(code), () -> "close code " + code + " is not 1002, 1007 or 1009: " + o.failure);
                    assertTrue(o.failure.getMessage() != null && !o.failure.getMessage().isBlank(), "a ProtocolException carries a reason");
                    assertTrue(o.failure.getMessage().getBytes(StandardCharsets.UTF_8).length <= 123,
                            () -> "the reason must fit a close frame (123 bytes): " + o.failure.getMessage());
                }
            }
            // The decoder "accepts input split at any byte": the outcome cannot depend on the split.
            assertEquals(whole.events, split.events, () -> "events depend on how the input was split; chunks " + chunks
                    + ", input " + hex(corrupted));
            assertEquals(whole.failure == null, split.failure == null, () -> "whole input: " + whole.failure + ", split input: "
                    + split.failure + "; input " + hex(corrupted));
            if (whole.failure != null && !inflate) {
                assertEquals(((ProtocolException) whole.failure).closeCode(), ((ProtocolException) split.failure).closeCode(),
                        () -> "the close code depends on the split: whole " + whole.failure + ", split " + split.failure);
            }
        });
    }

    @Test
    void arbitraryBytesAfterAValidPrefixFailOnlyWithProtocolCodes() {
        forAll("arbitraryBytesAfterAValidPrefixFailOnlyWithProtocolCodes", 0x5EED_0003L, 1000, (r, sample) -> {
            Script script = sample.add("script", smallScripts(r));
            byte[] tail = sample.add("tail", garbage(r));
            List<Integer> chunks = sample.add("chunks", chunkSizes(r));
            byte[] prefix = encode(new Script(script.messages(), null, script.contextTakeover(), script.maskSeed())).bytes();
            byte[] input = Arrays.copyOf(prefix, prefix.length + tail.length);
            System.arraycopy(tail, 0, input, prefix.length, tail.length);
            Outcome o = decode(input, chunks, 512, 1024, 6, new MessageInflater(script.contextTakeover(), 1024));
            if (o.failure != null) {
                assertTrue(o.failure instanceof ProtocolException && PROTOCOL_CODES.contains(((ProtocolException) o.failure).closeCode()),
                        () -> "random bytes made the decoder throw " + o.failure + "\n" + stackOf(o.failure));
            }
        });
    }

    /** RFC 6455 5.2: "the most significant bit MUST be 0": refused at that very byte, whatever follows. */
    @Test
    void topBitOf64BitLengthFailsAtThatByte() {
        forAll("topBitOf64BitLengthFailsAtThatByte", 0x5EED_0004L, 200, (r, sample) -> {
            // Long.MIN_VALUE..-1: the top bit set, the other 63 bits anything.
            long length = sample.add("length", switch (r.nextInt(8)) {
                case 0 -> Long.MIN_VALUE;
                case 1 -> -1L;
                default -> r.nextLong() | Long.MIN_VALUE;
            });
            int opcode = sample.add("opcode", dataOpcode(r));
            byte[] header = Frame.of(opcode, new byte[0]).declaredLength(length).maskKey(mask(r)).header();
            assertEquals(127, header[1] & 0x7f);
            HeaderResult hr = feedHeaderByteByByte(header, 1 << 20);
            assertEquals(1002, hr.code, () -> "length " + Long.toUnsignedString(length) + ": " + hr);
            assertEquals(2, hr.failedAtByte, () -> "1002 should come at the first extended length byte: " + hr);
        });
    }

    /** A frame over maxFrameSize is refused when its length is complete: no payload is awaited or held. */
    @Test
    void oversizedLengthFailsWhenTheLengthIsComplete() {
        forAll("oversizedLengthFailsWhenTheLengthIsComplete", 0x5EED_0005L, 200, (r, sample) -> {
            // 1025..Long.MAX_VALUE, a third each in the 16-bit form, in 32 bits, anywhere up to 2^63 - 1.
            long length = sample.add("length", switch (r.nextInt(10)) {
                case 0 -> pick(r, 1025L, 1026L, 0xffffL, 0x10000L, 0xffff_ffffL, Long.MAX_VALUE);
                case 1, 2, 3 -> r.nextLong(1025, 0x10000);
                case 4, 5, 6 -> r.nextLong(0x10000, 0x1_0000_0000L);
                default -> r.nextLong(1025, Long.MAX_VALUE);
            });
            int opcode = sample.add("opcode", dataOpcode(r));
            byte[] header = Frame.of(opcode, new byte[0]).declaredLength(length).maskKey(mask(r)).header();
            int lengthEnd = length > 0xffff ? 10 : 4; // 2 + 8, or 2 + 2
            HeaderResult hr = feedHeaderByteByByte(header, 1024);
            assertEquals(1009, hr.code, () -> "length " + length + ": " + hr);
            assertEquals(lengthEnd - 1, hr.failedAtByte, () -> "1009 should come at the last length byte: " + hr);
        });
    }

    /** "the minimal number of bytes MUST be used to encode the length" (RFC 6455 5.2). */
    @Test
    void nonMinimalLengthsFailWith1002() {
        forAll("nonMinimalLengthsFailWith1002", 0x5EED_0006L, 100, (r, sample) -> {
            boolean force64 = sample.add("force64", r.nextBoolean());
            // 0..65535 in 64 bits is never minimal; in 16 bits only 0..125 is not (126..65535 is the minimal form).
            int length = sample.add("length", force64
                    ? switch (r.nextInt(4)) {
                        case 0 -> pick(r, 0, 1, 125, 126, 127, 65535);
                        case 1 -> r.nextInt(126);
                        default -> r.nextInt(65536);
                    }
                    : r.nextInt(4) == 0 ? pick(r, 0, 1, 124, 125) : r.nextInt(126));
            Frame.LengthForm form = force64 ? Frame.LengthForm.FORCE_64 : Frame.LengthForm.FORCE_16;
            byte[] header = Frame.binary(new byte[length]).lengthForm(form).maskKey(mask(r)).header();
            HeaderResult hr = feedHeaderByteByByte(header, 1 << 20);
            assertEquals(1002, hr.code, () -> "length " + length + " in " + form + ": " + hr);
        });
    }

    // ---- running a property ----

    /** One try of a property: draws its inputs from {@code r}, recording them in {@code sample}, and checks. */
    @FunctionalInterface
    interface Try {
        void run(Random r, Sample sample) throws Exception;
    }

    /** The inputs a try drew, for the failure message. */
    static final class Sample {
        private final List<String> inputs = new ArrayList<>();

        <T> T add(String name, T value) {
            inputs.add(name + " = " + (value instanceof byte[] b ? hex(b) : String.valueOf(value)));
            return value;
        }

        @Override
        public String toString() {
            return String.join("\n  ", inputs);
        }
    }

    /**
     * Runs {@code tries} tries of a property, try {@code i} with a {@link Random} seeded with
     * {@code caseSeed(baseSeed, i)}; the first failure ends the property with its seed and inputs.
     * {@code -Dhostile.seed} runs that one case seed instead; {@code -Dhostile.tries.factor}
     * multiplies the tries; {@code -Dhostile.base.seed} replaces the base seed.
     */
    private static void forAll(String property, long baseSeed, int tries, Try body) {
        String only = System.getProperty("hostile.seed", "").trim();
        String base = System.getProperty("hostile.base.seed", "").trim();
        long b = base.isEmpty() ? baseSeed : parseSeed(base);
        int n = only.isEmpty() ? tries * Math.max(1, Integer.getInteger("hostile.tries.factor", 1)) : 1;
        for (int i = 0; i < n; i++) {
            long seed = only.isEmpty() ? caseSeed(b, i) : parseSeed(only);
            Sample sample = new Sample();
            try {
                body.run(new Random(seed), sample);
            } catch (Throwable t) {
                String s = String.format("0x%016x", seed);
                throw new AssertionError(property + " failed at try " + (i + 1) + " of " + n + ", seed " + s
                        + " (rerun this case alone: -Dhostile.seed=" + s + " -Dtest=FrameDecoderPropertiesTest#" + property + ")\n  "
                        + sample + "\n" + t, t);
            }
        }
    }

    /** Try {@code i}'s seed: SplitMix64 of the base seed plus {@code i} golden-ratio steps. */
    static long caseSeed(long baseSeed, int i) {
        long z = baseSeed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long parseSeed(String s) {
        return s.startsWith("0x") || s.startsWith("0X") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    // ---- generators ----

    static Script scripts(Random r) {
        return script(r, true, 6);
    }

    static Script smallScripts(Random r) {
        return script(r, false, 4);
    }

    private static final int[] CLOSE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999};

    private static Script script(Random r, boolean allowLarge, int maxMessages) {
        int count = r.nextInt(maxMessages + 1); // uniform: an edge bias would make a quarter of the scripts empty
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            messages.add(message(r, allowLarge));
        }
        Close close = r.nextInt(10) < 4 ? null
                : new Close(CLOSE_CODES[r.nextInt(CLOSE_CODES.length)], anyString(r, 30), randomBytes(r, size(r, 0, 24)));
        return new Script(messages, close, r.nextBoolean(), r.nextLong());
    }

    private static Message message(Random r, boolean allowLarge) {
        boolean text = r.nextBoolean();
        // Whether the content is drawn as UTF-8 or as raw bytes is independent of the message's type.
        boolean utf8Content = r.nextBoolean();
        int n;
        if (allowLarge) {
            int w = r.nextInt(49); // 40 : 8 : 1
            n = w < 40 ? size(r, 0, 130) : w < 48 ? size(r, 126, 4000) : size(r, 65_536, 70_000);
        } else {
            n = size(r, 0, 200);
        }
        byte[] bytes = utf8Content ? randomUtf8(r, n) : randomBytes(r, n);
        List<Double> cuts = new ArrayList<>();
        for (int i = size(r, 0, 4); i > 0; i--) {
            cuts.add(fraction(r));
        }
        List<List<Control>> controls = new ArrayList<>();
        for (int i = size(r, 0, 5); i > 0; i--) {
            List<Control> before = new ArrayList<>();
            for (int j = size(r, 0, 2); j > 0; j--) {
                boolean ping = r.nextBoolean();
                before.add(new Control(ping, randomBytes(r, size(r, 0, 125))));
            }
            controls.add(before);
        }
        boolean compressed = r.nextInt(4) == 0; // 3 : 1
        // A text message's content must be UTF-8: text carries UTF-8, binary raw bytes.
        byte[] c = text && !isUtf8(bytes) ? new String(bytes, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.UTF_8) : bytes;
        return new Message(text, c, cuts, controls, compressed);
    }

    /** Piece sizes for feeding the decoder: byte by byte, all at once, or 1..16 sizes of 1..300 bytes (cycled). */
    static List<Integer> chunkSizes(Random r) {
        int w = r.nextInt(8); // 1 : 1 : 6
        if (w == 0) {
            return List.of(1);
        }
        if (w == 1) {
            return List.of(Integer.MAX_VALUE);
        }
        List<Integer> sizes = new ArrayList<>();
        for (int i = size(r, 1, 16); i > 0; i--) {
            sizes.add(size(r, 1, 300));
        }
        return sizes;
    }

    static int dataOpcode(Random r) {
        return r.nextBoolean() ? Frame.TEXT : Frame.BINARY;
    }

    static byte[] garbage(Random r) {
        return randomBytes(r, size(r, 1, 64));
    }

    /** One change to the bytes: at a fraction of the length, what to do, with which value. */
    record Mutation(double at, int kind, int value) {
        @Override
        public String toString() {
            return switch (kind) {
                case 0 -> "flip bit " + (value & 7);
                case 1 -> "set " + (value & 0xff);
                case 2 -> "insert " + (value & 0xff);
                case 3 -> "delete";
                default -> "truncate";
            } + String.format(" @%.3f", at);
        }
    }

    static List<Mutation> mutations(Random r) {
        List<Mutation> mutations = new ArrayList<>();
        for (int i = size(r, 1, 4); i > 0; i--) {
            int w = r.nextInt(23); // flip 10 : set 6 : insert 3 : delete 3 : truncate 1
            int kind = w < 10 ? 0 : w < 16 ? 1 : w < 19 ? 2 : w < 22 ? 3 : 4;
            mutations.add(new Mutation(fraction(r), kind, r.nextInt(256)));
        }
        return mutations;
    }

    /** A size in min..max (inclusive), the bounds themselves each drawn about one time in eight. */
    static int size(Random r, int min, int max) {
        return switch (r.nextInt(8)) {
            case 0 -> min;
            case 1 -> max;
            default -> r.nextInt(min, max + 1);
        };
    }

    /** A fraction in 0..1 (inclusive): often exactly 0 or 1, often with 2 decimals (so cuts coincide), else anything. */
    static double fraction(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0.0;
            case 1 -> 1.0;
            case 2, 3 -> r.nextInt(101) / 100.0;
            default -> r.nextDouble();
        };
    }

    /** Up to maxLength chars of any kind: ASCII, controls, Latin-1, any BMP char, lone surrogates, surrogate pairs. */
    static String anyString(Random r, int maxLength) {
        int n = size(r, 0, maxLength);
        StringBuilder sb = new StringBuilder(n);
        while (sb.length() < n) {
            switch (r.nextInt(8)) {
                case 0, 1, 2 -> sb.append((char) r.nextInt(0x20, 0x7f));
                case 3 -> sb.append((char) r.nextInt(0x100));
                case 4 -> sb.append((char) (0xD800 + r.nextInt(0x800))); // unpaired: encoded as '?'
                case 5 -> {
                    if (sb.length() + 2 <= n) {
                        sb.appendCodePoint(r.nextInt(0x10000, 0x110000));
                    }
                }
                default -> sb.append((char) r.nextInt(0x10000));
            }
        }
        return sb.toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    // ---- building the wire ----

    /** The script's bytes, frame by frame, and the events RFC 6455 says they mean. */
    static Wire encode(Script script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> events = new ArrayList<>();
        Random masks = new Random(script.maskSeed());
        Deflater shared = script.contextTakeover() ? new Deflater(Deflater.DEFAULT_COMPRESSION, true) : null;
        try {
            for (Message m : script.messages()) {
                byte[] payload = m.content();
                if (m.compressed()) {
                    Deflater d = shared != null ? shared : new Deflater(Deflater.DEFAULT_COMPRESSION, true);
                    payload = deflate(d, payload);
                    if (shared == null) {
                        d.end();
                    }
                }
                int wireLength = payload.length;
                int[] cuts = m.cuts().stream().mapToInt(f -> (int) Math.floor(f * wireLength)).sorted().toArray();
                int fragments = cuts.length + 1;
                int start = 0;
                for (int i = 0; i < fragments; i++) {
                    if (i < m.controls().size()) {
                        for (Control c : m.controls().get(i)) {
                            Frame f = c.ping() ? Frame.ping(c.payload()) : Frame.pong(c.payload());
                            out.writeBytes(f.maskKey(mask(masks)).bytes());
                            events.add((c.ping() ? "ping:" : "pong:") + hex(c.payload()));
                        }
                    }
                    int end = i < cuts.length ? cuts[i] : payload.length;
                    byte[] piece = Arrays.copyOfRange(payload, start, end);
                    start = end;
                    int opcode = i > 0 ? Frame.CONTINUATION : (m.text() ? Frame.TEXT : Frame.BINARY);
                    Frame f = Frame.of(opcode, piece).fin(i == fragments - 1).maskKey(mask(masks));
                    if (i == 0 && m.compressed()) {
                        f.rsv(4);
                    }
                    out.writeBytes(f.bytes());
                }
                events.add(m.text() ? "text:" + new String(m.content(), StandardCharsets.UTF_8) : "binary:" + hex(m.content()));
            }
        } finally {
            if (shared != null) {
                shared.end();
            }
        }
        Close close = script.close();
        if (close != null) {
            out.writeBytes(Frame.close(close.code(), close.reason()).maskKey(mask(masks)).bytes());
            events.add("close:" + close.code() + ":" + new String(close.reason().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            out.writeBytes(close.garbage()); // "frames after a close are ignored"
        }
        return new Wire(out.toByteArray(), events);
    }

    /** RFC 7692 7.2.1: compress, flush with an empty stored block, remove its 4-byte tail 00 00 FF FF. */
    static byte[] deflate(Deflater deflater, byte[] data) {
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            int n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
            if (n < buf.length && deflater.needsInput()) {
                break;
            }
        }
        byte[] all = out.toByteArray();
        int len = all.length;
        if (len == 0) {
            // zlib flushes nothing when nothing is new (an empty message after an earlier flush), but
            // an empty payload plus the 00 00 FF FF tail is not a block boundary: RFC 7692 7.2.3.6
            // sends an empty message as an empty stored block, 0x00 once its tail is removed.
            return new byte[] {0};
        }
        if (len >= 4 && all[len - 4] == 0 && all[len - 3] == 0 && all[len - 2] == (byte) 0xff && all[len - 1] == (byte) 0xff) {
            len -= 4;
        } else {
            throw new AssertionError("a sync flush must end in 00 00 FF FF");
        }
        return Arrays.copyOf(all, len);
    }

    private static byte[] mask(Random r) {
        byte[] key = new byte[4];
        if (r.nextInt(8) != 0) { // an all-zero key now and then: legal, and the identity
            r.nextBytes(key);
        }
        return key;
    }

    static byte[] mutate(byte[] bytes, List<Mutation> mutations) {
        byte[] b = bytes;
        for (Mutation m : mutations) {
            if (b.length == 0) {
                break;
            }
            int at = Math.min(b.length - 1, (int) (m.at() * b.length));
            switch (m.kind()) {
                case 0 -> b[at] ^= (byte) (1 << (m.value() & 7));
                case 1 -> b[at] = (byte) m.value();
                case 2 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) m.value();
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 3 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                    b = c;
                }
                default -> b = Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    // ---- decoding ----

    /** What a decode gave: the events in order, and the exception that ended it, if any. */
    static final class Outcome {
        final List<String> events = new ArrayList<>();
        Throwable failure;
    }

    /**
     * Feeds the bytes in pieces of the given sizes (cycled), each piece a fresh copy at a random
     * array offset; stops at the first exception. Runs under the watchdog.
     */
    static Outcome decode(byte[] input, List<Integer> chunkSizes, int maxFrame, int maxMessage, int maxFragments,
                          MessageInflater inflater) {
        Outcome outcome = new Outcome();
        MessageListener listener = new MessageListener() {
            @Override
            public void onText(String text) {
                outcome.events.add("text:" + text);
            }

            @Override
            public void onBinary(ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                outcome.events.add("binary:" + hex(b));
            }

            @Override
            public void onPing(byte[] payload) {
                assertTrue(payload.length <= 125, "ping payload over 125 bytes delivered");
                outcome.events.add("ping:" + hex(payload));
            }

            @Override
            public void onPong(byte[] payload) {
                assertTrue(payload.length <= 125, "pong payload over 125 bytes delivered");
                outcome.events.add("pong:" + hex(payload));
            }

            @Override
            public void onClose(CloseStatus status) {
                outcome.events.add("close:" + status.code() + ":" + status.reason());
            }
        };
        FrameDecoder decoder = new FrameDecoder(maxFrame, maxMessage, maxFragments, listener, inflater);
        Future<?> run = WATCHDOG.submit(() -> {
            Random pads = new Random(input.length);
            int pos = 0;
            int i = 0;
            try {
                while (pos < input.length) {
                    int n = (int) Math.min(input.length - pos, (long) chunkSizes.get(i++ % chunkSizes.size()));
                    int pad = pads.nextInt(8);
                    byte[] copy = new byte[pad + n + pads.nextInt(8)];
                    System.arraycopy(input, pos, copy, pad, n);
                    ByteBuffer piece = ByteBuffer.wrap(copy, pad, n).slice();
                    decoder.decode(piece);
                    if (piece.hasRemaining()) {
                        throw new AssertionError("decode() left " + piece.remaining() + " bytes unconsumed");
                    }
                    pos += n;
                }
            } catch (AssertionError e) {
                throw e;
            } catch (Throwable t) {
                outcome.failure = t;
            } finally {
                decoder.release();
            }
        });
        try {
            run.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            fail("the decoder did not finish 5 s after being given " + input.length + " bytes (a hang?): " + hex(input));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return outcome;
    }

    /** Where, feeding a header one byte at a time, the decoder threw, and with what. */
    record HeaderResult(int failedAtByte, int code, String message) {
    }

    static HeaderResult feedHeaderByteByByte(byte[] header, int maxFrame) {
        FrameDecoder decoder = new FrameDecoder(maxFrame, maxFrame, 100_000, new MessageListener() {
            @Override
            public void onText(String text) {
            }

            @Override
            public void onBinary(ByteBuffer data) {
            }

            @Override
            public void onPing(byte[] payload) {
            }

            @Override
            public void onPong(byte[] payload) {
            }

            @Override
            public void onClose(CloseStatus status) {
            }
        }, null);
        for (int i = 0; i < header.length; i++) {
            try {
                decoder.decode(ByteBuffer.wrap(new byte[] {header[i]}));
            } catch (ProtocolException e) {
                return new HeaderResult(i, e.closeCode(), e.getMessage());
            }
        }
        return new HeaderResult(-1, 0, "no failure after the whole header " + hex(header));
    }

    // ---- content ----

    /** About n bytes of valid UTF-8 mixing 1-, 2-, 3- and 4-byte characters. */
    static byte[] randomUtf8(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        while (bytes < n) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> 0x20 + r.nextInt(0x5f);
                case 1 -> 0x80 + r.nextInt(0x780);
                case 2 -> {
                    int c = 0x800 + r.nextInt(0xF800);
                    yield c >= 0xD800 && c <= 0xDFFF ? 0x20AC : c;
                }
                default -> 0x10000 + r.nextInt(0x100000);
            };
            sb.appendCodePoint(cp);
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static boolean isUtf8(byte[] b) {
        return Arrays.equals(b, new String(b, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
    }

    static String hex(byte[] b) {
        return b.length > 200 ? HexFormat.of().formatHex(b, 0, 200) + "...(" + b.length + " bytes, sha " + Arrays.hashCode(b) + ")"
                : HexFormat.of().formatHex(b);
    }

    private static String stackOf(Throwable t) {
        if (t == null) {
            return "";
        }
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
