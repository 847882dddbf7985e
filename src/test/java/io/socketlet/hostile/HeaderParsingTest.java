package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.FakeHandshakeRequest;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.protocol.HeaderTokens;
import io.socketlet.internal.server.Handshake;
import io.socketlet.internal.server.HandshakeDecision;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The handshake's header parsing is linear: a megabyte of the inputs that made regular
 * expressions backtrack in other servers (ws CVE-2021-32640: {@code "b" + " " * n + "x"} in
 * {@code Sec-WebSocket-Protocol}; websocket-extensions CVE-2020-7662: an unterminated quoted
 * string full of backslashes in {@code Sec-WebSocket-Extensions}) is refused at once by the
 * default {@code maxHeaderLength}, and, with that limit raised out of the way, parsed in well
 * under a second. Tested on {@link Handshake#negotiate} and {@link HeaderTokens} directly: the
 * containers cap header sizes (8 KiB) before a servlet sees them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HeaderParsingTest {

    private static final int MB = 1 << 20;
    /** Generous for a busy 2-core machine; a quadratic parser needs ~10^12 steps on 1 MB. */
    /**
     * Not a speed measurement (speed lives in bench/): a guard against a parser that backtracks.
     * A linear pass over a megabyte takes milliseconds; a quadratic one takes hours, so a bound
     * this far from both cannot be crossed by a loaded machine, only by the wrong algorithm.
     */
    private static final Duration HANG_GUARD = Duration.ofSeconds(20);

    private static <T> T withinHangGuard(org.junit.jupiter.api.function.ThrowingSupplier<T> work) {
        return org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(HANG_GUARD, work,
                "not linear: a parser that backtracks over hostile input");
    }

    /** A valid upgrade request to add one hostile header line to. */
    private static FakeHandshakeRequest valid() {
        return FakeHandshakeRequest.rfcExample().set("Host", "127.0.0.1:8080").path("/ws");
    }

    /** Hostile values of about 1 MB, by name. */
    static Stream<Arguments> hostileValues() {
        return Stream.of(
                Arguments.of("Sec-WebSocket-Protocol", "spaces then junk (ws CVE-2021-32640)", (Supplier<String>) () -> "b" + " ".repeat(MB) + "x"),
                Arguments.of("Sec-WebSocket-Protocol", "half a million tokens", (Supplier<String>) () -> "a,".repeat(MB / 2) + "chat"),
                Arguments.of("Sec-WebSocket-Protocol", "a million empty elements", (Supplier<String>) () -> ",".repeat(MB) + "chat"),
                Arguments.of("Sec-WebSocket-Protocol", "one 1 MB token", (Supplier<String>) () -> "a".repeat(MB)),
                Arguments.of("Sec-WebSocket-Extensions", "unterminated quoted string of escapes (CVE-2020-7662)",
                        (Supplier<String>) () -> "permessage-deflate; a=\"" + "\\a".repeat(MB / 2)),
                Arguments.of("Sec-WebSocket-Extensions", "quoted string of escapes, closed",
                        (Supplier<String>) () -> "permessage-deflate; a=\"" + "\\a".repeat(MB / 2) + "\""),
                Arguments.of("Sec-WebSocket-Extensions", "a hundred thousand parameters",
                        (Supplier<String>) () -> "permessage-deflate" + "; client_max_window_bits".repeat(MB / 25)),
                Arguments.of("Sec-WebSocket-Extensions", "tens of thousands of offers",
                        (Supplier<String>) () -> "permessage-deflate; x=1, ".repeat(MB / 24) + "permessage-deflate"),
                Arguments.of("Sec-WebSocket-Extensions", "OWS before the end", (Supplier<String>) () -> "permessage-deflate;" + " \t".repeat(MB / 2) + "!"),
                Arguments.of("Sec-WebSocket-Extensions", "= after = after =", (Supplier<String>) () -> "x; a=" + "=".repeat(MB)),
                Arguments.of("Connection", "the token after a megabyte of commas", (Supplier<String>) () -> ", ".repeat(MB / 2) + "Upgrade"),
                Arguments.of("Upgrade", "slashes", (Supplier<String>) () -> "a/".repeat(MB / 2) + "websocket"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostileValues")
    void aMegabyteHeaderIsRefusedAtOnceByDefault(String name, String what, Supplier<String> value) {
        String v = value.get();
        FakeHandshakeRequest r = valid().header(name, v);
        HandshakeDecision d = withinHangGuard(() -> Handshake.negotiate("GET", "HTTP/1.1", r, WebSocketSettings.defaults()));
        assertEquals(400, d.status(), "a " + v.length() + "-char " + name + " with the default maxHeaderLength (4096): " + d);
        assertTrue(d.reason().contains(name) || d.reason().toLowerCase(Locale.ROOT).contains("header"),
                "the reason names the header: " + d.reason());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostileValues")
    void aMegabyteHeaderIsParsedInLinearTimeWhenTheLimitAllowsIt(String name, String what, Supplier<String> value) {
        String v = value.get();
        WebSocketSettings settings = WebSocketSettings.builder().maxHeaderLength(4 * MB).subprotocols(List.of("chat")).build();
        HandshakeDecision d = withinHangGuard(() -> Handshake.negotiate("GET", "HTTP/1.1", valid().header(name, v), settings));
        assertTrue(d.status() == 101 || d.status() == 400, "decision " + d);
    }

    @Test
    void headerTokensAreLinearOnHostileInput() {
        List<Supplier<String>> values = List.of(
                () -> "b" + " ".repeat(MB) + "x",
                () -> "a,".repeat(MB / 2),
                () -> "a; b=\"" + "\\a".repeat(MB / 2),
                () -> "a" + "; b".repeat(MB / 4),
                () -> "\"".repeat(MB),
                () -> "a;".repeat(MB / 2));
        for (Supplier<String> s : values) {
            String v = s.get();
            withinHangGuard(() -> {
                HeaderTokens.tokenList(v);
                HeaderTokens.extensions(v);
                return HeaderTokens.containsToken(v, "websocket");
            });
        }
    }

    @Test
    void manyHeaderFieldsAre400() {
        FakeHandshakeRequest r = valid();
        for (int i = 0; i < 200; i++) {
            r.header("X-Filler-" + i, "x");
        }
        HandshakeDecision d = Handshake.negotiate("GET", "HTTP/1.1", r, WebSocketSettings.defaults());
        assertEquals(400, d.status(), d.toString());
        assertTrue(d.reason().toLowerCase(Locale.ROOT).contains("header"), d.reason());
    }

    @Test
    void manyLinesOfOneHeaderCountTogether() {
        // 2,000 lines of 10 chars each: no line is long, the header is.
        FakeHandshakeRequest r = valid();
        for (int i = 0; i < 2000; i++) {
            r.header("Sec-WebSocket-Extensions", "x-ext-" + i);
        }
        WebSocketSettings settings = WebSocketSettings.builder().maxHeaders(10_000).build();
        HandshakeDecision d = Handshake.negotiate("GET", "HTTP/1.1", r, settings);
        assertEquals(400, d.status(), d.toString());
    }
}
