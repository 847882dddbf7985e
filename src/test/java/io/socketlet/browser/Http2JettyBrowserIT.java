package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.ContainerKind;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The page in headless Chromium over {@code https://localhost} on HTTP/2, against embedded Jetty
 * 12.1 with TLS, h2 and http/1.1 by ALPN, as jetty-home's {@code https,http2} modules run it.
 * Jetty advertises {@code SETTINGS_ENABLE_CONNECT_PROTOCOL}, so Chromium opens every WebSocket
 * as an RFC 8441 extended CONNECT on the page's own HTTP/2 connection: load, echo and chat
 * (from {@link BrowserChecks}) all run over HTTP/2 streams. Before socketlet spoke RFC 8441,
 * each of those CONNECTs got {@code 400 WebSocket handshake must use GET, not CONNECT}.
 */
class Http2JettyBrowserIT extends Http2BrowserChecks {

    @Override
    ContainerKind container() {
        return ContainerKind.JETTY;
    }

    @Test
    @Order(10)
    void theWebSocketsAreHttp2StreamsOfThePagesConnection() {
        ensureOpen(ada);
        assertEquals("h2", pageProtocol(ada),
                "the page came over HTTP/2");
        List<String> requests = server.requests();
        for (String endpoint : List.of("echo", "chat", "canvas")) {
            assertTrue(requests.contains("CONNECT /" + endpoint + " HTTP/2.0 200"),
                    endpoint + " opened by an extended CONNECT, answered 200: " + requests);
        }
        assertTrue(requests.stream().noneMatch(r -> r.startsWith("GET /chat ") || r.startsWith("GET /echo ")),
                "no HTTP/1.1 upgrade: " + requests);
    }
}
