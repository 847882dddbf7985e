package io.socketlet;

import static io.socketlet.Setting.Kind.BOOL;
import static io.socketlet.Setting.Kind.COUNT;
import static io.socketlet.Setting.Kind.DURATION;
import static io.socketlet.Setting.Kind.ENUM;
import static io.socketlet.Setting.Kind.LIST;
import static io.socketlet.Setting.Kind.SIZE;

import io.socketlet.WebSocketSettings.Builder;
import io.socketlet.WebSocketSettings.TransportMode;
import io.socketlet.internal.protocol.HeaderTokens;
import io.socketlet.internal.protocol.OriginPolicy;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Every setting of {@link WebSocketSettings}, each named once: init-param name, kind of text,
 * default, rule and what it does. The builder takes its defaults and rules from here, the
 * servlet's init-param parser its names and text readers, {@code toString} and {@code equals}
 * their list of fields. A new setting is a row here plus its field, accessor and builder setter.
 */
final class SettingsTable {

    private SettingsTable() {
    }

    static final Setting<Integer> MAX_FRAME_SIZE = new Setting<>("maxFrameSize", SIZE, 1 << 20,
            Setting::parseIntSize, Setting.atLeast(1),
            "a larger frame closes with 1009, decided from its header",
            Builder::maxFrameSize, WebSocketSettings::maxFrameSize);

    static final Setting<Integer> MAX_MESSAGE_SIZE = new Setting<>("maxMessageSize", SIZE, 1 << 20,
            Setting::parseIntSize, Setting.atLeast(1),
            "a larger message (all fragments, or inflated size) closes with 1009",
            Builder::maxMessageSize, WebSocketSettings::maxMessageSize);

    static final Setting<Integer> MAX_FRAGMENTS = new Setting<>("maxFragments", COUNT, 100_000,
            Setting::parseCount, Setting.atLeast(1),
            "a message in more frames closes with 1009",
            Builder::maxFragments, WebSocketSettings::maxFragments);

    static final Setting<Long> MAX_BUFFERED_BYTES = new Setting<>("maxBufferedBytes", SIZE, 4L << 20,
            Setting::parseSize, Setting.atLeast(1),
            "a send that would queue more fails and closes with 1008 (one message into an empty queue always fits; waiting pongs are bounded by it on their own)",
            Builder::maxBufferedBytes, WebSocketSettings::maxBufferedBytes);

    static final Setting<Duration> WRITE_TIMEOUT = new Setting<>("writeTimeout", DURATION, Duration.ofSeconds(60),
            Setting::parseDuration, Setting.zeroOrMoreDuration(),
            "a send that makes no progress this long fails; TCP is dropped (1006); 0 disables",
            Builder::writeTimeout, WebSocketSettings::writeTimeout);

    static final Setting<Duration> IDLE_TIMEOUT = new Setting<>("idleTimeout", DURATION, Duration.ofMinutes(5),
            Setting::parseDuration, Setting.zeroOrMoreDuration(),
            "nothing received this long: closed with 1001; 0 disables",
            Builder::idleTimeout, WebSocketSettings::idleTimeout);

    static final Setting<Duration> PING_INTERVAL = new Setting<>("pingInterval", DURATION, Duration.ofSeconds(30),
            Setting::parseDuration, Setting.zeroOrMoreDuration(),
            "a ping when either direction was quiet this long (RFC 6455 only); 0 disables",
            Builder::pingInterval, WebSocketSettings::pingInterval);

    static final Setting<Duration> PONG_TIMEOUT = new Setting<>("pongTimeout", DURATION, Duration.ofSeconds(30),
            Setting::parseDuration, Setting.zeroOrMoreDuration(),
            "a ping unanswered this long closes the connection (1006/1001), so a dead peer does not wait out idleTimeout; 0 disables",
            Builder::pongTimeout, WebSocketSettings::pongTimeout);

    static final Setting<Duration> CLOSE_TIMEOUT = new Setting<>("closeTimeout", DURATION, Duration.ofSeconds(5),
            Setting::parseDuration, Setting.positiveDuration(),
            "a peer that does not answer our close frame is dropped (1006)",
            Builder::closeTimeout, WebSocketSettings::closeTimeout);

    static final Setting<Duration> HANDSHAKE_TIMEOUT = new Setting<>("handshakeTimeout", DURATION, Duration.ofSeconds(10),
            Setting::parseDuration, Setting.positiveDuration(),
            "a hixie-76 client whose 8 key bytes do not come is dropped",
            Builder::handshakeTimeout, WebSocketSettings::handshakeTimeout);

    static final Setting<Integer> MAX_CONNECTIONS = new Setting<>("maxConnections", COUNT, 50_000,
            Setting::parseCount, Setting.atLeast(1),
            "further handshakes get 503 with Retry-After",
            Builder::maxConnections, WebSocketSettings::maxConnections);

