package io.socketlet;

import static io.socketlet.SettingsTable.ALLOWED_ORIGINS;
import static io.socketlet.SettingsTable.CLOSE_TIMEOUT;
import static io.socketlet.SettingsTable.COMPRESSION;
import static io.socketlet.SettingsTable.COMPRESSION_CONTEXT_TAKEOVER;
import static io.socketlet.SettingsTable.COMPRESSION_THRESHOLD;
import static io.socketlet.SettingsTable.HANDSHAKE_TIMEOUT;
import static io.socketlet.SettingsTable.IDLE_TIMEOUT;
import static io.socketlet.SettingsTable.MAX_BUFFERED_BYTES;
import static io.socketlet.SettingsTable.MAX_CONNECTIONS;
import static io.socketlet.SettingsTable.MAX_FRAGMENTS;
import static io.socketlet.SettingsTable.MAX_FRAME_SIZE;
import static io.socketlet.SettingsTable.MAX_HEADERS;
import static io.socketlet.SettingsTable.MAX_HEADER_LENGTH;
import static io.socketlet.SettingsTable.MAX_MESSAGE_SIZE;
import static io.socketlet.SettingsTable.PING_INTERVAL;
import static io.socketlet.SettingsTable.PONG_TIMEOUT;
import static io.socketlet.SettingsTable.PROTOCOLS;
import static io.socketlet.SettingsTable.SUBPROTOCOLS;
import static io.socketlet.SettingsTable.TRANSPORT;
import static io.socketlet.SettingsTable.WRITE_TIMEOUT;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The settings of one WebSocket endpoint: an immutable value, made by a {@link Builder}. A servlet
 * builds them from its {@code defaults} hook, then its init-params (so a {@code web.xml} wins over
 * code defaults), then its {@code configure} hook. Every builder setter validates at once and
 * throws {@link IllegalArgumentException} naming the setting, so a bad value fails the servlet's
 * {@code init}, not a connection hours later.
 *
 * <p>The names, text forms, defaults and rules are one table ({@code SettingsTable}); the
 * README's settings table says what each does. Defaults protect the server: no limit is unbounded.
 */
public final class WebSocketSettings {

    /** Which I/O road carries upgraded connections. */
    public enum TransportMode {
        /** Jetty's own socket on Jetty (see docs/jetty-upgrade-bug.md), the Servlet API elsewhere. */
        AUTO,
        /** Always {@code HttpServletRequest.upgrade} with non-blocking servlet streams. */
        SERVLET,
        /** Always take over Jetty's socket; fails the handshake with 500 on another container. */
        JETTY
    }

    /** The init-param names, one per setting, in the README's order. */
    public static final List<String> PARAMETER_NAMES = SettingsTable.ALL.stream().map(s -> s.name).toList();

    private static final WebSocketSettings DEFAULTS = new Builder().build();

    private final int maxFrameSize;
    private final int maxMessageSize;
    private final int maxFragments;
    private final long maxBufferedBytes;
    private final Duration writeTimeout;
    private final Duration idleTimeout;
    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final Duration closeTimeout;
    private final Duration handshakeTimeout;
    private final int maxConnections;
    private final int maxHeaders;
    private final int maxHeaderLength;
    private final List<String> allowedOrigins;
    private final Set<ProtocolVersion> protocols;
    private final List<String> subprotocols;
    private final boolean compression;
    private final int compressionThreshold;
    private final boolean compressionContextTakeover;
    private final TransportMode transport;

    private WebSocketSettings(Builder b) {
        maxFrameSize = b.maxFrameSize;
        maxMessageSize = b.maxMessageSize;
        maxFragments = b.maxFragments;
        maxBufferedBytes = b.maxBufferedBytes;
        writeTimeout = b.writeTimeout;
        idleTimeout = b.idleTimeout;
        pingInterval = b.pingInterval;
        pongTimeout = b.pongTimeout;
        closeTimeout = b.closeTimeout;
        handshakeTimeout = b.handshakeTimeout;
        maxConnections = b.maxConnections;
        maxHeaders = b.maxHeaders;
        maxHeaderLength = b.maxHeaderLength;
        allowedOrigins = b.allowedOrigins;
        protocols = b.protocols;
        subprotocols = b.subprotocols;
        compression = b.compression;
        compressionThreshold = b.compressionThreshold;
        compressionContextTakeover = b.compressionContextTakeover;
        transport = b.transport;
    }

