package io.socketlet.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.cluster.RedisServer;
import io.socketlet.it.ContainerKind;
import io.socketlet.proxy.Nginx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/cluster.md's setup, with real components: Debian's redis-server, the demo on embedded
 * Jetty and Tomcat (both with {@code -Dsocketlet.redis}), Debian's nginx in front, round robin
 * with no sticky sessions, and two headless Chromium pages. Each page's connections land on
 * either node; the two people chat and draw together; then a node stops, and the pages carry on
 * through nginx on the other one.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClusterBrowserIT {

    private static final String GREEN = "#16a34a";
    private static final String RED = "#dc2626";

    @Test
    void twoPeopleOnTwoNodesBehindNginxChatAndDrawAndCarryOnWhenANodeStops() throws Exception {
        Browser.assumeInstalled();
        Nginx.assumeInstalled();
        try (RedisServer redis = RedisServer.start()) {
            System.setProperty("socketlet.redis", redis.uri());
            DemoServer jetty = null;
            DemoServer tomcat = null;
            try {
                jetty = DemoServer.start(ContainerKind.JETTY, "");
                tomcat = DemoServer.start(ContainerKind.TOMCAT, "");
            } finally {
                System.clearProperty("socketlet.redis");
            }
            try (DemoServer first = jetty; DemoServer second = tomcat;
                 Nginx nginx = Nginx.startRoundRobin(List.of(jetty.port(), tomcat.port()));
                 Browser adaBrowser = Browser.open("cluster-ada"); Browser graceBrowser = Browser.open("cluster-grace")) {
                URI page = URI.create(nginx.origin() + "/");
                DemoPage ada = new DemoPage(adaBrowser).open(page);
                DemoPage grace = new DemoPage(graceBrowser).open(page);
                List<String> served = servedBy(first, second);
                assertTrue(served.contains("jetty") && served.contains("tomcat"),
                        "round robin put the pages' connections on both nodes: " + served);

                ada.joinChatAs("Ada");
                grace.joinChatAs("Grace");
                ada.waitUntil("return socketlet.chatPresence.names.includes('Grace')", "Ada to see Grace");
                grace.waitUntil("return socketlet.chatPresence.names.includes('Ada')", "Grace to see Ada");
                ada.say("Hello from wherever my chat landed");
                grace.waitForChat("Ada", "Hello from wherever my chat landed");
                ada.js("socketlet.drawStroke([[0.1, 0.1], [0.4, 0.4]], {color: arguments[0], width: 6})", GREEN);
                grace.waitUntil("return socketlet.canvasStrokes.some(s => s.color === arguments[0] && !s.mine)",
                        "Ada's green stroke on Grace's canvas", GREEN);

                // One node stops: the pages on it reconnect through nginx to the other, with their offsets.
                second.close();
                for (DemoPage p : List.of(ada, grace)) {
                    p.waitUntil("return document.documentElement.dataset.ready === 'true'",
                            "the page to be whole again on the remaining node", Duration.ofSeconds(60));
                }
                grace.waitUntil("return socketlet.chatPresence.names.includes('Ada')", "Ada still in Grace's room",
                        Duration.ofSeconds(30));
                grace.say("Still here after the node went away");
                ada.waitForChat("Grace", "Still here after the node went away");
                grace.js("socketlet.drawStroke([[0.6, 0.6], [0.9, 0.9]], {color: arguments[0], width: 6})", RED);
                ada.waitUntil("return socketlet.canvasStrokes.some(s => s.color === arguments[0] && !s.mine)",
                        "Grace's red stroke on Ada's canvas", RED);
                ada.waitUntil("return socketlet.canvasStrokes.some(s => s.color === arguments[0])",
                        "the green stroke still in Ada's picture", GREEN);
            }
        }
    }

    /**
     * Which containers served the pages' WebSocket upgrades, each given up to 5 s to log one: a
     * container logs a request once its exchange is done, which can be after the page saw the 101.
     */
    private static List<String> servedBy(DemoServer jetty, DemoServer tomcat) {
        java.util.function.Predicate<List<String>> anUpgrade = served -> served.stream().anyMatch(r -> r.contains(" 101"));
        List<String> out = new java.util.ArrayList<>();
        if (anUpgrade.test(jetty.requestsOnceLogged(anUpgrade))) {
            out.add("jetty");
        }
        if (anUpgrade.test(tomcat.requestsOnceLogged(anUpgrade))) {
            out.add("tomcat");
        }
        return out;
    }
}
