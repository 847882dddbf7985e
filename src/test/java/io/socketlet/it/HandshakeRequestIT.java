package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the application learns about its connection through {@code HandshakeRequest} and {@code WebSocket}. */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class HandshakeRequestIT {

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("inspect", TestEndpoints.Inspect.class, "/inspect/*",
                    Map.of("pingInterval", "0", "allowedOrigins", "http://example.test")));

    @BothContainers
    void exposesTheHandshakeToTheApplication(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        String key = RawWebSocketClient.newKey();
        String request = RawHttp.request("GET /socketlet/inspect/a%20b?a=1%202&b=x&b=y HTTP/1.1", List.of(
                "Host: 127.0.0.1:" + server.port(),
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: " + key,
                "Sec-WebSocket-Version: 13",
                "Origin: http://example.test",
                "X-Custom: hello",
                "X-Multi: one",
                "X-Multi: two",
                "Sec-WebSocket-Protocol: p1, p2"));
        try (RawWebSocketClient c = RawWebSocketClient.connectWith(server.port(), request, key, 0)) {
            Frame.Received report = c.read();
            assertEquals(Frame.TEXT, report.opcode(), "onOpen's report expected\n" + c.transcript());
            Map<String, String> seen = new LinkedHashMap<>();
            for (String line : report.text().split("\n")) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    seen.put("unparsed line", line);
                } else {
                    seen.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("path", "/socketlet/inspect/a%20b");
            expected.put("query", "a=1%202&b=x&b=y");
            expected.put("param.a", "1 2");
            expected.put("params.b", "[x, y]");
            expected.put("header.x-custom", "hello");
            expected.put("headers.x-multi", "[one, two]");
            expected.put("headersMap.has-x-custom", "true");
            expected.put("origin", "http://example.test");
            expected.put("subprotocols", "[p1, p2]");
            expected.put("remote", "127.0.0.1");
            // An unresolved InetSocketAddress (getAddress() == null) makes the obvious
            // remoteAddress().getAddress() throw in applications.
            expected.put("remoteHasInetAddress", "true");
            expected.put("requestRemote", "127.0.0.1");
            expected.put("secure", "false");
            expected.put("httpVersion", "HTTP/1.1");
            expected.put("version", "RFC6455");
            expected.put("subprotocol", "");
            expected.put("isOpen", "true");
            expected.put("sameRequest", "true");
            assertEquals(expected.toString(), seen.toString(), c.transcript());
        }
    }
}
