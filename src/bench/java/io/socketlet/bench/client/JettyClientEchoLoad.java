package io.socketlet.bench.client;

import io.socketlet.bench.ProcStats;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Echo throughput through Jetty's own WebSocket client (Jetty API), over HTTP/1.1 (one TCP
 * connection per WebSocket, the upgrade GET) or over HTTP/2 (RFC 8441: every WebSocket an
 * extended CONNECT stream of one h2c connection, HTTP/2 by prior knowledge), so the two roads are
 * driven by the same client code. Our raw load client speaks no HTTP/2; this one is heavier,
 * so compare the servers' CPU per message more than the rates. Every echo is checked against
 * what was sent (connection and sequence number in each message).
 */
public final class JettyClientEchoLoad {

    /** Messages echoed in the measured window, its length, and the CPU spent in it. */
    public record Result(long messages, double seconds, ProcStats.CpuUse cpu) {
        public double messagesPerSecond() {
            return messages / seconds;
        }
    }

    private final int size;
    private final AtomicLong completed = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean sending = true;

    private JettyClientEchoLoad(int size) {
        this.size = size;
    }

    /**
     * @param http2 true: RFC 8441 over h2c; false: the HTTP/1.1 upgrade
     */
    public static Result run(InetSocketAddress address, String path, boolean http2, int connections, int inFlight, int size,
                             long serverPid, double warmupSeconds, double measureSeconds) throws Exception {
        return new JettyClientEchoLoad(size).go(address, path, http2, connections, inFlight, serverPid, warmupSeconds, measureSeconds);
    }

    private Result go(InetSocketAddress address, String path, boolean http2, int connections, int inFlight, long serverPid,
                      double warmupSeconds, double measureSeconds) throws Exception {
        ClientConnector connector = new ClientConnector();
        HttpClient http = new HttpClient(http2 ? new HttpClientTransportOverHTTP2(new HTTP2Client(connector))
                : new HttpClientTransportOverHTTP(connector));
        WebSocketClient client = new WebSocketClient(http);
        client.setIdleTimeout(java.time.Duration.ofMinutes(2));
        http.start();
        client.start();
        List<Endpoint> endpoints = new ArrayList<>();
        try {
            URI uri = URI.create("ws://" + address.getHostString() + ":" + address.getPort() + path);
            for (int i = 0; i < connections; i++) {
                Endpoint e = new Endpoint(i);
                Session session = client.connect(e, uri).get(10, TimeUnit.SECONDS);
                // The road taken: RFC 8441 answers the CONNECT with 200, the HTTP/1.1 upgrade with 101.
                int status = session.getUpgradeResponse().getStatusCode();
                if (status != (http2 ? 200 : 101)) {
                    throw new ClientConn.VerifyException("connection " + i + " was answered " + status + ", not as over "
                            + (http2 ? "HTTP/2 (200)" : "HTTP/1.1 (101)"));
                }
                endpoints.add(e);
            }
            for (Endpoint e : endpoints) {
                for (int k = 0; k < inFlight; k++) {
                    e.sendNext();
                }
            }
            pause(warmupSeconds);
            ProcStats.CpuSnapshot before = ProcStats.CpuSnapshot.take(serverPid);
            long startCount = completed.get();
            pause(measureSeconds);
            long endCount = completed.get();
            ProcStats.CpuSnapshot after = ProcStats.CpuSnapshot.take(serverPid);
            sending = false;
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (failure.get() == null && endpoints.stream().anyMatch(e -> !e.allEchoed()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (failure.get() != null) {
                throw new ClientConn.VerifyException(failure.get());
            }
            if (endpoints.stream().anyMatch(e -> !e.allEchoed())) {
                throw new ClientConn.VerifyException("echoes still missing 20 s after the last send");
            }
            for (Endpoint e : endpoints) {
                e.session.close();
            }
            ProcStats.CpuUse cpu = before.until(after);
            return new Result(endCount - startCount, cpu.seconds(), cpu);
        } finally {
            client.stop();
            http.stop();
        }
    }

    private void pause(double seconds) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            if (failure.get() != null) {
                throw new ClientConn.VerifyException(failure.get());
            }
            Thread.sleep(Math.max(1, Math.min(50, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    /** One WebSocket: sends numbered messages, checks each echo, sends the next while the run lasts. */
    /** Public: Jetty looks its methods up by reflection. */
    public final class Endpoint implements Session.Listener.AutoDemanding {
        private final int id;
        private final byte[] out = new byte[size];
        private final byte[] expected = new byte[size];
        private volatile Session session;
        private long sent;
        private long received;

        Endpoint(int id) {
            this.id = id;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        synchronized void sendNext() {
            Payloads.text(out, 'h', id, sent++);
            session.sendText(new String(out, StandardCharsets.US_ASCII), Callback.NOOP);
        }

        synchronized boolean allEchoed() {
            return sent == received;
        }

        @Override
        public void onWebSocketText(String message) {
            synchronized (this) {
                Payloads.text(expected, 'h', id, received);
                if (!message.equals(new String(expected, StandardCharsets.US_ASCII))) {
                    failure.compareAndSet(null, "conn " + id + ": echo of message " + received + " differs from what was sent");
                    return;
                }
                received++;
            }
            completed.incrementAndGet();
            if (sending) {
                sendNext();
            }
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            if (sending || !allEchoed()) {
                failure.compareAndSet(null, "conn " + id + ": " + cause);
            }
        }
    }
}
