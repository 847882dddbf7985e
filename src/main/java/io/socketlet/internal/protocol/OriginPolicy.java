package io.socketlet.internal.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open a WebSocket (RFC 6455 section 10.2): a page from another site
 * must not ride the user's cookies into our endpoint (cross-site WebSocket hijacking). Browsers
 * always send {@code Origin}; non-browser clients usually don't, and are not what this guards
 * against, so a missing {@code Origin} is accepted.
 */
public final class OriginPolicy {

    private OriginPolicy() {
    }

    /**
     * @param origin the request's {@code Origin}, or null
     * @param scheme {@code http} or {@code https}: how the client reached us (the server's {@code PublicAddress})
     * @param host the host and port the client addressed (the {@code Host} header, or a proxy's forwarded host)
     * @param allowed the {@code allowedOrigins} setting: empty means same-origin only
     */
    public static boolean allows(String origin, String scheme, String host, List<String> allowed) {
        if (origin == null) {
            return true;
        }
        if (allowed.contains("*")) {
            return true;
        }
        Endpoint o = parse(origin.trim());
        if (o == null) {
            return false; // includes the opaque origin "null" (sandboxed frames, file: pages)
        }
        if (allowed.isEmpty() || allowed.contains("same-origin")) {
            Endpoint self = parseHost(scheme, host);
            if (self != null && self.equals(o)) {
                return true;
            }
        }
        for (String entry : allowed) {
            Endpoint a = parse(entry);
            if (a != null && a.equals(o)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks one entry of the {@code allowedOrigins} setting: {@code *}, {@code same-origin}, or an
     * origin as an {@code Origin} header carries it (RFC 6454: {@code scheme://host[:port]} and
     * nothing more, such as {@code https://example.com}).
     *
     * @return the entry, trimmed
     * @throws IllegalArgumentException saying what an entry looks like
     */
    public static String checkEntry(String entry) {
        String e = entry.trim();
        if (e.equals("*") || e.equals("same-origin")) {
            return e;
        }
        try {
            URI uri = new URI(e);
            if (parse(e) != null && uri.getRawUserInfo() == null
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null && uri.getRawFragment() == null) {
                return e;
            }
        } catch (URISyntaxException ignored) {
            // refused below
        }
        throw new IllegalArgumentException("'" + entry + "' is not an origin like https://example.com, * or same-origin");
    }

    /** scheme, host and port, with the scheme's default port filled in, compared without case. */
    private record Endpoint(String scheme, String host, int port) {
    }

    private static Endpoint parse(String origin) {
        try {
            URI uri = new URI(origin);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            return new Endpoint(scheme, uri.getHost().toLowerCase(Locale.ROOT), uri.getPort() < 0 ? defaultPort(scheme) : uri.getPort());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static Endpoint parseHost(String scheme, String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        return parse(scheme + "://" + host.trim());
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "https", "wss" -> 443;
            case "http", "ws" -> 80;
            default -> -1;
        };
    }
}
