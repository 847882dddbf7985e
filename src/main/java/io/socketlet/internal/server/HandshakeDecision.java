package io.socketlet.internal.server;

import io.socketlet.ProtocolVersion;
import io.socketlet.internal.protocol.PerMessageDeflate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Handshake#negotiate}: either a refusal (status, one-line reason, extra
 * headers) or an acceptance (the road taken and the headers of the 101 answer, or of the 200
 * that accepts an RFC 8441 extended CONNECT).
 */
public final class HandshakeDecision {

    private final int status;
    private final String reason;
    private final Map<String, String> headers;
    private final ProtocolVersion version;
    private final String subprotocol;
    private final List<String> extensions;
    private final PerMessageDeflate.Agreement deflate;

    private HandshakeDecision(int status, String reason, Map<String, String> headers,
                              ProtocolVersion version, String subprotocol, List<String> extensions,
                              PerMessageDeflate.Agreement deflate) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.version = version;
        this.subprotocol = subprotocol;
        this.extensions = extensions;
        this.deflate = deflate;
    }

    static HandshakeDecision reject(int status, String reason) {
        return new HandshakeDecision(status, reason, Map.of(), null, "", List.of(), null);
    }

    static HandshakeDecision reject(int status, String reason, Map<String, String> headers) {
        return new HandshakeDecision(status, reason, Map.copyOf(headers), null, "", List.of(), null);
    }

    static HandshakeDecision accept(ProtocolVersion version, LinkedHashMap<String, String> headers,
                                    String subprotocol, PerMessageDeflate.Agreement deflate) {
        List<String> extensions = deflate == null ? List.of() : List.of(deflate.responseHeader());
        return new HandshakeDecision(101, "Switching Protocols", headers, version, subprotocol, extensions, deflate);
    }

    /** RFC 8441: an extended CONNECT over HTTP/2 is accepted with 200, and the stream carries the frames. */
    static HandshakeDecision acceptExtendedConnect(LinkedHashMap<String, String> headers, String subprotocol,
                                                   PerMessageDeflate.Agreement deflate) {
        List<String> extensions = deflate == null ? List.of() : List.of(deflate.responseHeader());
        return new HandshakeDecision(200, "OK", headers, ProtocolVersion.RFC6455, subprotocol, extensions, deflate);
    }

    /**
     * Whether the handshake succeeded: 101, or 200 for an RFC 8441 extended CONNECT.
     *
     * @return true for 101 or 200
     */
    public boolean accepted() {
        return status == 101 || status == 200;
    }

    /**
     * Whether the connection is an HTTP/2 stream (RFC 8441) rather than an upgraded HTTP/1.1 socket.
     *
     * @return true when the status is 200
     */
    public boolean extendedConnect() {
        return status == 200;
    }

    /**
     * 101 when accepted (200 for an RFC 8441 extended CONNECT); otherwise 400, 403, 426 or 503.
     *
     * @return the HTTP status to answer with
     */
    public int status() {
        return status;
    }

    /**
     * For a refusal, the one-line reason sent as the response body.
     *
     * @return the reason; for an acceptance, the status text ({@code Switching Protocols} or {@code OK})
     */
    public String reason() {
        return reason;
    }

    /**
     * Headers to set on the response, in order.
     *
     * @return the headers by name, in the order to set them; possibly empty
     */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * The road taken; null for a refusal.
     *
     * @return the version, or null for a refusal
     */
    public ProtocolVersion version() {
        return version;
    }

    /**
     * The subprotocol selected, or the empty string.
     *
     * @return the name, never null
     */
    public String subprotocol() {
        return subprotocol;
    }

    /**
     * The extensions accepted, as answered in {@code Sec-WebSocket-Extensions}.
     *
     * @return the extensions, read-only; empty when none was accepted
     */
    public List<String> extensions() {
        return extensions;
    }

    /**
     * The permessage-deflate agreement, or null when the connection is not compressed.
     *
     * @return the agreement, or null
     */
    public PerMessageDeflate.Agreement deflate() {
        return deflate;
    }

    @Override
    public String toString() {
        return accepted() ? "accept " + version + " " + headers : "reject " + status + " " + reason;
    }
}
