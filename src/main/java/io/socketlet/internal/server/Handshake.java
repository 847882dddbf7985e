package io.socketlet.internal.server;

import io.socketlet.HandshakeRequest;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.protocol.AcceptKey;
import io.socketlet.internal.protocol.ExtensionOffer;
import io.socketlet.internal.protocol.HeaderTokens;
import io.socketlet.internal.protocol.Hixie76;
import io.socketlet.internal.protocol.OriginPolicy;
import io.socketlet.internal.protocol.PerMessageDeflate;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The opening handshake as a pure decision: request headers in, accept or refuse out, with no
 * servlet types, so every rule of RFC 6455 section 4.2.1, RFC 8441's extended CONNECT and the
 * hixie drafts' detection is tested without a container.
 */
public final class Handshake {

    private Handshake() {
    }

    /**
     * Whether the request asks for a WebSocket at all, so that it is validated (and refused with a
     * reason if broken) rather than served as an ordinary GET: an {@code Upgrade: websocket}
     * header, or any of the {@code Sec-WebSocket-*} handshake headers.
     *
     * @param request the request's copied headers
     * @return true when the request should be judged as a handshake
     */
    public static boolean isWebSocketRequest(HandshakeRequest request) {
        return isWebSocketRequest(request::headers);
    }

    /**
     * The same test over any header source (all values of a header by name, empty if absent), so
     * the servlet can make it on the container's request before copying anything: a plain GET
     * pays for no handshake snapshot.
     *
     * @param headers all values of a header by name, never null
     * @return true when the request should be judged as a handshake
     */
    public static boolean isWebSocketRequest(Function<String, List<String>> headers) {
        List<String> upgrade = headers.apply("Upgrade");
        return (!upgrade.isEmpty() && HeaderTokens.containsToken(String.join(", ", upgrade), "websocket"))
                || !headers.apply("Sec-WebSocket-Key").isEmpty()
                || !headers.apply("Sec-WebSocket-Version").isEmpty()
                || !headers.apply("Sec-WebSocket-Key1").isEmpty();
    }

