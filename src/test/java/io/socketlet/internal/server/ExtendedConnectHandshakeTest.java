package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.FakeHandshakeRequest;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocketSettings;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 8441 section 5, "Bootstrapping WebSockets with HTTP/2": an extended CONNECT is judged like an
 * upgrade GET (version, origin, subprotocols, permessage-deflate) and accepted with 200, without
 * {@code Sec-WebSocket-Accept}.
 */
class ExtendedConnectHandshakeTest {

    private static final WebSocketSettings DEFAULTS = WebSocketSettings.defaults();

    /** What Chromium sends: {@code :authority} (shown as Host), version, extensions, Origin; no key, no Upgrade. */
    private static FakeHandshakeRequest chromium() {
        return FakeHandshakeRequest.empty()
                .header("Host", "server.example.com")
                .header("Sec-WebSocket-Version", "13")
                .header("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
                .header("Origin", "https://server.example.com")
                .secure(true);
    }

    private static HandshakeDecision connect(FakeHandshakeRequest request) {
        return connect(request, DEFAULTS);
    }

    private static HandshakeDecision connect(FakeHandshakeRequest request, WebSocketSettings settings) {
        return Handshake.negotiate("CONNECT", "HTTP/2.0", request, settings);
    }

    private static void assertRefused(int status, HandshakeDecision decision) {
        assertFalse(decision.accepted(), () -> "expected a refusal, got " + decision);
        assertEquals(status, decision.status(), decision::toString);
        assertNull(decision.version());
    }

    @Test
    void extendedConnectIsAcceptedWith200AndNoAcceptKey() {
        HandshakeDecision decision = connect(chromium());
        assertTrue(decision.accepted(), decision::toString);
        assertTrue(decision.extendedConnect());
        assertEquals(200, decision.status());
        assertEquals(ProtocolVersion.RFC6455, decision.version());
        // "The Sec-WebSocket-Key and Sec-WebSocket-Accept header fields are not used"; HTTP/2
        // forbids the connection-specific Upgrade and Connection.
        assertFalse(decision.headers().containsKey("Sec-WebSocket-Accept"));
        assertFalse(decision.headers().containsKey("Upgrade"));
        assertFalse(decision.headers().containsKey("Connection"));
    }

    @Test
    void permessageDeflateIsNegotiatedAsOverHttp1() {
        HandshakeDecision decision = connect(chromium());
        assertTrue(decision.headers().get("Sec-WebSocket-Extensions").startsWith("permessage-deflate"), decision::toString);
        assertEquals(1, decision.extensions().size());
        WebSocketSettings off = WebSocketSettings.builder().compression(false).build();
        assertFalse(connect(chromium(), off).headers().containsKey("Sec-WebSocket-Extensions"));
    }

    @Test
    void subprotocolIsSelectedAsOverHttp1() {
        WebSocketSettings settings = WebSocketSettings.builder().subprotocols(List.of("chat", "superchat")).build();
        HandshakeDecision decision = connect(chromium().header("Sec-WebSocket-Protocol", "superchat, chat"), settings);
        assertEquals("superchat", decision.subprotocol());
        assertEquals("superchat", decision.headers().get("Sec-WebSocket-Protocol"));
        assertRefused(400, connect(chromium().header("Sec-WebSocket-Protocol", "a b"), settings));
    }

    @ParameterizedTest
    @ValueSource(strings = {"12", "8", "14"})
    void anotherVersionIsRefusedWith400NamingVersion13(String version) {
        // Not 426: that status means "switch with the Upgrade header", which HTTP/2 forbids.
        HandshakeDecision decision = connect(chromium().set("Sec-WebSocket-Version", version));
        assertRefused(400, decision);
        assertEquals("13", decision.headers().get("Sec-WebSocket-Version"));
        assertTrue(decision.reason().contains(version), decision.reason());
    }

    @Test
    void missingVersionIsRefused() {
        HandshakeDecision decision = connect(chromium().remove("Sec-WebSocket-Version"));
        assertRefused(400, decision);
        assertEquals("13", decision.headers().get("Sec-WebSocket-Version"));
    }

    @Test
    void anotherSitesOriginIsRefusedWith403() {
        assertRefused(403, connect(chromium().set("Origin", "https://evil.example")));
        assertRefused(403, connect(chromium().set("Origin", "http://server.example.com")));
    }

    @Test
    void rfc6455DisabledRefusesTheStreamToo() {
        WebSocketSettings hixieOnly = WebSocketSettings.builder().protocols(EnumSet.of(ProtocolVersion.HIXIE_76)).build();
        assertRefused(400, connect(chromium(), hixieOnly));
    }

    @Test
    void missingAuthorityIsRefused() {
        assertRefused(400, connect(chromium().remove("Host")));
    }

    @Test
    void headerLimitsApply() {
        assertRefused(400, connect(chromium().header("X-One", "1").header("X-Two", "2"), WebSocketSettings.builder().maxHeaders(5).build()));
    }

    @Test
    void connectOverHttp11IsNotAWebSocketHandshake() {
        HandshakeDecision decision = Handshake.negotiate("CONNECT", "HTTP/1.1", chromium(), DEFAULTS);
        assertRefused(400, decision);
        assertTrue(decision.reason().contains("GET"), decision.reason());
    }

    @Test
    void upgradeGetIsStillAnswered101() {
        HandshakeDecision decision = Handshake.negotiate("GET", "HTTP/1.1", FakeHandshakeRequest.rfcExample(), DEFAULTS);
        assertEquals(101, decision.status());
        assertFalse(decision.extendedConnect());
    }
}
