package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.ContainerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The demo page in headless Chromium against one container: it loads with no console error,
 * the echo round trip shows, and two people in two browsers chat. Two browsers per class (Ada
 * and Grace), each with its own fresh profile; the server is the demo as web.xml declares it,
 * with the page's files served beside the endpoints.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class BrowserChecks {

    DemoServer server;
    Browser adaBrowser;
    Browser graceBrowser;
    DemoPage ada;
    DemoPage grace;

    abstract ContainerKind container();

    /** {@code ""} for ROOT, else {@code /name}: the page must work under either. */
    abstract String contextPath();

    @BeforeAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void startServerAndBrowsers() throws Exception {
        if (!Browser.installedOrFailOnCi()) {
            return; // each test is skipped, with the reason, by skipWithoutChromium
        }
        server = startServer();
        adaBrowser = Browser.open("ada", browserArguments());
        graceBrowser = Browser.open("grace", browserArguments());
        ada = new DemoPage(adaBrowser);
        grace = new DemoPage(graceBrowser);
    }

    /** The demo on {@link #container()} over plain HTTP/1.1; a subclass may start it another way. */
    DemoServer startServer() throws Exception {
        return DemoServer.start(container(), contextPath());
    }

    /** Chromium switches for a server with the tests' self-signed certificate, reached as {@code localhost}. */
    static final List<String> TRUST_TEST_CERTIFICATE = List.of("--ignore-certificate-errors",
            "--host-resolver-rules=MAP localhost 127.0.0.1");

    /** The protocol the page itself came over, as Chromium tells it: {@code h2}, {@code http/1.1}. */
    static Object pageProtocol(DemoPage page) {
        return page.js("return performance.getEntriesByType('navigation')[0].nextHopProtocol");
    }

    /** Chromium switches beyond {@link Browser}'s own, such as {@link #TRUST_TEST_CERTIFICATE}. */
    List<String> browserArguments() {
        return List.of();
    }

    /** The page's URL as the browsers open it: the server's own, or a proxy's in front of it. */
    java.net.URI page() {
        return server.page();
    }

    @BeforeEach
    void skipWithoutChromium() {
        Browser.assumeInstalled();
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stopBrowsersAndServer() throws Exception {
        List<AutoCloseable> all = new ArrayList<>();
        all.add(adaBrowser);
        all.add(graceBrowser);
        all.add(server);
        Exception first = null;
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Opens the page in this browser unless it shows it already, and waits until it is ready.
     * Tests keep their pages open rather than reload them: a reloaded page joins the chat again
     * with its stored name, and may meet its own previous connection there, not yet gone
     * (and become "Ada 2").
     */
    void ensureOpen(DemoPage page) {
        if (!page.browser.driver.getCurrentUrl().equals(page().toString())) {
            page.open(page());
        }
        page.waitReady();
    }

    /** Fails with the messages if the page logged any error to its console since the last look. */
    static void assertNoConsoleErrors(DemoPage page) {
        List<String> errors = page.browser.consoleErrors();
        assertTrue(errors.isEmpty(), () -> page.browser + "'s console shows errors:\n" + String.join("\n", errors));
    }

    @Test
    @Order(1)
    void pageLoadsWithNoConsoleErrors() {
        adaBrowser.clearConsole();
        ada.open(page());
        assertEquals("socketlet · WebSocket inside any Servlet container", adaBrowser.driver.getTitle());
        for (String endpoint : List.of("echo", "chat", "canvas")) {
            assertEquals("open", ada.text("#conn-" + endpoint + "-state"), endpoint + " in the connections table");
            assertEquals("open", ada.text("#" + endpoint + "-state"), endpoint + " in the header");
            assertEquals("13 (RFC 6455)", ada.text("#conn-" + endpoint + "-protocol"), endpoint);
            assertTrue(ada.text("#conn-" + endpoint + "-extensions").contains("permessage-deflate"),
                    endpoint + ": Chromium offers permessage-deflate and the server takes it");
            assertTrue(ada.text("#conn-" + endpoint + "-url").startsWith(
                    page().toString().replaceFirst("^http", "ws") + endpoint), endpoint + " URL under the page's path");
        }
        String serverInfo = ada.text("#server-info").toLowerCase(java.util.Locale.ROOT);
        assertTrue(serverInfo.contains(container() == ContainerKind.JETTY ? "jetty" : "tomcat"), serverInfo);
        assertTrue(ada.element("#chat-send").isEnabled() && ada.element("#echo-send").isEnabled()
                && ada.element("#canvas-clear").isEnabled(), "the controls are enabled once connected");
        assertTrue(!ada.element("#canvas-overlay").isDisplayed(), "the canvas's 'Connecting…' overlay is gone");
        assertNoConsoleErrors(ada);
    }

    @Test
    @Order(2)
    void echoRoundTripShows() {
        ensureOpen(ada);
        ada.type("#echo-text", "Hello from Chromium");
        ada.click("#echo-send");
        ada.waitUntil("return socketlet.echoResults.some(r => r.kind === 'text' && r.ok)", "the text echo");
        ada.type("#echo-size", "64");
        ada.click("#echo-send-binary");
        ada.waitUntil("return socketlet.echoResults.some(r => r.kind === 'binary' && r.ok && r.bytes === 65536)",
                "the 64 KiB binary echo, byte for byte");
        assertTrue(ada.text("#echo-rtt").matches("round trip: [0-9.]+ ms"), ada.text("#echo-rtt"));
        String log = ada.text("#echo-log");
        assertTrue(log.contains("→ text \"Hello from Chromium\"") && log.contains("← 64 KiB binary in "), log);
        assertTrue(ada.isTrue("return socketlet.echoResults.every(r => r.ok)"), "no echo came back different");
        assertNoConsoleErrors(ada);
    }

    @Test
    @Order(3)
    void twoBrowsersChat() {
        ensureOpen(ada);
        ensureOpen(grace);
        ada.joinChatAs("Ada");
        grace.joinChatAs("Grace");
        ada.waitUntil("return socketlet.chatPresence.names.includes('Grace')", "Ada to see Grace in the room");
        assertTrue(ada.text("#chat-names").contains("Grace"), ada.text("#chat-names"));

        ada.say("Hello Grace, this is Ada");
        grace.waitForChat("Ada", "Hello Grace, this is Ada");
        ada.waitForChat("Ada", "Hello Grace, this is Ada");
        assertTrue(grace.text("#chat-log").contains("Hello Grace, this is Ada"), "shown in Grace's chat log");
        assertEquals("", ada.element("#chat-text").getAttribute("value"), "the input is emptied after sending");

        grace.say("Hi Ada! <b>not bold</b>");
        ada.waitForChat("Grace", "Hi Ada! <b>not bold</b>");
        assertTrue(ada.text("#chat-log").contains("Hi Ada! <b>not bold</b>"), "markup shows as typed");
        assertEquals(0L, ada.js("return document.querySelectorAll('#chat-log b').length"),
                "text from others is never injected as HTML");
        assertNoConsoleErrors(ada);
        assertNoConsoleErrors(grace);
    }

    @Test
    @Order(4)
    void theCanvasKeepsNoMoreStrokesThanTheServersHistory() {
        ensureOpen(ada);
        ensureOpen(grace);
        ada.js("socketlet.clearCanvas()");
        grace.waitUntil("return socketlet.canvasStrokes.length === 0 && socketlet.canvasInfo.clears > 0", "a blank canvas");
        long before = ((Number) grace.js("return socketlet.canvasInfo.received")).longValue();
        // 170 strokes of 128 points: 21,760 points against the server's history of 20,000.
        ada.js("for (let i = 0; i < 170; i++) {"
                + "  const points = [];"
                + "  for (let j = 0; j < 128; j++) points.push([j / 128, (i % 100) / 100]);"
                + "  socketlet.drawStroke(points, {color: '#0ea5e9', width: 2});"
                + "}");
        grace.waitUntil("return socketlet.canvasInfo.received - arguments[0] >= 170", "Ada's 170 strokes at Grace's", before);
        for (DemoPage page : List.of(ada, grace)) {
            long maxPoints = ((Number) page.js("return socketlet.canvasInfo.limits.historyPoints")).longValue();
            long kept = ((Number) page.js("return socketlet.canvasStrokes.reduce((n, s) => n + s.points.length, 0)")).longValue();
            assertTrue(kept <= maxPoints, page.browser + " keeps " + kept + " points, more than the server's " + maxPoints);
            assertTrue(kept > maxPoints - 128, page.browser + " keeps the newest strokes, " + kept + " points");
            assertTrue(((Number) page.js("return socketlet.canvasInfo.pageTrimmed")).longValue() >= 13,
                    page.browser + " dropped its oldest strokes");
        }
        ada.js("socketlet.clearCanvas()");
        grace.waitUntil("return socketlet.canvasStrokes.length === 0", "the canvas cleared again");
        assertNoConsoleErrors(ada);
        assertNoConsoleErrors(grace);
    }
}
