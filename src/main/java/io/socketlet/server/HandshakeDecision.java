package io.socketlet.server;

import io.socketlet.ProtocolVersion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Handshake#negotiate}: either a refusal (status, one-line reason, extra
 * headers) or an acceptance (the road taken and the headers of the 101 answer).
 */
public final class HandshakeDecision {

    private final int status;
    private final String reason;
    private final Map<String, String> headers;
    private final ProtocolVersion version;
    private final String subprotocol;
    private final List<String> extensions;

    private HandshakeDecision(int status, String reason, Map<String, String> headers,
                              ProtocolVersion version, String subprotocol, List<String> extensions) {
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.version = version;
        this.subprotocol = subprotocol;
        this.extensions = extensions;
    }

    static HandshakeDecision reject(int status, String reason) {
        return new HandshakeDecision(status, reason, Map.of(), null, "", List.of());
    }

    static HandshakeDecision reject(int status, String reason, Map<String, String> headers) {
        return new HandshakeDecision(status, reason, Map.copyOf(headers), null, "", List.of());
    }

    static HandshakeDecision accept(ProtocolVersion version, LinkedHashMap<String, String> headers,
                                    String subprotocol, List<String> extensions) {
        return new HandshakeDecision(101, "Switching Protocols", headers, version, subprotocol, List.copyOf(extensions));
    }

    public boolean accepted() {
        return status == 101;
    }

    /** 101 when accepted; otherwise 400, 403, 426 or 503. */
    public int status() {
        return status;
    }

    /** For a refusal, the one-line reason sent as the response body. */
    public String reason() {
        return reason;
    }

    /** Headers to set on the response, in order. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The road taken; null for a refusal. */
    public ProtocolVersion version() {
        return version;
    }

    /** The subprotocol selected, or the empty string. */
    public String subprotocol() {
        return subprotocol;
    }

    /** The extensions accepted, as answered in {@code Sec-WebSocket-Extensions}. */
    public List<String> extensions() {
        return extensions;
    }

    @Override
    public String toString() {
        return accepted() ? "accept " + version + " " + headers : "reject " + status + " " + reason;
    }
}