    /**
     * Every setting at its default.
     *
     * @return the shared default settings, never null
     */
    public static WebSocketSettings defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder; each call gives an independent one
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these settings.
     *
     * @return a new builder holding every value of these settings
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Largest frame payload accepted from a peer, in bytes; a larger one closes with 1009. Default 1 MiB.
     *
     * @return the limit in bytes, at least 1
     */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Largest message accepted from a peer, all fragments together (inflated), in bytes; larger closes with 1009. Default 1 MiB.
     *
     * @return the limit in bytes, at least 1
     */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Most frames one message may be split into; more closes with 1009. Default 100,000.
     *
     * @return the limit as a frame count, at least 1
     */
    public int maxFragments() {
        return maxFragments;
    }

    /**
     * Most bytes a connection may have queued for sending. A send that would pass it fails and
     * closes the connection with 1008: a peer that does not read must not exhaust the heap. A
     * single message is always accepted into an empty queue. Default 4 MiB.
     *
     * @return the limit in bytes, at least 1
     */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /**
     * A send that makes no progress for this long (the peer stopped reading and the socket
     * buffers are full) fails and drops the connection. Zero disables. Default 60 seconds.
     *
     * @return the timeout, {@link Duration#ZERO} when disabled
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /**
     * A connection that receives nothing for this long is closed with 1001. Zero disables. Default 5 minutes.
     *
     * @return the timeout, {@link Duration#ZERO} when disabled
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * A connection that was quiet for this long gets a ping, so proxies with read timeouts do not
     * cut it (RFC 6455 only). Zero disables. Default 30 seconds.
     *
     * @return the interval, {@link Duration#ZERO} when pings are off
     */
    public Duration pingInterval() {
        return pingInterval;
    }

    /**
     * A ping unanswered this long closes the connection, so a dead peer does not wait out
     * {@link #idleTimeout()}. Zero disables. Default 30 seconds, about the ping interval.
     *
     * @return the timeout, {@link Duration#ZERO} when disabled
     */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    /**
     * How long to wait for the peer's close frame after sending ours before dropping TCP. Default 5 seconds.
     *
     * @return the timeout, always positive
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * How long a hixie-76 client may take to send the 8 challenge bytes after its headers. Default 10 seconds.
     *
     * @return the timeout, always positive
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * Most open connections on this endpoint; past it a handshake gets 503 with Retry-After. Default 50,000.
     *
     * @return the limit, at least 1
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Most header fields in a handshake request; more gets 400. Default 100.
     *
     * @return the limit as a field count, at least 1
     */
    public int maxHeaders() {
        return maxHeaders;
    }

    /**
     * Longest value (all lines joined) of a header the handshake parses: {@code Connection},
     * {@code Upgrade}, {@code Sec-WebSocket-Protocol}, {@code Sec-WebSocket-Extensions}, the keys
     * and {@code Origin}; longer gets 400. Default 4096.
     *
     * @return the limit in characters, at least 1
     */
    public int maxHeaderLength() {
        return maxHeaderLength;
    }

    /**
     * Origins a browser handshake may come from (RFC 6455 section 10.2, against cross-site
     * WebSocket hijacking). Empty (the default): the request's own origin only, judged from its
     * scheme and Host header. {@code *} allows every origin. A handshake without {@code Origin}
     * (a non-browser client) is always accepted. Entries are like {@code https://example.com} or
     * {@code http://localhost:8080}; the word {@code same-origin} keeps the default rule beside them.
     *
     * @return the entries, read-only; empty means same origin only
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /**
     * The protocol roads this endpoint accepts, read-only. Default: RFC 6455 only (the legacy drafts have no masking).
     *
     * @return the accepted versions, read-only and never empty
     */
    public Set<ProtocolVersion> protocols() {
        return protocols;
    }

