package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.FakeHandshakeRequest;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocketSettings;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 section 4.2.1, "Reading the Client's Opening Handshake", one rule per test; then the hixie drafts. */
class HandshakeTest {

    private static final WebSocketSettings DEFAULTS = WebSocketSettings.defaults();

    private static HandshakeDecision negotiate(FakeHandshakeRequest request) {
        return Handshake.negotiate("GET", "HTTP/1.1", request, DEFAULTS);
    }

    private static HandshakeDecision negotiate(FakeHandshakeRequest request, WebSocketSettings settings) {
        return Handshake.negotiate("GET", "HTTP/1.1", request, settings);
    }

    private static void assertRefused(int status, HandshakeDecision decision) {
        assertFalse(decision.accepted(), () -> "expected a refusal, got " + decision);
        assertEquals(status, decision.status(), decision::toString);
        assertNull(decision.version());
        assertTrue(decision.reason() != null && !decision.reason().isBlank(), "a refusal says why");
        assertFalse(decision.reason().contains("\n") || decision.reason().contains("\r"), "the reason is one line");
    }

    private static void assertAccepted(HandshakeDecision decision) {
        assertTrue(decision.accepted(), () -> "expected acceptance, got " + decision);
        assertEquals(101, decision.status());
    }

    private static String base64OfBytes(int n) {
        return Base64.getEncoder().encodeToString(new byte[n]);
    }

