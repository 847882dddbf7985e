package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The UTF-8 sequences of Autobahn's case 6 (from Markus Kuhn's decoder stress test), each with
 * the index of the first byte at which the text can no longer be valid, fed whole, in two and
 * three pieces at every split, and byte by byte.
 */
class Utf8ValidatorTest {

    /** Expected outcome: valid and complete. */
    private static final int VALID = -1;
    /** Expected outcome: nothing invalid, but the input stops inside a character. */
    private static final int INCOMPLETE = -2;

    private static final String KOSME = "ce ba e1 bd b9 cf 83 ce bc ce b5";

    private record Sequence(String name, byte[] bytes, int failAt) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Sequence seq(String name, String hex, int failAt) {
        return new Sequence(name + " [" + hex + "]", HexFormat.of().parseHex(hex.replace(" ", "")), failAt);
    }

    private static Sequence text(String name, String text) {
        return new Sequence(name, text.getBytes(StandardCharsets.UTF_8), VALID);
    }

    /** The bytes from {@code from} up to but not including {@code to}, as hex, each followed by {@code after}. */
    private static String range(int from, int to, String after) {
        StringBuilder hex = new StringBuilder();
        for (int b = from; b < to; b++) {
            hex.append(String.format("%02x", b)).append(after == null ? "" : after);
        }
        return hex.toString();
    }

