package io.socketlet;

import io.socketlet.internal.protocol.HeaderTokens;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A handshake request built in a test, as a container would hand it over: headers added line by
 * line (a name added twice is two header lines, as a client may send them), names matched
 * without regard to case. The one fake of {@link HandshakeRequest} for every test package.
 */
public final class FakeHandshakeRequest implements HandshakeRequest {

    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private String path = "/chat";
    private String query = "";
    private boolean secure;
    private Map<String, List<String>> queryParameters = Map.of();
    private InetSocketAddress remoteAddress = InetSocketAddress.createUnresolved("192.0.2.7", 50123);

    /** A request with no headers at all. */
    public static FakeHandshakeRequest empty() {
        return new FakeHandshakeRequest();
    }

    /** The example request of RFC 6455 section 1.3 (minus Origin): valid as it stands. */
    public static FakeHandshakeRequest rfcExample() {
        return new FakeHandshakeRequest()
                .header("Host", "server.example.com")
                .header("Upgrade", "websocket")
                .header("Connection", "Upgrade")
                .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("Sec-WebSocket-Version", "13");
    }

    /** Adds one header line. */
    public FakeHandshakeRequest header(String name, String value) {
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        return this;
    }

    /** Replaces every line of the header with this one. */
    public FakeHandshakeRequest set(String name, String value) {
        remove(name);
        return header(name, value);
    }

    public FakeHandshakeRequest remove(String name) {
        headers.remove(name.toLowerCase(Locale.ROOT));
        return this;
    }

    public FakeHandshakeRequest path(String path) {
        this.path = path;
        return this;
    }

    public FakeHandshakeRequest query(String query) {
        this.query = query;
        return this;
    }

    public FakeHandshakeRequest secure(boolean secure) {
        this.secure = secure;
        return this;
    }

    /** The query's parameters as the container parsed them (not derived from {@link #query(String)}). */
    public FakeHandshakeRequest queryParameters(Map<String, List<String>> parameters) {
        this.queryParameters = parameters;
        return this;
    }

    public FakeHandshakeRequest remoteAddress(InetSocketAddress address) {
        this.remoteAddress = address;
        return this;
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
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public Map<String, List<String>> headers() {
        return Collections.unmodifiableMap(headers);
    }

    @Override
    public Map<String, List<String>> queryParameters() {
        return queryParameters;
    }

    @Override
    public List<String> subprotocols() {
        List<String> tokens = HeaderTokens.tokenList(String.join(", ", headers("Sec-WebSocket-Protocol")));
        return tokens == null ? List.of() : tokens;
    }

    @Override
    public boolean secure() {
        return secure;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public Principal userPrincipal() {
        return null;
    }
}
