package io.socketlet.internal.protocol;

import static io.socketlet.internal.protocol.HixieFeeder.key3Event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.internal.protocol.HixieFeeder.Road;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The legacy drafts' framing as draft-hixie-thewebsocketprotocol-76 section 5.3 reads it ("Data
 * framing", server side), fed as byte arrays through {@link HixieFeeder}: every input whole, split
 * at every byte boundary, and byte by byte, on both roads (-76 with its 8 challenge bytes first,
 * -75 without).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HixieDecoderTest {

    private static final int LIMIT = 1 << 20;
    /** The 8 challenge bytes, with 0x00 and 0xFF among them: they must not be read as frames. */
    private static final byte[] KEY3 = {(byte) 0xFF, 0x00, 'T', 'm', (byte) 0x80, 0x00, (byte) 0xFF, 'u'};

    // ---------------------------------------------------------------- helpers

    private static HixieFeeder feeder(Road road) {
        return new HixieFeeder(road, LIMIT);
    }

    /** The bytes as the road carries them: -76 puts the 8 key bytes first. */
    private static byte[] onRoad(Road road, byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (road == Road.HIXIE_76) {
            out.writeBytes(KEY3);
        }
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Events as the road reports them: -76 reports the key bytes first. */
    private static String[] events(Road road, String... events) {
        List<String> all = new ArrayList<>();
        if (road == Road.HIXIE_76) {
            all.add(key3Event(KEY3));
        }
        all.addAll(List.of(events));
        return all.toArray(String[]::new);
    }

    /** Where byte {@code i} of the frames sits on the road. */
    private static int at(Road road, int i) {
        return (road == Road.HIXIE_76 ? KEY3.length : 0) + i;
    }

    /** {@code 0x00}, the UTF-8 of the text, {@code 0xFF}. */
    static byte[] text(String text) {
        return frame(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code 0x00}, these bytes, {@code 0xFF}. */
    static byte[] frame(byte[] utf8) {
        byte[] f = new byte[utf8.length + 2];
        System.arraycopy(utf8, 0, f, 1, utf8.length);
        f[f.length - 1] = (byte) 0xFF;
        return f;
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] repeat(int value, int count) {
        byte[] b = new byte[count];
        Arrays.fill(b, (byte) value);
        return b;
    }

    // ---------------------------------------------------------------- text frames

    @ParameterizedTest
    @EnumSource(Road.class)
    void readsAnAsciiTextFrame(Road road) {
        feeder(road).assertDecodes(onRoad(road, text("Hello, hixie")), events(road, "text:Hello, hixie"));
    }

    @ParameterizedTest
    @EnumSource(Road.class)
    void readsMultiByteUtf8SplitInsideItsCharacters(Road road) {
        // Two-, three- and four-byte characters: every split point falls inside one of them somewhere.
        String text = "κόσμε € 中文 \uD834\uDD1E \uD83D\uDE00 ß";
        feeder(road).assertDecodes(onRoad(road, text(text)), events(road, "text:" + text));
    }

    @ParameterizedTest
    @EnumSource(Road.class)
    void readsTheLargestAndSmallestCodePointsOfEachLength(Road road) {
        String text = "\u0000\u007F\u0080\u07FF\u0800\uFFFF\uD800\uDC00\uDBFF\uDFFF";
        feeder(road).assertDecodes(onRoad(road, text(text)), events(road, "text:" + text));
    }

    @ParameterizedTest
    @EnumSource(Road.class)
    void readsSeveralFramesInOneBuffer(Road road) {
        feeder(road).assertDecodes(onRoad(road, text("one"), text("twö"), text(""), text("€")),
                events(road, "text:one", "text:twö", "text:", "text:€"));
    }

    @ParameterizedTest
    @EnumSource(Road.class)
    void readsAnEmptyTextFrame(Road road) {
        feeder(road).assertDecodes(onRoad(road, bytes(0x00, 0xFF)), events(road, "text:"));
    }

    @ParameterizedTest
    @EnumSource(Road.class)
    void deliversNothingForAnUnfinishedFrame(Road road) {
        // No 0xFF yet: the frame is still open, so nothing is delivered and nothing fails.
        feeder(road).assertDecodes(onRoad(road, text("done"), bytes(0x00, 'h', 0xC3)), events(road, "text:done"));
    }

    @Test
    void eachMessageStartsAFreshUtf8Check() {
        // A message that ended cleanly leaves nothing behind for the next one.
        feeder(Road.HIXIE_75).assertDecodes(concat(text("é"), text("a"), text("\uD83D\uDE00"), text("b")),
                "text:é", "text:a", "text:\uD83D\uDE00", "text:b");
    }

    // ---------------------------------------------------------------- invalid UTF-8: 1007 at the first impossible byte

    /**
     * Each row: the text bytes and the index (within them) of the first byte no valid UTF-8 can
     * have there. "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte
     * stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket
     * Connection_" (RFC 6455 8.1; the drafts say the text "must be valid UTF-8").
     */
    @ParameterizedTest(name = "{0} fails at {1}")
    @CsvSource({
            "61 C0 80 62, 1",        // C0 is always overlong
            "61 C1 BF, 1",           // so is C1
            "E0 80 80, 1",           // E0 80: overlong three-byte form
            "E0 9F BF, 1",
            "ED A0 80, 1",           // a UTF-16 surrogate
            "ED BF BF, 1",
            "F0 80 80 80, 1",        // overlong four-byte form
            "F4 90 80 80, 1",        // past U+10FFFF
            "F5 80 80 80, 0",        // F5..FF never start a character
            "F8 88 80 80 80, 0",
            "FE, 0",
            "80, 0",                 // a continuation byte with no lead
            "61 62 BF 63, 2",
            "C3 28, 1",              // a lead byte followed by ASCII
            "E2 82 28, 2",
            "F0 9F 98 41, 3",
            "CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64, 12",
    })
    void failsWith1007AtTheFirstImpossibleByte(String hex, int badIndex) {
        byte[] textBytes = HexFormat.ofDelimiter(" ").parseHex(hex);
        for (Road road : Road.values()) {
            byte[] input = onRoad(road, text("ok"), frame(textBytes), text("never"));
            // Frame "ok" is 4 bytes, then 0x00, then the text: the bad byte is at 5 + badIndex.
            feeder(road).assertFails(input, 1007, at(road, 5 + badIndex), events(road, "text:ok"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"C3", "E2 82", "E2", "F0 9F 98", "F4 8F BF", "61 62 CE"})
    void failsWith1007WhenTheTextEndsInsideACharacter(String hex) {
        byte[] textBytes = HexFormat.ofDelimiter(" ").parseHex(hex);
        for (Road road : Road.values()) {
            byte[] input = onRoad(road, frame(textBytes), text("never"));
            // The 0xFF that ends the frame is the first byte that cannot continue the character.
            feeder(road).assertFails(input, 1007, at(road, 1 + textBytes.length), events(road));
        }
    }

    // ---------------------------------------------------------------- the message size limit, enforced while scanning

    @Test
    void acceptsAMessageOfExactlyTheLimitAndEachMessageHasItsOwnLimit() {
        HixieFeeder limited = new HixieFeeder(Road.HIXIE_75, 12);
        String twelve = "abcdefghijkl";
        String utf8Twelve = "€€€€"; // 4 x 3 bytes
        assertEquals(12, utf8Twelve.getBytes(StandardCharsets.UTF_8).length);
        limited.assertDecodes(concat(text(twelve), text(utf8Twelve), text(twelve)),
                "text:" + twelve, "text:" + utf8Twelve, "text:" + twelve);
    }

    @Test
    void failsWith1009AtTheFirstByteOverTheLimit() {
        HixieFeeder limited = new HixieFeeder(Road.HIXIE_75, 12);
        byte[] input = concat(text("fits"), text("abcdefghijklm"), text("never"));
        // "fits" frame is 6 bytes; the 13th text byte of the next is at 6 + 1 + 12.
        limited.assertFails(input, 1009, 6 + 1 + 12, "text:fits");
    }

    @Test
    void theLimitCountsBytesNotCharacters() {
        HixieFeeder limited = new HixieFeeder(Road.HIXIE_75, 12);
        // Five euro signs are 15 bytes, five characters: the 13th byte is inside the fifth sign.
        limited.assertFails(text("€€€€€"), 1009, 1 + 12);
    }

    @ParameterizedTest
    @EnumSource(Road.class)
    void aMessageThatNeverEndsFailsOncePastTheLimitWithoutReadingOn(Road road) {
        int limit = 100;
        HixieFeeder limited = new HixieFeeder(road, limit);
        // Ten times the limit and no 0xFF: the decoder must fail at byte limit + 1 of the text,
        // whatever the split, so it never holds more than the limit.
        byte[] input = onRoad(road, bytes(0x00), repeat('x', 10 * limit));
        limited.assertFails(input, 1009, at(road, 1 + limit), events(road));
    }

    @Test
    void aLargeMessageThatNeverEndsFailsInTheChunkThatCrossesTheLimit() {
        int limit = 64 * 1024;
        HixieFeeder limited = new HixieFeeder(Road.HIXIE_76, limit);
        byte[] input = onRoad(Road.HIXIE_76, bytes(0x00), repeat('y', 10 * limit));
        List<int[]> plans = List.of(new int[] {input.length}, HixieFeeder.chunks(input.length, 4096),
                HixieFeeder.chunks(input.length, 1000), HixieFeeder.chunks(input.length, 1));
        limited.assertFails(input, plans, 1009, at(Road.HIXIE_76, 1 + limit), key3Event(KEY3));
    }

    @Test
    void aMultiByteCharacterThatStraddlesTheLimitFails() {
        HixieFeeder limited = new HixieFeeder(Road.HIXIE_75, 4);
        // "abc" then a 2-byte character: its second byte is the 5th text byte.
        limited.assertFails(text("abcé"), 1009, 1 + 4);
    }

    /**
     * The first violation in the stream decides the close code, however TCP cut the stream: the
     * text is invalid UTF-8 at its third byte, long before it passes the limit, so it is 1007
     * whether the decoder got the whole buffer or one byte at a time.
     */
    @Test
    void invalidUtf8BeforeTheLimitIs1007WhateverTheSplit() {
        HixieFeeder limited = new HixieFeeder(Road.HIXIE_75, 100);
        byte[] input = concat(bytes(0x00, 'a', 0xC0), repeat('b', 200));
        limited.assertFails(input, 1007, 2);
    }

    // ---------------------------------------------------------------- frame types without the high bit: read to 0xFF, discard

    @ParameterizedTest(name = "type 0x{0}")
    @CsvSource({"01", "02", "10", "7F"})
    void discardsFrameTypesWithoutTheHighBitUpTo0xFF(String type) {
        int t = Integer.parseInt(type, 16);
        // "If /frame type/ is not 0x00 ... discard": the bytes are not text, so not validated,
        // and a 0x00 among them does not start a frame.
        byte[] discarded = concat(bytes(t, 'j', 'u', 0x00, 'n', 0xC0, 0x80, 0xFE, 'k'), bytes(0xFF));
        for (Road road : Road.values()) {
            feeder(road).assertDecodes(onRoad(road, text("before"), discarded, text("after")),
                    events(road, "text:before", "text:after"));
        }
    }

    @Test
    void aDiscardedFrameIsNotHeldAgainstTheMessageLimit() {
        // Discarding keeps nothing, so a discarded frame longer than the limit costs nothing.
        HixieFeeder limited = new HixieFeeder(Road.HIXIE_75, 8);
        byte[] input = concat(bytes(0x05), repeat('z', 100), bytes(0xFF), text("small"));
        limited.assertDecodes(input, "text:small");
    }

    // ---------------------------------------------------------------- frame types with the high bit: a length, then that many bytes discarded

    @ParameterizedTest(name = "type 0x{0}")
    @CsvSource({"80", "81", "FE", "FF"})
    void discardsLengthPrefixedFramesByTheirLength(String type) {
        int t = Integer.parseInt(type, 16);
        // Length 0x82 0x05: (2 * 128) + 5 = 261 bytes, among them 0x00 and 0xFF that must not be read as frames.
        byte[] body = new byte[261];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i % 3 == 0 ? 0xFF : i % 3 == 1 ? 0x00 : 0xC0);
        }
        byte[] input = concat(text("before"), bytes(t, 0x82, 0x05), body, text("after"));
        for (Road road : Road.values()) {
            feeder(road).assertDecodes(onRoad(road, input), events(road, "text:before", "text:after"));
        }
    }

    @Test
    void readsALengthSevenBitsPerByteHighBitMeaningMore() {
        // 0x81 0x80 0x01: ((1 * 128) + 0) * 128 + 1 = 16385 bytes.
        byte[] body = repeat(0xFF, 16385);
        byte[] input = concat(bytes(0x80, 0x81, 0x80, 0x01), body, text("after"));
        List<int[]> plans = List.of(new int[] {input.length}, HixieFeeder.chunks(input.length, 7),
                HixieFeeder.chunks(input.length, 1), new int[] {3, input.length - 3}, new int[] {4, input.length - 4},
                new int[] {input.length - 8, 8}, new int[] {input.length - 9, 9});
        feeder(Road.HIXIE_75).assertDecodes(input, plans, "text:after");
        // One byte short of the length: the next frame's 0x00 is still part of the discarded bytes.
        byte[] shorter = concat(bytes(0x80, 0x81, 0x80, 0x01), repeat(0xFF, 16384), text("after"));
        feeder(Road.HIXIE_75).assertDecodes(shorter, List.of(new int[] {shorter.length}, HixieFeeder.chunks(shorter.length, 1)));
    }

    @Test
    void aZeroLengthFrameOfAnotherTypeIsNotAClose() {
        feeder(Road.HIXIE_76).assertDecodes(onRoad(Road.HIXIE_76, bytes(0x80, 0x00), bytes(0xFE, 0x80, 0x00), text("still open")),
                events(Road.HIXIE_76, "text:still open"));
    }

    @Test
    void a0xFFFrameWithALengthIsDiscardedNotAClose() {
        // "If /frame type/ is 0xFF and /length/ was 0": only then is it the closing handshake.
        feeder(Road.HIXIE_76).assertDecodes(onRoad(Road.HIXIE_76, bytes(0xFF, 0x03, 'a', 'b', 'c'), text("still open")),
                events(Road.HIXIE_76, "text:still open"));
    }

    @Test
    void failsOnAnAbsurdLengthInsteadOfOverflowing() {
        // 0x80 then continuation bytes forever: ten 7-bit groups overflow a long, so the decoder
        // must refuse before the tenth and never wrap round to a small length.
        byte[] input = concat(bytes(0x80), repeat(0xFF, 40), text("never"));
        HixieFeeder.Outcome byteByByte = feeder(Road.HIXIE_75).feed(input, HixieFeeder.chunks(input.length, 1));
        assertNotNull(byteByByte.failure(), "an endless length must fail");
        int failAt = byteByByte.failedPieceStart();
        assertTrue(failAt >= 1 && failAt <= 9, "refused at length byte " + failAt + ", after a long would have overflowed");
        for (Road road : Road.values()) {
            feeder(road).assertFails(onRoad(road, input), 1009, at(road, failAt), events(road));
        }
    }

    @Test
    void aLengthThatWouldWrapALongRoundToZeroStillFails() {
        // Length bytes 0x82, eight 0x80, 0x00: 2 * 128^9 = 2^64, which a long wraps to 0; then
        // bytes that would look like a text frame. A wrapped length would deliver "smuggled".
        byte[] input = concat(bytes(0x80, 0x82), repeat(0x80, 8), bytes(0x00), text("smuggled"));
        HixieFeeder.Outcome outcome = feeder(Road.HIXIE_75).feed(input, new int[] {input.length});
        assertNotNull(outcome.failure(), "must fail, delivered " + outcome.events());
        assertEquals(1009, outcome.failure().closeCode());
        assertEquals(List.of(), outcome.events());
    }

    // ---------------------------------------------------------------- the closing handshake

    @ParameterizedTest
    @EnumSource(Road.class)
    void closesOn0xFF0x00AndIgnoresEverythingAfter(Road road) {
        // After the close, even bytes that would break every rule are ignored.
        byte[] after = concat(text("ignored"), bytes(0x00, 0xC0, 0xFE, 0xFF), bytes(0x00), repeat('q', 300));
        byte[] input = onRoad(road, text("last"), bytes(0xFF, 0x00), after);
        HixieFeeder limited = new HixieFeeder(road, 16);
        limited.assertDecodes(input, events(road, "text:last", "close:1005:"));
        for (int[] plan : HixieFeeder.plans(input.length)) {
            assertTrue(limited.feed(input, plan).closed(), () -> "reads nothing after the close: " + HixieFeeder.describe(input, plan));
        }
    }

    @Test
    void aCloseWithALengthWrittenInTwoBytesIsStillAClose() {
        // 0xFF 0x80 0x00: length (0 * 128) + 0 = 0, in two bytes.
        feeder(Road.HIXIE_76).assertDecodes(onRoad(Road.HIXIE_76, bytes(0xFF, 0x80, 0x00), text("ignored")),
                events(Road.HIXIE_76, "close:1005:"));
    }

    @Test
    void laterCallsAfterTheCloseAreIgnored() {
        HixieFeeder.Recorder recorder = new HixieFeeder.Recorder();
        HixieDecoder decoder = new HixieDecoder(16, recorder, null);
        decoder.decode(ByteBuffer.wrap(bytes(0xFF, 0x00)));
        decoder.decode(ByteBuffer.wrap(repeat(0xC0, 1000)));
        ByteBuffer more = ByteBuffer.wrap(text("x"));
        decoder.decode(more);
        assertFalse(more.hasRemaining(), "the bytes are consumed, even if ignored");
        assertEquals(List.of("close:1005:"), recorder.events);
    }

    @Test
    void isNotClosedBeforeTheClosingFrame() {
        HixieFeeder.Recorder recorder = new HixieFeeder.Recorder();
        HixieDecoder decoder = new HixieDecoder(16, recorder, null);
        decoder.decode(ByteBuffer.wrap(concat(text("a"), bytes(0xFF))));
        // 0xFF alone is the start of a frame, not the close: the next byte decides (0x00: the close).
        decoder.decode(ByteBuffer.wrap(bytes(0x00)));
        assertEquals(List.of("text:a", "close:1005:"), recorder.events);
    }

    // ---------------------------------------------------------------- the -76 challenge bytes

    @Test
    void collectsTheEightKeyBytesAcrossSplitsAndReportsThemOnceThenReadsFramesInTheSameBuffer() {
        byte[] input = onRoad(Road.HIXIE_76, text("first"), text("second"));
        feeder(Road.HIXIE_76).assertDecodes(input, key3Event(KEY3), "text:first", "text:second");
    }

    @Test
    void waitsForAllEightKeyBytes() {
        byte[] seven = Arrays.copyOf(KEY3, 7);
        feeder(Road.HIXIE_76).assertDecodes(seven);
    }

    @Test
    void keyBytesAreHandedOverOnceAsAnEightByteArray() {
        List<byte[]> calls = new ArrayList<>();
        HixieFeeder.Recorder recorder = new HixieFeeder.Recorder();
        HixieDecoder decoder = new HixieDecoder(LIMIT, recorder, calls::add);
        for (byte b : onRoad(Road.HIXIE_76, text("x"))) {
            decoder.decode(ByteBuffer.wrap(new byte[] {b}));
        }
        // 8 more bytes, the key again: now they are frames (0xFF 0x00 is the close), not a second key.
        decoder.decode(ByteBuffer.wrap(KEY3.clone()));
        assertEquals(1, calls.size(), "the key callback runs once");
        assertEquals(8, calls.get(0).length);
        assertEquals(HexFormat.of().formatHex(KEY3), HexFormat.of().formatHex(calls.get(0)));
        assertEquals(List.of("text:x", "close:1005:"), recorder.events);
    }

    @Test
    void keyBytesThatLookLikeACloseAreKeyBytes() {
        byte[] key = bytes(0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00);
        HixieFeeder.Recorder recorder = new HixieFeeder.Recorder();
        HixieDecoder decoder = new HixieDecoder(LIMIT, recorder, recorder::key3);
        decoder.decode(ByteBuffer.wrap(concat(key, text("open"))));
        assertEquals(List.of(key3Event(key), "text:open"), recorder.events);
    }

    @Test
    void aViolationRightAfterTheKeyBytesStillHandsOverTheKey() {
        feeder(Road.HIXIE_76).assertFails(onRoad(Road.HIXIE_76, bytes(0x00, 0xC0, 0xFF)), 1007, at(Road.HIXIE_76, 1),
                key3Event(KEY3));
    }

    @Test
    void hixie75HasNoChallengeSoItsFirstBytesAreFrames() {
        // The same bytes a -76 decoder takes as the key are frames on -75: 0xFF 0x00 is a close.
        byte[] input = concat(KEY3, text("x"));
        feeder(Road.HIXIE_75).assertDecodes(input, "close:1005:");
        feeder(Road.HIXIE_75).assertDecodes(text("no key"), "text:no key");
    }

    // ---------------------------------------------------------------- random streams

    @Test
    void randomStreamsOfValidFramesDecodeTheSameWhateverTheSplit() {
        Random random = new Random(0x76_75L);
        for (int round = 0; round < 40; round++) {
            Road road = round % 2 == 0 ? Road.HIXIE_76 : Road.HIXIE_75;
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            List<String> expected = new ArrayList<>(List.of(events(road)));
            stream.writeBytes(onRoad(road));
            int frames = 1 + random.nextInt(6);
            for (int f = 0; f < frames; f++) {
                switch (random.nextInt(4)) {
                    case 0, 1 -> {
                        String s = randomText(random, random.nextInt(12));
                        stream.writeBytes(text(s));
                        expected.add("text:" + s);
                    }
                    case 2 -> {
                        stream.write(1 + random.nextInt(0x7F));
                        for (int i = random.nextInt(10); i > 0; i--) {
                            stream.write(random.nextInt(0xFF)); // anything but 0xFF
                        }
                        stream.write(0xFF);
                    }
                    default -> {
                        int length = random.nextInt(200);
                        stream.write(0x80 | random.nextInt(0x7F)); // 0x80-0xFE: never the close
                        if (length >= 128) {
                            stream.write(0x80 | (length >>> 7));
                        }
                        stream.write(length & 0x7F);
                        byte[] body = new byte[length];
                        random.nextBytes(body);
                        stream.writeBytes(body);
                    }
                }
            }
            byte[] input = stream.toByteArray();
            List<int[]> plans = new ArrayList<>(HixieFeeder.plans(input.length));
            for (int i = 0; i < 5; i++) {
                plans.add(randomPlan(random, input.length));
            }
            feeder(road).assertDecodes(input, plans, expected.toArray(String[]::new));
        }
    }

    private static String randomText(Random random, int length) {
        String[] pieces = {"a", "Z", " ", "é", "ß", "€", "中", "\uD83D\uDE00", "\uD834\uDD1E", "\u0000", "\u007F", "\uFFFD"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(pieces[random.nextInt(pieces.length)]);
        }
        return sb.toString();
    }

    private static int[] randomPlan(Random random, int length) {
        List<Integer> pieces = new ArrayList<>();
        int left = length;
        while (left > 0) {
            int n = 1 + random.nextInt(Math.min(left, 9));
            pieces.add(n);
            left -= n;
        }
        return pieces.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---------------------------------------------------------------- the decoder contract

    @Test
    void readsFromTheBufferPositionOfASlicedBuffer() {
        // HixieFeeder already lends every piece with a non-zero array offset and position; this
        // checks the plain case of a buffer whose window starts mid-array.
        byte[] array = concat(text("skipped"), text("read"));
        ByteBuffer window = ByteBuffer.wrap(array, 9, array.length - 9);
        HixieFeeder.Recorder recorder = new HixieFeeder.Recorder();
        new HixieDecoder(LIMIT, recorder, null).decode(window);
        assertEquals(List.of("text:read"), recorder.events);
        assertFalse(window.hasRemaining());
    }

    @Test
    void aFailedDecoderSaysSoWithTheCode() {
        HixieDecoder decoder = new HixieDecoder(LIMIT, new HixieFeeder.Recorder(), null);
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(ByteBuffer.wrap(bytes(0x00, 0x80))));
        assertEquals(1007, e.closeCode());
        assertTrue(e.getMessage().toLowerCase().contains("utf-8"), e.getMessage());
    }
}
