package io.socketlet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CleanTextTest {

    @Test
    void nameLosesControlAndFormattingCharactersAndExtraSpace() {
        assertEquals("Eve the great", CleanText.name("\t Eve\u202e\u0000 \n the\u200b\u2066   great \u00a0", 24));
    }

    @Test
    void nameKeepsEmojiSequencesWhole() {
        String family = "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67";
        assertEquals(family, CleanText.name(family, 24));
    }

    @Test
    void nameIsNormalizedAndCutByCharacters() {
        assertEquals("\u00e9", CleanText.name("e\u0301", 24), "NFC");
        String cut = CleanText.name("\ud83d\ude00".repeat(5), 3);
        assertEquals("\ud83d\ude00".repeat(3), cut);
    }

    @Test
    void loneSurrogatesAndPrivateUseAreDropped() {
        assertEquals("ab", CleanText.name("a\ud800b\ue000", 24));
    }

    @Test
    void messageKeepsLineBreaksButAtMostOneBlankLine() {
        assertEquals("one\ntwo\n\nthree", CleanText.message("one\r\ntwo\n\n\n\n\nthree\n"));
        assertEquals("a b", CleanText.message("a \t\u2003 b"));
        assertEquals("", CleanText.message(" \n\u200b\n "));
    }

    @Test
    void markupIsLeftAsText() {
        assertEquals("<img src=x onerror=alert(1)>", CleanText.message("<img src=x onerror=alert(1)>"));
    }

    @Test
    void closeReasonFitsIn123Bytes() {
        String reason = CleanText.closeReason("\u00e9".repeat(200));
        assertTrue(reason.getBytes(StandardCharsets.UTF_8).length <= 123);
        assertEquals(61, reason.length());
        assertEquals("short", CleanText.closeReason("short"));
    }
}
