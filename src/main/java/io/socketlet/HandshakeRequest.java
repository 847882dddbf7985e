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

    /**
     * The request URI's path, without the query, as received (not decoded).
     *
     * @return the path, never null
     */
    String path();

    /**
     * The raw query string, or the empty string.
     *
     * @return the query after {@code ?}, still percent-encoded; empty when there is none
     */
    String query();

    /**
     * The first value of the named header, or null.
     *
     * @param name the header name, in any case
     * @return the value, or null when the request has no such header
     */
    String header(String name);

    /**
     * All values of the named header, in order; empty if absent.
     *
     * @param name the header name, in any case
     * @return the values, read-only
     */
    List<String> headers(String name);

    /**
     * Every header, names in lower case.
     *
     * @return every header with its values in order, read-only
     */
    Map<String, List<String>> headers();

    /**
     * The decoded query parameters.
     *
     * @return each parameter with its values in order, read-only; empty when there is no query
     */
    Map<String, List<String>> queryParameters();

    /**
     * The first value of the named query parameter, or null.
     *
     * @param name the decoded parameter name, matched exactly
     * @return the decoded value, or null when the parameter is absent
     */
    default String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The {@code Origin} header (hixie-75 clients send {@code Origin} too), or null.
     *
     * @return the origin as sent, or null for a client that sent none (non-browser)
     */
    default String origin() {
        return header("Origin");
    }

    /**
     * The subprotocols the client offered in {@code Sec-WebSocket-Protocol}, in its order of preference.
     *
     * @return the offered names, read-only; empty when the client offered none
     */
    List<String> subprotocols();

    /**
     * Which road the connection took: {@code HTTP/1.1} for the upgrade GET of RFC 6455 (the
     * connection is the whole socket), {@code HTTP/2.0} for an RFC 8441 extended CONNECT (the
     * connection is one stream of a multiplexed HTTP/2 connection, and ends with that stream).
     *
     * @return {@code HTTP/1.1} or {@code HTTP/2.0}
     */
    default String httpVersion() {
        return "HTTP/1.1";
    }

    /**
     * Whether the request reached the container over TLS (wss), as the container sees it.
     *
     * <p>Behind a TLS-terminating proxy (nginx speaking {@code http} to the container) this is
     * false, unless the container is set to trust that proxy's headers (Tomcat's
     * {@code RemoteIpValve}, Jetty's {@code ForwardedRequestCustomizer}): it is meant for
     * decisions about security, and any client can send {@code X-Forwarded-Proto: https}.
     * socketlet's own same-origin check does read the proxy's headers, because a browser page
     * cannot forge them (see {@code docs/deployments.md}).
     *
     * @return true when the container received the request over TLS
     */
    boolean secure();

    /**
     * The client's address.
     *
     * @return the address the container reported; behind a proxy, the proxy's unless the container rewrites it
     */
    InetSocketAddress remoteAddress();

    /**
     * The authenticated user, or null.
     *
     * @return the container's user for this request, or null when not authenticated
     */
    Principal userPrincipal();
}