    /**
     * The subprotocols this endpoint speaks, in the server's order of preference; empty by default.
     *
     * @return the names, read-only, most preferred first; empty when none is spoken
     */
    public List<String> subprotocols() {
        return subprotocols;
    }

    /**
     * Whether permessage-deflate (RFC 7692) is negotiated when a client offers it. Default true.
     *
     * @return true when permessage-deflate may be negotiated
     */
    public boolean compression() {
        return compression;
    }

    /**
     * Messages shorter than this many bytes are sent uncompressed even when compression is on. Default 256.
     *
     * @return the threshold in bytes, zero or more (zero compresses every message)
     */
    public int compressionThreshold() {
        return compressionThreshold;
    }

    /**
     * Whether compression state may be kept from one message to the next (better ratios; about
     * 300 KiB of native memory per connection while it lasts). False answers both
     * {@code no_context_takeover} parameters, so no compressor outlives a message. Default true.
     *
     * @return true when a compressor may outlive a message
     */
    public boolean compressionContextTakeover() {
        return compressionContextTakeover;
    }

    /**
     * Which I/O road carries connections. Default {@link TransportMode#AUTO}.
     *
     * @return the mode, never null
     */
    public TransportMode transport() {
        return transport;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WebSocketSettings other)) {
            return false;
        }
        for (Setting<?> setting : SettingsTable.ALL) {
            if (!Objects.equals(setting.get(this), setting.get(other))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (Setting<?> setting : SettingsTable.ALL) {
            hash = 31 * hash + Objects.hashCode(setting.get(this));
        }
        return hash;
    }

    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "WebSocketSettings{", "}");
        for (Setting<?> setting : SettingsTable.ALL) {
            out.add(setting.name + "=" + setting.get(this));
        }
        return out.toString();
    }

    /**
     * Collects settings for {@link #build()}. Each setter checks its value at once and throws
     * {@link IllegalArgumentException} naming the setting; a refused value changes nothing.
     */
    public static final class Builder {

        private int maxFrameSize = MAX_FRAME_SIZE.defaultValue;
        private int maxMessageSize = MAX_MESSAGE_SIZE.defaultValue;
        private int maxFragments = MAX_FRAGMENTS.defaultValue;
        private long maxBufferedBytes = MAX_BUFFERED_BYTES.defaultValue;
        private Duration writeTimeout = WRITE_TIMEOUT.defaultValue;
        private Duration idleTimeout = IDLE_TIMEOUT.defaultValue;
        private Duration pingInterval = PING_INTERVAL.defaultValue;
        private Duration pongTimeout = PONG_TIMEOUT.defaultValue;
        private Duration closeTimeout = CLOSE_TIMEOUT.defaultValue;
        private Duration handshakeTimeout = HANDSHAKE_TIMEOUT.defaultValue;
        private int maxConnections = MAX_CONNECTIONS.defaultValue;
        private int maxHeaders = MAX_HEADERS.defaultValue;
        private int maxHeaderLength = MAX_HEADER_LENGTH.defaultValue;
        private List<String> allowedOrigins = ALLOWED_ORIGINS.defaultValue;
        private Set<ProtocolVersion> protocols = PROTOCOLS.defaultValue;
        private List<String> subprotocols = SUBPROTOCOLS.defaultValue;
        private boolean compression = COMPRESSION.defaultValue;
        private int compressionThreshold = COMPRESSION_THRESHOLD.defaultValue;
        private boolean compressionContextTakeover = COMPRESSION_CONTEXT_TAKEOVER.defaultValue;
        private TransportMode transport = TRANSPORT.defaultValue;

        private Builder() {
        }

        private Builder(WebSocketSettings s) {
            for (Setting<?> setting : SettingsTable.ALL) {
                setting.copy(s, this);
            }
        }

        /**
         * Sets one setting from its text form, as an init-param carries it: sizes in bytes or with
         * a {@code K}/{@code M}/{@code G} suffix (powers of 1024), counts as plain numbers,
         * durations in milliseconds or with {@code ms}/{@code s}/{@code m}/{@code h}, lists
         * comma-separated, booleans as true/false, on/off or yes/no.
         *
         * @param name the init-param name, one of {@link WebSocketSettings#PARAMETER_NAMES}
         * @param text the value in its text form
         * @return this builder
         * @throws IllegalArgumentException naming the setting and the text, for an unknown name or a bad value
         */
        public Builder set(String name, String text) {
            Setting<?> setting = SettingsTable.BY_NAME.get(name);
            if (setting == null) {
                throw new IllegalArgumentException("Invalid WebSocket setting " + name + "='" + text
                        + "': unknown setting (known: " + PARAMETER_NAMES + ")");
            }
            setting.set(this, text);
            return this;
        }

        /**
         * The largest frame accepted, in bytes; a larger one closes with 1009. Init-param {@code maxFrameSize}.
         *
         * @param bytes the limit, at least 1; default 1 MiB
         * @return this builder
         */
        public Builder maxFrameSize(int bytes) {
            maxFrameSize = MAX_FRAME_SIZE.check(bytes);
            return this;
        }

        /**
         * The largest message accepted (all fragments, or the inflated size), in bytes; a larger one closes with 1009. Init-param {@code maxMessageSize}.
         *
         * @param bytes the limit, at least 1; default 1 MiB
         * @return this builder
         */
        public Builder maxMessageSize(int bytes) {
            maxMessageSize = MAX_MESSAGE_SIZE.check(bytes);
            return this;
        }

        /**
         * The most frames one message may come in; more close with 1009. Init-param {@code maxFragments}.
         *
         * @param count the limit, at least 1; default 100,000
         * @return this builder
         */
        public Builder maxFragments(int count) {
            maxFragments = MAX_FRAGMENTS.check(count);
            return this;
        }

        /**
         * The most bytes queued for sending; a send past it fails and closes with 1008. Init-param {@code maxBufferedBytes}.
         *
         * @param bytes the limit, at least 1; default 4 MiB
         * @return this builder
         */
        public Builder maxBufferedBytes(long bytes) {
            maxBufferedBytes = MAX_BUFFERED_BYTES.check(bytes);
            return this;
        }

        /**
         * How long a send may make no progress before it fails and TCP is dropped. Init-param {@code writeTimeout}.
         *
         * @param timeout zero or more, zero disables; default 60 seconds
         * @return this builder
         */
        public Builder writeTimeout(Duration timeout) {
            writeTimeout = WRITE_TIMEOUT.check(timeout);
            return this;
        }

        /**
         * How long nothing may be received before the connection is closed with 1001. Init-param {@code idleTimeout}.
         *
         * @param timeout zero or more, zero disables; default 5 minutes
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            idleTimeout = IDLE_TIMEOUT.check(timeout);
            return this;
        }

        /**
         * The quiet time after which a ping is sent (RFC 6455 only); zero disables pings. Init-param {@code pingInterval}.
         *
         * @param interval zero or more, zero disables; default 30 seconds
         * @return this builder
         */
        public Builder pingInterval(Duration interval) {
            pingInterval = PING_INTERVAL.check(interval);
            return this;
        }

        /**
         * How long a ping may go unanswered before the connection is closed; zero disables. Init-param {@code pongTimeout}.
         *
         * @param timeout zero or more, zero disables; default 30 seconds
         * @return this builder
         */
        public Builder pongTimeout(Duration timeout) {
            pongTimeout = PONG_TIMEOUT.check(timeout);
            return this;
        }

        /**
         * How long the peer has to answer our close frame before TCP is dropped. Init-param {@code closeTimeout}.
         *
         * @param timeout positive; default 5 seconds
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            closeTimeout = CLOSE_TIMEOUT.check(timeout);
            return this;
        }

        /**
         * How long a hixie-76 client has to send its 8 key bytes. Init-param {@code handshakeTimeout}.
         *
         * @param timeout positive; default 10 seconds
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            handshakeTimeout = HANDSHAKE_TIMEOUT.check(timeout);
            return this;
        }

        /**
         * The most open connections; further handshakes get 503 with Retry-After. Init-param {@code maxConnections}.
         *
         * @param count the limit, at least 1; default 50,000
         * @return this builder
         */
        public Builder maxConnections(int count) {
            maxConnections = MAX_CONNECTIONS.check(count);
            return this;
        }

        /**
         * The most header fields a handshake may have; more get 400. Init-param {@code maxHeaders}.
         *
         * @param count the limit, at least 1; default 100
         * @return this builder
         */
        public Builder maxHeaders(int count) {
            maxHeaders = MAX_HEADERS.check(count);
            return this;
        }

        /**
         * The longest WebSocket-related header accepted, in characters; longer gets 400. Init-param {@code maxHeaderLength}.
         *
         * @param chars the limit, at least 1; default 4096
         * @return this builder
         */
        public Builder maxHeaderLength(int chars) {
            maxHeaderLength = MAX_HEADER_LENGTH.check(chars);
            return this;
        }

        /**
         * The browser origins allowed ({@code *} for all); none listed means the same origin only. Init-param {@code allowedOrigins}.
         *
         * @param origins entries like {@code https://example.com}, {@code *} or {@code same-origin}; empty by default
         * @return this builder
         */
        public Builder allowedOrigins(List<String> origins) {
            allowedOrigins = ALLOWED_ORIGINS.check(origins);
            return this;
        }

        /**
         * The protocol versions (roads) accepted. Init-param {@code protocols}.
         *
         * @param versions not empty; default RFC 6455 only
         * @return this builder
         */
        public Builder protocols(Set<ProtocolVersion> versions) {
            protocols = PROTOCOLS.check(versions);
            return this;
        }

        /**
         * The subprotocols offered; the first one the client also offered is chosen. Init-param {@code subprotocols}.
         *
         * @param names HTTP tokens in the server's order of preference; empty by default
         * @return this builder
         */
        public Builder subprotocols(List<String> names) {
            subprotocols = SUBPROTOCOLS.check(names);
            return this;
        }

        /**
         * Whether permessage-deflate is negotiated when the client offers it. Init-param {@code compression}.
         *
         * @param enabled false never negotiates it; default true
         * @return this builder
         */
        public Builder compression(boolean enabled) {
            compression = COMPRESSION.check(enabled);
            return this;
        }

        /**
         * Messages smaller than this many bytes are sent uncompressed. Init-param {@code compressionThreshold}.
         *
         * @param bytes zero or more, zero compresses every message; default 256
         * @return this builder
         */
        public Builder compressionThreshold(int bytes) {
            compressionThreshold = COMPRESSION_THRESHOLD.check(bytes);
            return this;
        }

        /**
         * Whether a compressor is kept between messages (better ratio, more memory). Init-param {@code compressionContextTakeover}.
         *
         * @param allowed false keeps no compressor between messages; default true
         * @return this builder
         */
        public Builder compressionContextTakeover(boolean allowed) {
            compressionContextTakeover = COMPRESSION_CONTEXT_TAKEOVER.check(allowed);
            return this;
        }

        /**
         * Which road connections take: {@code AUTO}, {@code SERVLET} or {@code JETTY}. Init-param {@code transport}.
         *
         * @param mode not null; default {@link TransportMode#AUTO}
         * @return this builder
         */
        public Builder transport(TransportMode mode) {
            transport = TRANSPORT.check(mode);
            return this;
        }

        /**
         * The settings as collected; the builder may go on to build others.
         *
         * @return the immutable settings
         */
        public WebSocketSettings build() {
            return new WebSocketSettings(this);
        }
    }
}