    /**
     * Decides the handshake.
     *
     * @param method the HTTP method
     * @param httpVersion the request's protocol, such as {@code HTTP/1.1}
     * @param request the request's headers and path, as copied from the container
     * @param settings the endpoint's settings: limits, origins, protocols, subprotocols, compression
     * @return the acceptance with its response headers, or the refusal with its status and reason
     */
    public static HandshakeDecision negotiate(String method, String httpVersion, HandshakeRequest request,
                                              WebSocketSettings settings) {
        boolean extendedConnect = "CONNECT".equals(method) && isHttp2(httpVersion);
        if (!"GET".equals(method) && !extendedConnect) {
            return HandshakeDecision.reject(400, "WebSocket handshake must use GET, not " + method);
        }
        HandshakeDecision oversized = checkHeaderLimits(request, settings);
        if (oversized != null) {
            return oversized;
        }
        if (extendedConnect) {
            return negotiateExtendedConnect(request, settings);
        }
        if (!"HTTP/1.1".equals(httpVersion)) {
            return HandshakeDecision.reject(400, "WebSocket handshake requires HTTP/1.1, not " + httpVersion);
        }
        String host = request.header("Host");
        if (host == null || host.isBlank()) {
            return HandshakeDecision.reject(400, "Missing Host header");
        }
        if (!HeaderTokens.containsToken(joined(request, "Upgrade"), "websocket")) {
            return HandshakeDecision.reject(400, "Upgrade header must contain the token websocket");
        }
        if (!HeaderTokens.containsToken(joined(request, "Connection"), "Upgrade")) {
            return HandshakeDecision.reject(400, "Connection header must contain the token Upgrade");
        }
        List<String> offered = HeaderTokens.tokenList(joined(request, "Sec-WebSocket-Protocol"));
        if (offered == null) {
            return HandshakeDecision.reject(400, "Malformed Sec-WebSocket-Protocol header");
        }
        String subprotocol = selectSubprotocol(offered, settings.subprotocols());

        String version = joined(request, "Sec-WebSocket-Version");
        if (version == null) {
            ProtocolVersion legacy = legacyDraft(request);
            if (legacy != null && settings.protocols().contains(legacy)) {
                HandshakeDecision forbidden = checkOrigin(request, settings);
                if (forbidden != null) {
                    return forbidden;
                }
                if (legacy == ProtocolVersion.HIXIE_75) {
                    // -75 names its header without the Sec- prefix.
                    List<String> offered75 = HeaderTokens.tokenList(joined(request, "WebSocket-Protocol"));
                    subprotocol = offered75 == null ? "" : selectSubprotocol(offered75, settings.subprotocols());
                }
                return negotiateHixie(legacy, request, subprotocol);
            }
            return unsupportedVersion("Missing Sec-WebSocket-Version (this server speaks version 13)");
        }
        if (!"13".equals(version.trim())) {
            return unsupportedVersion("Unsupported Sec-WebSocket-Version " + version.trim() + " (this server speaks 13)");
        }
        if (!settings.protocols().contains(ProtocolVersion.RFC6455)) {
            return HandshakeDecision.reject(400, "RFC 6455 is disabled on this endpoint");
        }
        String key = joined(request, "Sec-WebSocket-Key");
        if (!isValidKey(key)) {
            return HandshakeDecision.reject(400, "Sec-WebSocket-Key must be the base64 encoding of 16 bytes");
        }
        HandshakeDecision forbidden = checkOrigin(request, settings);
        if (forbidden != null) {
            return forbidden;
        }
        LinkedHashMap<String, String> headers = new LinkedHashMap<>();
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Accept", AcceptKey.of(key.trim()));
        return acceptRfc6455(request, settings, subprotocol, headers, false);
    }

    /** {@code HTTP/2.0} as containers report it (Jetty and Tomcat both), or a bare {@code HTTP/2}. */
    private static boolean isHttp2(String httpVersion) {
        return "HTTP/2.0".equals(httpVersion) || "HTTP/2".equals(httpVersion);
    }

    /**
     * RFC 8441, WebSocket over an HTTP/2 stream: "a CONNECT request with a :protocol pseudo-header
     * of websocket", whose {@code :path} routed it here. The Servlet API shows no pseudo-header, so
     * {@code :protocol} cannot be read portably; a CONNECT that reached a servlet's path (a plain
     * CONNECT has no {@code :path}) and carries {@code Sec-WebSocket-Version} is taken as one.
     * Everything else is judged as for a GET upgrade: version 13, origin, subprotocols,
     * permessage-deflate. "The Sec-WebSocket-Key and Sec-WebSocket-Accept header fields are not
     * used", and the answer is 200, after which the stream's DATA frames carry the WebSocket.
     */
    private static HandshakeDecision negotiateExtendedConnect(HandshakeRequest request, WebSocketSettings settings) {
        String host = request.header("Host");
        if (host == null || host.isBlank()) {
            return HandshakeDecision.reject(400, "Missing :authority");
        }
        List<String> offered = HeaderTokens.tokenList(joined(request, "Sec-WebSocket-Protocol"));
        if (offered == null) {
            return HandshakeDecision.reject(400, "Malformed Sec-WebSocket-Protocol header");
        }
        String version = joined(request, "Sec-WebSocket-Version");
        if (version == null || !"13".equals(version.trim())) {
            // Not 426: RFC 9110 defines it as "use the Upgrade header", which HTTP/2 forbids
            // (RFC 9113 section 8.2.2). A 400 that names the version is what the client can act on.
            String reason = version == null ? "Missing Sec-WebSocket-Version (this server speaks 13)"
                    : "Unsupported Sec-WebSocket-Version " + version.trim() + " (this server speaks 13)";
            return HandshakeDecision.reject(400, reason, Map.of("Sec-WebSocket-Version", "13"));
        }
        if (!settings.protocols().contains(ProtocolVersion.RFC6455)) {
            return HandshakeDecision.reject(400, "RFC 6455 is disabled on this endpoint");
        }
        HandshakeDecision forbidden = checkOrigin(request, settings);
        if (forbidden != null) {
            return forbidden;
        }
        return acceptRfc6455(request, settings, selectSubprotocol(offered, settings.subprotocols()),
                new LinkedHashMap<>(), true);
    }

