package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Jetty socket takeover, end to end: embedded Jetty 12.1 with a test servlet that does a
 * minimal RFC 6455 handshake, takes the socket over, and echoes raw bytes (no WebSocket framing),
 * driven by a raw socket client that sends no {@code Content-Length}, as browsers do. Once per
 * Servlet environment of Jetty 12.1 (the subclasses: ee10, ee11).
 */
abstract class JettyUpgradeTest {

    /** A servlet context of this test's environment, serving the servlet at every path. */
    abstract Handler contextServing(HttpServlet servlet);

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final long TIMEOUT_SECONDS = 10;

    private Server server;
    private ServerConnector connector;
    private ArrayByteBufferPool.Tracking bufferPool;
    private final ServerSide side = new ServerSide();
    private final List<Socket> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : clients) {
            s.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    // ---- the handshake ----

    @Test
    void answers101WithTheHeadersTheServletSet() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        String head = c.readHead();
        assertTrue(head.startsWith("HTTP/1.1 101 "), head);
        assertEquals("websocket", header(head, "Upgrade"));
        assertEquals("Upgrade", header(head, "Connection"));
        assertEquals(c.expectedAccept(), header(head, "Sec-WebSocket-Accept"));
        // A 101 has no body: neither a length nor chunking must be announced.
        assertEquals(null, header(head, "Content-Length"));
        assertEquals(null, header(head, "Transfer-Encoding"));
    }

    // ---- reads: the bytes Jetty's servlet upgrade loses ----

    @Test
    void deliversBytesSentInTheSameWriteAsTheHeadersFirst() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        // Eight raw bytes after the headers, as hixie-76 sends its key, none of it valid HTTP.
        byte[] early = {(byte) 0x81, 0x00, (byte) 0xFF, 0x7F, 'k', 'e', 'y', '8'};
        c.send(concat(c.upgradeRequest(), early));
        assertTrue(c.readHead().startsWith("HTTP/1.1 101 "));
        assertArrayEquals(early, c.readExactly(early.length));

        byte[] later = "and later".getBytes(StandardCharsets.US_ASCII);
        c.send(later);
        assertArrayEquals(later, c.readExactly(later.length));
    }

    @Test
    void deliversBytesSentInALaterWriteWithoutContentLength() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest()); // no Content-Length: Jetty's servlet upgrade would see EOF here
        assertTrue(c.readHead().startsWith("HTTP/1.1 101 "));
        Thread.sleep(100);
        byte[] frame = {(byte) 0x81, (byte) 0x85, 1, 2, 3, 4, 'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1};
        c.send(frame);
        assertArrayEquals(frame, c.readExactly(frame.length));
        c.send(frame);
        assertArrayEquals(frame, c.readExactly(frame.length));
        assertTrue(side.failures.isEmpty(), side.failures.toString());
    }

    @Test
    void deliversHeapBuffersAndHoldsNoReadBufferWhileIdle() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(concat(c.upgradeRequest(), "early".getBytes(StandardCharsets.US_ASCII)));
        c.readHead();
        c.readExactly(5);
        byte[] big = pattern(100_000); // more than one read buffer
        c.send(big);
        assertArrayEquals(big, c.readExactly(big.length));
        assertTrue(side.failures.isEmpty(), side.failures.toString()); // every onRead had hasArray()

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!bufferPool.getLeaks().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, bufferPool.getLeaks().size(), bufferPool.dumpLeaks());
    }

    @Test
    void peerEofReachesTheListenerAsEndOfInput() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        c.readHead();
        c.socket.shutdownOutput();
        assertEquals("eof", side.events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        // The listener closes on EOF: the client sees the socket end.
        assertEquals(-1, c.in.read());
    }

    // ---- writes and close ----

    @Test
    void largeWriteCompletesWithItsCallbackAndArrivesIntact() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        c.readHead();
        int size = 8 * 1024 * 1024 + 7;
        c.send(("big:" + size).getBytes(StandardCharsets.US_ASCII));
        byte[] got = c.readExactly(size);
        assertArrayEquals(pattern(size), got);
        assertEquals("big written", side.events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void manySmallBuffersInOneWriteArriveInOrder() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        c.readHead();
        c.send("many:5000".getBytes(StandardCharsets.US_ASCII)); // 500,000 bytes in 5,000 buffers
        assertArrayEquals(pattern(500_000), c.readExactly(500_000));
        assertEquals("many written", side.events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void closeClosesTheSocketAndFailsLaterWrites() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        c.readHead();
        c.send("close!".getBytes(StandardCharsets.US_ASCII));
        assertEquals(-1, c.in.read());
        assertEquals("write after close failed", side.events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    // ---- Jetty's timeouts and threads ----

    @Test
    void jettyIdleTimeoutDoesNotCloseTheTransport() throws Exception {
        start(300);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        c.readHead();
        Thread.sleep(1_200); // four connector idle timeouts
        byte[] ping = "still here".getBytes(StandardCharsets.US_ASCII);
        c.send(ping);
        assertArrayEquals(ping, c.readExactly(ping.length));
    }

    @Test
    void onOpenRunsOnAJettyThreadAfterServiceReturned() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        c.readHead();
        OpenInfo info = side.opened.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(info);
        assertTrue(info.serviceReturned, "onOpen ran before service() returned");
        assertTrue(info.thread.startsWith("qtp"), info.thread); // Jetty's QueuedThreadPool
        // Defined inside Jetty's class loader (the one of Jetty's request class), not the test's.
        assertEquals("JettyClassLoader", info.transportLoader().getClass().getSimpleName());
        assertEquals(info.requestLoader(), info.transportLoader().getParent());
    }

    @Test
    void takeOverRefusesAResponseThatIsNot101() throws Exception {
        start(30_000);
        Client c = connect("/no101");
        c.send(c.upgradeRequest());
        String head = c.readHead();
        assertTrue(head.startsWith("HTTP/1.1 500 "), head);
        assertTrue(side.failures.stream().anyMatch(f -> f.contains("101")), side.failures.toString());
    }

    @Test
    void isAvailableForAJettyRequest() throws Exception {
        start(30_000);
        Client c = connect("/available");
        c.send(c.upgradeRequest());
        String head = c.readHead();
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
    }

    @Test
    void serviceThrowingAfterTakeOverSendsItsErrorAndNeverOpens() throws Exception {
        start(30_000);
        Client c = connect("/throw");
        c.send(c.upgradeRequest());
        String head = c.readHead();
        assertTrue(head.startsWith("HTTP/1.1 500 "), head);
        c.readExactly(Integer.parseInt(header(head, "Content-Length")));
        assertEquals(-1, c.in.read()); // the socket was switched to us and closed, not reused
        assertEquals(null, side.opened.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    void flushBufferBeforeTakeOverIsHarmless() throws Exception {
        start(30_000);
        Client c = connect("/flush");
        c.send(concat(c.upgradeRequest(), "early".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(c.readHead().startsWith("HTTP/1.1 101 "));
        assertArrayEquals("early".getBytes(StandardCharsets.US_ASCII), c.readExactly(5));
        c.send("later".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("later".getBytes(StandardCharsets.US_ASCII), c.readExactly(5));
    }

    /** Jetty sends no body with a 101: bytes after the headers must go through the transport. */
    @Test
    void aBodyWrittenToThe101ResponseNeverReachesTheClient() throws Exception {
        start(30_000);
        Client c = connect("/body");
        c.send(concat(c.upgradeRequest(), "early".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(c.readHead().startsWith("HTTP/1.1 101 "));
        assertArrayEquals("early".getBytes(StandardCharsets.US_ASCII), c.readExactly(5)); // not "BODY"
    }

    /**
     * A Jetty fact the engine must live with: Server.stop() closes the connectors' sockets before
     * it stops the contexts, so by the time the servlet's destroy() runs, a goodbye (1001) can no
     * longer be written. The transport's listener gets onFailure, on a thread of its own.
     */
    @Test
    void serverStopClosesTheSocketBeforeTheServletIsDestroyed() throws Exception {
        start(30_000);
        Client c = connect("/echo");
        c.send(c.upgradeRequest());
        c.readHead();
        assertNotNull(side.opened.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        server.stop();
        server = null;
        assertEquals("write in destroy() failed", side.destroyWrite.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(-1, c.in.read()); // no "bye"
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (side.failures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(side.failures.get(0).startsWith("onFailure: java.nio.channels.ClosedChannelException"),
                side.failures.toString());
    }

    // ---- the test server ----

    private void start(long idleTimeoutMillis) throws Exception {
        bufferPool = new ArrayByteBufferPool.Tracking();
        server = new Server();
        connector = new ServerConnector(server, null, null, bufferPool, 1, 1, new HttpConnectionFactory());
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(idleTimeoutMillis);
        server.addConnector(connector);
        server.setHandler(contextServing(new HandshakeServlet(side)));
        server.start();
    }

    /** What the server side saw, for the test thread to check. */
    static final class ServerSide {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final BlockingQueue<OpenInfo> opened = new LinkedBlockingQueue<>();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> destroyWrite = new CompletableFuture<>();
        volatile Transport lastOpened;
    }

    record OpenInfo(String thread, boolean serviceReturned, ClassLoader transportLoader, ClassLoader requestLoader) {
    }

    /** A minimal RFC 6455 handshake, then the takeover, then a raw byte echo. */
    static final class HandshakeServlet extends HttpServlet {
        private final ServerSide side;

        HandshakeServlet(ServerSide side) {
            this.side = side;
        }

        @Override
        public void destroy() {
            Transport last = side.lastOpened;
            if (last != null) {
                last.write(new ByteBuffer[] {ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII))},
                        new Transport.WriteCallback() {
                            @Override
                            public void succeeded() {
                                side.destroyWrite.complete("write in destroy() succeeded");
                            }

                            @Override
                            public void failed(Throwable cause) {
                                side.destroyWrite.complete("write in destroy() failed");
                            }
                        });
            }
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String key = req.getHeader("Sec-WebSocket-Key");
            if (key == null || !"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
                resp.sendError(400, "not a WebSocket upgrade");
                return;
            }
            String path = req.getRequestURI();
            if (path.equals("/available")) {
                resp.setStatus(JettyUpgrade.isAvailable(req) ? 200 : 404);
                return;
            }
            if (!path.equals("/no101")) {
                resp.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            }
            resp.setHeader("Upgrade", "websocket");
            resp.setHeader("Connection", "Upgrade");
            resp.setHeader("Sec-WebSocket-Accept", accept(key));
            if (path.equals("/flush")) {
                resp.flushBuffer();
            }
            if (path.equals("/body")) {
                resp.getOutputStream().write("BODY".getBytes(StandardCharsets.US_ASCII));
            }
            AtomicBoolean serviceReturned = new AtomicBoolean();
            try {
                ClassLoader requestLoader = JettyUpgrade.containerRequest(req).getClass().getClassLoader();
                JettyUpgrade.takeOver(req, transport -> {
                    side.lastOpened = transport;
                    side.opened.add(new OpenInfo(Thread.currentThread().getName(), serviceReturned.get(),
                            transport.getClass().getClassLoader(), requestLoader));
                    transport.start(new EchoListener(transport, side));
                });
            } catch (IllegalStateException x) {
                side.failures.add(x.getMessage());
                resp.reset();
                resp.sendError(500, x.getMessage());
            }
            serviceReturned.set(true);
            if (path.equals("/throw")) {
                throw new IllegalStateException("boom after takeOver");
            }
        }
    }

    /**
     * Echoes every byte back; {@code close!} closes, {@code big:N} answers with N pattern bytes in
     * one write. Writes go out one at a time, as the transport requires.
     */
    static final class EchoListener implements Transport.TransportListener {
        private final Transport transport;
        private final ServerSide side;
        private final ArrayDeque<ByteBuffer[]> queue = new ArrayDeque<>();
        private final ArrayDeque<Runnable> onWritten = new ArrayDeque<>();
        private boolean writing;

        EchoListener(Transport transport, ServerSide side) {
            this.transport = transport;
            this.side = side;
        }

        @Override
        public void onRead(ByteBuffer data) {
            if (!data.hasArray()) {
                side.failures.add("onRead got a buffer without an array");
            }
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if (text.equals("close!")) {
                transport.close();
                CompletableFuture<Void> after = new CompletableFuture<>();
                transport.write(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, callback(after));
                after.whenComplete((v, x) -> side.events.add(x != null ? "write after close failed" : "write after close succeeded"));
            } else if (text.startsWith("many:")) {
                byte[] all = pattern(Integer.parseInt(text.substring(5)) * 100);
                ByteBuffer[] buffers = new ByteBuffer[all.length / 100];
                for (int i = 0; i < buffers.length; i++) {
                    buffers[i] = ByteBuffer.wrap(all, i * 100, 100);
                }
                send(buffers, () -> side.events.add("many written"));
            } else if (text.startsWith("big:")) {
                byte[] all = pattern(Integer.parseInt(text.substring(4)));
                int cut = all.length / 3; // two buffers, to cover more than one in a write
                send(new ByteBuffer[] {ByteBuffer.wrap(all, 0, cut), ByteBuffer.wrap(all, cut, all.length - cut)},
                        () -> side.events.add("big written"));
            } else {
                send(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, () -> { });
            }
        }

        @Override
        public void onEndOfInput() {
            side.events.add("eof");
            transport.close();
        }

        @Override
        public void onFailure(Throwable cause) {
            side.failures.add("onFailure: " + cause);
        }

        private void send(ByteBuffer[] buffers, Runnable done) {
            synchronized (this) {
                queue.add(buffers);
                onWritten.add(done);
                if (writing) {
                    return;
                }
                writing = true;
            }
            writeNext();
        }

        private void writeNext() {
            ByteBuffer[] next;
            Runnable done;
            synchronized (this) {
                next = queue.poll();
                done = onWritten.poll();
                if (next == null) {
                    writing = false;
                    return;
                }
            }
            transport.write(next, new Transport.WriteCallback() {
                @Override
                public void succeeded() {
                    done.run();
                    writeNext();
                }

                @Override
                public void failed(Throwable cause) {
                    side.failures.add("write failed: " + cause);
                }
            });
        }

        private static Transport.WriteCallback callback(CompletableFuture<Void> future) {
            return new Transport.WriteCallback() {
                @Override
                public void succeeded() {
                    future.complete(null);
                }

                @Override
                public void failed(Throwable cause) {
                    future.completeExceptionally(cause);
                }
            };
        }
    }

    // ---- the raw client ----

    private Client connect(String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", connector.getLocalPort());
        socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        clients.add(socket);
        return new Client(socket, path);
    }

    static final class Client {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        final String path;
        final String key;

        Client(Socket socket, String path) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.path = path;
            byte[] nonce = new byte[16];
            new java.util.Random().nextBytes(nonce);
            this.key = Base64.getEncoder().encodeToString(nonce);
        }

        /** An RFC 6455 opening handshake, without Content-Length as browsers send it. */
        byte[] upgradeRequest() {
            return ("GET " + path + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1:" + socket.getPort() + "\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        String expectedAccept() {
            return accept(key);
        }

        /** One write call: what is sent together here leaves in one segment on loopback. */
        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Reads the response head byte by byte, so nothing after it is consumed. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("EOF in response head: " + head.toString(StandardCharsets.ISO_8859_1));
                }
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
        }

        byte[] readExactly(int length) throws IOException {
            byte[] buffer = new byte[length];
            int read = 0;
            try {
                while (read < length) {
                    int n = in.read(buffer, read, length - read);
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
            } catch (SocketTimeoutException x) {
                // fall through: report what arrived
            }
            if (read < length) {
                throw new IOException("got " + read + " of " + length + " bytes: "
                        + new String(buffer, 0, Math.min(read, 200), StandardCharsets.ISO_8859_1));
            }
            return buffer;
        }
    }

    // ---- helpers ----

    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException x) {
            throw new AssertionError(x);
        }
    }

    /** A response header's value, or null; names compare case-insensitively. */
    static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 8));
        }
        return bytes;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
