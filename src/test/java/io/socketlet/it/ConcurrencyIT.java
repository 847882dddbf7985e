package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many connections at once, many threads sending on one connection, and a peer that does not
 * read (the send queue is bounded by maxBufferedBytes: 1008 or 1013, never an exhausted heap).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConcurrencyIT {

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("")
            .servlet("echo", TestEndpoints.Echo.class, "/echo", Map.of("pingInterval", "0"))
            .servlet("burst", TestEndpoints.Sender.class, "/burst", Map.of("pingInterval", "0"))
            .servlet("sender", TestEndpoints.Sender.class, "/sender",
                    Map.of("pingInterval", "0", "maxBufferedBytes", "256K", "closeTimeout", "1s")));

    @BothContainers
    void servesManyConnectionsAtOnce(ContainerKind kind) throws Exception {
        URI uri = SERVERS.get(kind).ws("/echo");
        int clients = 16;
        int messages = 100;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int n = 0; n < clients; n++) {
                int client = n;
                results.add(pool.submit(() -> {
                    try (JdkClient c = JdkClient.connect(uri)) {
                        for (int i = 0; i < messages; i++) {
                            c.sendText("c" + client + " m" + i, true);
                        }
                        for (int i = 0; i < messages; i++) {
                            assertEquals("c" + client + " m" + i, c.nextText(Duration.ofSeconds(10)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(25, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @BothContainers
    void keepsEachThreadsMessagesWholeAndInOrderWhenManyThreadsSend(ContainerKind kind) throws Exception {
        int threads = 4;
        int count = 300;
        try (JdkClient c = JdkClient.connect(SERVERS.get(kind).ws("/burst"))) {
            c.sendText("burst " + threads + " " + count, true);
            int[] next = new int[threads];
            for (int n = 0; n < threads * count; n++) {
                String message = c.nextText(Duration.ofSeconds(10));
                int dash = message.indexOf('-');
                int colon = message.indexOf(':');
                int k = Integer.parseInt(message.substring(1, dash));
                int i = Integer.parseInt(message.substring(dash + 1, colon));
                assertEquals(next[k], i, "thread " + k + "'s messages out of order");
                assertEquals(TestEndpoints.Sender.burstMessage(k, i), message, "message " + k + "/" + i + " corrupted");
                next[k]++;
            }
        }
    }

    @BothContainers
    void closesAPeerThatDoesNotReadOnceTheQueueIsFull(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        URI uri = URI.create(SERVERS.get(kind).ws("/sender") + "?id=" + id);
        // A client with a tiny receive buffer that never reads after the 101.
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5000);
            socket.setSoTimeout(5000);
            String key = RawWebSocketClient.newKey();
            OutputStream out = socket.getOutputStream();
            out.write(RawWebSocketClient.upgradeRequest(uri, key, List.of()).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            RawHttp.Response response = RawHttp.readHead(in);
            assertEquals(101, response.status(), response.toString());
            // 64 MiB asked for; the queue holds 256 KiB.
            out.write(Frame.text("flood 1024 65536").bytes());
            out.flush();
            BlockingQueue<TestEndpoints.Event> events = TestEndpoints.Recording.events(id);
            List<TestEndpoints.Event> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                TestEndpoints.Event e = events.poll(200, TimeUnit.MILLISECONDS);
                if (e == null) {
                    continue;
                }
                seen.add(e);
                if (e.type().equals("close")) {
                    assertTrue(e.code() == 1008 || e.code() == 1013,
                            "a peer that does not read is closed with 1008 or 1013; events: " + seen);
                    assertTrue(seen.stream().anyMatch(x -> x.type().equals("sendFailed")),
                            "sends past maxBufferedBytes fail; events: " + seen);
                    return;
                }
            }
            fail("the server neither closed the slow peer nor reported onClose within 15 s; events: " + seen);
        } catch (IOException e) {
            throw new AssertionError("client socket failed", e);
        }
    }

    @BothContainers
    void deliversEverythingToAClientThatReadsSlowly(ContainerKind kind) throws Exception {
        // 2 MiB queued at once (under the default 4 MiB bound) to a client with a small receive
        // buffer that starts reading late: the writer must resume when the socket drains.
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).ws("/burst"))) {
            c.send(Frame.text("flood 32 65536"));
            Thread.sleep(500);
            for (int i = 0; i < 32; i++) {
                Frame.Received f = c.read(Duration.ofSeconds(10));
                assertEquals(Frame.BINARY, f.opcode(), "message " + i);
                assertEquals(65536, f.payload().length, "message " + i);
            }
        }
    }

    /**
     * A 24 MiB message to a client that reads slowly: it leaves in fragments (RFC 6455 section
     * 5.4), and a ping sent while it is still being written is answered between two of them
     * ("control frames MAY be injected in the middle of a fragmented message"), not after the
     * whole message. Sent as one frame, the pong waited behind every byte of it; and with the
     * default maxBufferedBytes, smaller than the message, the pong itself overflowed the bound and
     * the connection was closed with 1008 as if the client flooded pings.
     */
    @BothContainers
    void aPingIsAnsweredBetweenTheFragmentsOfAHugeMessageStillBeingWritten(ContainerKind kind) throws Exception {
        int size = 24 << 20;
        URI uri = SERVERS.get(kind).ws("/burst"); // default maxBufferedBytes (4 MiB): the message goes alone into an empty queue
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri.getPort(), uri, List.of(), 16 * 1024)) {
            c.send(Frame.text("flood 1 " + size));
            Frame.Received first = c.read(Duration.ofSeconds(10));
            assertEquals(Frame.BINARY, first.opcode());
            assertTrue(!first.fin(), "a " + size + "-byte message leaves in fragments, got " + first);
            // The server is still writing the message: most of it cannot have left yet.
            byte[] ping = "still there?".getBytes(StandardCharsets.US_ASCII);
            c.send(Frame.ping(ping));
            long received = first.payload().length;
            Frame.Received f;
            while ((f = c.read(Duration.ofSeconds(10))).opcode() != Frame.PONG) {
                assertEquals(Frame.CONTINUATION, f.opcode(), "a fragment of the message");
                assertTrue(!f.fin(), "the whole message arrived before the pong: control frames did not go between fragments");
                received += f.payload().length;
            }
            assertEquals(new String(ping, StandardCharsets.US_ASCII), f.text(), "the pong echoes the ping");
            assertTrue(received < size, received + " bytes before the pong");
            do {
                f = c.read(Duration.ofSeconds(10));
                assertEquals(Frame.CONTINUATION, f.opcode(), "the rest of the message");
                received += f.payload().length;
                for (byte b : f.payload()) {
                    if (b != 0) {
                        fail("the message is zeros");
                    }
                }
            } while (!f.fin());
            assertEquals(size, received, "every byte of the message, once");
        }
    }

    @BothContainers
    void survivesManyHandshakesInARow(ContainerKind kind) throws Exception {
        URI uri = SERVERS.get(kind).ws("/echo");
        for (int i = 0; i < 100; i++) {
            try (RawWebSocketClient c = RawWebSocketClient.connect(uri)) {
                c.send(Frame.text("hi " + i));
                c.expectText("hi " + i);
                if (i % 2 == 0) {
                    c.send(Frame.close(1000, ""));
                    assertEquals(1000, c.readClose(false).closeCode());
                } else {
                    c.dropConnection();
                }
            }
        }
    }
}
