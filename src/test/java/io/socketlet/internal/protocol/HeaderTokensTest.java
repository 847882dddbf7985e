package io.socketlet.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.internal.protocol.ExtensionOffer.Parameter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderTokensTest {

    private static final int MEGABYTE = 1 << 20;

    private static ExtensionOffer offer(String name, Parameter... parameters) {
        return new ExtensionOffer(name, Arrays.asList(parameters));
    }

    private static Parameter param(String name, String value) {
        return new Parameter(name, value);
    }

    // ---- #token lists: Connection, Upgrade, Sec-WebSocket-Protocol

    @Test
    void splitsTheUsualBrowserHeaders() {
        assertEquals(List.of("keep-alive", "Upgrade"), HeaderTokens.tokenList("keep-alive, Upgrade"));
        assertEquals(List.of("Upgrade"), HeaderTokens.tokenList("Upgrade"));
        assertEquals(List.of("websocket"), HeaderTokens.tokenList("websocket"));
        assertEquals(List.of("chat", "superchat"), HeaderTokens.tokenList("chat, superchat"));
    }

    @Test
    void trimsSpacesAndTabsAroundElements() {
        assertEquals(List.of("chat", "superchat"), HeaderTokens.tokenList(" \tchat\t ,  superchat \t"));
        assertEquals(List.of("a", "b"), HeaderTokens.tokenList("a,b"));
    }

    @Test
    void skipsEmptyListElements() {
        // RFC 7230 section 7: "a recipient MUST parse and ignore a reasonable number of empty list elements".
        assertEquals(List.of("chat", "superchat"), HeaderTokens.tokenList(",, chat ,,, superchat ,"));
        assertEquals(List.of(), HeaderTokens.tokenList(""));
        assertEquals(List.of(), HeaderTokens.tokenList(" , \t, "));
    }

    @Test
    void acceptsProtocolSlashVersion() {
        // RFC 7230 section 6.7's own example.
        assertEquals(List.of("HTTP/2.0", "SHTTP/1.3", "IRC/6.9", "RTA/x11"),
                HeaderTokens.tokenList("HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"));
        assertEquals(List.of("h2c", "WebSocket"), HeaderTokens.tokenList("h2c, WebSocket"));
    }

    @Test
    void acceptsEveryTchar() {
        String all = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        assertEquals(List.of(all), HeaderTokens.tokenList(all));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "chat; x", "a/", "/b", "a/b/c", "a / b", "a, \"b\"", "a@b", "caf\u00e9", "a\u0000",
        "a\r\nb", "(comment)", "a=b", "{x}", "a\u00a0b"})
    void refusesAListWithAnElementThatIsNotAToken(String value) {
        assertNull(HeaderTokens.tokenList(value));
    }

    @Test
    void treatsAnAbsentHeaderAsAnEmptyList() {
        assertEquals(List.of(), HeaderTokens.tokenList(null));
    }

    @Test
    void returnsAnUnmodifiableList() {
        List<String> list = HeaderTokens.tokenList("a, b");
        assertThrows(UnsupportedOperationException.class, () -> list.add("c"));
    }

    @Test
    void findsATokenAsciiCaseInsensitively() {
        assertTrue(HeaderTokens.containsToken("keep-alive, Upgrade", "upgrade"));
        assertTrue(HeaderTokens.containsToken("keep-alive, Upgrade", "KEEP-ALIVE"));
        assertTrue(HeaderTokens.containsToken("WebSocket", "websocket"));
        assertTrue(HeaderTokens.containsToken(",\tupgrade\t,", "Upgrade"));
    }

    @Test
    void matchesWholeElementsOnly() {
        assertFalse(HeaderTokens.containsToken("keep-alive", "Upgrade"));
        assertFalse(HeaderTokens.containsToken("Upgrade-Insecure", "Upgrade"));
        assertFalse(HeaderTokens.containsToken("websocket/13", "websocket"));
        assertFalse(HeaderTokens.containsToken("", "websocket"));
    }

    @Test
    void findsNothingInAnAbsentOrMalformedHeader() {
        assertFalse(HeaderTokens.containsToken(null, "Upgrade"));
        assertFalse(HeaderTokens.containsToken("Upgrade x, Upgrade", "Upgrade"));
    }

    @Test
    void foldsOnlyAsciiCase() {
        // String.equalsIgnoreCase would call the Kelvin sign U+212A a 'k'; RFC 6455 wants ASCII case-insensitivity.
        assertFalse(HeaderTokens.containsToken("keep-alive", "\u212Aeep-alive"));
        assertFalse(HeaderTokens.containsToken("upgrade", "upgr\u0430de"));
    }

    // ---- Sec-WebSocket-Extensions

    @Test
    void parsesTheBrowserOffer() {
        assertEquals(List.of(offer("permessage-deflate", param("client_max_window_bits", null))),
                HeaderTokens.extensions("permessage-deflate; client_max_window_bits"));
    }

    @Test
    void parsesSeveralOffersWithValues() {
        assertEquals(List.of(
                        offer("permessage-deflate", param("server_max_window_bits", "10"), param("client_max_window_bits", null)),
                        offer("permessage-deflate"),
                        offer("x-webkit-deflate-frame", param("no_context_takeover", null))),
                HeaderTokens.extensions(
                        "permessage-deflate;server_max_window_bits=10;client_max_window_bits, permessage-deflate,"
                                + "x-webkit-deflate-frame; no_context_takeover"));
    }

    @Test
    void allowsSpacesAndTabsAroundEverySeparator() {
        assertEquals(List.of(offer("foo", param("a", "1"), param("b", null)), offer("bar")),
                HeaderTokens.extensions(" \tfoo \t;\t a \t=\t 1 ;b\t, \tbar\t "));
    }

    @Test
    void skipsEmptyElementsBetweenOffers() {
        // Several header lines arrive joined by ", ", empty ones included.
        assertEquals(List.of(offer("foo"), offer("bar")), HeaderTokens.extensions(", foo ,, , bar ,"));
        assertEquals(List.of(), HeaderTokens.extensions(""));
        assertEquals(List.of(), HeaderTokens.extensions(" ,\t, "));
    }

    @Test
    void unquotesQuotedValuesAndResolvesEscapes() {
        assertEquals(List.of(offer("foo", param("a", "10"), param("b", "x\"y\\z"), param("c", ""))),
                HeaderTokens.extensions("foo; a=\"10\"; b=\"x\\\"y\\\\z\"; c=\"\""));
        assertEquals(List.of(offer("foo", param("a", "plain"))), HeaderTokens.extensions("foo; a=\"\\p\\l\\a\\i\\n\""));
    }

    @Test
    void keepsCommasSemicolonsAndEqualsInsideQuotes() {
        assertEquals(List.of(offer("foo", param("c", "1, 2; x=3"), param("d", "4")), offer("bar")),
                HeaderTokens.extensions("foo; c=\"1, 2; x=3\"; d=4, bar"));
    }

    @Test
    void acceptsObsTextInsideQuotes() {
        // A header read as ISO-8859-1 carries bytes 80-FF as chars U+0080-U+00FF.
        assertEquals(List.of(offer("foo", param("a", "caf\u00e9"))), HeaderTokens.extensions("foo; a=\"caf\u00e9\""));
    }

    @Test
    void keepsDuplicateParametersForTheExtensionToJudge() {
        assertEquals(List.of(offer("permessage-deflate", param("server_max_window_bits", "10"), param("server_max_window_bits", "11"))),
                HeaderTokens.extensions("permessage-deflate; server_max_window_bits=10; server_max_window_bits=11"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "; a=1",                // empty extension name
        "foo, ;a",              // empty extension name after a comma
        "foo; =1",              // empty parameter name
        "foo;",                 // ";" with no parameter
        "foo; a; ",             // trailing ";" with no parameter
        "foo; a=",              // "=" with no value
        "foo; a= , bar",        // "=" with no value before a comma
        "foo; a=\"unterminated",
        "foo; a=\"ends in backslash\\",
        "foo; a=\"ends in escaped quote\\\"",
        "foo; a=\"x\"y",        // junk after a quoted-string
        "foo; a=\"x\" \"y\"",
        "foo bar",              // two tokens in one element
        "foo; a=b c",
        "foo; a b",
        "foo@",
        "fo\"o\"",
        "foo; a=\"\u0001\"",    // control char in quotes
        "foo; a=\"\\\u0001\"",  // control char escaped
        "foo; a=\"\u0100\"",    // not a byte of a header
        "foo; a=1=2",
        "foo=1",                // an extension name takes no value
        "caf\u00e9",
        "foo\r\n; a",
    })
    void refusesMalformedOffers(String value) {
        assertNull(HeaderTokens.extensions(value));
    }

    @Test
    void treatsAnAbsentExtensionsHeaderAsNoOffers() {
        assertEquals(List.of(), HeaderTokens.extensions(null));
    }

    @Test
    void returnsUnmodifiableOffersAndParameters() {
        List<ExtensionOffer> offers = HeaderTokens.extensions("foo; a");
        assertThrows(UnsupportedOperationException.class, () -> offers.add(offer("bar")));
        assertThrows(UnsupportedOperationException.class, () -> offers.get(0).parameters().add(param("b", null)));
    }

    // ---- Linear time: a hostile megabyte costs one pass, never a backtrack.

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void scansAMegabyteOfSpacesInOnePass() {
        assertEquals(List.of("a", "b"), HeaderTokens.tokenList("a" + " ".repeat(MEGABYTE) + ",b"));
        assertNull(HeaderTokens.tokenList("a" + " ".repeat(MEGABYTE) + "b"));
        assertEquals(List.of(), HeaderTokens.extensions(" \t".repeat(MEGABYTE / 2)));
        assertEquals(List.of(offer("x", param("a", "1"))), HeaderTokens.extensions("x" + " ".repeat(MEGABYTE) + "; a =" + " ".repeat(MEGABYTE) + "1"));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void scansAMegabyteOfSeparatorsInOnePass() {
        assertEquals(List.of(), HeaderTokens.tokenList(",".repeat(MEGABYTE)));
        assertEquals(List.of(), HeaderTokens.extensions(", ".repeat(MEGABYTE / 2)));
        assertNull(HeaderTokens.extensions("x" + ";".repeat(MEGABYTE)));
        assertNull(HeaderTokens.tokenList("a/".repeat(MEGABYTE / 2)));
        assertNull(HeaderTokens.extensions("x; a" + "=a".repeat(MEGABYTE / 2)));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void scansAMegabyteLongQuoteInOnePass() {
        assertNull(HeaderTokens.extensions("x; a=\"" + "\\\"".repeat(MEGABYTE / 2)));
        assertNull(HeaderTokens.extensions("x; a=\"" + " ".repeat(MEGABYTE)));
        List<ExtensionOffer> offers = HeaderTokens.extensions("x; a=\"" + "\\\"".repeat(MEGABYTE / 2) + "\"");
        assertEquals("\"".repeat(MEGABYTE / 2), offers.get(0).parameters().get(0).value());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void scansAMegabyteOfElementsInOnePass() {
        int count = MEGABYTE / 4;
        assertEquals(count, HeaderTokens.tokenList("ab, ".repeat(count)).size());
        List<ExtensionOffer> offers = HeaderTokens.extensions("x" + "; p".repeat(count));
        assertEquals(count, offers.get(0).parameters().size());
        assertEquals(count, HeaderTokens.extensions("x; a, ".repeat(count / 2)).size() * 2);
    }

    // ---- lists of anything (origins in a setting) and single tokens (subprotocol names)

    @Test
    void elementsSplitsAtCommasTrimsAndSkipsEmptiesWithoutJudgingTheElements() {
        assertEquals(List.of("https://example.com", "same-origin", "http://localhost:8080"),
                HeaderTokens.elements(" https://example.com ,, same-origin,\thttp://localhost:8080\t, "));
        assertEquals(List.of("a b", "c"), HeaderTokens.elements("a b,c"));
        assertEquals(List.of(), HeaderTokens.elements(" , ,"));
        assertEquals(List.of(), HeaderTokens.elements(null));
    }

    @Test
    void isTokenAcceptsOneTokenOnly() {
        assertTrue(HeaderTokens.isToken("v2.echo"));
        assertTrue(HeaderTokens.isToken("graphql-ws"));
        assertFalse(HeaderTokens.isToken(""));
        assertFalse(HeaderTokens.isToken("a b"));
        assertFalse(HeaderTokens.isToken("a/b"));
        assertFalse(HeaderTokens.isToken("a,b"));
        assertFalse(HeaderTokens.isToken("\"chat\""));
        assertFalse(HeaderTokens.isToken("ch\u00e4t"));
    }
}
