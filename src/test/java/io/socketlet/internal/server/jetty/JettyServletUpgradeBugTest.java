package io.socketlet.internal.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pins the Jetty 12.1 bug that {@link io.socketlet.internal.server.JettyUpgrade} works around (docs/jetty-upgrade-bug.md):
 * {@code HttpServletRequest.upgrade()} on a request without {@code Content-Length} gives an
 * upgraded input that is at EOF at once, and the client's next bytes are parsed as a new HTTP
 * request.
 *
 * <p>If {@link #withoutContentLengthTheUpgradedInputIsAtEofAndTheNextBytesGet400} fails after a
 * Jetty upgrade, Jetty has fixed the bug: see "Retiring the workaround" in the doc.
 */
class JettyServletUpgradeBugTest {

    private static final String UPGRADE = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: echo\r\nConnection: Upgrade\r\n";

    /** What the upgraded input stream gave the handler: "EOF" or the bytes read. */
    static final BlockingQueue<String> READS = new LinkedBlockingQueue<>();

    private Server server;
    private ServerConnector connector;

    /** Reads the upgraded input, echoes it, reports what it saw. Blocking: it is only a probe. */
    public static final class ProbeHandler implements HttpUpgradeHandler {
        @Override
        public void init(WebConnection connection) {
            Thread probe = new Thread(() -> {
                try (InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
                    byte[] buffer = new byte[1024];
                    int n = in.read(buffer);
                    if (n < 0) {
                        READS.add("EOF");
                        return;
                    }
                    READS.add(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    out.write(buffer, 0, n);
                    out.flush();
                } catch (Exception x) {
                    READS.add("failed: " + x);
                }
            }, "upgrade-probe");
            probe.setDaemon(true);
            probe.start();
        }

        @Override
        public void destroy() {
        }
    }

    /** The plain Servlet API road: 101 and headers, then {@code request.upgrade()}. */
    public static final class UpgradeServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException, ServletException {
            resp.setStatus(HttpServletResponse.SC_SWITCHING_PROTOCOLS);
            resp.setHeader("Upgrade", "echo");
            resp.setHeader("Connection", "Upgrade");
            req.upgrade(ProbeHandler.class);
        }
    }

    @BeforeEach
    void start() throws Exception {
        READS.clear();
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(UpgradeServlet.class, "/*");
        server.setHandler(context);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void withoutContentLengthTheUpgradedInputIsAtEofAndTheNextBytesGet400() throws Exception {
        String got = exchange(UPGRADE + "\r\n", "hello\n");
        assertEquals("EOF", READS.poll(5, TimeUnit.SECONDS),
                "Jetty " + Server.getVersion() + " no longer loses upgraded input: see docs/jetty-upgrade-bug.md");
        assertTrue(got.startsWith("HTTP/1.1 101 "), got);
        assertTrue(got.contains("HTTP/1.1 400 "), "the bytes after the 101 were not parsed as a request:\n" + got);
    }

    @Test
    void withContentLengthZeroTheUpgradedInputGetsTheBytes() throws Exception {
        String got = exchange(UPGRADE + "Content-Length: 0\r\n\r\n", "hello\n");
        assertEquals("hello\n", READS.poll(5, TimeUnit.SECONDS));
        assertTrue(got.endsWith("\r\n\r\nhello\n"), got);
    }

    @Test
    void bytesInTheSamePacketAsTheHeadersGetThrough() throws Exception {
        String got = exchange(UPGRADE + "\r\nhello\n", null);
        assertEquals("hello\n", READS.poll(5, TimeUnit.SECONDS));
        assertTrue(got.endsWith("\r\n\r\nhello\n"), got);
    }

    /** Sends the head, waits, sends {@code later} in a second write, and returns all it received. */
    private String exchange(String head, String later) throws IOException, InterruptedException {
        try (Socket socket = new Socket("127.0.0.1", connector.getLocalPort())) {
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(300); // Jetty has parsed and handled the request by now
            if (later != null) {
                out.write(later.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException x) {
                // all there was
            }
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
