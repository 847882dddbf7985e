package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CloseStatusTest {

    private static byte[] closePayload(int code, byte[] reason) {
        byte[] b = new byte[2 + reason.length];
        b[0] = (byte) (code >>> 8);
        b[1] = (byte) code;
        System.arraycopy(reason, 0, b, 2, reason.length);
        return b;
    }

    @Test
    void emptyPayloadMeansNoStatus1005() {
        assertEquals(new CloseStatus(1005, ""), CloseStatus.parse(new byte[0], 0, 0));
    }

    @Test
    void rejectsOneBytePayloadWithProtocolError() {
        ProtocolException e = assertThrows(ProtocolException.class, () -> CloseStatus.parse(new byte[] {0x03}, 0, 1));
        assertEquals(1002, e.closeCode());
    }

    @Test
    void parsesCodeInNetworkByteOrderAndUtf8Reason() {
        byte[] payload = closePayload(1000, "bye \u00e9\u20ac".getBytes(StandardCharsets.UTF_8));
        assertEquals(new CloseStatus(1000, "bye \u00e9\u20ac"), CloseStatus.parse(payload, 0, payload.length));
    }

    @Test
    void parsesCodeWithoutReason() {
        assertEquals(new CloseStatus(4999, ""), CloseStatus.parse(new byte[] {0x13, (byte) 0x87}, 0, 2));
    }

    @Test
    void parsesOnlyTheGivenRange() {
        byte[] framed = {(byte) 0xFF, 0x03, (byte) 0xE9, 'o', 'k', (byte) 0xFF};
        assertEquals(new CloseStatus(1001, "ok"), CloseStatus.parse(framed, 1, 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void acceptsCodesValidOnTheWire(int code) {
        // Autobahn 7.7.x, plus 1012-1014 which IANA registered after RFC 6455.
        assertTrue(CloseStatus.isValidOnWire(code));
        byte[] payload = closePayload(code, new byte[0]);
        assertEquals(code, CloseStatus.parse(payload, 0, 2).code());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void rejectsCodesNotValidOnTheWireWithProtocolError(int code) {
        // Autobahn 7.9.x: "Send close with invalid close code" expects 1002.
        assertFalse(CloseStatus.isValidOnWire(code));
        byte[] payload = closePayload(code, "x".getBytes(StandardCharsets.US_ASCII));
        ProtocolException e = assertThrows(ProtocolException.class, () -> CloseStatus.parse(payload, 0, payload.length));
        assertEquals(1002, e.closeCode());
    }

    @Test
    void everyCodeIsValidExactlyInTheListedRanges() {
        for (int code = -1; code <= 65536; code++) {
            boolean expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
            assertEquals(expected, CloseStatus.isValidOnWire(code), "code " + code);
        }
    }

    @Test
    void rejectsReasonThatIsNotUtf8WithInvalidPayload() {
        // Autobahn 7.5.1: code 1000 with the reason "κόσμε" + surrogate + "edited".
        byte[] payload = closePayload(1000, HexFormat.of().parseHex("cebae1bdb9cf83cebcceb5eda080656469746564"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> CloseStatus.parse(payload, 0, payload.length));
        assertEquals(1007, e.closeCode());
    }

    @Test
    void rejectsReasonEndingInsideACharacter() {
        byte[] payload = closePayload(1000, new byte[] {'a', (byte) 0xE2, (byte) 0x82});
        assertEquals(1007, assertThrows(ProtocolException.class, () -> CloseStatus.parse(payload, 0, payload.length)).closeCode());
    }

    @Test
    void checksTheCodeBeforeTheReason() {
        // A frame wrong in both ways is a protocol error first.
        byte[] payload = closePayload(1005, new byte[] {(byte) 0xFF});
        assertEquals(1002, assertThrows(ProtocolException.class, () -> CloseStatus.parse(payload, 0, payload.length)).closeCode());
    }

    @Test
    void payloadIsCodeThenUtf8Reason() {
        assertArrayEquals(new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, CloseStatus.payload(1000, "bye"));
        assertArrayEquals(new byte[] {0x0F, (byte) 0xA0}, CloseStatus.payload(4000, ""));
        assertArrayEquals(new byte[] {0x0F, (byte) 0xA0}, CloseStatus.payload(4000, null));
    }

    @Test
    void payloadKeepsAReasonOfExactly123Bytes() {
        String reason = "r".repeat(CloseStatus.MAX_REASON_BYTES);
        assertEquals(125, CloseStatus.payload(1000, reason).length);
    }

    @Test
    void payloadCutsAsciiReasonTo123Bytes() {
        byte[] payload = CloseStatus.payload(1001, "x".repeat(500));
        assertEquals(2 + 123, payload.length);
    }

    @Test
    void payloadCutsOnACharacterBoundary() {
        // 2-byte chars: 61 fit in 122 bytes, the 62nd would end at byte 124.
        assertReasonCutTo("\u00e9".repeat(100), "\u00e9".repeat(61));
        // 3-byte chars after one ASCII byte: 1 + 40 * 3 = 121; a 41st would end at 124.
        assertReasonCutTo("a" + "\u20ac".repeat(50), "a" + "\u20ac".repeat(40));
        // 4-byte chars: 30 fit in 120 bytes.
        assertReasonCutTo("\ud83d\ude00".repeat(40), "\ud83d\ude00".repeat(30));
        // A 3-byte char ending exactly at byte 123 stays.
        assertReasonCutTo("\u20ac".repeat(41) + "tail", "\u20ac".repeat(41));
    }

    private static void assertReasonCutTo(String reason, String expected) {
        byte[] payload = CloseStatus.payload(1000, reason);
        assertTrue(payload.length <= 125);
        assertEquals(new CloseStatus(1000, expected), CloseStatus.parse(payload, 0, payload.length));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 2999, 5000})
    void payloadRefusesCodesThatMayNotBeSent(int code) {
        // RFC 6455 7.4.1: 1005 and 1006 "MUST NOT be set as a status code in a Close control frame".
        assertThrows(IllegalArgumentException.class, () -> CloseStatus.payload(code, "reason"));
    }

    @Test
    void roundTripsEverySendableCode() {
        for (int code = 0; code < 6000; code++) {
            if (CloseStatus.isValidOnWire(code)) {
                byte[] payload = CloseStatus.payload(code, "why " + code);
                assertEquals(new CloseStatus(code, "why " + code), CloseStatus.parse(payload, 0, payload.length));
            }
        }
    }

    @Test
    void nullReasonIsEmpty() {
        assertEquals("", new CloseStatus(1000, null).reason());
    }
}
