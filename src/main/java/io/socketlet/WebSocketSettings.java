package io.socketlet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The settings of one WebSocket endpoint. A servlet fills them from its init-params (so a
 * {@code web.xml} can set them) and then hands them to its {@code configure} hook for code to
 * adjust. Every setter validates at once and throws {@link IllegalArgumentException} naming the
 * setting, so a bad value fails the servlet's {@code init}, not a connection hours later.
 *
 * <p>Defaults protect the server: no limit is unbounded.
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

    public static final int DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;
    public static final int DEFAULT_MAX_FRAME_SIZE = 1 << 20;
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 4L << 20;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_COMPRESSION_THRESHOLD = 256;
    public static final int DEFAULT_MAX_FRAGMENTS = 100_000;
    public static final int DEFAULT_MAX_CONNECTIONS = 50_000;
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_HEADERS = 100;
    public static final int DEFAULT_MAX_HEADER_LENGTH = 4096;

    private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration pingInterval = DEFAULT_PING_INTERVAL;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Set<ProtocolVersion> protocols = EnumSet.of(ProtocolVersion.RFC6455);
    private List<String> subprotocols = List.of();
    private TransportMode transport = TransportMode.AUTO;
    private boolean compression = true;
    private int compressionThreshold = DEFAULT_COMPRESSION_THRESHOLD;
    private boolean compressionContextTakeover = true;
    private int maxFragments = DEFAULT_MAX_FRAGMENTS;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private int maxHeaders = DEFAULT_MAX_HEADERS;
    private int maxHeaderLength = DEFAULT_MAX_HEADER_LENGTH;
    private List<String> allowedOrigins = List.of();

    /** The names accepted by {@link #set(String, String)}, one per setting. */
    public static final List<String> PARAMETER_NAMES = List.of(
            "maxFrameSize", "maxMessageSize", "maxBufferedBytes", "idleTimeout", "pingInterval",
            "closeTimeout", "handshakeTimeout", "protocols", "subprotocols", "transport",
            "compression", "compressionThreshold", "compressionContextTakeover", "maxFragments",
            "maxConnections", "writeTimeout", "maxHeaders", "maxHeaderLength", "allowedOrigins");

    /**
     * Sets one setting from its text form, as found in an init-param: sizes in bytes or with a
     * {@code K}/{@code M}/{@code G} suffix (powers of 1024), durations in milliseconds or with
     * {@code ms}/{@code s}/{@code m}/{@code h}, lists comma-separated.
     *
     * @throws IllegalArgumentException naming the parameter, for an unknown name or a bad value
     */
    public WebSocketSettings set(String name, String value) {
        try {
            switch (name) {
                case "maxFrameSize" -> maxFrameSize(toInt(parseSize(value)));
                case "maxMessageSize" -> maxMessageSize(toInt(parseSize(value)));
                case "maxBufferedBytes" -> maxBufferedBytes(parseSize(value));
                case "idleTimeout" -> idleTimeout(parseDuration(value));
                case "pingInterval" -> pingInterval(parseDuration(value));
                case "closeTimeout" -> closeTimeout(parseDuration(value));
                case "handshakeTimeout" -> handshakeTimeout(parseDuration(value));
                case "protocols" -> {
                    Set<ProtocolVersion> set = EnumSet.noneOf(ProtocolVersion.class);
                    for (String token : splitList(value)) {
                        set.add(ProtocolVersion.fromToken(token));
                    }
                    protocols(set);
                }
                case "subprotocols" -> subprotocols(splitList(value));
                case "transport" -> transport(TransportMode.valueOf(value.trim().toUpperCase(Locale.ROOT)));
                case "compression" -> compression(parseBoolean(value));
                case "compressionThreshold" -> compressionThreshold(toInt(parseSize(value)));
                case "compressionContextTakeover" -> compressionContextTakeover(parseBoolean(value));
                case "maxFragments" -> maxFragments(toInt(parseSize(value)));
                case "maxConnections" -> maxConnections(toInt(parseSize(value)));
                case "writeTimeout" -> writeTimeout(parseDuration(value));
                case "maxHeaders" -> maxHeaders(toInt(parseSize(value)));
                case "maxHeaderLength" -> maxHeaderLength(toInt(parseSize(value)));
                case "allowedOrigins" -> allowedOrigins(splitList(value));
                default -> throw new IllegalArgumentException("unknown setting (known: " + PARAMETER_NAMES + ")");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid WebSocket setting " + name + "='" + value + "': " + e.getMessage(), e);
        }
        return this;
    }

    /** Largest frame payload accepted from a peer, in bytes; a larger one closes with 1009. Default 1 MiB. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    public WebSocketSettings maxFrameSize(int bytes) {
        this.maxFrameSize = positive("maxFrameSize", bytes);
        return this;
    }

    /** Largest message accepted from a peer, all fragments together, in bytes; a larger one closes with 1009. Default 1 MiB. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    public WebSocketSettings maxMessageSize(int bytes) {
        this.maxMessageSize = positive("maxMessageSize", bytes);
        return this;
    }

    /**
     * Most bytes a connection may have queued for sending. A send that would pass it fails and
     * closes the connection with 1008: a peer that does not read must not exhaust the heap. A
     * single message is always accepted into an empty queue. Default 4 MiB.
     */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    public WebSocketSettings maxBufferedBytes(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("maxBufferedBytes must be positive, was " + bytes);
        }
        this.maxBufferedBytes = bytes;
        return this;
    }

    /** A connection that receives nothing for this long is closed with 1001. Zero disables. Default 5 minutes. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public WebSocketSettings idleTimeout(Duration timeout) {
        this.idleTimeout = nonNegative("idleTimeout", timeout);
        return this;
    }

    /**
     * A connection that sent nothing for this long gets a ping, so proxies with read timeouts
     * do not cut a quiet connection (RFC 6455 only). Zero disables. Default 30 seconds.
     */
    public Duration pingInterval() {
        return pingInterval;
    }

    public WebSocketSettings pingInterval(Duration interval) {
        this.pingInterval = nonNegative("pingInterval", interval);
        return this;
    }

    /** How long to wait for the peer's close frame after sending ours before dropping TCP. Default 5 seconds. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    public WebSocketSettings closeTimeout(Duration timeout) {
        nonNegative("closeTimeout", timeout);
        if (timeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be positive");
        }
        this.closeTimeout = timeout;
        return this;
    }

    /** How long a hixie-76 client may take to send the 8 challenge bytes after its headers. Default 10 seconds. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public WebSocketSettings handshakeTimeout(Duration timeout) {
        nonNegative("handshakeTimeout", timeout);
        if (timeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive");
        }
        this.handshakeTimeout = timeout;
        return this;
    }

    /** The protocol roads this endpoint accepts. Default: RFC 6455 only (the legacy drafts have no masking). */
    public Set<ProtocolVersion> protocols() {
        return Collections.unmodifiableSet(protocols);
    }

    public WebSocketSettings protocols(Set<ProtocolVersion> versions) {
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("protocols must name at least one version");
        }
        this.protocols = EnumSet.copyOf(versions);
        return this;
    }

    /** The subprotocols this endpoint speaks, in the server's order of preference; empty by default. */
    public List<String> subprotocols() {
        return subprotocols;
    }

    public WebSocketSettings subprotocols(List<String> names) {
        List<String> copy = new ArrayList<>();
        for (String name : names) {
            if (name.isEmpty() || !isToken(name)) {
                throw new IllegalArgumentException("subprotocol '" + name + "' is not an HTTP token");
            }
            copy.add(name);
        }
        this.subprotocols = List.copyOf(copy);
        return this;
    }

    /** Which I/O road carries connections. Default {@link TransportMode#AUTO}. */
    public TransportMode transport() {
        return transport;
    }

    public WebSocketSettings transport(TransportMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("transport must be one of " + List.of(TransportMode.values()));
        }
        this.transport = mode;
        return this;
    }

    /** Whether permessage-deflate (RFC 7692) is negotiated when a client offers it. Default true. */
    public boolean compression() {
        return compression;
    }

    public WebSocketSettings compression(boolean enabled) {
        this.compression = enabled;
        return this;
    }

    /** Messages shorter than this many bytes are sent uncompressed even when compression is on. Default 256. */
    public int compressionThreshold() {
        return compressionThreshold;
    }

    public WebSocketSettings compressionThreshold(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("compressionThreshold must not be negative, was " + bytes);
        }
        this.compressionThreshold = bytes;
        return this;
    }

    /**
     * Whether compression state may be kept from one message to the next (better ratios; about
     * 300 KiB of native memory per connection while it lasts). False answers both
     * {@code no_context_takeover} parameters, so no compressor outlives a message. Default true.
     */
    public boolean compressionContextTakeover() {
        return compressionContextTakeover;
    }

    public WebSocketSettings compressionContextTakeover(boolean allowed) {
        this.compressionContextTakeover = allowed;
        return this;
    }

    /** Most frames one message may be split into; more closes with 1009. Default 100,000. */
    public int maxFragments() {
        return maxFragments;
    }

    public WebSocketSettings maxFragments(int count) {
        this.maxFragments = positive("maxFragments", count);
        return this;
    }

    /** Most open connections on this endpoint; past it a handshake gets 503 with Retry-After. Default 50,000. */
    public int maxConnections() {
        return maxConnections;
    }

    public WebSocketSettings maxConnections(int count) {
        this.maxConnections = positive("maxConnections", count);
        return this;
    }

    /**
     * A send that makes no progress for this long (the peer stopped reading and the socket
     * buffers are full) fails and drops the connection. Zero disables. Default 60 seconds.
     */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    public WebSocketSettings writeTimeout(Duration timeout) {
        this.writeTimeout = nonNegative("writeTimeout", timeout);
        return this;
    }

    /** Most header fields in a handshake request; more gets 400. Default 100. */
    public int maxHeaders() {
        return maxHeaders;
    }

    public WebSocketSettings maxHeaders(int count) {
        this.maxHeaders = positive("maxHeaders", count);
        return this;
    }

    /**
     * Longest value (all lines joined) of a header the handshake parses: {@code Connection},
     * {@code Upgrade}, {@code Sec-WebSocket-Protocol}, {@code Sec-WebSocket-Extensions} and the
     * keys; longer gets 400. Default 4096.
     */
    public int maxHeaderLength() {
        return maxHeaderLength;
    }

    public WebSocketSettings maxHeaderLength(int chars) {
        this.maxHeaderLength = positive("maxHeaderLength", chars);
        return this;
    }

    /**
     * Origins a browser handshake may come from (RFC 6455 section 10.2, against cross-site
     * WebSocket hijacking). Empty (the default): the request's own origin only, judged from its
     * scheme and Host header. {@code *} allows every origin. A handshake without {@code Origin}
     * (a non-browser client) is always accepted. Entries are like {@code https://example.com} or
     * {@code http://localhost:8080}; the word {@code same-origin} keeps the default rule beside them.
     */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    public WebSocketSettings allowedOrigins(List<String> origins) {
        List<String> copy = new ArrayList<>();
        for (String origin : origins) {
            String o = origin.trim();
            if (!o.equals("*") && !o.equals("same-origin") && !isOrigin(o)) {
                throw new IllegalArgumentException("'" + origin + "' is not an origin like https://example.com, * or same-origin");
            }
            copy.add(o);
        }
        this.allowedOrigins = List.copyOf(copy);
        return this;
    }

    /** An independent copy, so a running endpoint never sees later changes. */
    public WebSocketSettings copy() {
        WebSocketSettings c = new WebSocketSettings();
        c.maxFrameSize = maxFrameSize;
        c.maxMessageSize = maxMessageSize;
        c.maxBufferedBytes = maxBufferedBytes;
        c.idleTimeout = idleTimeout;
        c.pingInterval = pingInterval;
        c.closeTimeout = closeTimeout;
        c.handshakeTimeout = handshakeTimeout;
        c.protocols = EnumSet.copyOf(protocols);
        c.subprotocols = subprotocols;
        c.transport = transport;
        c.compression = compression;
        c.compressionThreshold = compressionThreshold;
        c.compressionContextTakeover = compressionContextTakeover;
        c.maxFragments = maxFragments;
        c.maxConnections = maxConnections;
        c.writeTimeout = writeTimeout;
        c.maxHeaders = maxHeaders;
        c.maxHeaderLength = maxHeaderLength;
        c.allowedOrigins = allowedOrigins;
        return c;
    }

    @Override
    public String toString() {
        return "WebSocketSettings{maxFrameSize=" + maxFrameSize + ", maxMessageSize=" + maxMessageSize
                + ", maxBufferedBytes=" + maxBufferedBytes + ", idleTimeout=" + idleTimeout
                + ", pingInterval=" + pingInterval + ", closeTimeout=" + closeTimeout + ", handshakeTimeout=" + handshakeTimeout
                + ", protocols=" + protocols + ", subprotocols=" + subprotocols + ", transport=" + transport + ", compression=" + compression
                + ", compressionThreshold=" + compressionThreshold + ", compressionContextTakeover=" + compressionContextTakeover
                + ", maxFragments=" + maxFragments + ", maxConnections=" + maxConnections + ", writeTimeout=" + writeTimeout
                + ", maxHeaders=" + maxHeaders + ", maxHeaderLength=" + maxHeaderLength + ", allowedOrigins=" + allowedOrigins + "}";
    }

    private static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    private static Duration nonNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, was " + value);
        }
        return value;
    }

    private static int toInt(long value) {
        if (value > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("must be below 2 GiB");
        }
        return (int) value;
    }

    /** Parses {@code 1024}, {@code 64K}, {@code 16M}, {@code 16MiB}, {@code 1G}. */
    static long parseSize(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1).trim();
        }
        long number;
        try {
            number = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size (examples: 65536, 64K, 16M)");
        }
        if (number < 0 || number > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("size out of range");
        }
        return number * unit;
    }

    /** Parses {@code 250} (milliseconds), {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unitMillis = 1;
        if (t.endsWith("ms")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            unitMillis = 1000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unitMillis = 60_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unitMillis = 3_600_000;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t.trim());
            if (n < 0) {
                throw new IllegalArgumentException("duration must not be negative");
            }
            return Duration.ofMillis(Math.multiplyExact(n, unitMillis));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a duration (examples: 500ms, 30s, 5m)");
        }
    }

    /** scheme://host[:port] and nothing more, as an Origin header carries it (RFC 6454). */
    private static boolean isOrigin(String text) {
        try {
            java.net.URI uri = new java.net.URI(text);
            return uri.getScheme() != null && uri.getHost() != null && uri.getRawUserInfo() == null
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static boolean parseBoolean(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new IllegalArgumentException("not a boolean (true or false)");
        };
    }

    private static List<String> splitList(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    /** RFC 7230 token: visible ASCII except separators. */
    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
