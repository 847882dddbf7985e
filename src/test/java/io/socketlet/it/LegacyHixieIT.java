package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The legacy roads, draft-hixie-76 and -75 (the node.js server this project grew from): the
 * MD5 challenge, {@code 0x00 text 0xFF} messages and the {@code 0xFF 0x00} close, on an endpoint
 * that enables them with the {@code protocols} init-param; refused where they are not enabled.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class LegacyHixieIT {

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("legacy", TestEndpoints.Echo.class, "/legacy",
                    Map.of("protocols", "13, hixie-76, hixie-75", "pingInterval", "0", "handshakeTimeout", "1s"))
            .servlet("inspect", TestEndpoints.Inspect.class, "/inspect",
                    Map.of("protocols", "hixie-76", "pingInterval", "0"))
            .servlet("modern", TestEndpoints.Echo.class, "/modern", Map.of("pingInterval", "0")));

    /** draft-hixie-76 section 1.3's own example. */
    private static final String KEY1 = "4 @1  46546xW%0l 1 5";
    private static final String KEY2 = "12998 5 Y3 1  .P00";
    private static final byte[] KEY3 = "^n:ds[4U".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] ANSWER = "8jKS'y:G*Co,Wxa-".getBytes(StandardCharsets.ISO_8859_1);

    /** A socket speaking a hixie draft. */
    static final class HixieClient implements AutoCloseable {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        RawHttp.Response response;

        HixieClient(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void sendText(String text) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(0x00);
            b.write(text.getBytes(StandardCharsets.UTF_8));
            b.write(0xFF);
            write(b.toByteArray());
        }

        String readText() throws IOException {
            int first = in.read();
            if (first != 0x00) {
                fail(String.format("expected a 0x00 text frame start, got 0x%02X", first));
            }
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != 0xFF) {
                if (c < 0) {
                    throw new EOFException("TCP closed inside a text frame");
                }
                b.write(c);
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        byte[] readBytes(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new EOFException("got " + b.length + " of " + n + " bytes: " + RawHttp.printable(b));
            }
            return b;
        }

        boolean closedWithin(Duration timeout) throws IOException {
            socket.setSoTimeout((int) timeout.toMillis());
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String hixie76Request(int port, String path, String key1, String key2) {
        return RawHttp.request("GET " + path + " HTTP/1.1", List.of(
                "Host: 127.0.0.1:" + port,
                "Connection: Upgrade",
                "Sec-WebSocket-Key2: " + key2,
                "Upgrade: WebSocket",
                "Sec-WebSocket-Key1: " + key1,
                "Origin: http://127.0.0.1:" + port));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Makes a random key for {@code number}: its digits, {@code spaces} spaces and some noise. */
    static String makeKey(long number, int spaces, Random random) {
        StringBuilder key = new StringBuilder(Long.toString(number * spaces));
        String noise = "!\"#$%&'()*+,-./:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
        for (int i = 0; i < 1 + random.nextInt(12); i++) {
            key.insert(random.nextInt(key.length() + 1), noise.charAt(random.nextInt(noise.length())));
        }
        for (int i = 0; i < spaces; i++) {
            key.insert(1 + random.nextInt(key.length() - 1), ' ');
        }
        return key.toString();
    }

    static byte[] challenge(long n1, long n2, byte[] key3) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putInt((int) n1).putInt((int) n2).put(key3);
        return MessageDigest.getInstance("MD5").digest(b.array());
    }

    @BothContainers
    void answersTheDraftsOwnExampleChallenge(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (HixieClient c = new HixieClient(server.port())) {
            byte[] request = hixie76Request(server.port(), server.path("/legacy"), KEY1, KEY2).getBytes(StandardCharsets.ISO_8859_1);
            c.write(concat(request, KEY3)); // the 8 key bytes follow the headers at once, as browsers sent them
            c.response = RawHttp.readHead(c.in);
            assertEquals(101, c.response.status(), c.response.toString());
            assertTrue(c.response.headerHasToken("Upgrade", "WebSocket"), c.response.toString());
            assertTrue(c.response.headerHasToken("Connection", "Upgrade"), c.response.toString());
            assertEquals("http://127.0.0.1:" + server.port(), c.response.header("Sec-WebSocket-Origin"), c.response.toString());
            assertEquals("ws://127.0.0.1:" + server.port() + server.path("/legacy"), c.response.header("Sec-WebSocket-Location"),
                    c.response.toString());
            assertArrayEquals(ANSWER, c.readBytes(16), "the MD5 answer after the 101 headers");
            c.sendText("hello");
            assertEquals("hello", c.readText());
            c.sendText("κόσμε \ud83d\ude00");
            assertEquals("κόσμε \ud83d\ude00", c.readText());
            c.write(new byte[] {(byte) 0xFF, 0x00});
            assertArrayEquals(new byte[] {(byte) 0xFF, 0x00}, c.readBytes(2), "the close is answered with 0xFF 0x00");
            assertTrue(c.closedWithin(Duration.ofSeconds(3)), "TCP ends after the close");
        }
    }

    @BothContainers
    void waitsForKeyBytesThatArriveLater(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        Random random = new Random(76);
        long n1 = 0x1234_5678L;
        long n2 = 77_777L;
        String key1 = makeKey(n1, 3, random);
        String key2 = makeKey(n2, 7, random);
        byte[] key3 = new byte[8];
        random.nextBytes(key3);
        try (HixieClient c = new HixieClient(server.port())) {
            c.write(hixie76Request(server.port(), server.path("/legacy"), key1, key2).getBytes(StandardCharsets.ISO_8859_1));
            Thread.sleep(200);
            for (byte b : key3) { // one byte per write
                c.write(new byte[] {b});
            }
            c.response = RawHttp.readHead(c.in);
            assertEquals(101, c.response.status(), c.response.toString());
            assertArrayEquals(challenge(n1, n2, key3), c.readBytes(16), "MD5 answer for key1=" + key1 + " key2=" + key2);
            byte[] message = concat(new byte[] {0x00}, concat("split".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xFF}));
            for (byte b : message) {
                c.write(new byte[] {b});
            }
            assertEquals("split", c.readText());
        }
    }

    @BothContainers
    void dropsAHixie76ClientThatNeverSendsItsKeyBytes(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (HixieClient c = new HixieClient(server.port())) {
            c.write(hixie76Request(server.port(), server.path("/legacy"), KEY1, KEY2).getBytes(StandardCharsets.ISO_8859_1));
            // handshakeTimeout is 1s: the connection must end, whatever was sent before.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            c.socket.setSoTimeout(5000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            long start = System.nanoTime();
            try {
                int b;
                while ((b = c.in.read()) >= 0) {
                    got.write(b);
                    if (System.nanoTime() > deadline) {
                        fail("still open 5 s after a handshake with no key bytes");
                    }
                }
            } catch (SocketTimeoutException e) {
                fail("the server kept a hixie-76 handshake without key bytes open past its 1s handshakeTimeout; it sent: "
                        + RawHttp.printable(got.toByteArray()));
            } catch (SocketException reset) {
                // closed
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 500, "closed after " + ms + " ms, before the 1s handshakeTimeout; it sent: "
                    + RawHttp.printable(got.toByteArray()));
        }
    }

    @BothContainers
    void refusesAHixie76KeyWithoutSpaces(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        byte[] request = hixie76Request(server.port(), server.path("/legacy"), "12345", KEY2).getBytes(StandardCharsets.ISO_8859_1);
        RawHttp.Response r = RawHttp.exchange(server.port(), new String(concat(request, KEY3), StandardCharsets.ISO_8859_1),
                Duration.ofSeconds(5));
        assertEquals(400, r.status(), r.toString());
    }

    @BothContainers
    void speaksHixie75(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (HixieClient c = new HixieClient(server.port())) {
            c.write(RawHttp.request("GET " + server.path("/legacy") + " HTTP/1.1", List.of(
                    "Upgrade: WebSocket",
                    "Connection: Upgrade",
                    "Host: 127.0.0.1:" + server.port(),
                    "Origin: http://127.0.0.1:" + server.port())).getBytes(StandardCharsets.ISO_8859_1));
            c.response = RawHttp.readHead(c.in);
            assertEquals(101, c.response.status(), c.response.toString());
            assertEquals("http://127.0.0.1:" + server.port(), c.response.header("WebSocket-Origin"), c.response.toString());
            assertEquals("ws://127.0.0.1:" + server.port() + server.path("/legacy"), c.response.header("WebSocket-Location"),
                    c.response.toString());
            c.sendText("seventy-five");
            assertEquals("seventy-five", c.readText());
        }
    }

    @BothContainers
    void tellsTheApplicationWhichRoadTheClientTook(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        try (HixieClient c = new HixieClient(server.port())) {
            byte[] request = hixie76Request(server.port(), server.path("/inspect"), KEY1, KEY2).getBytes(StandardCharsets.ISO_8859_1);
            c.write(concat(request, KEY3));
            c.response = RawHttp.readHead(c.in);
            assertEquals(101, c.response.status(), c.response.toString());
            assertArrayEquals(ANSWER, c.readBytes(16));
            String report = c.readText();
            assertTrue(report.contains("version=HIXIE_76"), report);
        }
    }

    @BothContainers
    void refusesTheLegacyRoadsWhereTheyAreNotEnabled(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        byte[] request = hixie76Request(server.port(), server.path("/modern"), KEY1, KEY2).getBytes(StandardCharsets.ISO_8859_1);
        RawHttp.Response r = RawHttp.exchange(server.port(), new String(concat(request, KEY3), StandardCharsets.ISO_8859_1),
                Duration.ofSeconds(5));
        assertEquals(426, r.status(), r.toString());
        assertTrue(r.headerHasToken("Sec-WebSocket-Version", "13"), r.toString());
    }

    /** Issue 10 item 12: a key without a version was answered as hixie-75 wherever -75 was on (as on /echo). */
    @BothContainers
    void answersAKeyWithoutVersionWith426EvenWhereHixie75IsOn(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        RawHttp.Response r = RawHttp.exchange(server.port(), RawHttp.request("GET " + server.path("/legacy") + " HTTP/1.1", List.of(
                "Host: 127.0.0.1:" + server.port(),
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")), Duration.ofSeconds(5));
        assertEquals(426, r.status(), r.toString());
        assertTrue(r.headerHasToken("Sec-WebSocket-Version", "13"), r.toString());
    }
}
