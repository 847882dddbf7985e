package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.dist.JettyDistribution;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The demo WAR as built, with no Jetty-specific file in it, deployed as ROOT in jetty-home 12.1.8
 * with {@code --add-modules=http,ee11-deploy} (the environment Spring Boot 4 runs too), in headless
 * Chromium: the page's three connections open, the echo comes back, a chat message goes round.
 * Before the takeover knew ee11, Chromium got its 101 and then an error, on every connection.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JettyHomeBrowserIT {

    private JettyDistribution jetty;
    private Browser browser;

    @BeforeAll
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void startJettyAndBrowser() throws Exception {
        if (!Browser.installedOrFailOnCi()) {
            return;
        }
        jetty = JettyDistribution.startNew("ee11");
        browser = Browser.open("ee11");
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void theDemoPageWorksOnJettyHomeEe11() {
        Browser.assumeInstalled();
        DemoPage page = new DemoPage(browser).open(jetty.uri("/"));
        for (String endpoint : List.of("echo", "chat", "canvas")) {
            assertEquals("open", page.text("#conn-" + endpoint + "-state"), endpoint + " in the connections table");
            assertEquals("13 (RFC 6455)", page.text("#conn-" + endpoint + "-protocol"), endpoint);
        }
        String serverInfo = page.text("#server-info").toLowerCase(Locale.ROOT);
        assertTrue(serverInfo.contains("jetty"), serverInfo);

        page.type("#echo-text", "Hello from Chromium on ee11");
        page.click("#echo-send");
        page.waitUntil("return socketlet.echoResults.some(r => r.kind === 'text' && r.ok)", "the text echo");
        page.type("#echo-size", "64");
        page.click("#echo-send-binary");
        page.waitUntil("return socketlet.echoResults.some(r => r.kind === 'binary' && r.ok && r.bytes === 65536)",
                "the 64 KiB binary echo, byte for byte");

        page.joinChatAs("Ada");
        page.say("Hello from ee11");
        page.waitForChat("Ada", "Hello from ee11");

        List<String> errors = browser.consoleErrors();
        assertTrue(errors.isEmpty(), () -> "the page's console shows errors:\n" + String.join("\n", errors));
    }
}
