package io.socketlet.browser;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in one {@link Browser}: what a person does (type, click, draw) through WebDriver,
 * and what the page knows through {@code window.socketlet} (see the top of webapp/app.js).
 */
final class DemoPage {

    static final Duration WAIT = Duration.ofSeconds(15);

    final Browser browser;

    DemoPage(Browser browser) {
        this.browser = browser;
    }

    /** Opens the page and waits until its three connections are open and welcomed. */
    DemoPage open(URI page) {
        browser.driver.get(page.toString());
        waitReady();
        return this;
    }

    /** Waits for {@code <html data-ready="true">}: all three connections open and welcomed. */
    void waitReady() {
        waitUntil("return document.documentElement.dataset.ready === 'true'",
                "the page to be ready (all three connections open and welcomed)");
    }

    /** Runs a script in the page ({@code return ...} gives its value). */
    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser.driver).executeScript(script, args);
    }

    boolean isTrue(String script, Object... args) {
        return Boolean.TRUE.equals(js(script, args));
    }

    /** Waits until the script returns true, failing with the page's state after {@link #WAIT}. */
    void waitUntil(String script, String what, Object... args) {
        waitUntil(script, what, WAIT, args);
    }

    void waitUntil(String script, String what, Duration timeout, Object... args) {
        try {
            new WebDriverWait(browser.driver, timeout, Duration.ofMillis(50))
                    .until(d -> isTrue(script, args));
        } catch (TimeoutException e) {
            throw new AssertionError(browser + ": waited " + timeout.toSeconds() + " s for " + what
                    + "\nstate: " + js("return JSON.stringify({state: socketlet.state, ready: socketlet.ready, "
                    + "connections: socketlet.connections, canvasInfo: socketlet.canvasInfo, "
                    + "chat: socketlet.chatMessages.slice(-6), echo: socketlet.echoResults.slice(-4)})")
                    + "\nconsole errors: " + browser.consoleErrors(), e);
        }
    }

    WebElement element(String cssSelector) {
        return browser.driver.findElement(By.cssSelector(cssSelector));
    }

    String text(String cssSelector) {
        return element(cssSelector).getText();
    }

    /** Replaces an input's text, as a person selects it and types. */
    void type(String cssSelector, String text) {
        WebElement input = element(cssSelector);
        input.clear();
        input.sendKeys(text);
    }

    void click(String cssSelector) {
        element(cssSelector).click();
    }

    /** Picks a name with the name field and the Join/Rename button, and waits until the room agrees. */
    void joinChatAs(String name) {
        type("#chat-name", name);
        click("#chat-join");
        waitUntil("return socketlet.chatName === arguments[0]", "the chat name to become " + name, name);
    }

    /** Types a chat message and presses Send. */
    void say(String text) {
        type("#chat-text", text);
        click("#chat-send");
    }

    /** Waits until the chat log holds a message with this name and text. */
    void waitForChat(String name, String text) {
        waitUntil("return socketlet.chatMessages.some(m => m.kind === 'message' && m.name === arguments[0] "
                + "&& m.text === arguments[1])", "the chat message \"" + text + "\" from " + name, name, text);
    }

    /** The canvas in device pixels. */
    @SuppressWarnings("unchecked")
    Map<String, Number> canvasSize() {
        return (Map<String, Number>) js("const c = document.getElementById('canvas'); "
                + "const r = c.getBoundingClientRect(); "
                + "return {width: c.width, height: c.height, cssWidth: r.width, cssHeight: r.height}");
    }

    /**
     * Whether the canvas has a pixel of this colour (within a small tolerance, for anti-aliasing)
     * within a few pixels of the point given as fractions of the canvas.
     */
    boolean canvasShows(double x, double y, String hexColor) {
        return isTrue("const c = document.getElementById('canvas'); const ctx = c.getContext('2d');"
                + "const want = [1, 3, 5].map(i => parseInt(arguments[2].substr(i, 2), 16));"
                + "const cx = Math.round(arguments[0] * c.width), cy = Math.round(arguments[1] * c.height);"
                + "const d = ctx.getImageData(Math.max(0, cx - 3), Math.max(0, cy - 3), 7, 7).data;"
                + "for (let i = 0; i < d.length; i += 4) {"
                + "  if (Math.abs(d[i] - want[0]) + Math.abs(d[i + 1] - want[1]) + Math.abs(d[i + 2] - want[2]) < 24"
                + "      && d[i + 3] > 240) return true;"
                + "}"
                + "return false;", x, y, hexColor);
    }

    /** The canvas segments of this colour that this page holds. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> strokesOfColor(String hexColor) {
        return (List<Map<String, Object>>) js("return socketlet.canvasStrokes.filter(s => s.color === arguments[0])"
                + ".map(s => ({sid: s.sid, width: s.width, points: s.points, mine: !!s.mine}))", hexColor);
    }
}
