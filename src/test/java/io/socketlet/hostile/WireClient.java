package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.fail;

import io.socketlet.it.Frame;
import io.socketlet.it.RawHttp;
import io.socketlet.it.RawWebSocketClient;
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
import java.time.Duration;
import java.util.List;

/**
 * A raw RFC 6455 client for the hostile suite. Unlike {@link RawWebSocketClient} it lets a test
 * set socket options before connecting (a small receive buffer for a slow consumer), connect
 * through another port (a proxy) while naming the server's path, and treat "the server cut TCP"
 * as a result rather than a failure. Frames are built with {@link Frame}; requests with
 * {@link RawWebSocketClient#upgradeRequest}.
 */
final class WireClient implements AutoCloseable {

    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final RawHttp.Response handshake;
    private final StringBuilder log = new StringBuilder();

    private WireClient(Socket socket, InputStream in, RawHttp.Response handshake) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.handshake = handshake;
        log.append("<< ").append(handshake.statusLine()).append('\n');
    }

    /** Connects to the URI's port and upgrades, asserting 101. */
    static WireClient connect(URI uri) throws IOException {
        return connect(uri.getPort(), uri, List.of(), 0);
    }

    /**
     * Connects to {@code port} on 127.0.0.1 (the server's, or a proxy's) and sends the upgrade
     * request for {@code uri}, asserting 101 and the accept key.
     *
     * @param receiveBuffer SO_RCVBUF set before connecting (0: the default)
     */
    static WireClient connect(int port, URI uri, List<String> extraHeaders, int receiveBuffer) throws IOException {
        String key = RawWebSocketClient.newKey();
        String request = RawWebSocketClient.upgradeRequest(uri, key, extraHeaders);
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 4096);
            RawHttp.Response response = RawHttp.readHead(in);
            if (response.status() != 101) {
                fail("expected 101 from " + uri + " but got " + response);
            }
            if (!RawWebSocketClient.acceptFor(key).equals(response.header("Sec-WebSocket-Accept"))) {
                fail("wrong Sec-WebSocket-Accept in " + response);
            }
            return new WireClient(socket, in, response);
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    void send(Frame frame) throws IOException {
        note(">> " + frame);
        out.write(frame.bytes());
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        note(">> raw " + bytes.length + " bytes");
        out.write(bytes);
        out.flush();
    }

    /** Writes, returning false instead of throwing when the server already closed or reset TCP. */
    boolean trySend(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return true;
        } catch (IOException e) {
            note("!! write failed: " + e);
            return false;
        }
    }

    /** One frame, or null if TCP ended (EOF or reset) first; fails the test if nothing came in time. */
    Frame.Received read(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            int b0 = readByte(deadline);
            int b1 = readByte(deadline);
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
                fail("server sent a frame header with length " + length + "\n" + log);
            }
            boolean masked = (b1 & 0x80) != 0;
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
                    throw new EOFException("EOF inside a payload");
                }
                off += n;
            }
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= key[i & 3];
                }
            }
            Frame.Received frame = new Frame.Received((b0 & 0x80) != 0, (b0 >>> 4) & 7, b0 & 0x0f, masked, payload);
            note("<< " + frame);
            return frame;
        } catch (SocketTimeoutException e) {
            note("<< (nothing within " + timeout.toMillis() + " ms)");
            throw new AssertionError("no frame within " + timeout.toMillis() + " ms\n" + log, e);
        } catch (EOFException | SocketException e) {
            note("<< TCP ended: " + e);
            return null;
        }
    }

    /**
     * Reads until the server's close frame, answering pings with pongs and skipping data frames.
     * Returns the close frame, or null if TCP ended without one.
     */
    Frame.Received readUntilClose(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no close frame within " + timeout.toMillis() + " ms\n" + log);
            }
            Frame.Received f = read(Duration.ofNanos(left));
            if (f == null || f.opcode() == Frame.CLOSE) {
                return f;
            }
            if (f.opcode() == Frame.PING) {
                trySend(Frame.pong(f.payload()).bytes());
            }
        }
    }

    /** Whether the server ended TCP within the timeout, discarding whatever it sends meanwhile. */
    boolean closedWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[8192];
        try {
            while (true) {
                setTimeout(deadline);
                if (in.read(sink) < 0) {
                    note("<< EOF");
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            note("<< reset: " + e.getMessage());
            return true;
        }
    }

    String log() {
        return log.toString();
    }

    void note(String line) {
        if (log.length() < 20_000) {
            log.append(line).append('\n');
        }
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
}
