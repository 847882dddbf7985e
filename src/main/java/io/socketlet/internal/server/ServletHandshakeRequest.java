package io.socketlet.internal.server;

import io.socketlet.HandshakeRequest;
import io.socketlet.internal.protocol.HeaderTokens;
import jakarta.servlet.http.HttpServletRequest;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link HandshakeRequest} copied out of an {@link HttpServletRequest}. The copy is taken
 * during {@code service()}, because the container recycles its request object after the upgrade
 * while the connection lives on.
 */
final class ServletHandshakeRequest implements HandshakeRequest {

    private final String path;
    private final String query;
    private final Map<String, List<String>> headers;
    private final boolean secure;
    private final String httpVersion;
    private final InetSocketAddress remoteAddress;
    private final Principal userPrincipal;
    private volatile Map<String, List<String>> queryParameters;

    private ServletHandshakeRequest(String path, String query, Map<String, List<String>> headers, boolean secure,
                                    String httpVersion, InetSocketAddress remoteAddress, Principal userPrincipal) {
        this.path = path;
        this.query = query;
        this.headers = headers;
        this.secure = secure;
        this.httpVersion = httpVersion;
        this.remoteAddress = remoteAddress;
        this.userPrincipal = userPrincipal;
    }

    static ServletHandshakeRequest of(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        Enumeration<String> names = request.getHeaderNames();
        while (names != null && names.hasMoreElements()) {
            String name = names.nextElement();
            List<String> values = headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>());
            Enumeration<String> each = request.getHeaders(name);
            while (each.hasMoreElements()) {
                values.add(each.nextElement());
            }
        }
        headers.replaceAll((k, v) -> List.copyOf(v));
        String protocol = request.getProtocol();
        if (protocol != null && protocol.startsWith("HTTP/2") && !headers.containsKey("host")) {
            // HTTP/2 carries the host as the :authority pseudo-header, which a container need not
            // show as Host; the request's server name and port are that authority.
            headers.put("host", List.of(authority(request.getServerName(), request.getServerPort())));
        }
        String query = request.getQueryString();
        return new ServletHandshakeRequest(
                request.getRequestURI(),
                query == null ? "" : query,
                Collections.unmodifiableMap(headers),
                request.isSecure(),
                protocol,
                remoteAddress(request.getRemoteAddr(), request.getRemotePort()),
                request.getUserPrincipal());
    }

    private static String authority(String host, int port) {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return port > 0 ? h + ":" + port : h;
    }

    /** The peer's address from the IP literal the container gives (no name lookup is made for a literal). */
    private static InetSocketAddress remoteAddress(String ip, int port) {
        try {
            return new InetSocketAddress(java.net.InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException | RuntimeException e) {
            return InetSocketAddress.createUnresolved(String.valueOf(ip), port);
        }
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String query() {
        return query;
    }

    @Override
    public String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    @Override
    public List<String> headers(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null ? List.of() : values;
    }

    @Override
    public Map<String, List<String>> headers() {
        return headers;
    }

    @Override
    public Map<String, List<String>> queryParameters() {
        Map<String, List<String>> params = queryParameters;
        if (params == null) {
            params = parseQuery(query);
            queryParameters = params;
        }
        return params;
    }

    @Override
    public List<String> subprotocols() {
        List<String> values = headers("Sec-WebSocket-Protocol");
        if (values.isEmpty()) {
            return List.of();
        }
        List<String> tokens = HeaderTokens.tokenList(String.join(", ", values));
        return tokens == null ? List.of() : List.copyOf(tokens);
    }

    @Override
    public boolean secure() {
        return secure;
    }

    @Override
    public String httpVersion() {
        return httpVersion;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Principal userPrincipal() {
        return userPrincipal;
    }

    private static Map<String, List<String>> parseQuery(String query) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (query.isEmpty()) {
            return Map.of();
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        params.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(params);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // a malformed escape is kept as sent rather than failing the handshake
        }
    }
}
