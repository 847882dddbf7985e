package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.proxy.Nginx;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The page in headless Chromium through Debian's nginx terminating TLS (HTTP/2 to the browser,
 * HTTP/1.1 with {@code X-Forwarded-Proto: https} to the container, the README's configuration):
 * load, echo and chat from {@link BrowserChecks}, at {@code https://localhost:<nginx>/}. Before
 * socketlet read the forwarded scheme, {@code /chat} and {@code /canvas} refused the page's own
 * {@code https://} origin with 403 here. A page of another origin is still refused.
 */
abstract class NginxTlsBrowserChecks extends BrowserChecks {

    private Nginx nginx;

    @Override
    String contextPath() {
        return "";
    }

    @Override
    DemoServer startServer() throws Exception {
        Nginx.assumeInstalled();
        DemoServer demo = DemoServer.start(container(), contextPath());
        try {
            nginx = Nginx.start(demo.port(), true);
        } catch (Exception | Error e) {
            demo.close();
            throw e;
        }
        return demo;
    }

    @AfterAll
    void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Override
    List<String> browserArguments() {
        return TRUST_TEST_CERTIFICATE;
    }

    @Override
    URI page() {
        return URI.create(nginx.origin() + contextPath() + "/");
    }

    @Test
    @Order(10)
    void thePageComesOverHttp2FromNginxAndTheWebSocketsUpgradeBehindIt() {
        ensureOpen(ada);
        assertEquals("h2", pageProtocol(ada),
                "nginx served the page over HTTP/2");
        List<String> requests = server.requestsOnceLogged("GET /echo HTTP/1.1 101", "GET /chat HTTP/1.1 101",
                "GET /canvas HTTP/1.1 101");
        for (String endpoint : List.of("echo", "chat", "canvas")) {
            assertTrue(requests.contains("GET /" + endpoint + " HTTP/1.1 101"),
                    endpoint + " reached the container as an HTTP/1.1 upgrade through nginx: " + requests);
        }
    }

    @Test
    @Order(20)
    void aPageOfAnotherOriginIsRefusedThroughNginx() {
        // Grace goes to the container's own address: http://127.0.0.1:<port>, another origin.
        grace.browser.driver.get(server.page() + "demo.css");
        @SuppressWarnings("unchecked")
        Map<String, Object> outcome = (Map<String, Object>) grace.browser.driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "const ws = new WebSocket(arguments[0]); let opened = false;"
                        + "ws.onopen = () => { opened = true; ws.close(); };"
                        + "ws.onclose = (e) => done({opened: opened, code: e.code});",
                page().toString().replaceFirst("^http", "ws") + "chat");
        assertEquals(Boolean.FALSE, outcome.get("opened"), "the cross-origin WebSocket never opened: " + outcome);
        assertEquals(1006L, outcome.get("code"), outcome::toString);
        List<String> requests = server.requestsOnceLogged("GET /chat HTTP/1.1 403");
        assertTrue(requests.contains("GET /chat HTTP/1.1 403"), "the container refused it with 403: " + requests);
    }
}
