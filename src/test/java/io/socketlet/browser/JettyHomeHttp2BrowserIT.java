package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.dist.JettyDistribution;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo WAR in jetty-home 12.1.8 with {@code --add-modules=http,https,http2,<env>-deploy}, on
 * ee10 and ee11, in headless Chromium over {@code https://localhost} on HTTP/2. Jetty advertises
 * RFC 8441, so Chromium opens the page's WebSockets as extended CONNECTs on the page's HTTP/2
 * connection. Before socketlet spoke RFC 8441 every one of them failed within 50 ms
 * ({@code 400 WebSocket handshake must use GET, not CONNECT}).
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class JettyHomeHttp2BrowserIT {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ee10", "ee11"})
    void theDemoWorksOverHttp2(String environment) throws Exception {
        Browser.assumeInstalled();
        try (JettyDistribution jetty = JettyDistribution.startNewWithHttp2(environment);
             Browser browser = Browser.open(environment + "-h2",
                     BrowserChecks.TRUST_TEST_CERTIFICATE)) {
            DemoPage page = new DemoPage(browser).open(jetty.httpsUri("/"));
            assertEquals("h2", BrowserChecks.pageProtocol(page),
                    "the page came over HTTP/2");
            for (String endpoint : List.of("echo", "chat", "canvas")) {
                assertEquals("open", page.text("#conn-" + endpoint + "-state"), endpoint + " in the connections table");
                assertTrue(page.text("#conn-" + endpoint + "-url").startsWith("wss://localhost:"), endpoint);
            }
            page.type("#echo-text", "Hello over HTTP/2 on " + environment);
            page.click("#echo-send");
            page.waitUntil("return socketlet.echoResults.some(r => r.kind === 'text' && r.ok)", "the text echo");
            page.type("#echo-size", "64");
            page.click("#echo-send-binary");
            page.waitUntil("return socketlet.echoResults.some(r => r.kind === 'binary' && r.ok && r.bytes === 65536)",
                    "the 64 KiB binary echo, byte for byte");
            page.joinChatAs("Ada");
            page.say("Hello over h2 on " + environment);
            page.waitForChat("Ada", "Hello over h2 on " + environment);
            // Jetty's request log: each WebSocket was an HTTP/2 stream, none an HTTP/1.1 upgrade.
            // Jetty logs a request when it completes, through an asynchronous writer: wait for all three lines.
            List<String> connects = List.of("echo", "chat", "canvas").stream()
                    .map(endpoint -> "\"CONNECT /" + endpoint + " HTTP/2.0\" 200").toList();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String log = jetty.requestLog();
            while (!connects.stream().allMatch(log::contains) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                log = jetty.requestLog();
            }
            for (String endpoint : List.of("echo", "chat", "canvas")) {
                assertTrue(log.contains("\"CONNECT /" + endpoint + " HTTP/2.0\" 200"), endpoint + " over RFC 8441:\n" + log);
            }
            assertTrue(!log.contains("\"GET /chat HTTP/1.1\""), "no HTTP/1.1 upgrade:\n" + log);
            List<String> errors = browser.consoleErrors();
            assertTrue(errors.isEmpty(), () -> "the page's console shows errors:\n" + String.join("\n", errors));
        }
    }
}