    static Stream<Sequence> autobahnSequences() {
        List<Sequence> s = new ArrayList<>();
        // 6.1-6.2: valid text.
        s.add(seq("empty", "", VALID));
        s.add(text("Hello-µ@ßöäüàá-UTF-8!!", "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!"));
        s.add(seq("U+0024", "68656c6c6f 24 776f726c64", VALID));
        s.add(seq("U+00A2", "68656c6c6f c2a2 776f726c64", VALID));
        s.add(seq("U+20AC", "68656c6c6f e282ac 776f726c64", VALID));
        s.add(seq("U+24B62", "68656c6c6f f0a4ada2 776f726c64", VALID));
        s.add(seq("kosme", KOSME, VALID));
        // 6.3: a surrogate after valid text fails at its second byte, index 12.
        s.add(seq("kosme + surrogate + edited", KOSME + " eda080 656469746564", 12));
        // Prefixes of kosme: complete at character boundaries, incomplete inside a character.
        byte[] kosme = HexFormat.of().parseHex(KOSME.replace(" ", ""));
        List<Integer> boundaries = List.of(2, 5, 7, 9, 11);
        for (int n = 1; n <= kosme.length; n++) {
            String hex = HexFormat.of().formatHex(kosme, 0, n);
            s.add(seq("kosme prefix " + n, hex, boundaries.contains(n) ? VALID : INCOMPLETE));
        }
        // 6.7, 6.9: first and last possible sequence of each length.
        s.add(seq("first 1-byte", "00", VALID));
        s.add(seq("first 2-byte", "c280", VALID));
        s.add(seq("first 3-byte", "e0a080", VALID));
        s.add(seq("first 4-byte", "f0908080", VALID));
        s.add(seq("last 1-byte", "7f", VALID));
        s.add(seq("last 2-byte", "dfbf", VALID));
        s.add(seq("last 3-byte", "efbfbf", VALID));
        s.add(seq("last 4-byte U+10FFFF", "f48fbfbf", VALID));
        // 6.8, 6.10: 5- and 6-byte forms and 4-byte forms past U+10FFFF: F5-FF never start anything.
        s.add(seq("first 5-byte", "f888808080", 0));
        s.add(seq("first 6-byte", "fc8480808080", 0));
        s.add(seq("last 4-byte form U+1FFFFF", "f7bfbfbf", 0));
        s.add(seq("last 5-byte", "fbbfbfbfbf", 0));
        s.add(seq("last 6-byte", "fdbfbfbfbfbf", 0));
        // 6.11: other boundaries.
        s.add(seq("U+D7FF", "ed9fbf", VALID));
        s.add(seq("U+E000", "ee8080", VALID));
        s.add(seq("U+FFFD", "efbfbd", VALID));
        s.add(seq("U+110000", "f4908080", 1));
        // 6.12: unexpected continuation bytes.
        s.add(seq("lone 80", "80", 0));
        s.add(seq("lone bf", "bf", 0));
        s.add(seq("80 bf", "80bf", 0));
        s.add(seq("80 bf 80", "80bf80", 0));
        s.add(seq("80 bf 80 bf", "80bf80bf", 0));
        s.add(seq("80 bf 80 bf 80", "80bf80bf80", 0));
        s.add(seq("80 bf 80 bf 80 bf", "80bf80bf80bf", 0));
        s.add(seq("all continuation bytes", range(0x80, 0xbf, null), 0));
        s.add(seq("continuation after ASCII run", "41424344454647484950515253545556 80", 16));
        // 6.13: lonely start characters, each followed by a space.
        s.add(seq("lonely C0-DE", range(0xc0, 0xdf, "20"), 0));
        s.add(seq("lonely C2-DE", range(0xc2, 0xdf, "20"), 1));
        s.add(seq("lonely E0-EE", range(0xe0, 0xef, "20"), 1));
        s.add(seq("lonely F0-F6", range(0xf0, 0xf7, "20"), 1));
        s.add(seq("lonely F8-FA", range(0xf8, 0xfb, "20"), 0));
        s.add(seq("lonely FC", range(0xfc, 0xfd, "20"), 0));
        // 6.14: last continuation byte missing. Those that can still be completed are incomplete, not invalid.
        s.add(seq("C0 alone", "c0", 0));
        s.add(seq("E0 80 (overlong start)", "e080", 1));
        s.add(seq("F0 80 80 (overlong start)", "f08080", 1));
        s.add(seq("F8 80 80 80", "f8808080", 0));
        s.add(seq("FC 80 80 80 80", "fc80808080", 0));
        s.add(seq("DF alone", "df", INCOMPLETE));
        s.add(seq("EF BF", "efbf", INCOMPLETE));
        s.add(seq("F7 BF BF", "f7bfbf", 0));
        s.add(seq("FB BF BF BF", "fbbfbfbf", 0));
        s.add(seq("FD BF BF BF BF", "fdbfbfbfbf", 0));
        s.add(seq("F4 8F BF (missing last)", "f48fbf", INCOMPLETE));
        s.add(seq("F1 80 (two missing)", "f180", INCOMPLETE));
        // 6.15: concatenation of incomplete sequences.
        s.add(seq("all incomplete concatenated",
                "c0 e080 f08080 f8808080 fc80808080 df efbf f7bfbf fbbfbfbf fdbfbfbfbf", 0));
        s.add(seq("DF then EF BF", "df efbf", 1));
        // A non-continuation where a continuation is needed.
        s.add(seq("E1 80 then ASCII", "e180 41", 2));
        s.add(seq("F1 80 80 then lead byte", "f18080 c2", 3));
        s.add(seq("C2 then C2 80", "c2 c280", 1));
        // 6.16: impossible bytes.
        s.add(seq("FE", "fe", 0));
        s.add(seq("FF", "ff", 0));
        s.add(seq("FE FE FF FF", "fefeffff", 0));
        // 6.17: overlong ASCII '/'.
        s.add(seq("overlong / 2-byte", "c0af", 0));
        s.add(seq("overlong / 3-byte", "e080af", 1));
        s.add(seq("overlong / 4-byte", "f08080af", 1));
        s.add(seq("overlong / 5-byte", "f8808080af", 0));
        s.add(seq("overlong / 6-byte", "fc80808080af", 0));
        // 6.18: maximum overlong sequences.
        s.add(seq("max overlong 2-byte", "c1bf", 0));
        s.add(seq("max overlong 3-byte", "e09fbf", 1));
        s.add(seq("max overlong 4-byte", "f08fbfbf", 1));
        s.add(seq("max overlong 5-byte", "f887bfbfbf", 0));
        s.add(seq("max overlong 6-byte", "fc83bfbfbfbf", 0));
        // 6.19: overlong NUL.
        s.add(seq("overlong NUL 2-byte", "c080", 0));
        s.add(seq("overlong NUL 3-byte", "e08080", 1));
        s.add(seq("overlong NUL 4-byte", "f0808080", 1));
        s.add(seq("overlong NUL 5-byte", "f880808080", 0));
        s.add(seq("overlong NUL 6-byte", "fc8080808080", 0));
        // 6.20: single UTF-16 surrogates fail at the byte after ED.
        for (String surrogate : List.of("eda080", "edadbf", "edae80", "edafbf", "edb080", "edbe80", "edbfbf")) {
            s.add(seq("surrogate", surrogate, 1));
        }
        // 6.21: paired UTF-16 surrogates fail at the first surrogate already.
        for (String high : List.of("eda080", "edadbf", "edae80", "edafbf")) {
            for (String low : List.of("edb080", "edbfbf")) {
                s.add(seq("surrogate pair", high + low, 1));
            }
        }
        s.add(seq("surrogate after ASCII run", "303132333435363738 eda080", 10));
        // 6.22: noncharacters are valid UTF-8 (RFC 3629 lets them through).
        s.add(seq("U+FFFE", "efbfbe", VALID));
        s.add(seq("U+FFFF", "efbfbf", VALID));
        for (String lead : List.of("f0", "f1", "f2", "f3", "f4")) {
            for (String second : List.of("8f", "9f", "af", "bf")) {
                for (String last : List.of("be", "bf")) {
                    String hex = lead + second + "bf" + last;
                    int failAt;
                    if (lead.equals("f0") && second.equals("8f")) {
                        failAt = 1; // overlong
                    } else if (lead.equals("f4") && !second.equals("8f")) {
                        failAt = 1; // past U+10FFFF
                    } else {
                        failAt = VALID;
                    }
                    s.add(seq("plane noncharacter", hex, failAt));
                }
            }
        }
        s.add(seq("U+FDD0", "efb790", VALID));
        s.add(seq("U+FDEF", "efb7af", VALID));
        // 6.23: the specials block.
        for (int last = 0xb9; last <= 0xbf; last++) {
            s.add(seq("special", "efbf" + Integer.toHexString(last), VALID));
        }
        // Autobahn's incremental checks: fails on eating byte 7 however it is split.
        s.add(seq("edited + surrogate", "656469746564 eda080", 7));
        s.add(seq("F5", "f5", 0));
        return s.stream();
    }

