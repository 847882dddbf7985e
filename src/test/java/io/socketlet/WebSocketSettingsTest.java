package io.socketlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.WebSocketSettings.TransportMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        WebSocketSettings s = WebSocketSettings.defaults();
        assertEquals(1 << 20, s.maxFrameSize());
        assertEquals(1 << 20, s.maxMessageSize());
        assertEquals(4 * MIB, s.maxBufferedBytes());
        assertEquals(Duration.ofMinutes(5), s.idleTimeout());
        assertEquals(Duration.ofSeconds(30), s.pingInterval());
        assertEquals(Duration.ofSeconds(30), s.pongTimeout(), "about the ping interval");
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
        assertEquals(bytes, Setting.parseSize(text));
    }

    @Test
    void setsSizesFromText() {
        WebSocketSettings s = WebSocketSettings.builder()
                .set("maxFrameSize", "64K")
                .set("maxMessageSize", "16MiB")
                .set("maxBufferedBytes", "1G").build();
        assertEquals(64 * KIB, s.maxFrameSize());
        assertEquals(16 * MIB, s.maxMessageSize());
        assertEquals(GIB, s.maxBufferedBytes());
        assertEquals(1024, WebSocketSettings.builder().set("maxFrameSize", "1024").build().maxFrameSize());
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
        assertEquals(Duration.ofMillis(millis), Setting.parseDuration(text));
    }

    @Test
    void setsDurationsFromText() {
        WebSocketSettings s = WebSocketSettings.builder()
                .set("idleTimeout", "5m")
                .set("pingInterval", "30s")
                .set("closeTimeout", "500ms").build();
        assertEquals(Duration.ofMinutes(5), s.idleTimeout());
        assertEquals(Duration.ofSeconds(30), s.pingInterval());
        assertEquals(Duration.ofMillis(500), s.closeTimeout());
        assertEquals(Duration.ofMillis(250), WebSocketSettings.builder().set("idleTimeout", "250").build().idleTimeout());
    }

    @Test
    void zeroDisablesIdleTimeoutAndPings() {
        WebSocketSettings s = WebSocketSettings.builder().set("idleTimeout", "0").set("pingInterval", "0").build();
        assertEquals(Duration.ZERO, s.idleTimeout());
        assertEquals(Duration.ZERO, s.pingInterval());
    }

    @Test
    void setsListsFromCommaSeparatedText() {
        WebSocketSettings s = WebSocketSettings.builder()
                .set("protocols", "13, hixie-76")
                .set("subprotocols", " superchat ,chat,, ").build();
        assertEquals(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76), s.protocols());
        assertEquals(List.of("superchat", "chat"), s.subprotocols());
    }

    @Test
    void setsTransportInAnyCase() {
        assertEquals(TransportMode.SERVLET, WebSocketSettings.builder().set("transport", "servlet").build().transport());
        assertEquals(TransportMode.JETTY, WebSocketSettings.builder().set("transport", " Jetty ").build().transport());
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
                Map.entry("maxHeaderLength", "2K"), Map.entry("allowedOrigins", "https://example.com, same-origin"),
                Map.entry("pongTimeout", "6s"));
        assertEquals(Set.copyOf(WebSocketSettings.PARAMETER_NAMES), examples.keySet(), "an example for every parameter");
        WebSocketSettings.Builder builder = WebSocketSettings.builder();
        examples.forEach(builder::set);
        WebSocketSettings s = builder.build();
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
        assertEquals(Duration.ofSeconds(6), s.pongTimeout());
        // toString and equals walk the same table, so each of these values shows in both
        for (Setting<?> setting : SettingsTable.ALL) {
            assertTrue(s.toString().contains(setting.name + "="), setting.name);
            assertNotEquals(setting.get(WebSocketSettings.defaults()), setting.get(s), setting.name + " example differs from its default");
        }
    }

    @Test
    void eachDefaultMeetsItsOwnRule() {
        for (Setting<?> setting : SettingsTable.ALL) {
            assertEquals(setting.defaultValue, checkDefault(setting), setting.name);
            assertEquals(setting.defaultValue, setting.get(WebSocketSettings.defaults()), setting.name);
        }
    }

    private static <T> T checkDefault(Setting<T> setting) {
        return setting.check(setting.defaultValue);
    }

    @ParameterizedTest
    @CsvSource({"maxHeaders, 1K", "maxConnections, 50K", "maxFragments, 1M", "maxHeaders, 100B", "maxConnections, 1e3"})
    void countsAreNotSizes(String name, String text) {
        // A count has no unit: maxHeaders=1K is a typo or a misunderstanding, not 1024 header fields.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebSocketSettings.builder().set(name, text));
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains("whole number"), e::getMessage);
    }

    @Test
    void countsTakePlainNumbers() {
        WebSocketSettings s = WebSocketSettings.builder().set("maxHeaders", " 250 ").set("maxConnections", "100000")
                .set("maxFragments", "7").build();
        assertEquals(250, s.maxHeaders());
        assertEquals(100_000, s.maxConnections());
        assertEquals(7, s.maxFragments());
    }

    @Test
    void pongTimeoutIsADurationWhereZeroDisables() {
        assertEquals(Duration.ofSeconds(45), WebSocketSettings.builder().set("pongTimeout", "45s").build().pongTimeout());
        assertEquals(Duration.ZERO, WebSocketSettings.builder().set("pongTimeout", "0").build().pongTimeout());
        assertThrows(IllegalArgumentException.class, () -> WebSocketSettings.builder().pongTimeout(Duration.ofSeconds(-1)));
    }

    /** README's settings table is what users read: it must name every setting, and no setting that does not exist. */
    @Test
    void readmeSettingsTableListsExactlyTheSettings() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("| init-param |");
        assertTrue(start >= 0, "README has a settings table");
        int end = readme.indexOf("\n\n", start);
        Matcher row = Pattern.compile("(?m)^\\| `(\\w+)` \\|").matcher(readme.substring(start, end < 0 ? readme.length() : end));
        Set<String> documented = new TreeSet<>();
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertEquals(new TreeSet<>(WebSocketSettings.PARAMETER_NAMES), documented);
    }

    /** The table's last column is each setting's own one-line doc (SettingsTable), code marks aside. */
    @Test
    void readmeSettingsTableSaysWhatEachSettingsDocSays() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Matcher row = Pattern.compile("(?m)^\\| `(\\w+)` \\| [^|]+ \\| (.*) \\|$").matcher(readme);
        Map<String, String> documented = new TreeMap<>();
        while (row.find()) {
            documented.put(row.group(1), row.group(2).replace("`", ""));
        }
        for (Setting<?> setting : SettingsTable.ALL) {
            assertEquals(setting.doc, documented.get(setting.name), "README's row of " + setting.name);
        }
    }

    @ParameterizedTest
    @CsvSource({"true, true", "on, true", "YES, true", "false, false", "off, false", "No, false"})
    void parsesBooleansInTheUsualWords(String text, boolean expected) {
        assertEquals(expected, WebSocketSettings.builder().set("compression", text).build().compression());
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
                Arguments.of("pongTimeout", "-1s"),
                Arguments.of("pongTimeout", "a while"),
                Arguments.of("maxHeaders", "1K"),
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
        WebSocketSettings.Builder builder = WebSocketSettings.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.set(name, value));
        assertTrue(e.getMessage().contains(name), e::getMessage);
        assertEquals(WebSocketSettings.defaults(), builder.build(), "a refused value changes nothing");
    }

    @Test
    void settersRefuseInvalidValuesNamingTheSetting() {
        WebSocketSettings.Builder s = WebSocketSettings.builder();
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
                () -> s.maxHeaderLength(-5),
                () -> s.pongTimeout(null),
                () -> s.allowedOrigins(List.of("https://example.com/app")));
        List<String> names = List.of("maxFrameSize", "maxMessageSize", "maxBufferedBytes", "idleTimeout", "idleTimeout",
                "pingInterval", "pingInterval", "closeTimeout", "closeTimeout", "closeTimeout", "protocols", "transport",
                "handshakeTimeout", "compressionThreshold", "maxFragments", "maxConnections", "writeTimeout", "maxHeaders",
                "maxHeaderLength", "pongTimeout", "allowedOrigins");
        for (int i = 0; i < setters.size(); i++) {
            String name = names.get(i);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setters.get(i)::run, name);
            assertTrue(e.getMessage().contains(name), e::getMessage);
        }
        assertEquals(WebSocketSettings.defaults(), s.build(), "refused values change nothing");
    }

    @Test
    void subprotocolMustBeAnHttpToken() {
        WebSocketSettings.Builder s = WebSocketSettings.builder();
        assertThrows(IllegalArgumentException.class, () -> s.subprotocols(List.of("")));
        assertThrows(IllegalArgumentException.class, () -> s.subprotocols(List.of("chat", "a b")));
        assertThrows(IllegalArgumentException.class, () -> s.subprotocols(List.of("a,b")));
        assertThrows(IllegalArgumentException.class, () -> s.subprotocols(List.of("a/b")));
        assertEquals(List.of(), s.build().subprotocols());
    }

    // ---- an immutable value

    @Test
    void aBuiltValueNeverChangesAndToBuilderStartsFromIt() {
        WebSocketSettings.Builder builder = WebSocketSettings.builder()
                .maxFrameSize(1000).maxMessageSize(2000).maxBufferedBytes(3000)
                .idleTimeout(Duration.ofSeconds(1)).pingInterval(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(3))
                .protocols(EnumSet.of(ProtocolVersion.RFC6455, ProtocolVersion.HIXIE_76))
                .subprotocols(List.of("chat"))
                .transport(TransportMode.SERVLET)
                .handshakeTimeout(Duration.ofSeconds(4)).compression(false).compressionThreshold(5)
                .compressionContextTakeover(false).maxFragments(6).maxConnections(7).writeTimeout(Duration.ofSeconds(8))
                .maxHeaders(9).maxHeaderLength(10).allowedOrigins(List.of("https://example.com"))
                .pongTimeout(Duration.ofSeconds(11));
        WebSocketSettings built = builder.build();
        String before = built.toString();

        builder.maxFrameSize(1).maxMessageSize(2).maxBufferedBytes(3)
                .idleTimeout(Duration.ZERO).pingInterval(Duration.ZERO).closeTimeout(Duration.ofMillis(1))
                .protocols(EnumSet.of(ProtocolVersion.HIXIE_75))
                .subprotocols(List.of("other"))
                .transport(TransportMode.JETTY)
                .handshakeTimeout(Duration.ofSeconds(40)).compression(true).compressionThreshold(50)
                .compressionContextTakeover(true).maxFragments(60).maxConnections(70).writeTimeout(Duration.ofSeconds(80))
                .maxHeaders(90).maxHeaderLength(100).allowedOrigins(List.of("*")).pongTimeout(Duration.ZERO);
        assertEquals(before, built.toString(), "the builder's later changes do not reach a built value");
        assertEquals(1000, built.maxFrameSize());
        assertEquals(Duration.ofSeconds(11), built.pongTimeout());

        WebSocketSettings again = built.toBuilder().build();
        assertEquals(built, again);
        assertEquals(built.hashCode(), again.hashCode());
        assertEquals(before, again.toString());
        WebSocketSettings changed = built.toBuilder().maxFrameSize(77).build();
        assertEquals(77, changed.maxFrameSize());
        assertEquals(1000, built.maxFrameSize());
        assertNotEquals(built, changed);
        assertEquals(builder.build(), builder.build(), "one builder, two equal values");
    }

    @Test
    void collectionsGivenAreCopiedAndCollectionsReturnedAreReadOnly() {
        Set<ProtocolVersion> versions = EnumSet.of(ProtocolVersion.RFC6455);
        List<String> names = new ArrayList<>(List.of("chat"));
        List<String> origins = new ArrayList<>(List.of(" https://example.com "));
        WebSocketSettings s = WebSocketSettings.builder().protocols(versions).subprotocols(names).allowedOrigins(origins).build();
        versions.add(ProtocolVersion.HIXIE_76);
        names.add("superchat");
        origins.add("*");
        assertEquals(Set.of(ProtocolVersion.RFC6455), s.protocols());
        assertEquals(List.of("chat"), s.subprotocols());
        assertEquals(List.of("https://example.com"), s.allowedOrigins(), "trimmed and copied");
        assertThrows(UnsupportedOperationException.class, () -> s.protocols().add(ProtocolVersion.HIXIE_75));
        assertThrows(UnsupportedOperationException.class, () -> s.subprotocols().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> s.allowedOrigins().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> WebSocketSettings.defaults().protocols().clear());
    }
}
