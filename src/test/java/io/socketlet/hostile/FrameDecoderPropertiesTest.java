package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.socketlet.it.Frame;
import io.socketlet.protocol.CloseStatus;
import io.socketlet.protocol.FrameDecoder;
import io.socketlet.protocol.MessageInflater;
import io.socketlet.protocol.MessageListener;
import io.socketlet.protocol.ProtocolException;
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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

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
 * Tries (500 round trips, 2,000 corruptions, 1,000 random tails) keep the class at a few seconds
 * on a busy 2-core machine; {@code jqwik.tries.default} does not override explicit tries: raise
 * them here when hunting.
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

    @Property(tries = 500)
    void validScriptsRoundTripExactly(@ForAll("scripts") Script script, @ForAll("chunkSizes") List<Integer> chunks) {
        Wire wire = encode(script);
        Outcome outcome = decode(wire.bytes(), chunks, 1 << 20, 1 << 20, 100_000,
                script.anyCompressed() ? new MessageInflater(script.contextTakeover(), 1 << 20) : null);
        assertNull(outcome.failure, () -> "a valid script failed: " + outcome.failure + "\n" + script);
        assertEquals(wire.events(), outcome.events, () -> "events differ for " + script);
    }

    @Property(tries = 2000)
    void corruptedScriptsFailOnlyWithProtocolCodes(@ForAll("smallScripts") Script script,
                                                   @ForAll("mutations") List<Mutation> mutations,
                                                   @ForAll("chunkSizes") List<Integer> chunks) {
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
    }

    @Property(tries = 1000)
    void arbitraryBytesAfterAValidPrefixFailOnlyWithProtocolCodes(@ForAll("smallScripts") Script script,
                                                                  @ForAll("garbage") byte[] tail,
                                                                  @ForAll("chunkSizes") List<Integer> chunks) {
        byte[] prefix = encode(new Script(script.messages(), null, script.contextTakeover(), script.maskSeed())).bytes();
        byte[] input = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, input, prefix.length, tail.length);
        Outcome o = decode(input, chunks, 512, 1024, 6, new MessageInflater(script.contextTakeover(), 1024));
        if (o.failure != null) {
            assertTrue(o.failure instanceof ProtocolException && PROTOCOL_CODES.contains(((ProtocolException) o.failure).closeCode()),
                    () -> "random bytes made the decoder throw " + o.failure + "\n" + stackOf(o.failure));
        }
    }

    /** RFC 6455 5.2: "the most significant bit MUST be 0": refused at that very byte, whatever follows. */
    @Property(tries = 200)
    void topBitOf64BitLengthFailsAtThatByte(@ForAll @LongRange(min = Long.MIN_VALUE, max = -1) long length,
                                            @ForAll("dataOpcodes") int opcode) {
        byte[] header = Frame.of(opcode, new byte[0]).declaredLength(length).header();
        assertEquals(127, header[1] & 0x7f);
        HeaderResult r = feedHeaderByteByByte(header, 1 << 20);
        assertEquals(1002, r.code, () -> "length " + Long.toUnsignedString(length) + ": " + r);
        assertEquals(2, r.failedAtByte, () -> "1002 should come at the first extended length byte: " + r);
    }

    /** A frame over maxFrameSize is refused when its length is complete: no payload is awaited or held. */
    @Property(tries = 200)
    void oversizedLengthFailsWhenTheLengthIsComplete(@ForAll @LongRange(min = 1025, max = Long.MAX_VALUE) long length,
                                                     @ForAll("dataOpcodes") int opcode) {
        byte[] header = Frame.of(opcode, new byte[0]).declaredLength(length).header();
        int lengthEnd = length > 0xffff ? 10 : 4; // 2 + 8, or 2 + 2
        HeaderResult r = feedHeaderByteByByte(header, 1024);
        assertEquals(1009, r.code, () -> "length " + length + ": " + r);
        assertEquals(lengthEnd - 1, r.failedAtByte, () -> "1009 should come at the last length byte: " + r);
    }

    /** "the minimal number of bytes MUST be used to encode the length" (RFC 6455 5.2). */
    @Property(tries = 100)
    void nonMinimalLengthsFailWith1002(@ForAll @IntRange(min = 0, max = 65535) int length, @ForAll boolean force64) {
        Frame.LengthForm form = force64 ? Frame.LengthForm.FORCE_64 : Frame.LengthForm.FORCE_16;
        if (!force64 && length > 125) {
            return; // 126..65535 in 16 bits is the minimal form
        }
        byte[] header = Frame.binary(new byte[length]).lengthForm(form).header();
        HeaderResult r = feedHeaderByteByByte(header, 1 << 20);
        assertEquals(1002, r.code, () -> "length " + length + " in " + form + ": " + r);
    }

    // ---- arbitraries ----

    @Provide
    Arbitrary<Script> scripts() {
        return script(true, 6);
    }

    @Provide
    Arbitrary<Script> smallScripts() {
        return script(false, 4);
    }

    private Arbitrary<Script> script(boolean allowLarge, int maxMessages) {
        Arbitrary<Close> close = Combinators.combine(
                Arbitraries.of(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999),
                Arbitraries.strings().all().ofMaxLength(30),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(24))
                .as(Close::new)
                .injectNull(0.4);
        return Combinators.combine(message(allowLarge).list().ofMaxSize(maxMessages), close, Arbitraries.of(true, false),
                Arbitraries.longs()).as(Script::new);
    }

    private Arbitrary<Message> message(boolean allowLarge) {
        Arbitrary<Integer> size = allowLarge
                ? Arbitraries.frequencyOf(
                        Tuple.of(40, Arbitraries.integers().between(0, 130)),
                        Tuple.of(8, Arbitraries.integers().between(126, 4000)),
                        Tuple.of(1, Arbitraries.integers().between(65_536, 70_000)))
                : Arbitraries.integers().between(0, 200);
        Arbitrary<byte[]> content = Combinators.combine(Arbitraries.of(true, false), size, Arbitraries.longs())
                .as((text, n, seed) -> text ? randomUtf8(new Random(seed), n) : randomBytes(new Random(seed), n));
        Arbitrary<Control> control = Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 125),
                Arbitraries.longs()).as((ping, n, seed) -> new Control(ping, randomBytes(new Random(seed), n)));
        return Combinators.combine(
                Arbitraries.of(true, false),
                content,
                Arbitraries.doubles().between(0, 1).list().ofMaxSize(4),
                control.list().ofMaxSize(2).list().ofMaxSize(5),
                Arbitraries.frequency(Tuple.of(3, false), Tuple.of(1, true)))
                .as((text, bytes, cuts, controls, compressed) -> {
                    // A text message's content must be UTF-8: text carries UTF-8, binary raw bytes.
                    byte[] c = text && !isUtf8(bytes) ? new String(bytes, StandardCharsets.ISO_8859_1).getBytes(StandardCharsets.UTF_8) : bytes;
                    return new Message(text, c, cuts, controls, compressed);
                });
    }

    @Provide
    Arbitrary<List<Integer>> chunkSizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(List.of(1))),
                Tuple.of(1, Arbitraries.just(List.of(Integer.MAX_VALUE))),
                Tuple.of(6, Arbitraries.integers().between(1, 300).list().ofMinSize(1).ofMaxSize(16)));
    }

    @Provide
    Arbitrary<Integer> dataOpcodes() {
        return Arbitraries.of(Frame.TEXT, Frame.BINARY);
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64);
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

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.doubles().between(0, 1),
                Arbitraries.frequency(Tuple.of(10, 0), Tuple.of(6, 1), Tuple.of(3, 2), Tuple.of(3, 3), Tuple.of(1, 4)),
                Arbitraries.integers().between(0, 255)).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(4);
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
