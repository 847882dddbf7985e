package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The demo echo endpoint ({@code io.socketlet.demo.EchoServlet}, maxMessageSize 16 MiB) under
 * the context path {@code /socketlet}, driven by the JDK's {@link java.net.http.WebSocket}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JdkClientEchoIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("echo", TestEndpoints.DEMO_ECHO, "/echo", Map.of()));

    /** Sizes around every length-encoding boundary of RFC 6455, up to the demo's 16 MiB limit. */
    static Stream<Arguments> sizes() {
        int[] sizes = {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20};
        return ContainerKind.selected().flatMap(kind -> java.util.Arrays.stream(sizes).mapToObj(n -> Arguments.of(kind, n)));
    }

    private static URI echo(ContainerKind kind) {
        return SERVERS.get(kind).ws("/echo");
    }

    static String asciiText(int length, long seed) {
        Random random = new Random(seed);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (0x20 + random.nextInt(0x5f));
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest(name = "[{0}] {1} bytes")
    @MethodSource("sizes")
    void echoesTextOfEverySize(ContainerKind kind, int size) throws Exception {
        String text = asciiText(size, size);
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            client.sendText(text, true);
            String echoed = client.nextText(WAIT);
            assertEquals(text.length(), echoed.length(), "echoed text length");
            assertTrue(text.equals(echoed), "echoed text differs from what was sent");
        }
    }

    @ParameterizedTest(name = "[{0}] {1} bytes")
    @MethodSource("sizes")
    void echoesBinaryOfEverySize(ContainerKind kind, int size) throws Exception {
        byte[] data = randomBytes(size, size);
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            client.sendBinary(data, true);
            byte[] echoed = client.nextBinary(WAIT);
            assertEquals(data.length, echoed.length, "echoed binary length");
            assertArrayEquals(data, echoed, "echoed bytes differ from what was sent");
        }
    }

    @BothContainers
    void echoesMultiByteUtf8Text(ContainerKind kind) throws Exception {
        // 1, 2, 3 and 4-byte sequences (the last a surrogate pair in Java), over 64 KiB in all.
        String text = "a\u00e9\u20ac\ud83d\ude00 κόσμε ".repeat(5000);
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            client.sendText(text, true);
            assertEquals(text, client.nextText(WAIT));
        }
    }

    @BothContainers
    void reassemblesFragmentedText(ContainerKind kind) throws Exception {
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            client.sendText("Hel", false);
            client.sendText("", false);
            client.sendText("lo, ", false);
            client.sendText("wörld \ud83d\ude00", true);
            assertEquals("Hello, wörld \ud83d\ude00", client.nextText(WAIT));
        }
    }

    @BothContainers
    void reassemblesFragmentedBinary(ContainerKind kind) throws Exception {
        byte[] a = randomBytes(70_000, 1);
        byte[] b = randomBytes(3, 2);
        byte[] c = randomBytes(200, 3);
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            client.sendBinary(a, false);
            client.sendBinary(b, false);
            client.sendBinary(c, true);
            byte[] expected = new byte[a.length + b.length + c.length];
            System.arraycopy(a, 0, expected, 0, a.length);
            System.arraycopy(b, 0, expected, a.length, b.length);
            System.arraycopy(c, 0, expected, a.length + b.length, c.length);
            assertArrayEquals(expected, client.nextBinary(WAIT));
        }
    }

    @BothContainers
    void reassemblesA16MiBMessageSentInFragments(ContainerKind kind) throws Exception {
        byte[] data = randomBytes(16 << 20, 16);
        int piece = 512 << 10; // under the default 1 MiB frame limit
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            for (int off = 0; off < data.length; off += piece) {
                client.sendBinary(java.util.Arrays.copyOfRange(data, off, off + piece), off + piece >= data.length);
            }
            assertArrayEquals(data, client.nextBinary(WAIT));
        }
    }

    @BothContainers
    void echoesManyMessagesInOrder(ContainerKind kind) throws Exception {
        int count = 2000;
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            for (int i = 0; i < count; i++) {
                if (i % 10 == 9) {
                    client.sendBinary(new byte[] {(byte) i, (byte) (i >> 8)}, true);
                } else {
                    client.sendText("message " + i, true);
                }
            }
            for (int i = 0; i < count; i++) {
                if (i % 10 == 9) {
                    assertArrayEquals(new byte[] {(byte) i, (byte) (i >> 8)}, client.nextBinary(WAIT), "binary message " + i);
                } else {
                    assertEquals("message " + i, client.nextText(WAIT));
                }
            }
        }
    }

    @BothContainers
    void answersAPlainGetUnderTheContextPath(ContainerKind kind) throws Exception {
        java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(SERVERS.get(kind).http("/echo")).timeout(WAIT).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), page.headers().toString());
        assertEquals("WebSocket server works!", page.body().strip());
    }

    @BothContainers
    void closesCleanlyWithTheClientsCode(ContainerKind kind) throws Exception {
        try (JdkClient client = JdkClient.connect(echo(kind))) {
            client.sendText("before close", true);
            assertEquals("before close", client.nextText(WAIT));
            client.socket().sendClose(4000, "done").get(5, TimeUnit.SECONDS);
            JdkClient.Close close = client.closed().get(5, TimeUnit.SECONDS);
            assertEquals(4000, close.code(), "server should echo the client's close code");
        }
    }
}
