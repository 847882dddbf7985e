package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.BothContainers;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.ContainerPool;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Frames that broke other servers, sent to a running server on both containers: a 64-bit
 * length with the top bit set (Tomcat CVE-2020-13935: an infinite loop), a length of 2^62, a
 * non-minimal length, a deflate bomb (Netty 4.1.122) and a flood of empty continuation frames
 * (ws 8.21.0). Each is refused at once with its close code, a reason, and TCP closed after it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostileFramesIT {

    @RegisterExtension
    static final ContainerPool SERVERS = ContainerPool.perKind("frames", d -> d
            .servlet("echo", Probe.class, "/echo", Map.of("pingInterval", "0"))
            .servlet("bomb", Probe.class, "/bomb", Map.of("pingInterval", "0", "maxFrameSize", "4M", "maxMessageSize", "64K"))
            .servlet("fragments", Probe.class, "/fragments", Map.of("pingInterval", "0", "maxFragments", "1000")));

    /**
     * "At once": these endpoints' own timeouts are minutes (idleTimeout 5 min), and the servers
     * that broke on these frames looped or waited for ever, so a close within a few seconds was
     * made at the byte that broke the rule. 4 s leaves room for a loaded machine (it was 1.5 s).
     */
    private static final long AT_ONCE_MS = 4000;

    private static URI uri(ContainerKind kind, String path, String id) {
        return URI.create(SERVERS.get(kind).ws(path) + "?id=" + id);
    }

    /** Reads the server's answer: a close frame with the code and a reason, then TCP closed, all within the time. */
    private static void expectFailure(RawWebSocketClient c, int code, long withinMs) throws Exception {
        long start = System.nanoTime();
        Frame.Received close = c.readOrEnd(Duration.ofMillis(withinMs + 3000));
        long ms = HostileSupport.elapsedMs(start);
        assertNotNull(close, "TCP ended without a close frame\n" + c.transcript());
        assertEquals(Frame.CLOSE, close.opcode(), c.transcript());
        assertEquals(code, close.closeCode(), "close code\n" + c.transcript());
        assertTrue(!close.closeReason().isEmpty(), "a close " + code + " carries a reason\n" + c.transcript());
        assertTrue(ms < withinMs, "the close came after " + ms + " ms (should be at once, < " + withinMs + " ms)\n" + c.transcript());
        assertTrue(c.tcpClosedWithin(Duration.ofSeconds(3)), "TCP should close after the failure close\n" + c.transcript());
    }

    @BothContainers
    void lengthWithTheTopBitSetIs1002AtOnce(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/echo", id))) {
            // FIN+BINARY, MASK+127, 80 00 00 00 00 00 00 00 (2^63), mask key; no payload ever follows.
            c.sendRaw(Frame.binary(new byte[0]).declaredLength(Long.MIN_VALUE).header(), 0);
            expectFailure(c, 1002, AT_ONCE_MS);
        }
        Probe.Event closed = Probe.record(id).await("close", 3000);
        assertNotNull(closed, "onClose should follow: " + Probe.record(id));
        assertEquals(1002, closed.code(), Probe.record(id).toString());
    }

    @BothContainers
    void lengthOf2To62Is1009AtOnce(ContainerKind kind) throws Exception {
        String id = UUID.randomUUID().toString();
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/echo", id))) {
            c.sendRaw(Frame.binary(new byte[0]).declaredLength(1L << 62).header(), 0);
            expectFailure(c, 1009, AT_ONCE_MS);
        }
        Probe.Event closed = Probe.record(id).await("close", 3000);
        assertNotNull(closed, Probe.record(id).toString());
        assertEquals(1009, closed.code(), Probe.record(id).toString());
    }

    @BothContainers
    void nonMinimalLengthIs1002(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/echo", UUID.randomUUID().toString()))) {
            c.send(Frame.text("short").lengthForm(Frame.LengthForm.FORCE_64));
            expectFailure(c, 1002, AT_ONCE_MS);
        }
    }

    /**
     * A message of about 1 MiB of deflate data that would inflate to 1 GiB of zeros, in 32 KiB
     * fragments, to an endpoint with maxMessageSize 64K: 1009 at once, and the server allocates nothing like the bomb's
     * size (allocation measured over every thread of this JVM, which hosts the container).
     */
    @BothContainers
    void deflateBombIs1009WithoutAllocatingItsSize(ContainerKind kind) throws Exception {
        byte[] bomb = Bombs.zeros(1024);
        // Fragments of 32 KiB: each frame's header is under maxMessageSize (64K), so only the
        // inflated size can refuse the message.
        ByteArrayOutputStream fragments = new ByteArrayOutputStream();
        for (int off = 0; off < bomb.length; off += 32 * 1024) {
            byte[] piece = java.util.Arrays.copyOfRange(bomb, off, Math.min(bomb.length, off + 32 * 1024));
            boolean last = off + 32 * 1024 >= bomb.length;
            fragments.writeBytes((off == 0 ? Frame.binary(piece).rsv(4) : Frame.continuation(piece)).fin(last).bytes());
        }
        byte[] frame = fragments.toByteArray();
        String id = UUID.randomUUID().toString();
        try (RawWebSocketClient c = RawWebSocketClient.connect(SERVERS.get(kind).port(), uri(kind, "/bomb", id),
                List.of("Sec-WebSocket-Extensions: permessage-deflate"), 0)) {
            String ext = c.handshake().header("Sec-WebSocket-Extensions");
            assertTrue(ext != null && ext.contains("permessage-deflate"), "permessage-deflate should be negotiated: " + c.handshake());
            long allocatedBefore = allocatedByAllThreads();
            long start = System.nanoTime();
            // The server stops reading once it has failed the connection: write from another thread.
            CompletableFuture<Boolean> writer = CompletableFuture.supplyAsync(() -> {
                for (int off = 0; off < frame.length; off += 16 * 1024) {
                    byte[] piece = java.util.Arrays.copyOfRange(frame, off, Math.min(frame.length, off + 16 * 1024));
                    if (!c.trySend(piece)) {
                        return false;
                    }
                }
                return true;
            });
            Frame.Received close = c.readOrEnd(Duration.ofSeconds(5));
            long ms = HostileSupport.elapsedMs(start);
            assertNotNull(close, "TCP ended without a close frame\n" + c.transcript());
            assertEquals(1009, close.closeCode(), c.transcript());
            assertTrue(ms < 2000, "1009 came after " + ms + " ms");
            assertTrue(c.tcpClosedWithin(Duration.ofSeconds(3)), "TCP should close after the 1009\n" + c.transcript());
            writer.get(5, TimeUnit.SECONDS);
            long allocated = allocatedByAllThreads() - allocatedBefore;
            assertTrue(allocated < 256L << 20, "the JVM allocated " + (allocated >> 20) + " MiB while refusing a "
                    + (bomb.length >> 10) + " KiB bomb (limit 64 KiB inflated)");
        }
        Probe.Event closed = Probe.record(id).await("close", 3000);
        assertNotNull(closed, Probe.record(id).toString());
        assertEquals(1009, closed.code(), Probe.record(id).toString());
    }

    /** Empty continuation frames cost a frame's work each and add nothing: their number is bounded. */
    @BothContainers
    void floodOfEmptyContinuationFramesIs1009(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/fragments", UUID.randomUUID().toString()))) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            flood.writeBytes(Frame.text("").fin(false).bytes());
            for (int i = 0; i < 5000; i++) {
                flood.writeBytes(Frame.continuation(new byte[0]).fin(false).bytes());
            }
            byte[] bytes = flood.toByteArray();
            CompletableFuture<Boolean> writer = CompletableFuture.supplyAsync(() -> c.trySend(bytes));
            expectFailure(c, 1009, AT_ONCE_MS);
            writer.get(5, TimeUnit.SECONDS);
        }
    }

    @BothContainers
    void theServerStillServesAfterTheAttacks(ContainerKind kind) throws Exception {
        try (RawWebSocketClient c = RawWebSocketClient.connect(uri(kind, "/echo", UUID.randomUUID().toString()))) {
            c.send(Frame.text("still here"));
            Frame.Received echo = c.readOrEnd(Duration.ofSeconds(5));
            assertNotNull(echo, c.transcript());
            assertEquals("still here", echo.text());
        }
    }

    private static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long allocated : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            if (allocated > 0) {
                sum += allocated;
            }
        }
        return sum;
    }
}