    @Test
    void acceptsTheRfcExampleRequest() {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample());
        assertAccepted(decision);
        assertEquals(ProtocolVersion.RFC6455, decision.version());
        assertEquals("", decision.subprotocol());
        assertEquals(List.of(), decision.extensions());
    }

    // ---- 1. "An HTTP/1.1 or higher GET request"

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "HEAD", "OPTIONS", "CONNECT", "get"})
    void methodMustBeGet(String method) {
        HandshakeDecision decision = Handshake.negotiate(method, "HTTP/1.1", FakeHandshakeRequest.rfcExample(), DEFAULTS);
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("GET"), decision.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/2"})
    void httpVersionMustBe11(String protocol) {
        // Only HTTP/1.1 has the Upgrade mechanism this handshake uses (HTTP/2 forbids the Upgrade header).
        HandshakeDecision decision = Handshake.negotiate("GET", protocol, FakeHandshakeRequest.rfcExample(), DEFAULTS);
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("HTTP/1.1"), decision.reason());
    }

    // ---- 2. "A |Host| header field containing the server's authority."

    @Test
    void hostIsRequired() {
        assertRefused(400, negotiate(FakeHandshakeRequest.rfcExample().remove("Host")));
    }

    @Test
    void hostMustNotBeBlank() {
        assertRefused(400, negotiate(FakeHandshakeRequest.rfcExample().set("Host", " ")));
    }

    // ---- 3. "An |Upgrade| header field containing the value "websocket", treated as an ASCII case-insensitive value."

    @Test
    void upgradeIsRequired() {
        assertRefused(400, negotiate(FakeHandshakeRequest.rfcExample().remove("Upgrade")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "WebSocket", "WEBSOCKET", "websocket, foo", "foo, WebSocket", " websocket "})
    void upgradeContainsTheTokenWebsocketInAnyCase(String upgrade) {
        assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().set("Upgrade", upgrade)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "web socket", "websockets", "websocket2", "", "foo, bar"})
    void upgradeWithoutTheTokenWebsocketIsRefused(String upgrade) {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().set("Upgrade", upgrade));
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("Upgrade"), decision.reason());
    }

    // ---- 4. "A |Connection| header field that includes the token "Upgrade", treated as an ASCII case-insensitive value."

    @Test
    void connectionIsRequired() {
        assertRefused(400, negotiate(FakeHandshakeRequest.rfcExample().remove("Connection")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Upgrade", "upgrade", "UPGRADE", "keep-alive, Upgrade", "Upgrade, keep-alive", "keep-alive,upgrade"})
    void connectionIsATokenListContainingUpgradeInAnyCase(String connection) {
        assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().set("Connection", connection)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"keep-alive", "close", "upgrades", "Upgrade2", "keep-alive Upgrade"})
    void connectionWithoutTheTokenUpgradeIsRefused(String connection) {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().set("Connection", connection));
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("Connection"), decision.reason());
    }

    @Test
    void connectionMaySpanSeveralHeaderLines() {
        // RFC 7230 section 3.2.2: several lines of a list header mean one comma-separated list.
        FakeHandshakeRequest request = FakeHandshakeRequest.rfcExample().remove("Connection")
                .header("Connection", "keep-alive")
                .header("Connection", "Upgrade");
        assertAccepted(negotiate(request));
    }

    @Test
    void upgradeMaySpanSeveralHeaderLines() {
        FakeHandshakeRequest request = FakeHandshakeRequest.rfcExample().remove("Upgrade")
                .header("Upgrade", "foo")
                .header("Upgrade", "websocket");
        assertAccepted(negotiate(request));
    }

    // ---- 5. "A |Sec-WebSocket-Key| header field with a base64-encoded value that, when decoded, is 16 bytes in length."

    @Test
    void keyIsRequired() {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().remove("Sec-WebSocket-Key"));
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("Sec-WebSocket-Key"), decision.reason());
    }

    @Test
    void keyOf16BytesIsAccepted() {
        assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().set("Sec-WebSocket-Key", base64OfBytes(16))));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 17, 20, 32})
    void keyMustDecodeToExactly16Bytes(int length) {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().set("Sec-WebSocket-Key", base64OfBytes(length)));
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("Sec-WebSocket-Key"), decision.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "!!!!!!!!!!!!!!!!!!!!!!==",      // 24 characters, none of them base64
        "dGhlIHNhbXBsZSBub25jZQ-_",      // the URL-safe alphabet is not base64
        "dGhlIHNhbXBs ZSBub25jZQ==",     // a space inside
        "dGhlIHNhbXBsZSBub25jZQ=",       // broken padding
        "not a key"})
    void keyMustBeBase64(String key) {
        assertRefused(400, negotiate(FakeHandshakeRequest.rfcExample().set("Sec-WebSocket-Key", key)));
    }

    @Test
    void keyWithoutItsPaddingIsNotTheBase64OfSixteenBytes() {
        // RFC 4648 section 4 (the encoding RFC 6455 names) pads to a multiple of 4 characters: a
        // 16-byte key is exactly 24 characters, the last two "==". Handshake.isValidKey says so too.
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ"));
        assertRefused(400, decision);
    }

    @Test
    void twoKeyHeaderLinesAreRefused() {
        FakeHandshakeRequest request = FakeHandshakeRequest.rfcExample().header("Sec-WebSocket-Key", base64OfBytes(16));
        assertRefused(400, negotiate(request));
    }

    // ---- 6. "A |Sec-WebSocket-Version| header field, with a value of 13."

    @ParameterizedTest
    @ValueSource(strings = {"8", "12", "14", "7", "0", "garbage", "13.0", "13, 8"})
    void versionOtherThan13IsAnsweredWith426AndTheVersionWeSpeak(String version) {
        // Section 4.4: "the server MUST abort ... and instead send an appropriate HTTP error code
        // (such as 426 Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s)".
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().set("Sec-WebSocket-Version", version));
        assertRefused(426, decision);
        assertEquals(Map.of("Sec-WebSocket-Version", "13"), decision.headers());
    }

    @Test
    void missingVersionIsAnsweredWith426AndTheVersionWeSpeak() {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().remove("Sec-WebSocket-Version"));
        assertRefused(426, decision);
        assertEquals(Map.of("Sec-WebSocket-Version", "13"), decision.headers());
    }

    // ---- Section 4.2.2, the server's answer

    @Test
    void acceptKeyMatchesTheRfcExample() {
        // Section 1.3: key "dGhlIHNhbXBsZSBub25jZQ==" gives "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample());
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", decision.headers().get("Sec-WebSocket-Accept"));
    }

    @Test
    void answerCarriesUpgradeConnectionAndAccept() {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample());
        assertEquals(List.of("Upgrade", "Connection", "Sec-WebSocket-Accept"), List.copyOf(decision.headers().keySet()));
        assertEquals("websocket", decision.headers().get("Upgrade"));
        assertEquals("Upgrade", decision.headers().get("Connection"));
    }

    // ---- 8. "Optionally, a |Sec-WebSocket-Protocol| header field, with a list of values indicating
    //         which protocols the client would like to speak, ordered by preference."

    @Nested
    class Subprotocols {

        private final WebSocketSettings settings = WebSocketSettings.builder().subprotocols(List.of("superchat", "chat")).build();

        @Test
        void picksTheFirstInTheClientsOrderThatTheEndpointSpeaks() {
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample()
                    .header("Sec-WebSocket-Protocol", "mqtt, chat, superchat"), settings);
            assertAccepted(decision);
            assertEquals("chat", decision.subprotocol());
            assertEquals("chat", decision.headers().get("Sec-WebSocket-Protocol"));
        }

        @Test
        void answersNoneWhenNoneMatches() {
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample()
                    .header("Sec-WebSocket-Protocol", "mqtt, stomp"), settings);
            assertAccepted(decision);
            assertEquals("", decision.subprotocol());
            assertFalse(decision.headers().containsKey("Sec-WebSocket-Protocol"));
        }

        @Test
        void answersNoneWhenTheClientOffersNone() {
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample(), settings);
            assertAccepted(decision);
            assertEquals("", decision.subprotocol());
            assertFalse(decision.headers().containsKey("Sec-WebSocket-Protocol"));
        }

        @Test
        void neverAnswersOneTheClientDidNotOffer() {
            // Section 4.1: the client fails the connection if the answer "indicates the use of a
            // subprotocol that was not present in the client's handshake".
            for (String offer : List.of("superchat", "chat", "x, superchat", "chat, y", "CHAT", "Superchat", "chat2")) {
                HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample()
                        .header("Sec-WebSocket-Protocol", offer), settings);
                assertAccepted(decision);
                String answer = decision.subprotocol();
                assertTrue(answer.isEmpty() || List.of(offer.split(",\\s*")).contains(answer),
                        () -> "offered " + offer + ", answered " + answer);
            }
        }

        @Test
        void offersMaySpanSeveralHeaderLines() {
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample()
                    .header("Sec-WebSocket-Protocol", "mqtt")
                    .header("Sec-WebSocket-Protocol", "superchat, chat"), settings);
            assertAccepted(decision);
            assertEquals("superchat", decision.subprotocol());
        }

        @ParameterizedTest
        @ValueSource(strings = {"chat, super chat", "chat;q=1", "\"chat\"", "chat, su@per", "ch/at/x"})
        void malformedOfferIsRefused(String offer) {
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample()
                    .header("Sec-WebSocket-Protocol", offer), settings);
            assertRefused(400, decision);
            assertTrue(decision.reason().contains("Sec-WebSocket-Protocol"), decision.reason());
        }
    }

    // ---- Which requests are handshakes at all

    @Nested
    class IsWebSocketRequest {

        @Test
        void aCompleteHandshakeIs() {
            assertTrue(Handshake.isWebSocketRequest(FakeHandshakeRequest.rfcExample()));
        }

        @Test
        void anUpgradeToWebsocketIsEvenWithoutKeys() {
            assertTrue(Handshake.isWebSocketRequest(FakeHandshakeRequest.empty().header("Upgrade", "WebSocket")));
        }

        @Test
        void anySecWebSocketHandshakeHeaderIs() {
            assertTrue(Handshake.isWebSocketRequest(FakeHandshakeRequest.empty().header("Sec-WebSocket-Key", base64OfBytes(16))));
            assertTrue(Handshake.isWebSocketRequest(FakeHandshakeRequest.empty().header("Sec-WebSocket-Version", "13")));
            assertTrue(Handshake.isWebSocketRequest(FakeHandshakeRequest.empty().header("Sec-WebSocket-Key1", "1 2")));
        }

        @Test
        void aPlainGetIsNot() {
            assertFalse(Handshake.isWebSocketRequest(FakeHandshakeRequest.empty()
                    .header("Host", "example.com").header("Connection", "keep-alive").header("Accept", "text/html")));
        }

        @Test
        void anUpgradeToAnotherProtocolIsNot() {
            assertFalse(Handshake.isWebSocketRequest(FakeHandshakeRequest.empty()
                    .header("Upgrade", "h2c").header("Connection", "Upgrade, HTTP2-Settings")));
        }
    }

    // ---- Section 10.2: "Origin Considerations" (a page of another site must not connect in the user's name)

    @Nested
    class Origin {

        @Test
        void requestWithoutOriginIsAccepted() {
            // Non-browser clients send no Origin, and are not what this protects against.
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample()));
        }

        @Test
        void sameOriginIsAcceptedByDefault() {
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().header("Origin", "http://server.example.com")));
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().secure(true).header("Origin", "https://server.example.com")));
        }

        @Test
        void anotherOriginIsRefusedWith403ByDefault() {
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().header("Origin", "http://evil.example"));
            assertRefused(403, decision);
            assertTrue(decision.reason().contains("Origin"), decision.reason());
        }

        @Test
        void sameHostOverAnotherSchemeIsAnotherOrigin() {
            assertRefused(403, negotiate(FakeHandshakeRequest.rfcExample().header("Origin", "https://server.example.com")));
        }

        @Test
        void opaqueOriginNullIsRefused() {
            assertRefused(403, negotiate(FakeHandshakeRequest.rfcExample().header("Origin", "null")));
        }

        @Test
        void allowedOriginsListsOthers() {
            WebSocketSettings settings = WebSocketSettings.builder().allowedOrigins(List.of("https://app.example.com")).build();
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().header("Origin", "https://app.example.com"), settings));
            assertRefused(403, negotiate(FakeHandshakeRequest.rfcExample().header("Origin", "https://other.example.com"), settings));
        }

        @Test
        void starAllowsEveryOrigin() {
            WebSocketSettings settings = WebSocketSettings.builder().allowedOrigins(List.of("*")).build();
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().header("Origin", "http://evil.example"), settings));
        }

        // Behind a TLS-terminating proxy (nginx: X-Forwarded-Proto https, Host passed through) the
        // container sees http, the browser's page is https: the page's own origin is accepted.

        @Test
        void pageOwnHttpsOriginIsAcceptedBehindATlsTerminatingProxy() {
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().header("X-Forwarded-Proto", "https")
                    .header("Origin", "https://server.example.com")));
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().set("Host", "server.example.com:8443")
                    .header("X-Forwarded-Proto", "https").header("Origin", "https://server.example.com:8443")));
        }

        @Test
        void anotherSiteIsRefusedBehindATlsTerminatingProxy() {
            assertRefused(403, negotiate(FakeHandshakeRequest.rfcExample().header("X-Forwarded-Proto", "https")
                    .header("Origin", "https://evil.example")));
        }

        @Test
        void plainHttpPageIsNotTheOriginOfTheHttpsSiteBehindTheProxy() {
            // The proxy says the client came over TLS: an http:// page of the same host is another origin.
            assertRefused(403, negotiate(FakeHandshakeRequest.rfcExample().header("X-Forwarded-Proto", "https")
                    .header("Origin", "http://server.example.com")));
        }

        @Test
        void forwardedHeaderOfRfc7239IsReadToo() {
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample()
                    .header("Forwarded", "for=192.0.2.60;proto=https;by=203.0.113.43, for=10.0.0.1;proto=http")
                    .header("Origin", "https://server.example.com")));
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().set("Host", "10.0.0.5:8080")
                    .header("Forwarded", "proto=https;host=\"server.example.com\"")
                    .header("Origin", "https://server.example.com")));
        }

        @Test
        void forwardedHostIsTheHostTheBrowserAddressed() {
            // A proxy that rewrites Host (nginx's default is the upstream's address) and says the original.
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().set("Host", "127.0.0.1:8080")
                    .header("X-Forwarded-Host", "server.example.com").header("X-Forwarded-Proto", "https")
                    .header("Origin", "https://server.example.com")));
            assertRefused(403, negotiate(FakeHandshakeRequest.rfcExample().set("Host", "127.0.0.1:8080")
                    .header("X-Forwarded-Host", "server.example.com").header("Origin", "http://127.0.0.1:8080")));
        }

        @Test
        void unknownForwardedSchemeFallsBackToTheContainersView() {
            assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().header("X-Forwarded-Proto", "gopher")
                    .header("Origin", "http://server.example.com")));
        }

        @Test
        void originIsCheckedOnlyAfterTheHandshakeIsValid() {
            // A broken handshake says what is broken (400), whatever its origin.
            assertRefused(400, negotiate(FakeHandshakeRequest.rfcExample().remove("Sec-WebSocket-Key")
                    .header("Origin", "http://evil.example")));
        }
    }

    // ---- Limits that keep a hostile handshake cheap

    @Test
    void tooManyHeaderFieldsAreRefused() {
        WebSocketSettings settings = WebSocketSettings.builder().maxHeaders(6).build();
        assertAccepted(negotiate(FakeHandshakeRequest.rfcExample().header("X-One", "1"), settings));
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().header("X-One", "1").header("X-One", "2"), settings);
        assertRefused(400, decision);
    }

    @Test
    void overlongParsedHeaderIsRefused() {
        WebSocketSettings settings = WebSocketSettings.builder().maxHeaderLength(100).build();
        String longList = "chat, ".repeat(30) + "chat";
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().header("Sec-WebSocket-Protocol", longList), settings);
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("Sec-WebSocket-Protocol"), decision.reason());
    }

    // ---- RFC 7692 permessage-deflate, negotiated on the RFC 6455 road

    @Test
    void deflateOfferIsAnsweredWhenCompressionIsOn() {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample()
                .header("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
        assertAccepted(decision);
        String answer = decision.headers().get("Sec-WebSocket-Extensions");
        assertTrue(answer != null && answer.startsWith("permessage-deflate"), () -> "answer: " + answer);
        assertEquals(List.of(answer), decision.extensions());
    }

    @Test
    void deflateOfferIsNotAnsweredWhenCompressionIsOff() {
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample()
                .header("Sec-WebSocket-Extensions", "permessage-deflate"), WebSocketSettings.builder().compression(false).build());
        assertAccepted(decision);
        assertFalse(decision.headers().containsKey("Sec-WebSocket-Extensions"));
        assertEquals(List.of(), decision.extensions());
    }

    @Test
    void unknownExtensionIsNotAnswered() {
        // Section 9.1: the server answers only extensions it accepts.
        HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().header("Sec-WebSocket-Extensions", "x-webkit-foo"));
        assertAccepted(decision);
        assertFalse(decision.headers().containsKey("Sec-WebSocket-Extensions"));
    }

    // ---- draft-hixie-76: Key1 and Key2 and no version

    @Nested
    class Hixie76 {

        // The opening handshake example of draft-hixie-thewebsocketprotocol-76.
        private static final String KEY1 = "4 @1  46546xW%0l 1 5";
        private static final String KEY2 = "12998 5 Y3 1  .P00";

        private final WebSocketSettings settings = WebSocketSettings.builder()
                .protocols(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76)).build();

        private FakeHandshakeRequest hixieRequest() {
            return FakeHandshakeRequest.empty()
                    .path("/demo")
                    .header("Host", "example.com")
                    .header("Connection", "Upgrade")
                    .header("Sec-WebSocket-Key2", KEY2)
                    .header("Upgrade", "WebSocket")
                    .header("Sec-WebSocket-Key1", KEY1)
                    .header("Origin", "http://example.com");
        }

        @Test
        void keysWithoutVersionAreAcceptedAsHixie76() {
            HandshakeDecision decision = negotiate(hixieRequest(), settings);
            assertAccepted(decision);
            assertEquals(ProtocolVersion.HIXIE_76, decision.version());
            assertEquals("WebSocket", decision.headers().get("Upgrade"));
            assertEquals("Upgrade", decision.headers().get("Connection"));
            assertEquals("http://example.com", decision.headers().get("Sec-WebSocket-Origin"));
            assertEquals("ws://example.com/demo", decision.headers().get("Sec-WebSocket-Location"));
            assertFalse(decision.headers().containsKey("Sec-WebSocket-Accept"));
        }

        @Test
        void locationIsWssOverTls() {
            HandshakeDecision decision = negotiate(hixieRequest().secure(true).set("Origin", "https://example.com"), settings);
            assertAccepted(decision);
            assertEquals("wss://example.com/demo", decision.headers().get("Sec-WebSocket-Location"));
        }

        @Test
        void locationIsWssBehindATlsTerminatingProxy() {
            HandshakeDecision decision = negotiate(hixieRequest().header("X-Forwarded-Proto", "https")
                    .set("Origin", "https://example.com"), settings);
            assertAccepted(decision);
            assertEquals("wss://example.com/demo", decision.headers().get("Sec-WebSocket-Location"));
        }

        @Test
        void locationHasThePathAndQueryAsReceived() {
            HandshakeDecision decision = negotiate(hixieRequest().path("/chat%20room/x").query("a=1&b=%20c"), settings);
            assertEquals("ws://example.com/chat%20room/x?a=1&b=%20c", decision.headers().get("Sec-WebSocket-Location"));
        }

        @Test
        void keyWithoutSpacesIsRefused() {
            // "If either /spaces_1/ or /spaces_2/ is zero, then abort the WebSocket connection."
            HandshakeDecision decision = negotiate(hixieRequest().set("Sec-WebSocket-Key1", "1234567890"), settings);
            assertRefused(400, decision);
            assertTrue(decision.reason().contains("Sec-WebSocket-Key1"), decision.reason());
        }

        @Test
        void keyThatIsNotAMultipleOfItsSpacesIsRefused() {
            // "If /key-number_2/ is not an integral multiple of /spaces_2/, then abort": 7 over 2 spaces.
            HandshakeDecision decision = negotiate(hixieRequest().set("Sec-WebSocket-Key2", "7 x "), settings);
            assertRefused(400, decision);
            assertTrue(decision.reason().contains("Sec-WebSocket-Key2"), decision.reason());
        }

        @Test
        void onlyOneKeyIsRefused() {
            assertRefused(400, negotiate(hixieRequest().remove("Sec-WebSocket-Key2"), settings));
        }

        @Test
        void notEnabledIsAnsweredWith426() {
            HandshakeDecision decision = negotiate(hixieRequest(), DEFAULTS);
            assertRefused(426, decision);
            assertEquals(Map.of("Sec-WebSocket-Version", "13"), decision.headers());
        }
    }

    // ---- draft-hixie-75: no Sec-WebSocket-* header at all

    @Nested
    class Hixie75 {

        private final WebSocketSettings settings = WebSocketSettings.builder()
                .protocols(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76, ProtocolVersion.HIXIE_75)).build();

        private FakeHandshakeRequest hixie75Request() {
            return FakeHandshakeRequest.empty()
                    .path("/demo")
                    .header("Upgrade", "WebSocket")
                    .header("Connection", "Upgrade")
                    .header("Host", "example.com")
                    .header("Origin", "http://example.com");
        }

        @Test
        void aRequestWithNoSecWebSocketHeaderIsHixie75() {
            HandshakeDecision decision = negotiate(hixie75Request(), settings);
            assertAccepted(decision);
            assertEquals(ProtocolVersion.HIXIE_75, decision.version());
            assertEquals("ws://example.com/demo", decision.headers().get("WebSocket-Location"));
        }

        @Test
        void aKeyWithoutVersionIsABrokenRfc6455RequestNotHixie75() {
            // hixie-75 clients send no Sec-WebSocket-* header: a Sec-WebSocket-Key says RFC 6455, so a
            // missing version is a broken RFC 6455 request, answered with the version we speak.
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().remove("Sec-WebSocket-Version"), settings);
            assertRefused(426, decision);
            assertEquals(Map.of("Sec-WebSocket-Version", "13"), decision.headers());
            assertTrue(decision.reason().contains("Sec-WebSocket-Version"), decision.reason());
        }

        @ParameterizedTest
        @ValueSource(strings = {"Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "sec-websocket-origin"})
        void anySecWebSocketHeaderWithoutVersionIsNotHixie75(String header) {
            HandshakeDecision decision = negotiate(hixie75Request().header(header, "chat"), settings);
            assertRefused(426, decision);
            assertEquals(Map.of("Sec-WebSocket-Version", "13"), decision.headers());
        }

        @Test
        void aKeyBesideHixie76KeysIsStillRfc6455() {
            HandshakeDecision decision = negotiate(FakeHandshakeRequest.rfcExample().remove("Sec-WebSocket-Version")
                    .header("Sec-WebSocket-Key1", "4 @1  46546xW%0l 1 5").header("Sec-WebSocket-Key2", "12998 5 Y3 1  .P00"), settings);
            assertRefused(426, decision);
        }
    }
}