    static Stream<Sequence> textInManyScripts() {
        return Stream.of(
                text("English", "The quick brown fox jumps over the lazy dog, again and again."),
                text("German", "Falsches Üben von Xylophonmusik quält jeden größeren Zwerg"),
                text("Greek", "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία"),
                text("Russian", "Съешь же ещё этих мягких французских булок, да выпей чаю"),
                text("Hebrew", "דג סקרן שט בים מאוכזב ולפתע מצא חברה"),
                text("Arabic", "نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر"),
                text("Hindi", "ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश"),
                text("Thai", "เป็นมนุษย์สุดประเสริฐเลิศคุณค่า"),
                text("Japanese", "いろはにほへとちりぬるを わかよたれそつねならむ"),
                text("Chinese", "我能吞下玻璃而不伤身体。"),
                text("Korean", "다람쥐 헌 쳇바퀴에 타고파"),
                text("Emoji", "😀👍🏽 family: 👨‍👩‍👧‍👦 flags: 🇫🇷🇯🇵"),
                text("Math and supplementary", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐀𝐁𝐂 𠜎𠜱𠝹 U+10FFFF: \udbff\udfff"),
                text("Mixed", "a\u00e9\u20ac\ud83d\ude00 x\u00e9\u20ac\ud83d\ude00y".repeat(3)));
    }

    static Stream<Sequence> allSequences() {
        return Stream.concat(autobahnSequences(), textInManyScripts());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allSequences")
    void failsFastAtExactlyTheExpectedByteWhenFedByteByByte(Sequence s) {
        Utf8Validator v = new Utf8Validator();
        for (int i = 0; i < s.bytes.length; i++) {
            boolean ok = v.feed(s.bytes, i, 1);
            if (i < s.failAt || s.failAt < 0) {
                assertTrue(ok, "rejected early at byte " + i);
            } else {
                assertFalse(ok, "still accepted at byte " + i + " (expected failure at " + s.failAt + ")");
            }
        }
        assertEquals(s.failAt == VALID, v.isComplete());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allSequences")
    void judgesTheWholeBufferAtOnce(Sequence s) {
        assertEquals(s.failAt == VALID, Utf8Validator.isValid(s.bytes, 0, s.bytes.length));
        assertFeeds(s, new int[] {});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allSequences")
    void judgesTheSameWhenSplitInTwoAtEveryByte(Sequence s) {
        for (int a = 0; a <= s.bytes.length; a++) {
            assertFeeds(s, new int[] {a});
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allSequences")
    void judgesTheSameWhenSplitInThreeAtEveryPairOfBytes(Sequence s) {
        for (int a = 0; a <= s.bytes.length; a++) {
            for (int b = a; b <= s.bytes.length; b++) {
                assertFeeds(s, new int[] {a, b});
            }
        }
    }

    /** Feeds the pieces between the cuts, in place in the array, and checks every answer. */
    private static void assertFeeds(Sequence s, int[] cuts) {
        Utf8Validator v = new Utf8Validator();
        int start = 0;
        for (int piece = 0; piece <= cuts.length; piece++) {
            int end = piece < cuts.length ? cuts[piece] : s.bytes.length;
            boolean ok = v.feed(s.bytes, start, end - start);
            // Each feed is true exactly while the failing byte has not been fed yet.
            boolean failed = s.failAt >= 0 && s.failAt < end;
            assertEquals(!failed, ok, "piece [" + start + ", " + end + ") of split " + Arrays.toString(cuts));
            start = end;
        }
        assertEquals(s.failAt == VALID, v.isComplete(), "complete after split " + Arrays.toString(cuts));
    }

    @Test
    void acceptsEveryCodePointAndRejectsEverySurrogate() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                byte[] surrogate = {(byte) 0xED, (byte) (0x80 | ((cp >> 6) & 0x3F)), (byte) (0x80 | (cp & 0x3F))};
                assertFalse(Utf8Validator.isValid(surrogate, 0, 3), "U+" + Integer.toHexString(cp));
                assertFalse(new Utf8Validator().feed(surrogate, 0, 2), "U+" + Integer.toHexString(cp) + " fails at its second byte");
                continue;
            }
            byte[] encoded = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            if (!Utf8Validator.isValid(encoded, 0, encoded.length)) {
                fail("U+" + Integer.toHexString(cp));
            }
            all.writeBytes(encoded);
        }
        byte[] bytes = all.toByteArray();
        assertTrue(Utf8Validator.isValid(bytes, 0, bytes.length));
    }

    @Test
    void failsFastLikeAStrictDecoderOnRandomBytes() {
        // The oracle: a prefix is still viable if some continuation makes the JDK's strict decoder accept it.
        int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0,
            0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff};
        SplittableRandom random = new SplittableRandom(3629);
        for (int round = 0; round < 3000; round++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int parts = random.nextInt(1, 8);
            for (int p = 0; p < parts; p++) {
                if (random.nextBoolean()) {
                    out.write(interesting[random.nextInt(interesting.length)]);
                } else {
                    int cp = random.nextInt(Character.MAX_CODE_POINT + 1);
                    if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            byte[] bytes = out.toByteArray();
            int expected = oracleFailIndex(bytes);
            Utf8Validator v = new Utf8Validator();
            int actual = -1;
            for (int i = 0; i < bytes.length; i++) {
                if (!v.feed(bytes, i, 1)) {
                    actual = i;
                    break;
                }
            }
            assertEquals(expected, actual, HexFormat.of().formatHex(bytes));
            assertEquals(strictlyValid(bytes), Utf8Validator.isValid(bytes, 0, bytes.length), HexFormat.of().formatHex(bytes));
        }
    }

    private static int oracleFailIndex(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (!viable(Arrays.copyOf(bytes, i + 1))) {
                return i;
            }
        }
        return -1;
    }

    /** Whether up to 3 more continuation bytes can make the prefix valid; the range ends are enough to try. */
    private static boolean viable(byte[] prefix) {
        int[] tails = {0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf};
        if (strictlyValid(prefix)) {
            return true;
        }
        for (int extra = 1; extra <= 3; extra++) {
            int combinations = (int) Math.pow(tails.length, extra);
            for (int c = 0; c < combinations; c++) {
                byte[] candidate = Arrays.copyOf(prefix, prefix.length + extra);
                for (int k = 0, rest = c; k < extra; k++, rest /= tails.length) {
                    candidate[prefix.length + k] = (byte) tails[rest % tails.length];
                }
                if (strictlyValid(candidate)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean strictlyValid(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void keepsRejectingUntilReset() {
        Utf8Validator v = new Utf8Validator();
        assertFalse(v.feed(new byte[] {(byte) 0xC0}, 0, 1));
        assertFalse(v.feed("fine".getBytes(StandardCharsets.US_ASCII), 0, 4));
        assertFalse(v.feed(new byte[0], 0, 0));
        assertFalse(v.isComplete());
        v.reset();
        assertTrue(v.isComplete());
        assertTrue(v.feed("fine".getBytes(StandardCharsets.US_ASCII), 0, 4));
        assertTrue(v.isComplete());
    }

    @Test
    void resetForgetsAHalfCharacter() {
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.feed(new byte[] {(byte) 0xE2, (byte) 0x82}, 0, 2));
        assertFalse(v.isComplete());
        v.reset();
        assertTrue(v.isComplete());
        assertFalse(v.feed(new byte[] {(byte) 0xAC}, 0, 1), "a continuation byte right after reset is stray");
    }

    @Test
    void readsOnlyTheGivenRange() {
        // Invalid bytes around the range must not be looked at, even by the 8-byte ASCII reads.
        byte[] b = new byte[40];
        Arrays.fill(b, (byte) 0xFF);
        byte[] text = "abcdefghijklmnopq\u00e9".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, b, 11, text.length);
        assertTrue(Utf8Validator.isValid(b, 11, text.length));
        Utf8Validator v = new Utf8Validator();
        assertTrue(v.feed(b, 11, text.length));
        assertTrue(v.isComplete());
        assertFalse(Utf8Validator.isValid(b, 10, text.length + 1));
    }

    @Test
    void validatesALongAsciiRunWithOneBadByteAtEveryPosition() {
        // Exercises the word-at-a-time path: the bad byte may sit anywhere in or after a word.
        byte[] ascii = "The quick brown fox jumps over the lazy dog 0123456789".getBytes(StandardCharsets.US_ASCII);
        for (int bad = 0; bad < ascii.length; bad++) {
            byte[] b = ascii.clone();
            b[bad] = (byte) 0x80;
            Utf8Validator v = new Utf8Validator();
            int failedAt = -1;
            for (int i = 0; i < b.length && failedAt < 0; i++) {
                if (!v.feed(b, i, 1)) {
                    failedAt = i;
                }
            }
            assertEquals(bad, failedAt);
            assertFalse(Utf8Validator.isValid(b, 0, b.length));
            assertTrue(Utf8Validator.isValid(b, 0, bad));
            assertTrue(Utf8Validator.isValid(b, bad + 1, b.length - bad - 1));
        }
    }

    @Test
    void rejectsARangeOutsideTheArray() {
        byte[] b = new byte[4];
        assertThrows(IndexOutOfBoundsException.class, () -> new Utf8Validator().feed(b, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Utf8Validator.isValid(b, -1, 1));
    }
}
