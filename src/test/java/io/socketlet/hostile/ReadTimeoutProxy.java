package io.socketlet.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay on 127.0.0.1 that behaves like a reverse proxy with a read timeout (nginx's
 * {@code proxy_read_timeout}, 60 s by default; scaled down here): it cuts a connection, both
 * sides, when the server has sent the client nothing for {@code readTimeoutMs}. Only traffic
 * from the server counts, as in nginx; what the client sends does not keep the connection.
 */
final class ReadTimeoutProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final long readTimeoutMs;
    private final AtomicInteger cuts = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    ReadTimeoutProxy(int targetPort, long readTimeoutMs) throws IOException {
        this.targetPort = targetPort;
        this.readTimeoutMs = readTimeoutMs;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "hostile-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** How many connections the proxy cut for the read timeout. */
    int cuts() {
        return cuts.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress("127.0.0.1", targetPort), 3000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                AtomicLong lastFromServer = new AtomicLong(System.nanoTime());
                start(() -> pump(client, server, null), "hostile-proxy-up");
                start(() -> pump(server, client, lastFromServer), "hostile-proxy-down");
                start(() -> watch(client, server, lastFromServer), "hostile-proxy-timer");
            } catch (IOException e) {
                if (!closed) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    private static void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void pump(Socket from, Socket to, AtomicLong lastRead) {
        byte[] buf = new byte[8192];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (lastRead != null) {
                    lastRead.set(System.nanoTime());
                }
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(to);
            closeQuietly(from);
        }
    }

    private void watch(Socket client, Socket server, AtomicLong lastFromServer) {
        while (!client.isClosed() && !server.isClosed() && !closed) {
            long quietMs = (System.nanoTime() - lastFromServer.get()) / 1_000_000;
            if (quietMs >= readTimeoutMs) {
                cuts.incrementAndGet();
                closeQuietly(client);
                closeQuietly(server);
                return;
            }
            try {
                Thread.sleep(Math.max(5, Math.min(50, readTimeoutMs - quietMs)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