    /** The part of an RFC 6455 acceptance both roads share: the subprotocol and permessage-deflate answers. */
    private static HandshakeDecision acceptRfc6455(HandshakeRequest request, WebSocketSettings settings, String subprotocol,
                                                   LinkedHashMap<String, String> headers, boolean extendedConnect) {
        if (!subprotocol.isEmpty()) {
            headers.put("Sec-WebSocket-Protocol", subprotocol);
        }
        PerMessageDeflate.Agreement deflate = null;
        if (settings.compression()) {
            // A malformed extensions header only costs the client its compression, not its connection.
            List<ExtensionOffer> offers = HeaderTokens.extensions(joined(request, "Sec-WebSocket-Extensions"));
            deflate = offers == null ? null : PerMessageDeflate.negotiate(offers, settings.compressionContextTakeover());
            if (deflate != null) {
                headers.put("Sec-WebSocket-Extensions", deflate.responseHeader());
            }
        }
        return extendedConnect ? HandshakeDecision.acceptExtendedConnect(headers, subprotocol, deflate)
                : HandshakeDecision.accept(ProtocolVersion.RFC6455, headers, subprotocol, deflate);
    }

    /**
     * The legacy draft a request without {@code Sec-WebSocket-Version} follows, or null when it
     * follows none and is a broken RFC 6455 request (answered with 426 and the version we speak).
     * A hixie-76 client sends {@code Sec-WebSocket-Key1} and {@code Key2}; a hixie-75 client sends
     * no {@code Sec-WebSocket-*} header at all; {@code Sec-WebSocket-Key} is RFC 6455's alone.
     */
    private static ProtocolVersion legacyDraft(HandshakeRequest request) {
        if (request.header("Sec-WebSocket-Key") != null) {
            return null;
        }
        if (request.header("Sec-WebSocket-Key1") != null || request.header("Sec-WebSocket-Key2") != null) {
            return ProtocolVersion.HIXIE_76;
        }
        for (String name : request.headers().keySet()) {
            if (name.regionMatches(true, 0, "Sec-WebSocket-", 0, "Sec-WebSocket-".length())) {
                return null;
            }
        }
        return ProtocolVersion.HIXIE_75;
    }

    /** The headers this class parses, bounded so that no header costs more than the limit to read. */
    private static final List<String> PARSED_HEADERS = List.of("Connection", "Upgrade", "Sec-WebSocket-Key",
            "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Sec-WebSocket-Key1",
            "Sec-WebSocket-Key2", "WebSocket-Protocol", "Origin", "Host");

    private static HandshakeDecision checkHeaderLimits(HandshakeRequest request, WebSocketSettings settings) {
        int fields = 0;
        for (List<String> values : request.headers().values()) {
            fields += values.size();
        }
        if (fields > settings.maxHeaders()) {
            return HandshakeDecision.reject(400, "Too many header fields: " + fields + " (limit " + settings.maxHeaders() + ")");
        }
        for (String name : PARSED_HEADERS) {
            long length = 0;
            for (String value : request.headers(name)) {
                length += value.length() + 2;
            }
            if (length > settings.maxHeaderLength()) {
                return HandshakeDecision.reject(400, name + " header longer than " + settings.maxHeaderLength() + " characters");
            }
        }
        return null;
    }

