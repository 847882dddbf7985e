package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.ContainerKind;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The page in headless Chromium against embedded Jetty 12.1 (the Jetty socket takeover road),
 * under {@code /socketlet}: besides load, echo and chat, the shared canvas between two browsers
 * and a third opened later, the page coming back after the server restarts, and the README's
 * screenshot.
 */
class JettyBrowserIT extends BrowserChecks {

    private static final String RED = "#dc2626";
    private static final String GREEN = "#16a34a";

    @Override
    ContainerKind container() {
        return ContainerKind.JETTY;
    }

    @Override
    String contextPath() {
        return "/socketlet";
    }

    /** Clears the canvas with its button and waits until both pages show an empty picture. */
    private void clearCanvas() {
        ada.click("#canvas-clear");
        for (DemoPage page : List.of(ada, grace)) {
            page.waitUntil("return socketlet.canvasStrokes.length === 0 && socketlet.canvasInfo.clears > 0",
                    "the canvas to be cleared");
        }
    }

    @Test
    @Order(10)
    void strokeDrawnWithTheMouseAppearsOnTheOtherCanvas() {
        ensureOpen(ada);
        ensureOpen(grace);
        clearCanvas();
        ada.click(".swatch[data-color='" + RED + "']");
        assertEquals("true", ada.element(".swatch[data-color='" + RED + "']").getAttribute("aria-checked"));

        // A zigzag drawn by a real mouse: pointerdown, pointermove..., pointerup on #canvas.
        Map<String, Number> size = ada.canvasSize();
        double w = size.get("cssWidth").doubleValue();
        double h = size.get("cssHeight").doubleValue();
        List<int[]> path = new ArrayList<>();
        // (Each pointer move takes chromedriver about 0.2 s here: a short path keeps the test quick.)
        for (int i = 0; i <= 8; i++) {
            path.add(new int[] {(int) Math.round(w * (0.15 + 0.3 * i / 8.0)),
                    (int) Math.round(h * (i % 2 == 0 ? 0.25 : 0.4))});
        }
        WebElement canvas = ada.element("#canvas");
        Actions mouse = new Actions(adaBrowser.driver, Duration.ZERO);
        int[] first = path.get(0);
        mouse.moveToElement(canvas, first[0] - (int) (w / 2), first[1] - (int) (h / 2)).clickAndHold();
        int[] at = first;
        for (int[] p : path.subList(1, path.size())) {
            mouse.moveByOffset(p[0] - at[0], p[1] - at[1]);
            at = p;
        }
        mouse.release().perform();

        // The whole stroke reaches Grace: its last point is in her picture.
        double endX = at[0] / w;
        double endY = at[1] / h;
        grace.waitUntil("return socketlet.canvasStrokes.some(s => s.color === arguments[0] && !s.mine "
                + "&& s.points.some(p => Math.abs(p[0] - arguments[1]) < 0.01 && Math.abs(p[1] - arguments[2]) < 0.01))",
                "Ada's red stroke, to its last point, on Grace's canvas", RED, endX, endY);
        List<Map<String, Object>> adas = ada.strokesOfColor(RED);
        assertTrue(!adas.isEmpty() && adas.stream().allMatch(s -> Boolean.TRUE.equals(s.get("mine"))),
                "Ada's page keeps her own segments, as hers: " + adas);

        // And it is drawn: red pixels at the corners of the zigzag on both canvases, none far away.
        for (int[] p : List.of(path.get(0), path.get(3), path.get(6), path.get(8))) {
            double x = p[0] / w;
            double y = p[1] / h;
            assertTrue(grace.canvasShows(x, y, RED), "red on Grace's canvas at " + x + ", " + y);
            assertTrue(ada.canvasShows(x, y, RED), "red on Ada's canvas at " + x + ", " + y);
        }
        assertFalse(grace.canvasShows(0.8, 0.8, RED), "no red where nothing was drawn");
        assertNoConsoleErrors(ada);
        assertNoConsoleErrors(grace);
    }

    @Test
    @Order(11)
    void aPageOpenedLaterGetsThePictureAndClearClearsItEverywhere() throws IOException {
        ensureOpen(ada);
        ensureOpen(grace);
        List<List<Double>> wave = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            wave.add(List.of(0.1 + 0.8 * i / 40.0, 0.7 + 0.1 * Math.sin(i / 40.0 * 4 * Math.PI)));
        }
        assertEquals(Boolean.TRUE, ada.js("return socketlet.drawStroke(arguments[0], {color: arguments[1], width: 10})",
                wave, GREEN));
        grace.waitUntil("return socketlet.canvasStrokes.some(s => s.color === arguments[0])", "the green wave at Grace's", GREEN);

