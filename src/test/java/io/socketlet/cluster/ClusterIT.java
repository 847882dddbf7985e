package io.socketlet.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketlet.demo.CanvasServlet;
import io.socketlet.demo.ChatServlet;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.Containers;
import io.socketlet.it.JdkClient;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's chat and canvas on three nodes (embedded Jetty, Tomcat, Jetty) sharing one
 * redis-server started here: what one person says or draws on one node, the others see on
 * theirs, and a newcomer on a third node gets the presence and the picture.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RedisServer redis;
    private final List<Containers.Running> nodes = new ArrayList<>();

    @BeforeAll
    void startRedisAndNodes() throws Exception {
        redis = RedisServer.start();
        for (ContainerKind kind : List.of(ContainerKind.JETTY, ContainerKind.TOMCAT, ContainerKind.JETTY)) {
            nodes.add(Containers.start(kind, deployment(redis.uri())));
        }
        awaitSharing(nodes);
    }

    /**
     * Waits until every node reached Redis (a node that has not yet serves its own members
     * only): a probe stroke drawn on each node reaches a page on the next one.
     */
    static void awaitSharing(List<Containers.Running> nodes) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos() * 2;
        for (int n = 0; n < nodes.size(); n++) {
            try (JdkClient from = JdkClient.connect(nodes.get(n).ws("/canvas"));
                 JdkClient to = JdkClient.connect(nodes.get((n + 1) % nodes.size()).ws("/canvas"))) {
                next(to, "history");
                String sid = "probe" + n;
                boolean crossed = false;
                while (!crossed) {
                    assertTrue(System.nanoTime() < end, "node " + n + " never shared its canvas with node " + (n + 1));
                    from.sendText("{\"type\":\"stroke\",\"sid\":\"" + sid + "\",\"color\":\"#000000\",\"width\":1,\"points\":[[0,0]]}", true);
                    try {
                        while (!crossed) {
                            crossed = to.nextText(Duration.ofMillis(300)).contains("." + sid + "\"");
                        }
                    } catch (AssertionError nothingYet) {
                        // the stroke stayed on its node: that node has not reached Redis yet; again
                    }
                }
            }
        }
    }

    static Containers.Deployment deployment(String redisUri) {
        return Containers.deployment("/socketlet")
                .servlet("chat", ChatServlet.class, "/chat", Map.of("redis", redisUri))
                .servlet("canvas", CanvasServlet.class, "/canvas", Map.of("redis", redisUri, "historyPoints", "100000"));
    }

    @AfterAll
    void stop() throws Exception {
        nodes.forEach(Containers.Running::close);
        if (redis != null) {
            redis.close();
        }
    }

    /** The next message of the type, skipping others. */
    static JsonNode next(JdkClient client, String type) throws Exception {
        Instant end = Instant.now().plus(WAIT);
        while (true) {
            Duration left = Duration.between(Instant.now(), end);
            if (left.isNegative()) {
                throw new AssertionError("no \"" + type + "\" message within " + WAIT);
            }
            JsonNode message = JSON.readTree(client.nextText(left));
            if (type.equals(message.path("type").asText())) {
                return message;
            }
        }
    }

    /** The next message of the type whose field has the value, skipping others. */
    static JsonNode next(JdkClient client, String type, String field, String value) throws Exception {
        while (true) {
            JsonNode m = next(client, type);
            if (value.equals(m.path(field).asText())) {
                return m;
            }
        }
    }

    @Test
    void twoPeopleOnJettyAndTomcatChatAndANewcomerOnAThirdNodeSeesThem() throws Exception {
        try (JdkClient ada = JdkClient.connect(nodes.get(0).ws("/chat"));
             JdkClient linus = JdkClient.connect(nodes.get(1).ws("/chat"))) {
            next(ada, "welcome");
            next(linus, "welcome");
            // A node that had not reached Redis yet when Ada joined states her again once it has.
            ada.sendText("{\"type\":\"join\",\"name\":\"Ada\"}", true);
            JsonNode joined = next(linus, "joined", "name", "Ada");
            linus.sendText("{\"type\":\"join\",\"name\":\"Linus\"}", true);
            next(ada, "joined", "name", "Linus");
            ada.sendText("{\"type\":\"say\",\"text\":\"hello from Jetty\"}", true);
            JsonNode heard = next(linus, "message", "text", "hello from Jetty");
            assertEquals("Ada", heard.path("name").asText());
            assertEquals(joined.path("id").asLong(), heard.path("id").asLong());
            assertTrue(heard.path("offset").asText().matches("\\d+-\\d+"), "a Redis stream id: " + heard);
            linus.sendText("{\"type\":\"say\",\"text\":\"hello from Tomcat\"}", true);
            assertEquals("Linus", next(ada, "message", "text", "hello from Tomcat").path("name").asText());

            // The third node may still be reaching Redis (it serves its own members meanwhile):
            // a newcomer there sees the others once it has.
            JdkClient late = null;
            JsonNode welcome = null;
            for (long end = System.nanoTime() + WAIT.toNanos(); late == null; ) {
                JdkClient candidate = JdkClient.connect(nodes.get(2).ws("/chat"));
                welcome = next(candidate, "welcome");
                String members = welcome.path("members").toString();
                if (members.contains("\"Ada\"") && members.contains("\"Linus\"")) {
                    late = candidate;
                } else {
                    candidate.close();
                    assertTrue(System.nanoTime() < end, "presence across nodes: " + members);
                    Thread.sleep(200);
                }
            }
            try (JdkClient newcomer = late) {
                next(newcomer, "message", "text", "hello from Jetty"); // the recent messages, from the stream
                next(newcomer, "message", "text", "hello from Tomcat");
                newcomer.sendText("{\"type\":\"join\",\"name\":\"ada\"}", true);
                assertEquals("ada 2", next(ada, "joined", "id", Long.toString(welcome.path("id").asLong())).path("name").asText(),
                        "names are unique across nodes, ignoring case");
            }
            assertEquals("ada 2", next(linus, "left").path("name").asText(), "leaving on one node is news on the others");
        }
    }

    @Test
    void aStrokeOnOneNodeAppearsOnTheOthersAndANewcomerElsewhereGetsThePicture() throws Exception {
        try (JdkClient artist = JdkClient.connect(nodes.get(1).ws("/canvas"));
             JdkClient viewer = JdkClient.connect(nodes.get(0).ws("/canvas"))) {
            next(artist, "history");
            next(viewer, "history");
            artist.sendText("{\"type\":\"clear\"}", true);
            next(viewer, "clear");
            String stroke = "{\"type\":\"stroke\",\"sid\":\"wave\",\"color\":\"#16a34a\",\"width\":4,\"points\":[[0.1,0.5],[0.2,0.4],[0.3,0.5]]}";
            artist.sendText(stroke, true);
            JsonNode got = next(viewer, "stroke");
            assertTrue(got.path("sid").asText().endsWith(".wave"), got.toString());
            assertEquals(3, got.path("points").size());

            try (JdkClient late = JdkClient.connect(nodes.get(2).ws("/canvas"))) {
                JsonNode history = next(late, "history");
                JsonNode segments = history.path("segments");
                assertEquals(1, segments.size(), "the picture since the clear, on a third node: " + history);
                assertEquals(got.path("sid").asText(), segments.path(0).path("sid").asText());
                assertEquals(got.path("offset").asText(), history.path("offset").asText());
            }
        }
    }

    @Test
    void everyNodeShowsItsLinkToRedisOnJmx() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> ours = new ArrayList<>();
        for (ObjectName name : jmx.queryNames(new ObjectName("io.socketlet:type=RedisBroker,*"), null)) {
            if (("127.0.0.1:" + redis.port()).equals(jmx.getAttribute(name, "Redis"))) {
                ours.add(name);
            }
        }
        assertEquals(3, ours.size(), "one MBean per node: " + ours);
        for (ObjectName name : ours) {
            assertEquals(true, jmx.getAttribute(name, "Connected"), name.toString());
            assertTrue((Integer) jmx.getAttribute(name, "Rooms") >= 1, name + ": the canvas at least");
        }
    }
}
