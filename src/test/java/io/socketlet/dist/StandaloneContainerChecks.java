package io.socketlet.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.socketlet.it.Frame;
import io.socketlet.it.RawHttp;
import io.socketlet.it.RawWebSocketClient;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a person checks after deploying the WAR that {@code mvn package} built into a real,
 * standalone container: under ROOT and under {@code /socketlet}, the plain GET text, an RFC 6455
 * echo from a client that sends no {@code Content-Length} (as browsers do), the close codes of
 * protocol violations, a draft-hixie-76 echo, two clients chatting, and the page itself. Beside
 * it, the sample WAR (a user's project, see {@link SampleProjects}) gets the same echo check. One
 * container process per concrete class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class StandaloneContainerChecks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** draft-hixie-76 section 1.3's own example: the keys, the 8 bytes, and the 16-byte answer. */
    private static final String KEY1 = "4 @1  46546xW%0l 1 5";
    private static final String KEY2 = "12998 5 Y3 1  .P00";
    private static final byte[] KEY3 = "^n:ds[4U".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ANSWER = "8jKS'y:G*Co,Wxa-".getBytes(StandardCharsets.ISO_8859_1);

    StandaloneServer server;

    /** Configures and starts the container (the distribution's own process). */
    abstract StandaloneServer startServer() throws Exception;

    /**
     * Builds the sample projects if no class did yet (on a fresh machine Maven downloads Spring
     * Boot, hence the long bound), then starts the container (bounded by its own start timeout).
     */
    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void startContainer() throws Exception {
        SampleProjects.get();
        server = startServer();
    }

    /**
     * Stops the container, then fails the class if its log shows an error or an exception from
     * any of the tests' connections: a refused or broken message must be answered, never logged
     * as a failure.
     */
    @AfterAll
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void stopContainer() throws IOException {
        if (server == null) {
            return;
        }
        server.closeAndFailOnLoggedProblems();
    }

    /** ROOT.war and socketlet.war: the same WAR at two context paths. */
    static Stream<String> contexts() {
        return Stream.of("ROOT", "/socketlet");
    }

    static String path(String context) {
        return context.equals("ROOT") ? "" : context;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void plainGetOnAnEndpointSaysItWorks(String context) throws Exception {
        HttpResponse<String> r = server.get(path(context) + "/echo");
        assertEquals(200, r.statusCode(), () -> r + "\n" + server.tail(40));
        assertEquals("WebSocket server works!", r.body().strip());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                () -> "Content-Type: " + r.headers().firstValue("Content-Type"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void pageIsServedAtTheContextRoot(String context) throws Exception {
        HttpResponse<String> page = server.get(path(context) + "/");
        assertEquals(200, page.statusCode(), () -> page + "\n" + server.tail(40));
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("<title>socketlet"), "the demo page's title");
        assertTrue(page.body().contains("src=\"app.js\""), "the page loads its scripts by relative URL");
        for (String file : List.of("app.js", "socket.js", "demo.css")) {
            HttpResponse<String> r = server.get(path(context) + "/" + file);
            assertEquals(200, r.statusCode(), file);
            assertTrue(r.body().length() > 100, file + " has content");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void rfc6455EchoFromAClientWithoutContentLength(String context) throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.ws(path(context) + "/echo"))) {
            client.send(Frame.text("hello from a raw client"));
            client.expectText("hello from a raw client");
            byte[] blob = new byte[70_000]; // past 65535: the 64-bit length form both ways
            ThreadLocalRandom.current().nextBytes(blob);
            client.send(Frame.binary(blob), 8192);
            client.expectBinary(blob);
            client.send(Frame.close(1000, "done"));
            Frame.Received close = client.readClose(false);
            assertEquals(1000, close.closeCode(), client::transcript);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void protocolViolationsCloseWithTheirCodes(String context) throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.ws(path(context) + "/echo"))) {
            client.send(Frame.text(new byte[] {'o', 'k', (byte) 0xC3, 0x28})); // 0xC3 0x28: not UTF-8
            client.expectFailure(1007);
        }
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.ws(path(context) + "/echo"))) {
            client.send(Frame.text("a client must mask").unmasked());
            client.expectFailure(1002);
        }
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.ws(path(context) + "/echo"))) {
            client.send(Frame.close(4321, "an application's own code"));
            assertEquals(4321, client.readClose(false).closeCode(), "the server echoes the code it was sent");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void hixie76Echo(String context) throws Exception {
        try (Socket socket = connect()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String request = RawHttp.request("GET " + path(context) + "/echo HTTP/1.1", List.of(
                    "Host: 127.0.0.1:" + server.port,
                    "Connection: Upgrade",
                    "Sec-WebSocket-Key2: " + KEY2,
                    "Upgrade: WebSocket",
                    "Sec-WebSocket-Key1: " + KEY1,
                    "Origin: http://127.0.0.1:" + server.port));
            // The 8 key bytes follow the headers with no Content-Length, as the draft says.
            out.write(concat(request.getBytes(StandardCharsets.ISO_8859_1), KEY3));
            out.flush();
            RawHttp.Response head = RawHttp.readHead(in);
            assertEquals(101, head.status(), head::toString);
            assertTrue(head.headerHasToken("Upgrade", "WebSocket"), head::toString);
            assertEquals("ws://127.0.0.1:" + server.port + path(context) + "/echo",
                    head.header("Sec-WebSocket-Location"), head::toString);
            assertArrayEquals(ANSWER, in.readNBytes(16), "the MD5 challenge answer after the 101 headers");

            out.write(hixieText("hello, hixie-76 \u00e9\u00e8"));
            out.flush();
            assertEquals("hello, hixie-76 \u00e9\u00e8", readHixieText(in));

            out.write(new byte[] {(byte) 0xFF, 0x00}); // the closing handshake
            out.flush();
            assertArrayEquals(new byte[] {(byte) 0xFF, 0x00}, in.readNBytes(2), "the server answers the close");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contexts")
    void twoClientsChat(String context) throws Exception {
        try (RawWebSocketClient ada = RawWebSocketClient.connect(server.ws(path(context) + "/chat"));
             RawWebSocketClient bob = RawWebSocketClient.connect(server.ws(path(context) + "/chat"))) {
            long adaId = next(ada, "welcome").path("id").asLong();
            next(bob, "welcome");
            ada.send(Frame.text("{\"type\":\"join\",\"name\":\"Ada\"}"));
            assertEquals("Ada", next(ada, "joined").path("name").asText());
            bob.send(Frame.text("{\"type\":\"join\",\"name\":\"Bob\"}"));
            JsonNode bobJoined = next(ada, "joined");
            assertEquals("Bob", bobJoined.path("name").asText(), "Ada hears Bob join");
            assertTrue(bobJoined.path("count").asInt() >= 2, bobJoined::toString);

            ada.send(Frame.text("{\"type\":\"say\",\"text\":\"hello Bob, from " + context + "\"}"));
            JsonNode heard = next(bob, "message");
            assertEquals("hello Bob, from " + context, heard.path("text").asText());
            assertEquals("Ada", heard.path("name").asText());
            assertEquals(adaId, heard.path("id").asLong());
            assertEquals("hello Bob, from " + context, next(ada, "message").path("text").asText(),
                    "the sender hears its own message back, as everyone does");

            bob.send(Frame.close(1000, "bye"));
            assertEquals(1000, bob.readClose(true).closeCode());
            assertEquals("Bob", next(ada, "left").path("name").asText(), "Ada hears Bob leave");
        }
    }

    /** The sample WAR (src/samples/war: a user's own servlet and web.xml, the engine jar in WEB-INF/lib) beside the demo. */
    @Test
    void sampleWarAnswersAPlainGet() throws Exception {
        SampleEndpointChecks.plainGetSaysItWorks(server, SampleProjects.WAR_CONTEXT);
    }

    @Test
    void sampleWarEchoesAClientWithoutContentLength() throws Exception {
        SampleEndpointChecks.echoesAClientWithoutContentLength(server, SampleProjects.WAR_CONTEXT);
    }

    Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port), 5000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** The next JSON text message of this type; presence updates and others on the way are skipped. */
    static JsonNode next(RawWebSocketClient client, String type) throws IOException {
        Instant end = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(end)) {
            Frame.Received frame = client.read();
            if (frame.opcode() == Frame.PING) {
                client.send(Frame.pong(frame.payload()));
                continue;
            }
            if (frame.opcode() != Frame.TEXT) {
                fail("expected a text message, got " + frame + "\n" + client.transcript());
            }
            JsonNode message = JSON.readTree(frame.text());
            if (type.equals(message.path("type").asText())) {
                return message;
            }
        }
        throw new AssertionError("no \"" + type + "\" message within " + WAIT + "\n" + client.transcript());
    }

    static byte[] hixieText(String text) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x00);
        b.write(text.getBytes(StandardCharsets.UTF_8));
        b.write(0xFF);
        return b.toByteArray();
    }

    static String readHixieText(InputStream in) throws IOException {
        int first = in.read();
        assertEquals(0x00, first, "a hixie text frame starts with 0x00");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != 0xFF; c = in.read()) {
            if (c < 0) {
                fail("TCP closed inside a hixie text frame after " + b.size() + " bytes");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