    static final Setting<Integer> MAX_HEADERS = new Setting<>("maxHeaders", COUNT, 100,
            Setting::parseCount, Setting.atLeast(1),
            "a handshake with more header fields gets 400",
            Builder::maxHeaders, WebSocketSettings::maxHeaders);

    static final Setting<Integer> MAX_HEADER_LENGTH = new Setting<>("maxHeaderLength", SIZE, 4096,
            Setting::parseIntSize, Setting.atLeast(1),
            "a longer Connection, Upgrade, Sec-WebSocket-* or Origin header gets 400",
            Builder::maxHeaderLength, WebSocketSettings::maxHeaderLength);

    static final Setting<List<String>> ALLOWED_ORIGINS = new Setting<>("allowedOrigins", LIST, List.of(),
            text -> Setting.parseList(text, String::trim), eachOf(OriginPolicy::checkEntry),
            "a browser Origin not listed gets 403; * allows all, same-origin keeps the page's own beside the listed ones; no Origin (non-browser) is allowed",
            Builder::allowedOrigins, WebSocketSettings::allowedOrigins);

    static final Setting<Set<ProtocolVersion>> PROTOCOLS = new Setting<>("protocols", LIST,
            Collections.unmodifiableSet(EnumSet.of(ProtocolVersion.RFC6455)),
            text -> Set.copyOf(Setting.parseList(text, ProtocolVersion::fromToken)), SettingsTable::nonEmptyVersions,
            "which roads: 13, hixie-76, hixie-75",
            Builder::protocols, WebSocketSettings::protocols);

    static final Setting<List<String>> SUBPROTOCOLS = new Setting<>("subprotocols", LIST, List.of(),
            text -> Setting.parseList(text, String::trim), eachOf(SettingsTable::token),
            "the server picks the first the client offered that is listed",
            Builder::subprotocols, WebSocketSettings::subprotocols);

    static final Setting<Boolean> COMPRESSION = new Setting<>("compression", BOOL, true,
            Setting::parseBoolean, Setting.any(),
            "permessage-deflate when the client offers it",
            Builder::compression, WebSocketSettings::compression);

    static final Setting<Integer> COMPRESSION_THRESHOLD = new Setting<>("compressionThreshold", SIZE, 256,
            Setting::parseIntSize, Setting.atLeast(0),
            "smaller messages go uncompressed",
            Builder::compressionThreshold, WebSocketSettings::compressionThreshold);

    static final Setting<Boolean> COMPRESSION_CONTEXT_TAKEOVER = new Setting<>("compressionContextTakeover", BOOL, true,
            Setting::parseBoolean, Setting.any(),
            "false keeps no compressor between messages (less memory, worse ratio)",
            Builder::compressionContextTakeover, WebSocketSettings::compressionContextTakeover);

    static final Setting<TransportMode> TRANSPORT = new Setting<>("transport", ENUM, TransportMode.AUTO,
            text -> Setting.parseEnum(text, TransportMode.class), Setting.any(),
            "SERVLET forces HttpServletRequest.upgrade, JETTY forces the Jetty socket takeover (HTTP/1.1 only: on Jetty an HTTP/2 stream is always taken over)",
            Builder::transport, WebSocketSettings::transport);

    /** Every setting, in the README's order. */
    static final List<Setting<?>> ALL = List.of(MAX_FRAME_SIZE, MAX_MESSAGE_SIZE, MAX_FRAGMENTS, MAX_BUFFERED_BYTES,
            WRITE_TIMEOUT, IDLE_TIMEOUT, PING_INTERVAL, PONG_TIMEOUT, CLOSE_TIMEOUT, HANDSHAKE_TIMEOUT, MAX_CONNECTIONS,
            MAX_HEADERS, MAX_HEADER_LENGTH, ALLOWED_ORIGINS, PROTOCOLS, SUBPROTOCOLS, COMPRESSION, COMPRESSION_THRESHOLD,
            COMPRESSION_CONTEXT_TAKEOVER, TRANSPORT);

    static final Map<String, Setting<?>> BY_NAME;

    static {
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        for (Setting<?> setting : ALL) {
            if (byName.put(setting.name, setting) != null) {
                throw new ExceptionInInitializerError("two settings named " + setting.name);
            }
        }
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    /** A list rule: each element checked (and normalized) by {@code element}; the result read-only. */
    private static UnaryOperator<List<String>> eachOf(UnaryOperator<String> element) {
        return list -> list.stream().map(element).toList();
    }

    private static String token(String subprotocol) {
        if (!HeaderTokens.isToken(subprotocol)) {
            throw new IllegalArgumentException("'" + subprotocol + "' is not an HTTP token");
        }
        return subprotocol;
    }

    private static Set<ProtocolVersion> nonEmptyVersions(Set<ProtocolVersion> versions) {
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("must name at least one version");
        }
        return Collections.unmodifiableSet(EnumSet.copyOf(versions));
    }
}
