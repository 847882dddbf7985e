package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.FakeHandshakeRequest;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.server.Handshake;
import io.socketlet.internal.server.HandshakeDecision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7692 sections 5 and 7.1, as a table: each offer (a real {@code Sec-WebSocket-Extensions}
 * value), whether context takeover is allowed, and the exact answer, or none when the server must
 * decline. Every row is checked twice: on {@link PerMessageDeflate#negotiate} with the parsed
 * offers, and through {@link Handshake#negotiate} with the header on a request, where a declined
 * offer must still give a 101 (declining an extension never fails the handshake).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PerMessageDeflateTest {

    private static final String PMD = "permessage-deflate";
    private static final String DECLINED = "DECLINED";

    /**
     * The table: offer, allowContextTakeover, expected answer (or {@link #DECLINED}). The answer
     * lists parameters in the engine's order: server_no_context_takeover,
     * client_no_context_takeover, server_max_window_bits.
     */
    static Stream<Arguments> table() {
        List<Arguments> rows = new ArrayList<>();
        // ---- each parameter alone, accepted (7.1)
        rows.add(row(PMD, true, PMD));
        rows.add(row(PMD + "; server_no_context_takeover", true, PMD + "; server_no_context_takeover"));
        rows.add(row(PMD + "; client_no_context_takeover", true, PMD + "; client_no_context_takeover"));
        // 7.1.2.1: a server accepts server_max_window_bits by answering it with the same or a smaller value: 15 is
        // the only value java.util.zip.Deflater can honour (it always uses a 32 KiB window).
        rows.add(row(PMD + "; server_max_window_bits=15", true, PMD + "; server_max_window_bits=15"));
        rows.add(row(PMD + "; server_max_window_bits=\"15\"", true, PMD + "; server_max_window_bits=15"));
        // 7.1.2.2: client_max_window_bits with no value only says the client supports the parameter; it is never
        // answered here (the Inflater reads any window up to 15 bits), and must not be answered when not offered.
        rows.add(row(PMD + "; client_max_window_bits", true, PMD));
        for (int bits = 8; bits <= 15; bits++) {
            rows.add(row(PMD + "; client_max_window_bits=" + bits, true, PMD));
        }
        rows.add(row(PMD + "; client_max_window_bits=\"10\"", true, PMD));
        // ---- each parameter alone, declined
        for (int bits = 8; bits <= 14; bits++) {
            rows.add(row(PMD + "; server_max_window_bits=" + bits, true, DECLINED)); // a smaller window cannot be honoured
        }
        for (String bad : List.of("7", "16", "08", "015", "0", "1", "255", "-15", "+15", "15.0", "1e1", "abc", "fifteen", "\"\"",
                "\"08\"", "\"16\"", "\"15 \"")) {
            rows.add(row(PMD + "; server_max_window_bits=" + bad, true, DECLINED));
            rows.add(row(PMD + "; client_max_window_bits=" + bad, true, DECLINED));
        }
        rows.add(row(PMD + "; server_max_window_bits", true, DECLINED)); // 7.1.2.1: the offer must carry a value
        rows.add(row(PMD + "; server_no_context_takeover=1", true, DECLINED)); // these two take no value
        rows.add(row(PMD + "; client_no_context_takeover=true", true, DECLINED));
        rows.add(row(PMD + "; client_no_context_takeover=\"\"", true, DECLINED));
        // ---- unknown and duplicated parameters (5.1: "MUST decline")
        rows.add(row(PMD + "; x_unknown", true, DECLINED));
        rows.add(row(PMD + "; max_window_bits=15", true, DECLINED));
        rows.add(row(PMD + "; server_no_context_takeover; mux", true, DECLINED));
        rows.add(row(PMD + "; server_no_context_takeover; server_no_context_takeover", true, DECLINED));
        rows.add(row(PMD + "; client_no_context_takeover; client_no_context_takeover", true, DECLINED));
        rows.add(row(PMD + "; server_max_window_bits=15; server_max_window_bits=15", true, DECLINED));
        rows.add(row(PMD + "; client_max_window_bits; client_max_window_bits=10", true, DECLINED));
        rows.add(row(PMD + "; client_max_window_bits=9; client_max_window_bits=9", true, DECLINED));
        // ---- combinations
        rows.add(row(PMD + "; server_no_context_takeover; client_no_context_takeover", true,
                PMD + "; server_no_context_takeover; client_no_context_takeover"));
        rows.add(row(PMD + "; client_no_context_takeover; server_no_context_takeover", true,
                PMD + "; server_no_context_takeover; client_no_context_takeover"));
        rows.add(row(PMD + "; client_max_window_bits; server_no_context_takeover", true, PMD + "; server_no_context_takeover"));
        rows.add(row(PMD + "; client_max_window_bits=12; client_no_context_takeover", true, PMD + "; client_no_context_takeover"));
        rows.add(row(PMD + "; server_max_window_bits=15; client_max_window_bits", true, PMD + "; server_max_window_bits=15"));
        rows.add(row(PMD + "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15; client_max_window_bits=15",
                true, PMD + "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15"));
        rows.add(row(PMD + "; server_no_context_takeover; server_max_window_bits=10", true, DECLINED));
        rows.add(row(PMD + "; client_no_context_takeover; client_max_window_bits=7", true, DECLINED));
        rows.add(row(PMD + "; client_max_window_bits; server_max_window_bits=9", true, DECLINED));
        // ---- whitespace and case as RFC 7230 allows them
        rows.add(row(PMD + " ;server_no_context_takeover ;  client_max_window_bits = 10 ", true, PMD + "; server_no_context_takeover"));
        rows.add(row(PMD + "\t;\tclient_no_context_takeover", true, PMD + "; client_no_context_takeover"));
        // ---- several offers (5.1: "the server accepts ... the first ... it can")
        rows.add(row(PMD + "; client_max_window_bits, " + PMD, true, PMD));
        rows.add(row(PMD + "; server_no_context_takeover, " + PMD, true, PMD + "; server_no_context_takeover"));
        rows.add(row(PMD + ", " + PMD + "; server_no_context_takeover", true, PMD));
        rows.add(row(PMD + "; server_max_window_bits=10, " + PMD, true, PMD)); // the declined first falls back
        rows.add(row(PMD + "; server_max_window_bits=10, " + PMD + "; server_max_window_bits=15", true,
                PMD + "; server_max_window_bits=15"));
        rows.add(row(PMD + "; x=1, " + PMD + "; server_max_window_bits=9, " + PMD + "; client_no_context_takeover", true,
                PMD + "; client_no_context_takeover"));
        rows.add(row(PMD + "; server_max_window_bits=10, " + PMD + "; server_max_window_bits=11", true, DECLINED));
        rows.add(row(PMD + "; server_no_context_takeover; server_no_context_takeover, " + PMD + "; client_max_window_bits",
                true, PMD));
        // ---- other extensions are not ours: skipped, never answered
        rows.add(row("x-webkit-deflate-frame", true, DECLINED));
        rows.add(row("x-webkit-deflate-frame, " + PMD, true, PMD));
        rows.add(row("deflate-frame; no_context_takeover, " + PMD + "; client_max_window_bits", true, PMD));
        rows.add(row("permessage-bzip2, " + PMD + "; client_no_context_takeover, x-foo", true, PMD + "; client_no_context_takeover"));
        rows.add(row("permessage-deflatex, deflate", true, DECLINED));
        // ---- compressionContextTakeover=false: both no_context_takeover parameters are answered, whatever was
        // offered (7.1.1.1 and 7.1.1.2 allow the server to add them), so no window outlives a message on either side
        String both = "; server_no_context_takeover; client_no_context_takeover";
        rows.add(row(PMD, false, PMD + both));
        rows.add(row(PMD + "; client_max_window_bits", false, PMD + both));
        rows.add(row(PMD + "; server_no_context_takeover", false, PMD + both));
        rows.add(row(PMD + "; client_no_context_takeover", false, PMD + both));
        rows.add(row(PMD + "; server_max_window_bits=15", false, PMD + both + "; server_max_window_bits=15"));
        rows.add(row(PMD + "; server_max_window_bits=10", false, DECLINED));
        rows.add(row(PMD + "; x_unknown", false, DECLINED));
        rows.add(row(PMD + "; server_max_window_bits=9, " + PMD + "; client_max_window_bits=9", false, PMD + both));
        return rows.stream();
    }

    private static Arguments row(String offer, boolean allowContextTakeover, String expected) {
        return Arguments.of(offer, allowContextTakeover, expected);
    }

    @ParameterizedTest(name = "[{index}] {0} (context takeover allowed: {1}) -> {2}")
    @MethodSource("table")
    void negotiatesTheOffer(String offer, boolean allowContextTakeover, String expected) {
        List<ExtensionOffer> offers = HeaderTokens.extensions(offer);
        assertNotNull(offers, "the test's offer parses: " + offer);
        PerMessageDeflate.Agreement agreement = PerMessageDeflate.negotiate(offers, allowContextTakeover);
        if (expected.equals(DECLINED)) {
            assertNull(agreement, () -> "must be declined, was answered " + agreement.responseHeader());
            return;
        }
        assertNotNull(agreement, "must be accepted with: " + expected);
        assertEquals(expected, agreement.responseHeader());
        assertEquals(expected.contains("server_no_context_takeover"), agreement.serverNoContextTakeover(), "serverNoContextTakeover");
        assertEquals(expected.contains("client_no_context_takeover"), agreement.clientNoContextTakeover(), "clientNoContextTakeover");
        assertValidResponse(agreement.responseHeader(), offers);
    }

    @ParameterizedTest(name = "[{index}] {0} (context takeover allowed: {1}) -> {2}")
    @MethodSource("table")
    void negotiatesTheOfferInTheHandshake(String offer, boolean allowContextTakeover, String expected) {
        HandshakeDecision decision = handshake(WebSocketSettings.builder().compressionContextTakeover(allowContextTakeover).build(),
                "Sec-WebSocket-Extensions", offer);
        assertTrue(decision.accepted(), "declining an extension never refuses the handshake: " + decision);
        assertEquals(ProtocolVersion.RFC6455, decision.version());
        String answer = decision.headers().get("Sec-WebSocket-Extensions");
        if (expected.equals(DECLINED)) {
            assertNull(answer, "no Sec-WebSocket-Extensions for a declined offer");
            assertNull(decision.deflate());
            assertEquals(List.of(), decision.extensions());
        } else {
            assertEquals(expected, answer);
            assertNotNull(decision.deflate());
            assertEquals(expected, decision.deflate().responseHeader());
            assertEquals(List.of(expected), decision.extensions());
        }
    }

    /**
     * RFC 7692 7.1: what any answer must look like, checked on every accepted row: one
     * permessage-deflate element, no parameter twice, no value on the no_context_takeover
     * parameters, server_max_window_bits only when offered, client_max_window_bits only when
     * offered, and server_no_context_takeover kept whenever the client asked for it.
     */
    private static void assertValidResponse(String response, List<ExtensionOffer> offers) {
        List<ExtensionOffer> parsed = HeaderTokens.extensions(response);
        assertNotNull(parsed, "the answer parses as Sec-WebSocket-Extensions: " + response);
        assertEquals(1, parsed.size(), "one extension answered: " + response);
        assertEquals(PMD, parsed.get(0).name());
        ExtensionOffer accepted = offers.stream().filter(o -> o.name().equals(PMD)
                && PerMessageDeflate.negotiate(List.of(o), true) != null).findFirst().orElseThrow();
        Set<String> offeredNames = new HashSet<>();
        accepted.parameters().forEach(p -> offeredNames.add(p.name().toLowerCase(Locale.ROOT)));
        Set<String> seen = new HashSet<>();
        for (ExtensionOffer.Parameter p : parsed.get(0).parameters()) {
            assertTrue(seen.add(p.name()), "parameter answered twice: " + response);
            switch (p.name()) {
                case "server_no_context_takeover", "client_no_context_takeover" -> assertNull(p.value(), response);
                case "server_max_window_bits" -> {
                    assertTrue(offeredNames.contains("server_max_window_bits"), "answered server_max_window_bits unasked: " + response);
                    assertEquals("15", p.value(), response);
                }
                case "client_max_window_bits" -> assertTrue(offeredNames.contains("client_max_window_bits"),
                        "7.1.2.2: client_max_window_bits MUST NOT be answered when not offered: " + response);
                default -> throw new AssertionError("unknown parameter answered: " + response);
            }
        }
        if (offeredNames.contains("server_no_context_takeover")) {
            assertTrue(seen.contains("server_no_context_takeover"), "7.1.1.1: a server accepting it includes it: " + response);
        }
    }

    @Nested
    class ThroughTheHandshake {

        @ParameterizedTest
        @ValueSource(strings = {
            PMD + "; server_max_window_bits=",          // "=" with no value
            PMD + ";",                                  // a ";" with no parameter
            PMD + "; =15",                              // a value with no name
            PMD + " client_max_window_bits",            // parameters need ";"
            PMD + "; server_max_window_bits=\"15",      // unterminated quoted-string
            PMD + "; server_max_window_bits=1 5",       // a value is one token
            PMD + "; client_max_window_bits=10/",       // "/" is a separator, not a tchar
            "\"" + PMD + "\"",                          // the name is a token, not a quoted-string
            PMD + "; client_max_window_bits=\"1\\",     // escape at the end
            "permessage deflate",
            "@, " + PMD,                                // a malformed element poisons the whole header
        })
        void malformedHeaderGivesNoExtensionButTheHandshakeSucceeds(String header) {
            assertNull(HeaderTokens.extensions(header), "the test's header is malformed: " + header);
            HandshakeDecision decision = handshake(WebSocketSettings.defaults(), "Sec-WebSocket-Extensions", header);
            assertTrue(decision.accepted(), decision::toString);
            assertFalse(decision.headers().containsKey("Sec-WebSocket-Extensions"), decision::toString);
            assertNull(decision.deflate());
        }

        @ParameterizedTest
        @ValueSource(strings = {PMD, PMD + "; client_max_window_bits", PMD + "; server_no_context_takeover",
            PMD + "; server_max_window_bits=15", PMD + "; client_no_context_takeover; server_no_context_takeover"})
        void compressionOffNeverNegotiates(String offer) {
            for (boolean contextTakeover : new boolean[] {true, false}) {
                HandshakeDecision decision = handshake(WebSocketSettings.builder().compression(false)
                        .compressionContextTakeover(contextTakeover).build(), "Sec-WebSocket-Extensions", offer);
                assertTrue(decision.accepted(), decision::toString);
                assertFalse(decision.headers().containsKey("Sec-WebSocket-Extensions"), decision::toString);
                assertNull(decision.deflate());
                assertEquals(List.of(), decision.extensions());
            }
        }

        @Test
        void readsOffersSpreadOverSeveralHeaderLines() {
            // RFC 7230 3.2.2: several lines of a list header are one list, in order.
            HandshakeDecision decision = handshake(WebSocketSettings.defaults(),
                    "Sec-WebSocket-Extensions", PMD + "; server_max_window_bits=10",
                    "Sec-WebSocket-Extensions", "x-webkit-deflate-frame",
                    "Sec-WebSocket-Extensions", PMD + "; client_no_context_takeover");
            assertEquals(PMD + "; client_no_context_takeover", decision.headers().get("Sec-WebSocket-Extensions"));
            assertTrue(decision.deflate().clientNoContextTakeover());
            assertFalse(decision.deflate().serverNoContextTakeover());
        }

        @Test
        void answersNothingWhenNothingWasOffered() {
            HandshakeDecision decision = handshake(WebSocketSettings.defaults());
            assertTrue(decision.accepted());
            assertFalse(decision.headers().containsKey("Sec-WebSocket-Extensions"));
            assertNull(decision.deflate());
            HandshakeDecision empty = handshake(WebSocketSettings.defaults(), "Sec-WebSocket-Extensions", "");
            assertTrue(empty.accepted());
            assertNull(empty.deflate());
        }

        @Test
        void whatBrowsersOfferIsAccepted() {
            // Chromium and Firefox send "permessage-deflate; client_max_window_bits"; Node's ws the same by default;
            // Python's websockets adds server_max_window_bits only when asked to.
            for (String offer : List.of(PMD + "; client_max_window_bits", PMD + "; client_max_window_bits=15",
                    PMD + "; server_no_context_takeover; client_no_context_takeover")) {
                HandshakeDecision decision = handshake(WebSocketSettings.defaults(), "Sec-WebSocket-Extensions", offer);
                assertNotNull(decision.deflate(), offer);
            }
        }

        @Test
        void theAgreementDecidesBothCodecs() {
            // What each agreement means for the codecs the connection builds (server/Codecs.java): the server's
            // compressor keeps its window unless server_no_context_takeover; the decompressor unless client_.
            PerMessageDeflate.Agreement plain = handshake(WebSocketSettings.defaults(), "Sec-WebSocket-Extensions", PMD).deflate();
            assertFalse(plain.serverNoContextTakeover());
            assertFalse(plain.clientNoContextTakeover());
            PerMessageDeflate.Agreement none = handshake(WebSocketSettings.builder().compressionContextTakeover(false).build(),
                    "Sec-WebSocket-Extensions", PMD).deflate();
            assertTrue(none.serverNoContextTakeover());
            assertTrue(none.clientNoContextTakeover());
        }
    }

    @Test
    void everyWindowBitsValueIsJudgedByTheRfcsGrammar() {
        // "a decimal integer value without leading zeroes between 8 to 15, inclusive" (7.1.2.1 and 7.1.2.2).
        IntStream.rangeClosed(0, 99).forEach(bits -> {
            boolean valid = bits >= 8 && bits <= 15;
            PerMessageDeflate.Agreement client = negotiate(PMD + "; client_max_window_bits=" + bits);
            assertEquals(valid, client != null, "client_max_window_bits=" + bits);
            PerMessageDeflate.Agreement server = negotiate(PMD + "; server_max_window_bits=" + bits);
            assertEquals(bits == 15, server != null, "server_max_window_bits=" + bits);
        });
    }

    private static PerMessageDeflate.Agreement negotiate(String header) {
        return PerMessageDeflate.negotiate(HeaderTokens.extensions(header), true);
    }

    // ---- a request as a container would hand it over

    /** The RFC 6455 section 1.3 request with extra header lines (name, value, name, value...). */
    static HandshakeDecision handshake(WebSocketSettings settings, String... extraHeaders) {
        FakeHandshakeRequest request = FakeHandshakeRequest.rfcExample();
        for (int i = 0; i < extraHeaders.length; i += 2) {
            request.header(extraHeaders[i], extraHeaders[i + 1]);
        }
        HandshakeDecision decision = Handshake.negotiate("GET", "HTTP/1.1", request, settings);
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", decision.headers().get("Sec-WebSocket-Accept"), decision::toString);
        return decision;
    }
}
