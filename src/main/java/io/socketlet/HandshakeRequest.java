package io.socketlet;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.List;
import java.util.Map;

/**
 * The opening handshake request, copied out of the servlet request before the upgrade so that
 * it stays valid for the life of the connection (the container recycles its request object).
 * Header names are matched without regard to case.
 */
public interface HandshakeRequest {

    /** The request URI's path, without the query, as received (not decoded). */
    String path();

    /** The raw query string, or the empty string. */
    String query();

    /** The first value of the named header, or null. */
    String header(String name);

    /** All values of the named header, in order; empty if absent. */
    List<String> headers(String name);

    /** Every header, names in lower case. */
    Map<String, List<String>> headers();

    /** The decoded query parameters. */
    Map<String, List<String>> queryParameters();

    /** The first value of the named query parameter, or null. */
    default String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The {@code Origin} header (hixie-75 clients send {@code Origin} too), or null. */
    default String origin() {
        return header("Origin");
    }

    /** The subprotocols the client offered in {@code Sec-WebSocket-Protocol}, in its order of preference. */
    List<String> subprotocols();

    /**
     * Which road the connection took: {@code HTTP/1.1} for the upgrade GET of RFC 6455 (the
     * connection is the whole socket), {@code HTTP/2.0} for an RFC 8441 extended CONNECT (the
     * connection is one stream of a multiplexed HTTP/2 connection, and ends with that stream).
     */
    default String httpVersion() {
        return "HTTP/1.1";
    }

    /** Whether the request came over TLS (wss). */
    boolean secure();

    /** The client's address. */
    InetSocketAddress remoteAddress();

    /** The authenticated user, or null. */
    Principal userPrincipal();
}
