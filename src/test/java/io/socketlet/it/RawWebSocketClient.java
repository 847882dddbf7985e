package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written from RFC 6455 on a plain {@link Socket}, for tests that must send
 * what no real client would: unmasked frames, reserved bits and opcodes, oversized control
 * frames, lengths with the top bit set, frames split into arbitrary writes.
 *
 * <p>The upgrade request carries no {@code Content-Length}, as browsers, Node's ws and curl send
 * it (the JDK's client sends {@code Content-Length: 0}, which hides Jetty 12.1's upgrade bug).
 *
 * <p>Everything sent and received is kept in a {@link #transcript()}, and every assertion
 * failure quotes it, so a failure report shows the exact bytes.
 *
 * <p>The hostile suite uses it too, where the server cutting TCP is an outcome rather than a
 * failure ({@link #readOrEnd}, {@link #readUntilClose}, {@link #tcpClosedWithin},
 * {@link #trySend}), through a proxy's port or with a small receive buffer
 * ({@link #connect(int, URI, List, int)}).
 */
public final class RawWebSocketClient implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** How long a read waits by default before the test fails. */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    /**
     * How long a server that failed the connection may take to close TCP after its close frame
     * when the client does not answer it. The engine lingers up to its closeTimeout (so that the
     * close frame is read before TCP goes), checked on a timer; the raw-frame test endpoints set
     * closeTimeout to 500 ms, so 3 s leaves ample slack on a loaded machine.
     */
    public static final Duration FAILURE_CLOSE_WAIT = Duration.ofSeconds(3);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RawHttp.Response handshake;
    private static final int MAX_TRANSCRIPT = 64 * 1024;

    private final StringBuilder transcript = new StringBuilder();
    private boolean transcriptCut;

    private RawWebSocketClient(Socket socket, InputStream in, RawHttp.Response handshake, String request) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.handshake = handshake;
        transcript.append(">> ").append(request.replace("\r\n", "\\r\\n")).append('\n');
        transcript.append("<< ").append(handshake.toString().replace("\n", "\\n")).append('\n');
    }

    /** A fresh random Sec-WebSocket-Key: 16 random bytes, base64. */
    public static String newKey() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** {@code base64(SHA-1(key + GUID))}, RFC 6455 section 4.2.2. */
    public static String acceptFor(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The standard upgrade request for {@code ws://127.0.0.1:port/path}, plus any extra header lines. */
    public static String upgradeRequest(URI uri, String key, List<String> extraHeaders) {
        List<String> headers = new ArrayList<>();
        headers.add("Host: 127.0.0.1:" + uri.getPort());
        headers.add("Upgrade: websocket");
        headers.add("Connection: Upgrade");
        headers.add("Sec-WebSocket-Key: " + key);
        headers.add("Sec-WebSocket-Version: 13");
        headers.addAll(extraHeaders);
        String target = uri.getRawPath() + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
        return RawHttp.request("GET " + target + " HTTP/1.1", headers);
    }

    /** Connects and completes the opening handshake, asserting a valid 101. */
    public static RawWebSocketClient connect(URI uri) throws IOException {
        return connect(uri, List.of());
    }

    /** Connects with extra header lines (such as {@code Sec-WebSocket-Protocol: chat}), asserting a valid 101. */
    public static RawWebSocketClient connect(URI uri, List<String> extraHeaders) throws IOException {
        String key = newKey();
        return connectWith(uri.getPort(), upgradeRequest(uri, key, extraHeaders), key, 0);
    }

    /**
     * Connects and sends the given request text verbatim ({@code chunk} > 0 splits it into
     * writes of that many bytes), then asserts a valid 101 for {@code key}.
     */
    public static RawWebSocketClient connectWith(int port, String request, String key, int chunk) throws IOException {
        return connectWith(port, request, key, chunk, 0);
    }

    /**
     * Connects to {@code port} on 127.0.0.1 (the server's, or a proxy's in front of it) and
     * upgrades to {@code uri}, asserting a valid 101.
     *
     * @param receiveBuffer SO_RCVBUF set before connecting, so the window is small from the
     *                      start (a slow consumer); 0 leaves the system's default
     */
    public static RawWebSocketClient connect(int port, URI uri, List<String> extraHeaders, int receiveBuffer) throws IOException {
        String key = newKey();
        return connectWith(port, upgradeRequest(uri, key, extraHeaders), key, 0, receiveBuffer);
    }

    private static RawWebSocketClient connectWith(int port, String request, String key, int chunk, int receiveBuffer)
            throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
            return upgrade(socket, new BufferedInputStream(socket.getInputStream()), bytes, request, key, chunk);
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends the upgrade (plus anything appended to it, such as a first frame sent before the
     * 101) on a socket already in use, such as a keep-alive connection that served a plain GET,
     * and asserts a valid 101 for {@code key}. {@code in} must be the socket's only reader.
     */
    public static RawWebSocketClient upgrade(Socket socket, InputStream in, byte[] bytes, String request, String key, int chunk)
            throws IOException {
        writeChunked(socket.getOutputStream(), bytes, chunk <= 0 ? bytes.length : chunk);
        RawHttp.Response response;
        try {
            response = RawHttp.readHead(in);
        } catch (IOException e) {
            throw new IOException("no handshake response to " + RawHttp.printable(bytes), e);
        }
        RawWebSocketClient client = new RawWebSocketClient(socket, in, response, request);
        if (response.status() != 101) {
            String body = "";
            try {
                socket.setSoTimeout(1000);
                byte[] buf = new byte[4096];
                int n = in.read(buf);
                body = n > 0 ? RawHttp.printable(java.util.Arrays.copyOf(buf, n)) : "";
            } catch (IOException ignored) {
                // the status is what matters
            }
            fail("expected 101 to " + RawHttp.printable(bytes) + "\nbut got " + response + body);
        }
        client.expect(response.headerHasToken("Upgrade", "websocket"), "101 lacks Upgrade: websocket");
        client.expect(response.headerHasToken("Connection", "Upgrade"), "101 lacks Connection: Upgrade");
        client.expect(acceptFor(key).equals(response.header("Sec-WebSocket-Accept")),
                "Sec-WebSocket-Accept should be " + acceptFor(key));
        return client;
    }

    private static void writeChunked(OutputStream out, byte[] bytes, int chunk) throws IOException {
        for (int i = 0; i < bytes.length; i += chunk) {
            out.write(bytes, i, Math.min(chunk, bytes.length - i));
            out.flush();
        }
    }

    /** Writes, and turns a failed write (the server already closed TCP) into a failure that quotes the transcript. */
    private void write(byte[] bytes, int chunk) {
        try {
            writeChunked(out, bytes, chunk <= 0 ? bytes.length : chunk);
        } catch (IOException e) {
            String next = "";
            try {
                socket.setSoTimeout(200);
                byte[] pending = new byte[Math.max(in.available(), 0)];
                int n = in.read(pending);
                next = n > 0 ? " (unread bytes from the server: " + hex(java.util.Arrays.copyOf(pending, n), 32) + ")" : "";
            } catch (IOException ignored) {
                // nothing more to show
            }
            note("!! write failed: " + e + next);
            throw new AssertionError("the server had closed TCP when the client wrote (" + e.getMessage() + ")\n" + transcript, e);
        }
    }

    /** The server's 101 response. */
    public RawHttp.Response handshake() {
        return handshake;
    }

    /** Everything sent and received so far, one line per write or frame. */
    public String transcript() {
        return transcript.toString();
    }

    /** Sends a frame in one write. */
    public RawWebSocketClient send(Frame frame) throws IOException {
        return send(frame, 0);
    }

    /** Sends a frame in writes of {@code chunk} bytes (0: one write). */
    public RawWebSocketClient send(Frame frame, int chunk) throws IOException {
        byte[] bytes = frame.bytes();
        note(">> " + frame + (chunk > 0 ? " (in writes of " + chunk + ")" : "") + " = " + hex(bytes, 24));
        write(bytes, chunk);
        return this;
    }

    /** Sends only the header of a frame (with its mask key): the payload never follows. */
    public RawWebSocketClient sendHeaderOnly(Frame frame) throws IOException {
        byte[] header = frame.header();
        note(">> header only of " + frame + " = " + hex(header, 24));
        write(header, 0);
        return this;
    }

    /** Sends raw bytes in writes of {@code chunk} bytes (0: one write). */
    public RawWebSocketClient sendRaw(byte[] bytes, int chunk) throws IOException {
        note(">> raw " + bytes.length + " bytes" + (chunk > 0 ? " in writes of " + chunk : "") + " = " + hex(bytes, 24));
        write(bytes, chunk);
        return this;
    }

    /**
     * Writes, returning false instead of failing when the server already closed or reset TCP
     * (a flood that the server may cut at any point). Not in the transcript: floods are long.
     */
    public boolean trySend(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            note("!! write failed: " + e);
            return false;
        }
    }

    /** Reads one frame, failing the test if none arrives within {@link #READ_TIMEOUT}. */
    public Frame.Received read() throws IOException {
        return read(READ_TIMEOUT);
    }

    /** Reads one frame, failing the test with the transcript if none arrives in time or TCP closes first. */
    public Frame.Received read(Duration timeout) throws IOException {
        Frame.Received frame = readOrEnd(timeout);
        if (frame == null) {
            fail("server closed TCP while a frame was expected\n" + transcript);
        }
        return frame;
    }

    /**
     * Reads one frame, or returns null if TCP ended (EOF or reset) first: for tests where the
     * server cutting the connection is an outcome, not a failure. Fails if nothing came in time.
     */
    public Frame.Received readOrEnd(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            int b0 = readByte(deadline);
            int b1 = readByte(deadline);
            boolean fin = (b0 & 0x80) != 0;
            int rsv = (b0 >>> 4) & 7;
            int opcode = b0 & 0x0f;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7f;
            if (length == 126) {
                length = ((long) readByte(deadline) << 8) | readByte(deadline);
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte(deadline);
                }
            }
            if (length < 0 || length > (64 << 20)) {
                fail("server sent a frame header with length " + length + "\n" + transcript);
            }
            byte[] key = new byte[4];
            if (masked) {
                for (int i = 0; i < 4; i++) {
                    key[i] = (byte) readByte(deadline);
                }
            }
            byte[] payload = new byte[(int) length];
            int off = 0;
            while (off < payload.length) {
                setTimeout(deadline);
                int n = in.read(payload, off, payload.length - off);
                if (n < 0) {
                    throw new EOFException("TCP closed inside a frame payload after " + off + " of " + length + " bytes");
                }
                off += n;
            }
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= key[i & 3];
                }
            }
            Frame.Received frame = new Frame.Received(fin, rsv, opcode, masked, payload);
            note("<< " + frame);
            return frame;
        } catch (SocketTimeoutException e) {
            note("<< (nothing within " + timeout.toMillis() + " ms)");
            throw new AssertionError("no frame from the server within " + timeout.toMillis() + " ms\n" + transcript, e);
        } catch (EOFException | SocketException e) {
            note("<< TCP closed: " + e);
            return null;
        }
    }

    /**
     * Reads until the server's close frame, answering pings with pongs and skipping data frames.
     * Returns the close frame, or null if TCP ended without one; fails if neither came in time.
     */
    public Frame.Received readUntilClose(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("no close frame within " + timeout.toMillis() + " ms\n" + transcript);
            }
            Frame.Received f = readOrEnd(Duration.ofNanos(left));
            if (f == null || f.opcode() == Frame.CLOSE) {
                return f;
            }
            if (f.opcode() == Frame.PING) {
                trySend(Frame.pong(f.payload()).bytes());
            }
        }
    }

    /** Reads one frame, or returns null if nothing at all arrived within the timeout. */
    public Frame.Received tryRead(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            setTimeout(deadline);
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                note("<< TCP closed (EOF)");
                throw new AssertionError("server closed TCP while a frame was expected\n" + transcript);
            }
            in.reset();
        } catch (SocketTimeoutException e) {
            note("<< (nothing within " + timeout.toMillis() + " ms)");
            return null;
        }
        return read(READ_TIMEOUT);
    }

    /** Reads one frame and asserts it is an unmasked, unfragmented text frame with this text. */
    public void expectText(String expected) throws IOException {
        Frame.Received frame = read();
        expect(frame.opcode() == Frame.TEXT && frame.fin() && frame.rsv() == 0 && !frame.masked(),
                "expected a TEXT frame, got " + frame);
        assertEquals(expected, frame.text(), () -> "echoed text differs\n" + transcript);
    }

    /** Reads one frame and asserts it is a binary frame with these bytes. */
    public void expectBinary(byte[] expected) throws IOException {
        Frame.Received frame = read();
        expect(frame.opcode() == Frame.BINARY && frame.fin() && frame.rsv() == 0 && !frame.masked(),
                "expected a BINARY frame, got " + frame);
        expect(java.util.Arrays.equals(expected, frame.payload()), "echoed bytes differ");
    }

    /** Reads one frame and asserts it is a pong with this payload. */
    public void expectPong(byte[] payload) throws IOException {
        Frame.Received frame = read();
        expect(frame.opcode() == Frame.PONG && frame.fin() && !frame.masked(), "expected a PONG frame, got " + frame);
        expect(java.util.Arrays.equals(payload, frame.payload()), "pong payload differs from the ping's");
    }

    /**
     * Reads frames until a close frame (data frames before it fail the test unless
     * {@code skipData}) and returns it.
     */
    public Frame.Received readClose(boolean skipData) throws IOException {
        while (true) {
            Frame.Received frame = read();
            if (frame.opcode() == Frame.CLOSE) {
                expect(frame.fin() && !frame.masked() && frame.rsv() == 0, "malformed close frame from the server");
                return frame;
            }
            if (!skipData) {
                fail("expected a CLOSE frame, got " + frame + "\n" + transcript);
            }
        }
    }

    /**
     * Asserts the server fails the connection (RFC 6455 section 7.1.7): its next frame is a close
     * with this code and a reason, and once we answer with a close frame, as every real client
     * does, it closes TCP. {@link #expectFailureUnanswered} checks a server that must drop TCP
     * on its own.
     */
    public void expectFailure(int code) throws IOException {
        Frame.Received close = readClose(false);
        assertEquals(code, close.closeCode(), () -> "wrong close code from the server\n" + transcript);
        expectReasonGiven(close);
        answerCloseAndExpectTcpClosed(close);
    }

    /**
     * Like {@link #expectFailure(int)}, but we never answer: the server must close TCP by
     * itself (_Fail the WebSocket Connection_ ends in _Close the WebSocket Connection_), at the
     * latest when its closeTimeout has passed.
     */
    public void expectFailureUnanswered(int code) throws IOException {
        Frame.Received close = readClose(false);
        assertEquals(code, close.closeCode(), () -> "wrong close code from the server\n" + transcript);
        expectReasonGiven(close);
        expectTcpClosed(FAILURE_CLOSE_WAIT);
    }

    /** Echoes the server's close code back, as a client completing the closing handshake would, then expects TCP to end. */
    private void answerCloseAndExpectTcpClosed(Frame.Received close) throws IOException {
        byte[] answer = close.payload().length >= 2 ? java.util.Arrays.copyOf(close.payload(), 2) : new byte[0];
        try {
            note(">> " + Frame.closeRaw(answer) + " (answering the server's close)");
            writeChunked(out, Frame.closeRaw(answer).bytes(), Integer.MAX_VALUE);
        } catch (IOException alreadyClosed) {
            note("   (write failed, the server had already closed TCP: " + alreadyClosed.getMessage() + ")");
        }
        expectTcpClosed(FAILURE_CLOSE_WAIT);
    }

    /**
     * The design's promise: every refusal says why. A close reason is at most 123 bytes of
     * valid UTF-8 (RFC 6455 section 5.5: control payloads are at most 125 bytes).
     */
    private void expectReasonGiven(Frame.Received close) {
        byte[] p = close.payload();
        expect(p.length > 2, "the server's close " + close.closeCode() + " should carry a reason text");
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(p, 2, p.length - 2));
        } catch (java.nio.charset.CharacterCodingException e) {
            fail("the server's close reason is not UTF-8\n" + transcript);
        }
    }

    /** Like {@link #expectFailure(int)}, accepting any of the codes. */
    public int expectFailureOneOf(int... codes) throws IOException {
        Frame.Received close = readClose(false);
        int actual = close.closeCode();
        for (int code : codes) {
            if (code == actual) {
                expectReasonGiven(close);
                answerCloseAndExpectTcpClosed(close);
                return actual;
            }
        }
        fail("close code " + actual + " is none of " + java.util.Arrays.toString(codes) + "\n" + transcript);
        return actual;
    }

    /** Asserts the server closes TCP (EOF or reset) within the timeout, sending nothing more. */
    public void expectTcpClosed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            setTimeout(deadline);
            int b = in.read();
            if (b >= 0) {
                byte[] more = new byte[Math.min(in.available(), 64)];
                int n = in.read(more);
                note("<< unexpected bytes after the close frame: " + String.format("%02X ", b)
                        + hex(java.util.Arrays.copyOf(more, Math.max(n, 0)), 64));
                fail("server sent more bytes after its close frame instead of closing TCP\n" + transcript);
            }
            note("<< TCP closed (EOF)");
        } catch (SocketTimeoutException e) {
            note("<< TCP still open after " + timeout.toMillis() + " ms");
            fail("server did not close TCP within " + timeout.toMillis() + " ms after its close frame\n" + transcript);
        } catch (SocketException e) {
            note("<< TCP reset: " + e.getMessage());
        }
    }

    /** Whether the server closed TCP within the timeout (without failing the test), discarding whatever it sends meanwhile. */
    public boolean tcpClosedWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[8192];
        try {
            while (true) {
                setTimeout(deadline);
                if (in.read(sink) < 0) {
                    note("<< TCP closed (EOF)");
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            note("<< TCP still open after " + timeout.toMillis() + " ms");
            return false;
        } catch (SocketException e) {
            note("<< TCP reset: " + e.getMessage());
            return true;
        }
    }

    /** Asserts nothing arrives for this long (and TCP stays open). */
    public void expectSilence(Duration duration) throws IOException {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            setTimeout(deadline);
            int b = in.read();
            if (b < 0) {
                fail("server closed TCP where it should have stayed quiet\n" + transcript);
            }
            fail(String.format("server sent a byte 0x%02X where it should have stayed quiet%n", b) + transcript);
        } catch (SocketTimeoutException expected) {
            // quiet, as wanted
        }
    }

    /** Closes our socket with a FIN, abruptly (no close frame). */
    public void dropConnection() throws IOException {
        note(">> (TCP FIN without a close frame)");
        socket.close();
    }

    /** Sends our FIN but keeps reading: a half-closed connection. */
    public void halfClose() throws IOException {
        note(">> (TCP FIN, still reading)");
        socket.shutdownOutput();
    }

    /** Resets our socket (SO_LINGER 0: RST instead of FIN). */
    public void resetConnection() throws IOException {
        note(">> (TCP RST)");
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private int readByte(long deadline) throws IOException {
        setTimeout(deadline);
        int b = in.read();
        if (b < 0) {
            throw new EOFException("EOF");
        }
        return b;
    }

    private void setTimeout(long deadlineNanos) throws SocketException, SocketTimeoutException {
        long ms = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) ms);
    }

    private void expect(boolean condition, String message) {
        if (!condition) {
            fail(message + "\n" + transcript);
        }
    }

    /** Adds a line to the transcript, up to a bound (a flood must not fill the heap with it). */
    private void note(String line) {
        if (transcript.length() < MAX_TRANSCRIPT) {
            transcript.append(line).append('\n');
        } else if (!transcriptCut) {
            transcriptCut = true;
            transcript.append("... (transcript cut at ").append(MAX_TRANSCRIPT).append(" characters)\n");
        }
    }

    static String hex(byte[] bytes, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            sb.append(String.format("%02X", bytes[i] & 0xff));
            if (i + 1 < Math.min(bytes.length, max)) {
                sb.append(' ');
            }
        }
        if (bytes.length > max) {
            sb.append(" ... (").append(bytes.length).append(" bytes)");
        }
        return sb.toString();
    }
}
