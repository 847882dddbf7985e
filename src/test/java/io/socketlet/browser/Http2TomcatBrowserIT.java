package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.ContainerKind;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The page in headless Chromium over {@code https://localhost}, against embedded Tomcat 11 with
 * TLS and its {@code Http2Protocol} (h2 and http/1.1 by ALPN). Tomcat does not implement RFC 8441
 * (it sends no {@code SETTINGS_ENABLE_CONNECT_PROTOCOL}), so while the page and its files come
 * over HTTP/2, Chromium opens its WebSockets on separate HTTP/1.1 connections with the usual
 * upgrade GET: load, echo and chat (from {@link BrowserChecks}) work unchanged.
 */
class Http2TomcatBrowserIT extends BrowserChecks {

    @Override
    ContainerKind container() {
        return ContainerKind.TOMCAT;
    }

    @Override
    String contextPath() {
        return "";
    }

    @Override
    DemoServer startServer() throws Exception {
        return DemoServer.startOverTls(container(), contextPath());
    }

    @Override
    List<String> browserArguments() {
        return TRUST_TEST_CERTIFICATE;
    }

    @Test
    @Order(10)
    void thePageIsHttp2AndTheWebSocketsHttp11Upgrades() {
        ensureOpen(ada);
        assertEquals("h2", pageProtocol(ada),
                "the page came over HTTP/2");
        List<String> requests = server.requestsOnceLogged("GET /echo HTTP/1.1 101", "GET /chat HTTP/1.1 101",
                "GET /canvas HTTP/1.1 101");
        assertTrue(requests.stream().anyMatch(r -> r.matches("GET /index\\.html HTTP/2\\.0 200|GET / HTTP/2\\.0 200")),
                "Tomcat served the page over HTTP/2: " + requests);
        for (String endpoint : List.of("echo", "chat", "canvas")) {
            assertTrue(requests.contains("GET /" + endpoint + " HTTP/1.1 101"),
                    endpoint + " opened by an HTTP/1.1 upgrade: " + requests);
        }
        assertTrue(requests.stream().noneMatch(r -> r.startsWith("CONNECT")), "no extended CONNECT: " + requests);
    }
}
