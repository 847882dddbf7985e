package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
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
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A hixie-76 (and -75) client written from draft-hixie-thewebsocketprotocol-76 section 4.1
 * ("Opening handshake", client side) and section 4.2 ("Data framing"), not from the server's
 * code: random keys made as the draft makes them, the expected MD5 answer computed here, the
 * server's 101 checked the way the draft's client checks it. Every byte sent and received is
 * kept in a transcript that assertion failures quote.
 */
final class HixieDraftClient implements AutoCloseable {

    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /** A frame read from the server. */
    record Received(int type, String text, boolean close) {
        @Override
        public String toString() {
            return close ? "CLOSE(FF 00)" : type == 0x00 ? "TEXT(" + text + ")" : String.format("FRAME(type 0x%02X)", type);
        }
    }

    /** The client's half of the -76 keys: what it sends and what it expects back. */
    record Keys(String key1, String key2, long number1, long number2, byte[] key3, byte[] expected) {

        /** The same keys with other 8 bytes (and the answer they call for). */
        Keys withKey3(byte[] other) {
            return new Keys(key1, key2, number1, number2, other.clone(), HixieDraftClient.expected(number1, number2, other));
        }
    }

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    private final StringBuilder transcript = new StringBuilder();
    RawHttp.Response response;

    HixieDraftClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    // ---------------------------------------------------------------- the opening handshake, as the draft's client does it

    /**
     * Section 4.1 steps 16-22: "Let /spaces_n/ be a random integer from 1 to 12 inclusive. Let
     * /max_n/ be the largest integer not greater than 4,294,967,295 divided by /spaces_n/. Let
     * /number_n/ be a random integer from 0 to /max_n/ inclusive. Let /product_n/ be the result
     * of multiplying /number_n/ and /spaces_n/ together. Let /key_n/ be a string consisting of
     * /product_n/, expressed in base ten ... Insert between one and twelve random characters from
     * the ranges U+0021 to U+002F and U+003A to U+007E into /key_n/ at random positions. Insert
     * /spaces_n/ U+0020 SPACE characters into /key_n/ at random positions other than the start or
     * end of the string." Then "Let /key3/ be a string consisting of eight random bytes", and
     * /expected/ is the MD5 of number_1 and number_2 as big-endian 32-bit integers, then key3.
     */
    static Keys keys(Random random) {
        long[] numbers = new long[2];
        String[] keys = new String[2];
        for (int k = 0; k < 2; k++) {
            int spaces = 1 + random.nextInt(12);
            long max = 4_294_967_295L / spaces;
            long number = Math.floorMod(random.nextLong(), max + 1);
            StringBuilder key = new StringBuilder(Long.toString(number * spaces));
            for (int i = 1 + random.nextInt(12); i > 0; i--) {
                int c = random.nextInt(15 + 69); // U+0021-U+002F (15) and U+003A-U+007E (69)
                char ch = (char) (c < 15 ? 0x21 + c : 0x3A + c - 15);
                key.insert(random.nextInt(key.length() + 1), ch);
            }
            for (int i = 0; i < spaces; i++) {
                key.insert(1 + random.nextInt(key.length() - 1), ' ');
            }
            numbers[k] = number;
            keys[k] = key.toString();
        }
        byte[] key3 = new byte[8];
        random.nextBytes(key3);
        return new Keys(keys[0], keys[1], numbers[0], numbers[1], key3, expected(numbers[0], numbers[1], key3));
    }