    /** RFC 6455 section 10.2: refuse a browser page of another origin, with 403. */
    private static HandshakeDecision checkOrigin(HandshakeRequest request, WebSocketSettings settings) {
        String origin = request.header("Origin");
        if (origin == null) {
            origin = request.header("Sec-WebSocket-Origin"); // sent instead of Origin by RFC 6455 drafts 8-12
        }
        PublicAddress self = PublicAddress.of(request);
        if (OriginPolicy.allows(origin, self.scheme(), self.host(), settings.allowedOrigins())) {
            return null;
        }
        return HandshakeDecision.reject(403, "Origin not allowed on this endpoint: " + origin);
    }

    /**
     * "the server selects one or none of the acceptable protocols": the first one in the client's
     * order that the endpoint speaks, so a client never gets back one it did not offer.
     */
    static String selectSubprotocol(List<String> offered, List<String> supported) {
        for (String candidate : offered) {
            for (String ours : supported) {
                if (ours.equals(candidate)) {
                    return ours;
                }
            }
        }
        return "";
    }

    /**
     * "when decoded, is 16 bytes in length": exactly 24 base64 characters ending in their "=="
     * padding (RFC 4648 section 4; the JDK's decoder would also take the key without it).
     */
    static boolean isValidKey(String key) {
        if (key == null) {
            return false;
        }
        String k = key.trim();
        if (k.length() != 24 || !k.endsWith("==")) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(k).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static HandshakeDecision unsupportedVersion(String reason) {
        // "If this version does not match a version understood by the server, the server MUST abort
        // the WebSocket handshake ... and instead send an appropriate HTTP error code (such as 426
        // Upgrade Required) and a |Sec-WebSocket-Version| header field indicating the version(s)"
        return HandshakeDecision.reject(426, reason, Map.of("Sec-WebSocket-Version", "13"));
    }

    private static HandshakeDecision negotiateHixie(ProtocolVersion version, HandshakeRequest request, String subprotocol) {
        LinkedHashMap<String, String> headers = new LinkedHashMap<>();
        headers.put("Upgrade", "WebSocket");
        headers.put("Connection", "Upgrade");
        PublicAddress self = PublicAddress.of(request);
        String location = (self.secure() ? "wss://" : "ws://") + self.host() + request.path()
                + (request.query().isEmpty() ? "" : "?" + request.query());
        String origin = request.header("Origin");
        if (version == ProtocolVersion.HIXIE_76) {
            String key1 = request.header("Sec-WebSocket-Key1");
            String key2 = request.header("Sec-WebSocket-Key2");
            if (key1 == null || key2 == null) {
                return HandshakeDecision.reject(400, "hixie-76 handshake needs both Sec-WebSocket-Key1 and Sec-WebSocket-Key2");
            }
            try {
                Hixie76.keyNumber(key1);
            } catch (IllegalArgumentException e) {
                return HandshakeDecision.reject(400, "Invalid Sec-WebSocket-Key1: " + e.getMessage());
            }
            try {
                Hixie76.keyNumber(key2);
            } catch (IllegalArgumentException e) {
                return HandshakeDecision.reject(400, "Invalid Sec-WebSocket-Key2: " + e.getMessage());
            }
            if (origin != null) {
                headers.put("Sec-WebSocket-Origin", origin);
            }
            headers.put("Sec-WebSocket-Location", location);
            if (!subprotocol.isEmpty()) {
                headers.put("Sec-WebSocket-Protocol", subprotocol);
            }
        } else {
            if (origin != null) {
                headers.put("WebSocket-Origin", origin);
            }
            headers.put("WebSocket-Location", location);
            if (!subprotocol.isEmpty()) {
                headers.put("WebSocket-Protocol", subprotocol);
            }
        }
        return HandshakeDecision.accept(version, headers, subprotocol, null);
    }

    /** All lines of a header joined by ", ", as RFC 7230 section 3.2.2 allows for list headers; null if absent. */
    private static String joined(HandshakeRequest request, String name) {
        List<String> values = request.headers(name);
        if (values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }
}
