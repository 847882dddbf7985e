package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Hixie76Test {

    // The worked example of draft-hixie-thewebsocketprotocol-76.
    private static final String KEY1 = "18x 6]8vM;54 *(5:  {   U1]8  z [  8";
    private static final String KEY2 = "1_ tx7X d  <  nw  334J702) 7]o}` 0";
    private static final byte[] KEY3 = "Tm[K T2u".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ANSWER = "fQJ,fN/4F4!~K~MH".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void keyNumberIsDigitsDividedBySpaces() {
        // 1868545188 / 12 and 1733470270 / 10.
        assertEquals(155712099L, Hixie76.keyNumber(KEY1));
        assertEquals(173347027L, Hixie76.keyNumber(KEY2));
    }

    @Test
    void answersTheDraftsOwnExample() {
        assertArrayEquals(ANSWER, Hixie76.challengeResponse(KEY1, KEY2, KEY3));
    }

    @Test
    void answersTheDraftsOpeningHandshakeExample() {
        // The draft's introduction: keys "4 @1  46546xW%0l 1 5" and "12998 5 Y3 1  .P00", then "^n:ds[4U".
        byte[] answer = Hixie76.challengeResponse("4 @1  46546xW%0l 1 5", "12998 5 Y3 1  .P00",
                "^n:ds[4U".getBytes(StandardCharsets.ISO_8859_1));
        assertArrayEquals("8jKS'y:G*Co,Wxa-".getBytes(StandardCharsets.ISO_8859_1), answer);
    }

    @Test
    void acceptsTheLargest32BitNumber() {
        assertEquals(4294967295L, Hixie76.keyNumber("4294967295 "));
        assertEquals(1431655765L, Hixie76.keyNumber("42949 67295  "));
    }

    @Test
    void acceptsLeadingZerosAndZero() {
        assertEquals(7L, Hixie76.keyNumber("0000000014  "));
        assertEquals(0L, Hixie76.keyNumber(" 0 "));
    }

    @Test
    void refusesAKeyWithoutSpaces() {
        assertRefused("1868545188", "spaces");
    }

    @Test
    void refusesAKeyWithoutDigits() {
        assertRefused("no digits here", "digits");
        assertRefused("", "digits");
    }

    @Test
    void refusesANumberThatIsNotAMultipleOfTheSpaces() {
        assertRefused("13  ", "multiple");
        assertRefused("1 0 1", "multiple");
    }

    @ParameterizedTest
    @ValueSource(strings = {"4294967296 ", "42949 67296", "99999999999999999999999999999999999999 ", "1844674407370955161600000000 "})
    void refusesANumberPast32Bits(String key) {
        // Many digits must not wrap the accumulator round to a small, acceptable number.
        assertRefused(key, "32 bits");
    }

    @Test
    void countsOnlyU0020AsASpace() {
        // A tab or a no-break space is just another ignored char.
        assertRefused("12\t\u00a0", "spaces");
        assertEquals(6L, Hixie76.keyNumber("12\t\u00a0  "));
    }

    @Test
    void challengeResponseRefusesABadKey() {
        assertThrows(IllegalArgumentException.class, () -> Hixie76.challengeResponse("12", KEY2, KEY3));
        assertThrows(IllegalArgumentException.class, () -> Hixie76.challengeResponse(KEY1, "13  ", KEY3));
    }

    @Test
    void challengeResponseRefusesKey3OfAnyLengthButEight() {
        assertThrows(IllegalArgumentException.class, () -> Hixie76.challengeResponse(KEY1, KEY2, new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> Hixie76.challengeResponse(KEY1, KEY2, new byte[9]));
    }

    @Test
    void writesEachNumberAsFourBigEndianBytes() throws Exception {
        // 4294967295 must go in as FF FF FF FF, not as a sign-extended or decimal value.
        byte[] key3 = new byte[8];
        byte[] expected = java.security.MessageDigest.getInstance("MD5").digest(new byte[] {
            (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0});
        assertArrayEquals(expected, Hixie76.challengeResponse("4294967295 ", "258 ", key3));
    }

    private static void assertRefused(String key, String reasonMentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hixie76.keyNumber(key));
        assertTrue(e.getMessage().contains(reasonMentions), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}
