package io.socketlet.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketlet.CloseCodes;
import io.socketlet.it.BothContainers;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.ContainerPool;
import io.socketlet.it.Containers;
import io.socketlet.it.JdkClient;
import io.socketlet.it.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The demo's {@code /chat} and {@code /canvas} in real containers (embedded Tomcat 11 and Jetty
 * 12.1), with the JDK's WebSocket client as the browser and a raw socket as a hixie-76 client.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DemoEndpointsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> LEGACY_TOO = Map.of("protocols", "13, hixie-76, hixie-75");

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("chat", ChatServlet.class, "/chat", LEGACY_TOO)
            .servlet("canvas", CanvasServlet.class, "/canvas", Map.of("protocols", "13, hixie-76, hixie-75", "historyPoints", "40")));

    @RegisterExtension
    static final ContainerPool AT_ROOT = new ContainerPool(Containers.deployment("")
            .servlet("chat", ChatServlet.class, "/chat", LEGACY_TOO)
            .servlet("canvas", CanvasServlet.class, "/canvas", LEGACY_TOO));

    /** The next message of the given type; others (presence, notices) are skipped. */
    private static JsonNode next(JdkClient client, String type) throws Exception {
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

    private static void send(JdkClient client, String json) throws Exception {
        client.sendText(json, true);
    }

    private static String stroke(String sid, int points) {
        StringBuilder p = new StringBuilder("[");
        for (int i = 0; i < points; i++) {
            p.append(i == 0 ? "" : ",").append("[").append(i / 100.0).append(",0.25]");
        }
        return "{\"type\":\"stroke\",\"sid\":\"" + sid + "\",\"color\":\"#4f46e5\",\"width\":6,\"points\":" + p + "]}";
    }

    @BothContainers
    void twoClientsChat(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (JdkClient ada = JdkClient.connect(server.ws("/chat")); JdkClient linus = JdkClient.connect(server.ws("/chat"))) {
            JsonNode welcome = next(ada, "welcome");
            assertEquals("13", welcome.path("protocol").asText());
            assertTrue(welcome.path("server").asText().length() > 0, welcome.toString());
            long linusId = next(linus, "welcome").path("id").asLong();

            send(ada, "{\"type\":\"join\",\"name\":\"Ada\"}");
            assertEquals("Ada", next(ada, "joined").path("name").asText());
            assertEquals("Ada", next(linus, "joined").path("name").asText());
            send(linus, "{\"type\":\"join\",\"name\":\"Linus\"}");
            JsonNode joined = next(ada, "joined");
            assertEquals("Linus", joined.path("name").asText());
            // Earlier tests' clients may still be leaving: count at least the two of us.
            assertTrue(joined.path("count").asInt() >= 2, joined.toString());
            assertTrue(joined.path("names").isMissingNode(), "presence carries the change, not the list: " + joined);
            try (JdkClient late = JdkClient.connect(server.ws("/chat"))) {
                String members = next(late, "welcome").path("members").toString();
                assertTrue(members.contains("{\"id\":" + linusId + ",\"name\":\"Linus\"}") && members.contains("\"Ada\""),
                        "a late joiner gets the list once, in its welcome: " + members);
            }

            send(ada, "{\"type\":\"say\",\"text\":\"Hello, <b>Linus</b> \u03ba\u03cc\u03c3\u03bc\u03b5\"}");
            JsonNode heard = next(linus, "message");
            assertEquals("Ada", heard.path("name").asText());
            assertEquals("Hello, <b>Linus</b> \u03ba\u03cc\u03c3\u03bc\u03b5", heard.path("text").asText());
            assertEquals("Ada", next(ada, "message").path("name").asText(), "the sender hears its own message too");

            send(linus, "{\"type\":\"say\",\"text\":\"Hi Ada\"}");
            assertEquals(linusId, next(ada, "message").path("id").asLong());

            linus.socket().sendClose(CloseCodes.GOING_AWAY, "tab closed").get(5, TimeUnit.SECONDS);
            JsonNode left = next(ada, "left");
            assertEquals("Linus", left.path("name").asText());
            assertEquals(linusId, left.path("id").asLong());
        }
    }

    @BothContainers
    void aStrokeReachesTheOtherPageAndALateJoinerGetsTheTrimmedHistory(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (JdkClient artist = JdkClient.connect(server.ws("/canvas")); JdkClient viewer = JdkClient.connect(server.ws("/canvas"))) {
            long artistId = next(artist, "welcome").path("id").asLong();
            next(artist, "history");
            JsonNode welcome = next(viewer, "welcome");
            assertEquals(40, welcome.path("limits").path("historyPoints").asInt());
            next(viewer, "history");

            send(artist, "{\"type\":\"clear\"}"); // whatever earlier tests drew
            next(viewer, "clear");
            send(artist, stroke("s1", 10));
            JsonNode got = next(viewer, "stroke");
            assertEquals(artistId + ".s1", got.path("sid").asText());
            assertEquals(10, got.path("points").size());
            assertEquals(0.09, got.path("points").path(9).path(0).asDouble(), 1e-9);

            for (int i = 2; i <= 5; i++) {
                send(artist, stroke("s" + i, 10)); // 50 points into a history of 40
            }
            for (int i = 2; i <= 5; i++) {
                assertEquals(artistId + ".s" + i, next(viewer, "stroke").path("sid").asText());
            }
            JsonNode trimmed = next(viewer, "trimmed"); // right after the stroke that started the trimming
            assertEquals(1, trimmed.path("trimmed").asInt());
            assertEquals(40, trimmed.path("maxPoints").asInt());

            try (JdkClient late = JdkClient.connect(server.ws("/canvas"))) {
                next(late, "welcome");
                JsonNode history = next(late, "history");
                assertEquals(4, history.path("segments").size());
                assertEquals(artistId + ".s2", history.path("segments").path(0).path("sid").asText());
                assertEquals(40, history.path("points").asInt());
                assertEquals(1, history.path("trimmed").asInt());

                send(viewer, "{\"type\":\"clear\"}");
                assertEquals(welcome.path("id").asLong(), next(late, "clear").path("id").asLong(), "cleared by the viewer");
                next(artist, "clear");
            }
        }
    }

    @BothContainers
    void aClientThatReconnectsWithItsOffsetGetsExactlyWhatItMissed(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (JdkClient artist = JdkClient.connect(server.ws("/canvas"))) {
            next(artist, "history");
            String seen;
            try (JdkClient viewer = JdkClient.connect(server.ws("/canvas"))) {
                next(viewer, "history");
                send(artist, stroke("r1", 3));
                seen = next(viewer, "stroke").path("offset").asText();
            }
            send(artist, stroke("r2", 3));
            send(artist, stroke("r3", 3));
            try (JdkClient back = JdkClient.connect(java.net.URI.create(server.ws("/canvas") + "?after=" + seen))) {
                JsonNode welcome = next(back, "welcome");
                assertTrue(welcome.path("resumed").asBoolean(), welcome.toString());
                JsonNode r2 = JSON.readTree(back.nextText(WAIT));
                while (!r2.path("type").asText().equals("stroke")) {
                    assertTrue(!r2.path("type").asText().equals("history"), "no whole picture for a page that resumes: " + r2);
                    r2 = JSON.readTree(back.nextText(WAIT));
                }
                assertTrue(r2.path("sid").asText().endsWith(".r2"), "the first stroke it missed, not one it had: " + r2);
                assertTrue(next(back, "stroke").path("sid").asText().endsWith(".r3"));
            }
        }
    }

    @BothContainers
    void aPageThatReconnectsSayingWhoItWasGetsWhatItMissedButNotItsOwnStrokesAgain(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (JdkClient viewer = JdkClient.connect(server.ws("/canvas"))) {
            next(viewer, "history");
            String seen;
            long artistId;
            try (JdkClient artist = JdkClient.connect(server.ws("/canvas"))) {
                artistId = next(artist, "welcome").path("id").asLong();
                next(artist, "history");
                send(viewer, stroke("own-v1", 3));
                seen = next(artist, "stroke").path("offset").asText(); // the last thing the page got
                send(artist, stroke("own-a1", 3)); // drawn on the page, sent to everyone but the page
                send(artist, stroke("own-a2", 3));
                next(viewer, "stroke");
                assertEquals(artistId + ".own-a2", next(viewer, "stroke").path("sid").asText(), "both in the log");
            } // the page's connection drops
            send(viewer, stroke("own-v2", 3));

            java.net.URI resume = java.net.URI.create(server.ws("/canvas") + "?after=" + seen + "&was=" + artistId);
            try (JdkClient back = JdkClient.connect(resume)) {
                assertTrue(next(back, "welcome").path("resumed").asBoolean());
                assertEquals(List.of("own-v2"), strokesUpTo(back, "own-v2"),
                        "what it missed, without the strokes it drew itself and shows already");
            }
            // A page that does not say who it was is a newcomer to the room: it gets everything after its offset.
            try (JdkClient newcomer = JdkClient.connect(java.net.URI.create(server.ws("/canvas") + "?after=" + seen))) {
                assertTrue(next(newcomer, "welcome").path("resumed").asBoolean());
                assertEquals(List.of("own-a1", "own-a2", "own-v2"), strokesUpTo(newcomer, "own-v2"));
            }
        }
    }

    /** The strokes' own sids (after the author's id), in order, until the one with that sid; no history meanwhile. */
    private static List<String> strokesUpTo(JdkClient client, String lastSid) throws Exception {
        List<String> sids = new java.util.ArrayList<>();
        while (sids.isEmpty() || !sids.get(sids.size() - 1).equals(lastSid)) {
            JsonNode m = JSON.readTree(client.nextText(WAIT));
            assertTrue(!m.path("type").asText().equals("history"), "no whole picture for a page that resumes: " + m);
            if (m.path("type").asText().equals("stroke")) {
                String sid = m.path("sid").asText();
                sids.add(sid.substring(sid.indexOf('.') + 1));
            }
        }
        return sids;
    }

    @BothContainers
    void refusesWhatItCannotTakeWithAReason(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (JdkClient client = JdkClient.connect(server.ws("/chat"))) {
            next(client, "welcome");
            send(client, "{\"type\":\"dance\"}");
            assertTrue(next(client, "error").path("error").asText().startsWith("Unknown type"));
            send(client, "{\"type\":\"say\",\"text\":\"before joining\"}");
            assertTrue(next(client, "error").path("error").asText().startsWith("Join first"));
            send(client, "hello?");
            JdkClient.Close close = client.closed().get(10, TimeUnit.SECONDS);
            assertEquals(CloseCodes.INVALID_PAYLOAD, close.code());
            assertTrue(close.reason().startsWith("Not JSON"), close.reason());
        }
        try (JdkClient client = JdkClient.connect(server.ws("/canvas"))) {
            next(client, "welcome");
            client.sendBinary(new byte[] {1, 2, 3}, true);
            JdkClient.Close close = client.closed().get(10, TimeUnit.SECONDS);
            assertEquals(CloseCodes.UNSUPPORTED_DATA, close.code());
        }
        try (JdkClient client = JdkClient.connect(server.ws("/chat"))) {
            next(client, "welcome");
            send(client, "{\"type\":\"say\",\"text\":\"" + "x".repeat(ChatServlet.MAX_MESSAGE) + "\"}");
            assertEquals(CloseCodes.MESSAGE_TOO_BIG, client.closed().get(10, TimeUnit.SECONDS).code());
        }
    }

    @BothContainers
    void aHixie76ClientChatsWithAnRfc6455Client(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (HixieClient old = new HixieClient(server.port(), server.path("/chat"));
             JdkClient modern = JdkClient.connect(server.ws("/chat"))) {
            JsonNode welcome = JSON.readTree(old.readText());
            assertEquals("hixie-76", welcome.path("protocol").asText());
            next(modern, "welcome");
            old.sendText("{\"type\":\"join\",\"name\":\"Old timer\"}");
            assertEquals("Old timer", next(modern, "joined").path("name").asText());
            send(modern, "{\"type\":\"join\",\"name\":\"Newcomer\"}");
            send(modern, "{\"type\":\"say\",\"text\":\"hello from 2025\"}");
            while (true) {
                JsonNode m = JSON.readTree(old.readText());
                // Earlier tests' messages come first: a newcomer gets the room's recent messages.
                if (m.path("type").asText().equals("message") && m.path("name").asText().equals("Newcomer")) {
                    assertEquals("hello from 2025", m.path("text").asText());
                    break;
                }
            }
        }
    }

    @BothContainers
    void bothEndpointsWorkAtTheRootContext(ContainerKind kind) throws Exception {
        var server = AT_ROOT.get(kind);
        try (JdkClient chat = JdkClient.connect(server.ws("/chat")); JdkClient canvas = JdkClient.connect(server.ws("/canvas"))) {
            assertEquals("chat", next(chat, "welcome").path("endpoint").asText());
            assertEquals("canvas", next(canvas, "welcome").path("endpoint").asText());
            assertEquals(20_000, next(canvas, "history").path("maxPoints").asInt());
        }
    }

    /** Just enough of draft-hixie-76 for a client: its own example keys, then 0x00 text 0xFF frames. */
    private static final class HixieClient implements AutoCloseable {
        private static final String KEY1 = "4 @1  46546xW%0l 1 5";
        private static final String KEY2 = "12998 5 Y3 1  .P00";
        private static final byte[] KEY3 = "^n:ds[4U".getBytes(StandardCharsets.ISO_8859_1);
        private static final byte[] ANSWER = "8jKS'y:G*Co,Wxa-".getBytes(StandardCharsets.ISO_8859_1);

        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        HixieClient(int port, String path) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            String request = RawHttp.request("GET " + path + " HTTP/1.1", List.of(
                    "Host: 127.0.0.1:" + port, "Connection: Upgrade", "Upgrade: WebSocket",
                    "Origin: http://127.0.0.1:" + port, "Sec-WebSocket-Key1: " + KEY1, "Sec-WebSocket-Key2: " + KEY2));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes(request.getBytes(StandardCharsets.ISO_8859_1));
            bytes.writeBytes(KEY3);
            out.write(bytes.toByteArray());
            out.flush();
            RawHttp.Response head = RawHttp.readHead(in);
            assertEquals(101, head.status(), head.toString());
            assertArrayEquals(ANSWER, in.readNBytes(16), "the MD5 answer");
        }

        void sendText(String text) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(0x00);
            b.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            b.write(0xFF);
            out.write(b.toByteArray());
            out.flush();
        }

        String readText() throws IOException {
            int first = in.read();
            assertEquals(0x00, first, "a hixie text frame starts with 0x00");
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c != 0xFF; c = in.read()) {
                if (c < 0) {
                    throw new EOFException("TCP closed inside a text frame");
                }
                b.write(c);
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
