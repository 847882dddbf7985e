package io.socketlet.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.ContainerKind;
import io.socketlet.it.Containers;
import io.socketlet.it.Frame;
import io.socketlet.it.RawHttp;
import io.socketlet.it.RawWebSocketClient;
import io.socketlet.tls.TestCertificate;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Debian's nginx in front of embedded Jetty and Tomcat, with and without TLS termination, with
 * the README's configuration: the demo's {@code /chat} (same-origin only, the default) takes a
 * page of the proxy's own origin and refuses another site's. Behind TLS the container sees
 * {@code http} and {@code X-Forwarded-Proto: https}; before socketlet read that header, the
 * page's own {@code https://} origin got 403 there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NginxProxyIT {

    private final Map<ContainerKind, Containers.Running> containers = new EnumMap<>(ContainerKind.class);
    private final Map<String, Nginx> proxies = new java.util.HashMap<>();

    @BeforeAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void start() throws Exception {
        Nginx.assumeInstalled();
        for (ContainerKind kind : ContainerKind.selected().toList()) {
            Containers.Running running = Containers.start(kind, Containers.deployment("")
                    .servlet("chat", "io.socketlet.demo.ChatServlet", "/chat", Map.of()));
            containers.put(kind, running);
            for (boolean tls : new boolean[] {true, false}) {
                proxies.put(kind + "/" + tls, Nginx.start(running.port(), tls));
            }
        }
    }

    @AfterAll
    void stop() {
        proxies.values().forEach(Nginx::close);
        containers.values().forEach(Containers.Running::close);
    }

    static Stream<Arguments> roads() {
        return ContainerKind.times(true, false);
    }

    private Nginx proxy(ContainerKind kind, boolean tls) {
        return proxies.get(kind + "/" + tls);
    }

    /** A TCP (or TLS, by SNI {@code localhost}) connection to the proxy, as a browser opens it. */
    private static Socket open(Nginx nginx) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", nginx.port()), 5000);
        plain.setSoTimeout(5000);
        if (!nginx.tls()) {
            return plain;
        }
        SSLSocket tls = (SSLSocket) TestCertificate.get().clientContext().getSocketFactory()
                .createSocket(plain, "localhost", nginx.port(), true);
        SSLParameters params = tls.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName("localhost")));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        tls.setSSLParameters(params);
        tls.startHandshake();
        return tls;
    }

    /** The upgrade a browser sends for {@code wss://localhost:port/chat} from a page of {@code origin}. */
    private static String upgrade(Nginx nginx, String key, String origin) {
        List<String> headers = new ArrayList<>();
        headers.add("Host: localhost:" + nginx.port());
        headers.add("Upgrade: websocket");
        headers.add("Connection: Upgrade");
        headers.add("Sec-WebSocket-Key: " + key);
        headers.add("Sec-WebSocket-Version: 13");
        headers.add("Origin: " + origin);
        return RawHttp.request("GET /chat HTTP/1.1", headers);
    }

    @ParameterizedTest(name = "{0}, TLS at nginx: {1}")
    @MethodSource("roads")
    void pageOfTheProxysOwnOriginChats(ContainerKind kind, boolean tls) throws Exception {
        Nginx nginx = proxy(kind, tls);
        Socket socket = open(nginx);
        String key = RawWebSocketClient.newKey();
        String request = upgrade(nginx, key, nginx.origin());
        InputStream in = new BufferedInputStream(socket.getInputStream());
        try (RawWebSocketClient client = RawWebSocketClient.upgrade(socket, in,
                request.getBytes(StandardCharsets.ISO_8859_1), request, key, 0)) {
            readUntil(client, "\"type\":\"welcome\"");
            client.send(Frame.text("{\"type\":\"join\",\"name\":\"Ada\"}"));
            client.send(Frame.text("{\"type\":\"say\",\"text\":\"through nginx " + kind + " " + tls + "\"}"));
            readUntil(client, "through nginx " + kind + " " + tls);
            client.send(Frame.close(1000, "bye"));
            assertEquals(1000, client.readClose(true).closeCode());
        }
        // nginx logs a proxied WebSocket once it ended: the connection went through nginx, not around it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (nginx.accessLog().stream().noneMatch(l -> l.startsWith("GET /chat HTTP/1.1") && l.contains(" 101 "))) {
            assertTrue(System.nanoTime() < deadline, "nginx logged no 101 for /chat: " + nginx.accessLog());
            Thread.sleep(50);
        }
    }

    /** Reads text frames until one contains {@code part} (the room may first replay its history). */
    private static String readUntil(RawWebSocketClient client, String part) throws IOException {
        for (int i = 0; i < 50; i++) {
            String text = client.read().text();
            if (text.contains(part)) {
                return text;
            }
        }
        throw new AssertionError("no message with " + part + "\n" + client.transcript());
    }

    @ParameterizedTest(name = "{0}, TLS at nginx: {1}")
    @MethodSource("roads")
    void anotherSitesPageIsRefusedWith403(ContainerKind kind, boolean tls) throws Exception {
        Nginx nginx = proxy(kind, tls);
        List<String> foreign = new ArrayList<>(List.of("https://evil.example", "http://evil.example",
                (tls ? "https" : "http") + "://localhost:1" /* another port of the same host */));
        if (tls) {
            foreign.add("http://localhost:" + nginx.port()); // the http:// page is not the https:// site
        }
        for (String origin : foreign) {
            try (Socket socket = open(nginx)) {
                socket.getOutputStream().write(upgrade(nginx, RawWebSocketClient.newKey(), origin)
                        .getBytes(StandardCharsets.ISO_8859_1));
                RawHttp.Response response = RawHttp.readResponse(new BufferedInputStream(socket.getInputStream()));
                assertEquals(403, response.status(), origin + " through " + nginx + ": " + response);
                assertTrue(response.bodyText().contains("Origin not allowed"), response.bodyText());
            }
        }
    }
}