        try (Browser linusBrowser = Browser.open("linus", browserArguments())) {
            DemoPage linus = new DemoPage(linusBrowser).open(page());
            assertTrue(linus.isTrue("return socketlet.canvasInfo.histories === 1 && socketlet.canvasInfo.historySegments > 0"),
                    "the page opened later got the server's history");
            for (int i : new int[] {0, 10, 20, 40}) {
                double x = wave.get(i).get(0);
                double y = wave.get(i).get(1);
                assertTrue(linus.canvasShows(x, y, GREEN), "the wave on the later page's canvas at " + x + ", " + y);
            }
            assertNoConsoleErrors(linus);

            linus.click("#canvas-clear");
            for (DemoPage page : List.of(ada, grace, linus)) {
                page.waitUntil("return socketlet.canvasStrokes.length === 0", "the clear to reach " + page.browser);
                assertFalse(page.canvasShows(wave.get(10).get(0), wave.get(10).get(1), GREEN),
                        page.browser + "'s canvas is blank after the clear");
            }
            assertTrue(ada.text("#canvas-note").contains("cleared"), ada.text("#canvas-note"));
        }
    }

    /**
     * docs/demo.png for the README: Ada's page after a chat with Grace, some echoes and a drawing
     * made of strokes from both, on a server of its own (a fresh room and an empty canvas). It
     * goes to the build folder each run, and to docs/demo.png when that is missing or
     * {@code -Dsocketlet.screenshot.update=true} (so an ordinary build does not change a
     * committed file).
     */
    @Test
    @Order(20)
    void screenshotForTheReadme() throws Exception {
        try (DemoServer fresh = DemoServer.start(ContainerKind.JETTY, contextPath())) {
            // Names kept in the browser, as a returning visitor has them: the page joins with them.
            for (DemoPage page : List.of(ada, grace)) {
                page.browser.driver.get(fresh.page() + "demo.css"); // same origin, no connections
                page.js("localStorage.setItem('socketlet.name', arguments[0])", page == ada ? "Ada" : "Grace");
                page.browser.driver.get("about:blank");
                page.browser.clearConsole(); // a stylesheet shown as a page asks for /favicon.ico: a 404
            }
            ada.open(fresh.page());
            grace.open(fresh.page());
            ada.waitUntil("return socketlet.chatPresence.names.join() === 'Ada,Grace'", "Ada and Grace in the room");
            ada.say("Hi Grace! Draw something with me?");
            grace.waitForChat("Ada", "Hi Grace! Draw something with me?");
            grace.say("Sure: I'll do the sun, you do the sea.");
            ada.waitForChat("Grace", "Sure: I'll do the sun, you do the sea.");

            Drawing.sun(grace);
            Drawing.sea(ada);
            Drawing.boat(ada);
            ada.waitUntil("return socketlet.canvasStrokes.filter(s => !s.mine).length >= arguments[0]",
                    "Grace's sun on Ada's canvas", Drawing.SUN_STROKES);
            ada.say("Looks like a holiday \u2600");
            grace.waitForChat("Ada", "Looks like a holiday \u2600");
            grace.say("Same WAR on Tomcat next?");
            ada.waitForChat("Grace", "Same WAR on Tomcat next?");

            ada.type("#echo-text", "Hello, socketlet");
            ada.click("#echo-send");
            ada.type("#echo-size", "256");
            ada.click("#echo-send-binary");
            ada.type("#echo-size", "4096");
            ada.click("#echo-send-binary");
            ada.waitUntil("return socketlet.echoResults.filter(r => r.ok).length === 3", "the echoes");
            ada.type("#echo-size", "64");
            ada.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)");
            Thread.sleep(400); // the page draws its state once per animation frame

            byte[] png = adaBrowser.screenshot();
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(Browser.WIDTH, image.getWidth(), "screenshot width");
            assertEquals(Browser.HEIGHT, image.getHeight(), "screenshot height");
            Path work = Paths.get(System.getProperty("socketlet.work.dir", "target/it-work")).toAbsolutePath();
            Files.createDirectories(work);
            Path built = Files.write(work.resolve("demo.png"), png);
            Path docs = Paths.get(System.getProperty("socketlet.docs.dir", "docs")).toAbsolutePath().resolve("demo.png");
            if (!Files.exists(docs) || Boolean.getBoolean("socketlet.screenshot.update")) {
                Files.createDirectories(docs.getParent());
                Files.copy(built, docs, StandardCopyOption.REPLACE_EXISTING);
            }
            assertNoConsoleErrors(ada);
            assertNoConsoleErrors(grace);
        }
    }

    @Test
    @Order(30)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void pagesReconnectAfterTheServerRestarts() throws Exception {
        ensureOpen(ada);
        ensureOpen(grace);
        ada.joinChatAs("Ada");
        String[] endpoints = {"echo", "chat", "canvas"};

        long stopping = System.nanoTime();
        server.stop();
        long stopMs = (System.nanoTime() - stopping) / 1_000_000;
        assertTrue(stopMs < 10_000, "the server stopped in " + stopMs + " ms with pages connected");
        for (DemoPage page : List.of(ada, grace)) {
            page.waitUntil("return ['echo', 'chat', 'canvas'].every(n => socketlet.state[n] !== 'open')",
                    "every connection to notice the server went away");
            // The chat notes the close that ended its connection (later failed tries are 1006s).
            page.waitUntil("return socketlet.chatMessages.some(m => m.kind === 'notice' "
                    + "&& m.text.startsWith('Disconnected (1001'))", "the chat to say the server went away with 1001");
        }
        ada.waitUntil("return document.getElementById('pill-chat').dataset.state === 'reconnecting'",
                "the header to show the chat reconnecting");
        assertTrue(ada.text("#chat-log").contains("Disconnected (1001"), ada.text("#chat-log"));
        Thread.sleep(1500); // down a while: some reconnect attempts fail and back off

        server.start(); // the same port
        for (DemoPage page : List.of(ada, grace)) {
            page.waitUntil("return document.documentElement.dataset.ready === 'true'",
                    "the page to come back by itself after the restart", Duration.ofSeconds(45));
            for (String n : endpoints) {
                assertTrue(((Number) page.js("return socketlet.connections[arguments[0]].reconnects", n)).intValue() >= 1,
                        n + " counts its reconnect");
            }
        }
        ada.waitUntil("return document.getElementById('conn-chat-reconnects').textContent !== '0'",
                "the connections table to show the reconnect");
        // The restarted server is a new room: the pages joined again, and chat works.
        grace.waitUntil("return socketlet.chatPresence.names.includes('Ada')", "Ada back in the room");
        ada.say("Back again");
        grace.waitForChat("Ada", "Back again");
    }
}
