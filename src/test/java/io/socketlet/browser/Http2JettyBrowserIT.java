package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Everything {@link JettyBrowserIT} does (load, echo, two people chatting and drawing, a late
 * joiner, reconnecting after a restart), in headless Chromium over {@code https://localhost} on
 * HTTP/2, against embedded Jetty 12.1 with TLS, h2 and http/1.1 by ALPN, as jetty-home's
 * {@code https,http2} modules run it. Jetty advertises {@code SETTINGS_ENABLE_CONNECT_PROTOCOL},
 * so Chromium opens every WebSocket as an RFC 8441 extended CONNECT on the page's own HTTP/2
 * connection. Before socketlet spoke RFC 8441, each of those CONNECTs got
 * {@code 400 WebSocket handshake must use GET, not CONNECT}.
 */
class Http2JettyBrowserIT extends JettyBrowserIT {

    @Override
    DemoServer startServer() throws Exception {
        return DemoServer.startOverTls(container(), contextPath());
    }

    @Override
    List<String> browserArguments() {
        return TRUST_TEST_CERTIFICATE;
    }

    /** Not here: the README's picture is {@link JettyBrowserIT}'s. */
    @Override
    void screenshotForTheReadme() {
    }

    @Test
    @Order(12)
    void theWebSocketsAreHttp2StreamsOfThePagesConnection() {
        ensureOpen(ada);
        assertEquals("h2", pageProtocol(ada), "the page came over HTTP/2");
        List<String> requests = server.requestsOnceLogged(List.of("echo", "chat", "canvas").stream()
                .map(endpoint -> "CONNECT " + contextPath() + "/" + endpoint + " HTTP/2.0 200").toArray(String[]::new));
        for (String endpoint : List.of("echo", "chat", "canvas")) {
            assertTrue(requests.contains("CONNECT " + contextPath() + "/" + endpoint + " HTTP/2.0 200"),
                    endpoint + " opened by an extended CONNECT, answered 200: " + requests);
        }
        assertTrue(requests.stream().noneMatch(r -> r.contains(" HTTP/1.1 ")), "nothing over HTTP/1.1: " + requests);
    }
}
