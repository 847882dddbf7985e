package io.socketlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.WebSocketSettings.TransportMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class WebSocketSettingsTest {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    // ---- defaults: every limit bounded

    @Test
    void defaultsProtectTheServer() {
        WebSocketSettings s = new WebSocketSettings();
        assertEquals(1 << 20, s.maxFrameSize());
        assertEquals(1 << 20, s.maxMessageSize());
        assertEquals(4 * MIB, s.maxBufferedBytes());
        assertEquals(Duration.ofMinutes(5), s.idleTimeout());
        assertEquals(Duration.ofSeconds(30), s.pingInterval());
        assertEquals(Duration.ofSeconds(5), s.closeTimeout());
        assertEquals(Set.of(ProtocolVersion.RFC6455), s.protocols());
        assertEquals(List.of(), s.subprotocols());
        assertEquals(TransportMode.AUTO, s.transport());
        assertEquals(Duration.ofSeconds(10), s.handshakeTimeout());
        assertTrue(s.compression());
        assertEquals(256, s.compressionThreshold());
        assertTrue(s.compressionContextTakeover());
        assertEquals(100_000, s.maxFragments());
        assertEquals(50_000, s.maxConnections());
        assertEquals(Duration.ofSeconds(60), s.writeTimeout());
        assertEquals(100, s.maxHeaders());
        assertEquals(4096, s.maxHeaderLength());
        assertEquals(List.of(), s.allowedOrigins(), "empty: same origin only");
    }

    // ---- text forms, as init-params carry them

    @ParameterizedTest
    @CsvSource({
        "1024,    1024",
        "64K,     65536",
        "64k,     65536",
        "64KB,    65536",
        "16M,     16777216",
        "16MiB,   16777216",
        "16mib,   16777216",
        "1G,      1073741824",
        "' 8 K ', 8192",
        "0,       0"})
    void parsesSizesInBytesOrWithBinarySuffixes(String text, long bytes) {
        assertEquals(bytes, WebSocketSettings.parseSize(text));
    }

    @Test
    void setsSizesFromText() {
        WebSocketSettings s = new WebSocketSettings()
                .set("maxFrameSize", "64K")
                .set("maxMessageSize", "16MiB")
                .set("maxBufferedBytes", "1G");
        assertEquals(64 * KIB, s.maxFrameSize());
        assertEquals(16 * MIB, s.maxMessageSize());
        assertEquals(GIB, s.maxBufferedBytes());
        assertEquals(1024, new WebSocketSettings().set("maxFrameSize", "1024").maxFrameSize());
    }

    @ParameterizedTest
    @CsvSource({
        "500ms, 500",
        "30s,   30000",
        "5m,    300000",
        "1h,    3600000",
        "250,   250",
        "30S,   30000",
        "0,     0"})
    void parsesDurationsInMillisecondsOrWithUnits(String text, long millis) {
        assertEquals(Duration.ofMillis(millis), WebSocketSettings.parseDuration(text));
    }

    @Test
    void setsDurationsFromText() {
        WebSocketSettings s = new WebSocketSettings()
                .set("idleTimeout", "5m")
                .set("pingInterval", "30s")
                .set("closeTimeout", "500ms");
        assertEquals(Duration.ofMinutes(5), s.idleTimeout());
        assertEquals(Duration.ofSeconds(30), s.pingInterval());
        assertEquals(Duration.ofMillis(500), s.closeTimeout());
        assertEquals(Duration.ofMillis(250), new WebSocketSettings().set("idleTimeout", "250").idleTimeout());
    }

    @Test
    void zeroDisablesIdleTimeoutAndPings() {
        WebSocketSettings s = new WebSocketSettings().set("idleTimeout", "0").set("pingInterval", "0");
        assertEquals(Duration.ZERO, s.idleTimeout());
        assertEquals(Duration.ZERO, s.pingInterval());
    }

    @Test
    void setsListsFromCommaSeparatedText() {
        WebSocketSettings s = new WebSocketSettings()
                .set("protocols", "13, hixie-76")
                .set("subprotocols", " superchat ,chat,, ");
        assertEquals(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76), s.protocols());
        assertEquals(List.of("superchat", "chat"), s.subprotocols());
    }

    @Test
    void setsTransportInAnyCase() {
        assertEquals(TransportMode.SERVLET, new WebSocketSettings().set("transport", "servlet").transport());
        assertEquals(TransportMode.JETTY, new WebSocketSettings().set("transport", " Jetty ").transport());
    }

    @Test
    void everyParameterNameIsASetting() {
        Map<String, String> examples = Map.ofEntries(
                Map.entry("maxFrameSize", "1K"), Map.entry("maxMessageSize", "2K"), Map.entry("maxBufferedBytes", "3K"),
                Map.entry("idleTimeout", "1s"), Map.entry("pingInterval", "2s"), Map.entry("closeTimeout", "3s"),
                Map.entry("handshakeTimeout", "4s"), Map.entry("protocols", "13, hixie-76"), Map.entry("subprotocols", "chat"),
                Map.entry("transport", "servlet"), Map.entry("compression", "off"), Map.entry("compressionThreshold", "1K"),
                Map.entry("compressionContextTakeover", "false"), Map.entry("maxFragments", "10"),
                Map.entry("maxConnections", "20"), Map.entry("writeTimeout", "5s"), Map.entry("maxHeaders", "30"),
                Map.entry("maxHeaderLength", "2K"), Map.entry("allowedOrigins", "https://example.com, same-origin"));
        assertEquals(Set.copyOf(WebSocketSettings.PARAMETER_NAMES), examples.keySet(), "an example for every parameter");
        WebSocketSettings s = new WebSocketSettings();
        examples.forEach(s::set);
        assertEquals(1024, s.maxFrameSize());
        assertEquals(2048, s.maxMessageSize());
        assertEquals(3072, s.maxBufferedBytes());
        assertEquals(Duration.ofSeconds(1), s.idleTimeout());
        assertEquals(Duration.ofSeconds(2), s.pingInterval());
        assertEquals(Duration.ofSeconds(3), s.closeTimeout());
        assertEquals(Duration.ofSeconds(4), s.handshakeTimeout());
        assertEquals(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76), s.protocols());
        assertEquals(List.of("chat"), s.subprotocols());
        assertEquals(TransportMode.SERVLET, s.transport());
        assertEquals(false, s.compression());
        assertEquals(1024, s.compressionThreshold());
        assertEquals(false, s.compressionContextTakeover());
        assertEquals(10, s.maxFragments());
        assertEquals(20, s.maxConnections());
        assertEquals(Duration.ofSeconds(5), s.writeTimeout());
        assertEquals(30, s.maxHeaders());
        assertEquals(2048, s.maxHeaderLength());
        assertEquals(List.of("https://example.com", "same-origin"), s.allowedOrigins());
    }

    @ParameterizedTest
    @CsvSource({"true, true", "on, true", "YES, true", "false, false", "off, false", "No, false"})
    void parsesBooleansInTheUsualWords(String text, boolean expected) {
        assertEquals(expected, new WebSocketSettings().set("compression", text).compression());
    }

    // ---- every bad value refused at once, naming the setting

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("maxFrameSize", "0"),
                Arguments.of("maxFrameSize", "-1"),
                Arguments.of("maxFrameSize", "lots"),
                Arguments.of("maxFrameSize", ""),
                Arguments.of("maxFrameSize", "1.5M"),
                Arguments.of("maxFrameSize", "2G"),
                Arguments.of("maxFrameSize", "64X"),
                Arguments.of("maxFrameSize", "K"),
                Arguments.of("maxMessageSize", "0"),
                Arguments.of("maxMessageSize", "3G"),
                Arguments.of("maxMessageSize", "big"),
                Arguments.of("maxBufferedBytes", "0"),
                Arguments.of("maxBufferedBytes", "-4M"),
                Arguments.of("maxBufferedBytes", "99999999999G"),
                Arguments.of("maxBufferedBytes", "4 MB please"),
                Arguments.of("idleTimeout", "-5s"),
                Arguments.of("idleTimeout", "soon"),
                Arguments.of("idleTimeout", "5min"),
                Arguments.of("idleTimeout", ""),
                Arguments.of("pingInterval", "1.5s"),
                Arguments.of("pingInterval", "30d"),
                Arguments.of("pingInterval", "-1"),
                Arguments.of("pingInterval", "9999999999999999h"),
                Arguments.of("closeTimeout", "0"),
                Arguments.of("closeTimeout", "0s"),
                Arguments.of("closeTimeout", "-1s"),
                Arguments.of("closeTimeout", "ms"),
                Arguments.of("protocols", ""),
                Arguments.of("protocols", " , "),
                Arguments.of("protocols", "14"),
                Arguments.of("protocols", "13, hixie-77"),
                Arguments.of("subprotocols", "chat, super chat"),
                Arguments.of("subprotocols", "chat, su@per"),
                Arguments.of("subprotocols", "\"chat\""),
                Arguments.of("subprotocols", "ch\u00e4t"),
                Arguments.of("handshakeTimeout", "0"),
                Arguments.of("handshakeTimeout", "later"),
                Arguments.of("compression", "maybe"),
                Arguments.of("compression", "1"),
                Arguments.of("compressionThreshold", "-1"),
                Arguments.of("compressionContextTakeover", ""),
                Arguments.of("maxFragments", "0"),
                Arguments.of("maxConnections", "0"),
                Arguments.of("maxConnections", "many"),
                Arguments.of("writeTimeout", "-1s"),
                Arguments.of("maxHeaders", "0"),
                Arguments.of("maxHeaderLength", "0"),
                Arguments.of("allowedOrigins", "example.com"),
                Arguments.of("allowedOrigins", "https://example.com/path"),
                Arguments.of("allowedOrigins", "https://user@example.com"),
                Arguments.of("allowedOrigins", "https://example.com?q"),
                Arguments.of("transport", "tcp"),
                Arguments.of("transport", ""),
                Arguments.of("maxFooSize", "1K"));
    }

    @ParameterizedTest(name = "{0}=''{1}''")
    @MethodSource("invalidValues")
    void invalidValueIsRefusedNamingTheSetting(String name, String value) {
        WebSocketSettings s = new WebSocketSettings();
        String before = s.toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.set(name, value));
        assertTrue(e.getMessage().contains(name), e::getMessage);
        assertEquals(before, s.toString(), "a refused value changes nothing");
    }

    @Test
    void settersRefuseInvalidValuesNamingTheSetting() {
        WebSocketSettings s = new WebSocketSettings();
        List<Runnable> setters = List.of(
                () -> s.maxFrameSize(0),
                () -> s.maxMessageSize(-1),
                () -> s.maxBufferedBytes(0),
                () -> s.idleTimeout(Duration.ofSeconds(-1)),
                () -> s.idleTimeout(null),
                () -> s.pingInterval(Duration.ofMillis(-1)),
                () -> s.pingInterval(null),
                () -> s.closeTimeout(Duration.ZERO),
                () -> s.closeTimeout(Duration.ofSeconds(-1)),
                () -> s.closeTimeout(null),
                () -> s.protocols(EnumSet.noneOf(ProtocolVersion.class)),
                () -> s.transport(null),
                () -> s.handshakeTimeout(Duration.ZERO),
                () -> s.compressionThreshold(-1),
                () -> s.maxFragments(0),
                () -> s.maxConnections(0),
                () -> s.writeTimeout(Duration.ofSeconds(-1)),
                () -> s.maxHeaders(0),
                () -> s.maxHeaderLength(-5));
        List<String> names = List.of("maxFrameSize", "maxMessageSize", "maxBufferedBytes", "idleTimeout", "idleTimeout",
                "pingInterval", "pingInterval", "closeTimeout", "closeTimeout", "closeTimeout", "protocols", "transport",
                "handshakeTimeout", "compressionThreshold", "maxFragments", "maxConnections", "writeTimeout", "maxHeaders",
                "maxHeaderLength");
        for (int i = 0; i < setters.size(); i++) {
            String name = names.get(i);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setters.get(i)::run, name);
            assertTrue(e.getMessage().contains(name), e::getMessage);
        }
    }

    @Test
    void subprotocolMustBeAnHttpToken() {
        WebSocketSettings s = new WebSocketSettings();
        assertThrows(IllegalArgumentException.class, () -> s.subprotocols(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> s.subprotocols(List.of("chat", "a b")));
        assertThrows(IllegalArgumentException.class, () -> s.subprotocols(List.of("a,b")));
        assertEquals(List.of(), s.subprotocols());
    }

    // ---- copies are independent

    @Test
    void copyIsIndependentOfTheOriginal() {
        WebSocketSettings original = new WebSocketSettings()
                .maxFrameSize(1000).maxMessageSize(2000).maxBufferedBytes(3000)
                .idleTimeout(Duration.ofSeconds(1)).pingInterval(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(3))
                .protocols(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76))
                .subprotocols(List.of("chat"))
                .transport(TransportMode.SERVLET)
                .handshakeTimeout(Duration.ofSeconds(4)).compression(false).compressionThreshold(5)
                .compressionContextTakeover(false).maxFragments(6).maxConnections(7).writeTimeout(Duration.ofSeconds(8))
                .maxHeaders(9).maxHeaderLength(10).allowedOrigins(List.of("https://example.com"));
        WebSocketSettings copy = original.copy();
        assertNotSame(original, copy);
        assertEquals(original.toString(), copy.toString());

        original.maxFrameSize(1).maxMessageSize(2).maxBufferedBytes(3)
                .idleTimeout(Duration.ZERO).pingInterval(Duration.ZERO).closeTimeout(Duration.ofMillis(1))
                .protocols(EnumSet.of(ProtocolVersion.HIXIE_75))
                .subprotocols(List.of("other"))
                .transport(TransportMode.JETTY)
                .handshakeTimeout(Duration.ofSeconds(40)).compression(true).compressionThreshold(50)
                .compressionContextTakeover(true).maxFragments(60).maxConnections(70).writeTimeout(Duration.ofSeconds(80))
                .maxHeaders(90).maxHeaderLength(100).allowedOrigins(List.of("*"));

        assertEquals(1000, copy.maxFrameSize());
        assertEquals(2000, copy.maxMessageSize());
        assertEquals(3000, copy.maxBufferedBytes());
        assertEquals(Duration.ofSeconds(1), copy.idleTimeout());
        assertEquals(Duration.ofSeconds(2), copy.pingInterval());
        assertEquals(Duration.ofSeconds(3), copy.closeTimeout());
        assertEquals(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76), copy.protocols());
        assertEquals(List.of("chat"), copy.subprotocols());
        assertEquals(TransportMode.SERVLET, copy.transport());
        assertEquals(Duration.ofSeconds(4), copy.handshakeTimeout());
        assertEquals(false, copy.compression());
        assertEquals(5, copy.compressionThreshold());
        assertEquals(false, copy.compressionContextTakeover());
        assertEquals(6, copy.maxFragments());
        assertEquals(7, copy.maxConnections());
        assertEquals(Duration.ofSeconds(8), copy.writeTimeout());
        assertEquals(9, copy.maxHeaders());
        assertEquals(10, copy.maxHeaderLength());
        assertEquals(List.of("https://example.com"), copy.allowedOrigins());

        copy.maxFrameSize(77);
        assertEquals(1, original.maxFrameSize());
    }

    @Test
    void collectionsGivenAreCopiedAndCollectionsReturnedAreReadOnly() {
        Set<ProtocolVersion> versions = EnumSet.of(ProtocolVersion.RFC6455);
        List<String> names = new ArrayList<>(List.of("chat"));
        WebSocketSettings s = new WebSocketSettings().protocols(versions).subprotocols(names);
        versions.add(ProtocolVersion.HIXIE_76);
        names.add("superchat");
        assertEquals(Set.of(ProtocolVersion.RFC6455), s.protocols());
        assertEquals(List.of("chat"), s.subprotocols());
        assertThrows(UnsupportedOperationException.class, () -> s.protocols().add(ProtocolVersion.HIXIE_75));
        assertThrows(UnsupportedOperationException.class, () -> s.subprotocols().add("x"));
    }
}
