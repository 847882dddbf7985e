package io.socketlet.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import io.socketlet.it.TestEndpoints;
import io.socketlet.tls.TestCertificate;
import java.io.BufferedInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 8441, WebSocket over HTTP/2, on embedded Jetty 12.1 with h2c and with h2 over TLS, driven
 * by a raw client on Node's built-in {@code http2} module: the extended CONNECT is answered 200
 * and frames flow on the stream; refusals carry a status and a reason; protocol violations close
 * with 1002 over the stream; a reset stream is 1006 to the application. Before socketlet knew
 * RFC 8441, every one of these got {@code 400 WebSocket handshake must use GET, not CONNECT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExtendedConnectIT {

    private Server server;
    private ServerConnector h2c;
    private ServerConnector tls;
    private List<String> requests;

    @BeforeAll
    void start() throws Exception {
        server = new Server();
        h2c = JettyHttp2.h2c(server);
        tls = JettyHttp2.h2OverTls(server, 0);
        requests = JettyHttp2.recordRequests(server);
        ServletContextHandler context = new ServletContextHandler("/");
        add(context, "echo", new TestEndpoints.Echo(), "/echo", true, Map.of("subprotocols", "chat"));
        add(context, "recording", new TestEndpoints.Recording(), "/recording", true, Map.of());
        add(context, "inspect", new TestEndpoints.Inspect(), "/inspect", true, Map.of());
        server.setHandler(context);
        server.setStopTimeout(1000);
        server.start();
    }

    private static void add(ServletContextHandler context, String name, jakarta.servlet.Servlet servlet, String path,
                            boolean async, Map<String, String> params) {
        ServletHolder holder = new ServletHolder(name, servlet);
        holder.setAsyncSupported(async);
        holder.setInitOrder(1);
        params.forEach(holder::setInitParameter);
        context.addServlet(holder, path);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** A plan for the Node client over h2c ({@code false}) or TLS ({@code true}). */
    private Map<String, Object> plan(boolean overTls, String path, Map<String, Object> headers, List<Map<String, Object>> steps)
            throws Exception {
        Map<String, Object> plan = new LinkedHashMap<>();
        if (overTls) {
            plan.put("url", "https://localhost:" + tls.getLocalPort());
            plan.put("ca", TestCertificate.get().certificatePem().toString());
        } else {
            plan.put("url", "http://127.0.0.1:" + h2c.getLocalPort());
        }
        plan.put("path", path);
        plan.put("headers", headers);
        plan.put("steps", steps);
        return plan;
    }

    private static Map<String, Object> step(String name, Object value) {
        Map<String, Object> step = new HashMap<>();
        step.put(name, value);
        return step;
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void echoesTextAndBinaryOnTheStreamAndClosesIt(boolean overTls) throws Exception {
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/echo", Map.of(), List.of(
                step("text", "hello over h2"), step("binary", "00ff10"), step("read", 2),
                closeStep(1000, "done"), step("read", 3), step("waitEnd", 5000))));
        assertEquals(200, r.status(), r::toString);
        assertNull(r.header("sec-websocket-accept"), "RFC 8441 answers without Sec-WebSocket-Accept");
        assertEquals("hello over h2", r.frame(0).path("text").asText(), r::toString);
        assertEquals("00ff10", r.frame(1).path("hex").asText(), r::toString);
        assertEquals(8, r.frame(2).path("opcode").asInt(), r::toString);
        assertEquals(1000, r.frame(2).path("code").asInt(), r::toString);
        assertTrue(r.frames().stream().noneMatch(f -> f.path("masked").asBoolean()), "server frames are unmasked");
        assertEquals("end", r.end(), "the server ends the stream after the close handshake: " + r);
        assertTrue(requests.contains("CONNECT /echo HTTP/2.0 200"), requests::toString);
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void aMessageLargerThanTheStreamWindowsEchoesWhole(boolean overTls) throws Exception {
        // 512 KiB, eight times HTTP/2's initial 64 KiB stream window: both directions wait on
        // WINDOW_UPDATEs, which the taken-over stream must send and honour.
        byte[] data = new byte[512 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 9));
        }
        String hex = HexFormat.of().formatHex(data);
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/echo", Map.of(), List.of(
                step("binary", hex), step("read", 1), step("text", "after"), step("read", 2))));
        assertEquals(2, r.frame(0).path("opcode").asInt(), "one binary message back");
        assertEquals(data.length, r.frame(0).path("length").asInt());
        assertTrue(hex.equals(r.frame(0).path("hex").asText()), "the echo is byte for byte what was sent");
        assertEquals("after", r.frame(1).path("text").asText(), "and the stream goes on");
    }

    @Test
    void anHttp11UpgradeOverTlsOnTheSameConnectorStillWorks() throws Exception {
        // What a browser does when it has no HTTP/2 connection to reuse: a new TLS connection
        // with ALPN http/1.1 only, and the usual upgrade GET (the Jetty socket takeover over TLS).
        SSLSocket socket = (SSLSocket) TestCertificate.get().clientContext()
                .getSocketFactory().createSocket("127.0.0.1", tls.getLocalPort());
        SSLParameters params = socket.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName("localhost")));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(params);
        socket.setSoTimeout(5000);
        socket.startHandshake();
        String key = RawWebSocketClient.newKey();
        String request = RawWebSocketClient.upgradeRequest(
                URI.create("wss://127.0.0.1:" + tls.getLocalPort() + "/echo"), key, List.of());
        try (RawWebSocketClient client = RawWebSocketClient.upgrade(socket,
                new BufferedInputStream(socket.getInputStream()),
                request.getBytes(StandardCharsets.ISO_8859_1), request, key, 0)) {
            client.send(Frame.text("over TLS, HTTP/1.1"));
            client.expectText("over TLS, HTTP/1.1");
        }
    }

    private static Map<String, Object> closeStep(int code, String reason) {
        Map<String, Object> step = step("close", code);
        step.put("reason", reason);
        return step;
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void subprotocolAndPermessageDeflateAreNegotiatedOnTheStream(boolean overTls) throws Exception {
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/echo",
                Map.of("sec-websocket-protocol", "superchat, chat",
                        "sec-websocket-extensions", "permessage-deflate; client_max_window_bits"),
                List.of(step("text", "small"), step("read", 1))));
        assertEquals(200, r.status(), r::toString);
        assertEquals("chat", r.header("sec-websocket-protocol"), r::toString);
        assertTrue(String.valueOf(r.header("sec-websocket-extensions")).startsWith("permessage-deflate"), r::toString);
        assertEquals("small", r.frame(0).path("text").asText(), "below the threshold, sent plain: " + r);
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void handshakeRequestSaysTheConnectionIsAnHttp2Stream(boolean overTls) throws Exception {
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/inspect?a=1", Map.of(), List.of(step("read", 1))));
        String lines = r.frame(0).path("text").asText();
        assertTrue(lines.contains("httpVersion=HTTP/2.0"), lines);
        assertTrue(lines.contains("path=/inspect") && lines.contains("param.a=1"), lines);
        assertTrue(lines.contains("secure=" + overTls), lines);
        assertTrue(lines.contains("version=RFC6455"), lines);
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void anotherVersionIsRefusedWith400NamingVersion13(boolean overTls) throws Exception {
        Map<String, Object> headers = new HashMap<>();
        headers.put("sec-websocket-version", "8");
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/echo", headers, List.of()));
        assertEquals(400, r.status(), r::toString);
        assertEquals("13", r.header("sec-websocket-version"), r::toString);
        assertTrue(r.body().contains("Unsupported Sec-WebSocket-Version 8"), r::toString);

        headers.put("sec-websocket-version", null);
        NodeH2Client.Result missing = NodeH2Client.run(plan(overTls, "/echo", headers, List.of()));
        // Without any Sec-WebSocket-* header the CONNECT is not a WebSocket request at all.
        assertTrue(missing.status() >= 400, missing::toString);
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void anotherSitesOriginIsRefusedWith403(boolean overTls) throws Exception {
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/echo", Map.of("origin", "https://evil.example"), List.of()));
        assertEquals(403, r.status(), r::toString);
        assertTrue(r.body().contains("Origin not allowed"), r::toString);
        String own = (overTls ? "https://localhost:" + tls.getLocalPort() : "http://127.0.0.1:" + h2c.getLocalPort());
        assertEquals(200, NodeH2Client.run(plan(overTls, "/echo", Map.of("origin", own), List.of())).status());
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void unmaskedFrameClosesTheStreamWith1002(boolean overTls) throws Exception {
        // "a server MUST close the connection upon receiving a frame that is not masked"
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/echo", Map.of(), List.of(
                step("raw", "81026869"), step("read", 1), step("waitEnd", 5000))));
        JsonNode close = r.frame(0);
        assertEquals(8, close.path("opcode").asInt(), r::toString);
        assertEquals(1002, close.path("code").asInt(), r::toString);
        assertTrue(r.end().equals("end") || r.end().startsWith("reset"), "the stream ended: " + r);
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void reservedOpcodeClosesTheStreamWith1002(boolean overTls) throws Exception {
        // opcode 3, masked with a zero key: "If an unknown opcode is received, the receiving endpoint MUST _Fail_"
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/echo", Map.of(), List.of(
                step("raw", "838000000000"), step("read", 1), step("waitEnd", 5000))));
        assertEquals(1002, r.frame(0).path("code").asInt(), r::toString);
    }

    @ParameterizedTest(name = "TLS: {0}")
    @ValueSource(booleans = {false, true})
    void resetStreamIs1006ToTheApplication(boolean overTls) throws Exception {
        String id = "h2-reset-" + overTls;
        NodeH2Client.Result r = NodeH2Client.run(plan(overTls, "/recording?id=" + id, Map.of(), List.of(
                step("text", "before the reset"), step("read", 1), step("reset", 8))));
        assertEquals("before the reset", r.frame(0).path("text").asText(), r::toString);
        BlockingQueue<TestEndpoints.Event> events = TestEndpoints.Recording.events(id);
        List<String> seen = new ArrayList<>();
        TestEndpoints.Event e;
        while ((e = events.poll(5, TimeUnit.SECONDS)) != null) {
            seen.add(e.toString());
            if (e.type().equals("close")) {
                assertEquals(1006, e.code(), seen::toString);
                return;
            }
        }
        throw new AssertionError("the application never heard the stream end: " + seen);
    }
}