    static byte[] expected(long number1, long number2, byte[] key3) {
        ByteBuffer challenge = ByteBuffer.allocate(16);
        challenge.putInt((int) number1).putInt((int) number2).put(key3);
        try {
            return MessageDigest.getInstance("MD5").digest(challenge.array());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The -76 request head: "GET", the resource name, "HTTP/1.1", then Upgrade and Connection,
     * then the other fields (the draft shuffles them; this keeps one fixed order), then the blank
     * line. The 8 key bytes are not part of it.
     */
    static String request76(String resource, String host, String origin, String protocol, Keys keys) {
        List<String> fields = new ArrayList<>();
        fields.add("Upgrade: WebSocket");
        fields.add("Connection: Upgrade");
        fields.add("Sec-WebSocket-Key2: " + keys.key2());
        fields.add("Host: " + host);
        fields.add("Sec-WebSocket-Key1: " + keys.key1());
        if (protocol != null) {
            fields.add("Sec-WebSocket-Protocol: " + protocol);
        }
        fields.add("Origin: " + origin);
        return RawHttp.request("GET " + resource + " HTTP/1.1", fields);
    }

    /** The -75 request head: no keys, {@code WebSocket-Protocol} without the Sec- prefix. */
    static String request75(String resource, String host, String origin, String protocol) {
        List<String> fields = new ArrayList<>();
        fields.add("Upgrade: WebSocket");
        fields.add("Connection: Upgrade");
        fields.add("Host: " + host);
        fields.add("Origin: " + origin);
        if (protocol != null) {
            fields.add("WebSocket-Protocol: " + protocol);
        }
        return RawHttp.request("GET " + resource + " HTTP/1.1", fields);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    /**
     * Reads the server's handshake as the -76 client does (section 4.1 steps 28-44): a status
     * line with code 101; exactly one each of {@code Upgrade} (exactly "WebSocket"),
     * {@code Connection} ("upgrade" ignoring case), {@code Sec-WebSocket-Origin} (the origin
     * sent) and {@code Sec-WebSocket-Location} (the URL asked for); {@code Sec-WebSocket-Protocol}
     * equal to the protocol if one was sent and is answered; then 16 bytes that must equal
     * /expected/.
     */
    RawHttp.Response readHandshake76(String origin, String location, Keys keys) throws IOException {
        readHead();
        expectField("Upgrade", "WebSocket", true);
        expectField("Connection", "upgrade", false);
        expectField("Sec-WebSocket-Origin", origin, true);
        expectField("Sec-WebSocket-Location", location, true);
        byte[] reply = readBytes(16, "the challenge answer");
        assertArrayEquals(keys.expected(), reply, () -> "the 16 bytes after the 101 headers are not the MD5 answer for key1="
                + keys.key1() + " key2=" + keys.key2() + " key3=" + HEX.formatHex(keys.key3()) + "\n" + transcript());
        return response;
    }

    /** Reads a -75 server handshake: 101, {@code WebSocket-Origin} and {@code WebSocket-Location}, no challenge. */
    RawHttp.Response readHandshake75(String origin, String location) throws IOException {
        readHead();
        expectField("Upgrade", "WebSocket", true);
        expectField("Connection", "upgrade", false);
        expectField("WebSocket-Origin", origin, true);
        expectField("WebSocket-Location", location, true);
        return response;
    }

    private void readHead() throws IOException {
        try {
            response = RawHttp.readHead(in);
        } catch (IOException e) {
            throw new AssertionError("no handshake response (" + e.getMessage() + ")\n" + transcript(), e);
        }
        note("<< " + response.toString().replace("\n", "\\n"));
        String line = response.statusLine() + "\r\n";
        // "If /field/ is not at least seven bytes long, or ... does not contain at least two 0x20 SPACE bytes"
        if (line.length() < 7 || line.chars().filter(c -> c == ' ').count() < 2) {
            fail("status line the draft's client rejects: '" + response.statusLine() + "'\n" + transcript());
        }
        assertEquals(101, response.status(), () -> "expected 101\n" + transcript());
    }

    private void expectField(String name, String value, boolean exact) {
        List<String> values = response.headers(name);
        assertEquals(1, values.size(), () -> "exactly one " + name + " field, got " + values + "\n" + transcript());
        String got = values.get(0);
        boolean ok = exact ? got.equals(value) : got.toLowerCase(Locale.ROOT).equals(value);
        if (!ok) {
            fail(name + " should be " + (exact ? "exactly " : "") + "'" + value + "', got '" + got + "'\n" + transcript());
        }
    }

    // ---------------------------------------------------------------- framing

    void write(byte[] bytes) throws IOException {
        note(">> " + describe(bytes));
        out.write(bytes);
        out.flush();
    }

    /** Writes each byte in its own write (TCP_NODELAY is on, so in its own segment, mostly). */
    void writeEachByte(byte[] bytes) throws IOException {
        note(">> one byte per write: " + describe(bytes));
        for (byte b : bytes) {
            out.write(b);
            out.flush();
        }
    }

    /** "0x00 byte, the UTF-8 text, 0xFF byte" (section 4.2). */
    static byte[] textFrame(String text) {
        return textFrame(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] textFrame(byte[] utf8) {
        return concat(new byte[] {0x00}, utf8, new byte[] {(byte) 0xFF});
    }

    static final byte[] CLOSE = {(byte) 0xFF, 0x00};

    void sendText(String text) throws IOException {
        write(textFrame(text));
    }

    void sendClose() throws IOException {
        write(CLOSE);
    }

    /**
     * Section 4.2, reading: a frame type byte; high bit clear: bytes up to 0xFF (text if the type
     * is 0x00); high bit set: a length, 7 bits per byte, then that many bytes, and "If the
     * /frame type/ is 0xFF and the /length/ was 0", the closing handshake.
     */
    Received readFrame() throws IOException {
        try {
            int type = readByte();
            if ((type & 0x80) == 0) {
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                int b;
                while ((b = readByte()) != 0xFF) {
                    data.write(b);
                }
                String text = type == 0x00 ? new String(data.toByteArray(), StandardCharsets.UTF_8) : null;
                Received r = new Received(type, text, false);
                note("<< " + r + (type == 0x00 ? "" : " " + HEX.formatHex(data.toByteArray())));
                return r;
            }
            long length = 0;
            int b;
            do {
                b = readByte();
                length = length * 128 + (b & 0x7F);
            } while ((b & 0x80) != 0);
            boolean close = type == 0xFF && length == 0;
            if (length > 1 << 20) {
                fail("server sent a length-prefixed frame of " + length + " bytes\n" + transcript());
            }
            byte[] skipped = readBytes((int) length, "a length-prefixed frame");
            Received r = new Received(type, null, close);
            note("<< " + r + (close ? "" : " " + HEX.formatHex(skipped)));
            return r;
        } catch (SocketTimeoutException e) {
            note("<< (nothing within " + socket.getSoTimeout() + " ms)");
            throw new AssertionError("no frame from the server in time\n" + transcript(), e);
        } catch (EOFException | SocketException e) {
            note("<< TCP closed: " + e.getMessage());
            throw new AssertionError("server closed TCP where a frame was expected\n" + transcript(), e);
        }
    }

    /** Reads one frame and asserts it is a text frame with this text. */
    void expectText(String expected) throws IOException {
        Received r = readFrame();
        if (r.type() != 0x00) {
            fail("expected TEXT(" + expected + "), got " + r + "\n" + transcript());
        }
        assertEquals(expected, r.text(), () -> "text from the server\n" + transcript());
    }

    /** Reads one frame and asserts it is the closing frame {@code 0xFF 0x00}. */
    void expectClose() throws IOException {
        Received r = readFrame();
        if (!r.close()) {
            fail("expected the closing frame FF 00, got " + r + "\n" + transcript());
        }
    }

    /** Asserts the server closes TCP (EOF or reset) within the timeout, sending nothing more. */
    void expectTcpClosed(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            int b = in.read();
            if (b >= 0) {
                byte[] more = new byte[Math.min(in.available(), 32)];
                int n = in.read(more);
                note(String.format("<< unexpected %02X ", b) + HEX.formatHex(more, 0, Math.max(n, 0)));
                fail("server sent more bytes where it should have closed TCP\n" + transcript());
            }
            note("<< TCP closed (EOF)");
        } catch (SocketTimeoutException e) {
            note("<< TCP still open after " + timeout.toMillis() + " ms");
            fail("server did not close TCP within " + timeout.toMillis() + " ms\n" + transcript());
        } catch (SocketException e) {
            note("<< TCP reset: " + e.getMessage());
        } finally {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
    }

    /** Asserts nothing arrives for this long and TCP stays open. */
    void expectSilence(Duration duration) throws IOException {
        socket.setSoTimeout((int) duration.toMillis());
        try {
            int b = in.read();
            fail((b < 0 ? "server closed TCP" : String.format("server sent 0x%02X", b))
                    + " where it should have stayed quiet\n" + transcript());
        } catch (SocketTimeoutException expected) {
            // quiet
        } finally {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("EOF");
        }
        return b;
    }

    byte[] readBytes(int n, String what) throws IOException {
        byte[] b;
        try {
            b = in.readNBytes(n);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("timed out reading " + what + "\n" + transcript(), e);
        }
        if (b.length != n) {
            fail("TCP closed after " + b.length + " of the " + n + " bytes of " + what + ": " + HEX.formatHex(b) + "\n" + transcript());
        }
        note("<< " + what + ": " + HEX.formatHex(b));
        return b;
    }

    void note(String line) {
        synchronized (transcript) {
            transcript.append(line).append('\n');
        }
    }

    String transcript() {
        synchronized (transcript) {
            return "transcript:\n" + transcript;
        }
    }

    private static String describe(byte[] bytes) {
        String printable = RawHttp.printable(bytes.length > 400 ? java.util.Arrays.copyOf(bytes, 400) : bytes);
        return bytes.length + " bytes: " + printable + (bytes.length > 400 ? "..." : "");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
