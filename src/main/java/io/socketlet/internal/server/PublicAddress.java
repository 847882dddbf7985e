package io.socketlet.internal.server;

import io.socketlet.HandshakeRequest;

import java.util.List;
import java.util.Locale;

/**
 * The scheme and host a client used to reach this endpoint, which behind a TLS-terminating
 * reverse proxy is not what the container sees: nginx speaks {@code http} to the container and
 * says {@code X-Forwarded-Proto: https}. The same-origin check and hixie's
 * {@code Sec-WebSocket-Location} are judged against this address.
 *
 * <p>The proxy's headers are taken as given, with no list of trusted proxies, because of what
 * the origin check defends against: a page of another site in the user's browser. A browser's
 * {@code new WebSocket(url)} sends no header the page chooses, so such a page cannot forge
 * {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}, {@code Forwarded} or {@code Host}; a
 * non-browser client can forge any of them, {@code Origin} included, and is not held back by an
 * origin check anyway. The scheme still counts: an {@code http://} page is not the
 * {@code https://} site's origin.
 *
 * <p>Order: RFC 7239 {@code Forwarded} ({@code proto=}, {@code host=} of its first element, the
 * proxy nearest the client), then {@code X-Forwarded-Proto} / {@code X-Forwarded-Host} (first
 * value), then the container's own view ({@link HandshakeRequest#secure()}, which already
 * reflects Tomcat's {@code RemoteIpValve} or Jetty's {@code ForwardedRequestCustomizer} when a
 * site configures them) and the {@code Host} header.
 */
record PublicAddress(String scheme, String host) {

    static PublicAddress of(HandshakeRequest request) {
        String scheme = null;
        String host = null;
        String forwarded = request.header("Forwarded");
        if (forwarded != null) {
            String first = firstElement(forwarded);
            scheme = parameter(first, "proto");
            host = parameter(first, "host");
        }
        if (scheme == null) {
            scheme = firstValue(request.headers("X-Forwarded-Proto"));
        }
        if (host == null) {
            host = firstValue(request.headers("X-Forwarded-Host"));
        }
        scheme = scheme == null ? null : scheme.toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            scheme = request.secure() ? "https" : "http";
        }
        if (host == null || host.isBlank()) {
            host = request.header("Host");
        }
        return new PublicAddress(scheme, host);
    }

    boolean secure() {
        return "https".equals(scheme);
    }

    /** The first comma-separated value over all lines of a header, or null. */
    private static String firstValue(List<String> lines) {
        for (String line : lines) {
            String v = line.split(",", 2)[0].trim();
            if (!v.isEmpty()) {
                return v;
            }
        }
        return null;
    }

    /** {@code Forwarded: for=1.2.3.4;proto=https, for=5.6.7.8}: the element the first proxy added. */
    private static String firstElement(String forwarded) {
        return forwarded.split(",", 2)[0];
    }

    /** A {@code name=value} pair of one Forwarded element, unquoted; null if absent. */
    private static String parameter(String element, String name) {
        for (String pair : element.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase(name)) {
                String value = pair.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }
}
