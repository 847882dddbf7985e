package io.socketlet.internal.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.internal.server.Transport;
import java.lang.ref.Reference;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteArrayEndPoint;
import org.junit.jupiter.api.Test;

/** {@link JettyTransport} on Jetty's in-memory {@link ByteArrayEndPoint}: what it keeps, and how it writes. */
class JettyTransportTest {

    private final ArrayByteBufferPool pool = new ArrayByteBufferPool();

    /** Records how a write ended. */
    private static final class Done implements Transport.WriteCallback {
        final AtomicInteger succeeded = new AtomicInteger();
        final AtomicReference<Throwable> failed = new AtomicReference<>();

        @Override
        public void succeeded() {
            succeeded.incrementAndGet();
        }

        @Override
        public void failed(Throwable cause) {
            failed.set(cause);
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void anOpenTransportNoLongerHoldsTheResponseItWasSwitchedBy() throws InterruptedException {
        // The status supplier stands for Jetty's 101 response, which holds the whole HTTP
        // connection (parser, channel, output): about 4 KB an idle WebSocket must not keep.
        AtomicInteger response = new AtomicInteger(101);
        IntSupplier status = response::get;
        WeakReference<IntSupplier> held = new WeakReference<>(status);
        AtomicReference<Transport> opened = new AtomicReference<>();
        JettyTransport transport = new JettyTransport(new ByteArrayEndPoint(), Runnable::run, pool, status, 101, opened::set);
        status = null;
        transport.connection().onOpen();
        assertSame(transport, opened.get(), "switched over after a 101");
        for (int i = 0; i < 50 && held.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(held.get(), "the response is unreachable once the transport is open");
        Reference.reachabilityFence(transport);
    }

    @Test
    void smallFramesOfOneWriteLeaveTogetherFromOnePooledBufferThatGoesBack() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint();
        JettyTransport transport = new JettyTransport(endPoint, Runnable::run, pool, () -> 101, 101, t -> { });
        Done done = new Done();
        ByteBuffer first = ascii("ab");
        transport.write(new ByteBuffer[] {first, ascii(""), ascii("cde"), ascii("f").asReadOnlyBuffer()}, done);
        assertEquals("abcdef", endPoint.takeOutputString(StandardCharsets.US_ASCII));
        assertEquals(1, done.succeeded.get());
        assertNull(done.failed.get());
        assertEquals(1, pool.getDirectByteBufferCount(), "one direct buffer from Jetty's pool");
        assertEquals(1, pool.getAvailableDirectByteBufferCount(), "and it went back when the write completed");
    }

    @Test
    void aLargeFrameIsWrittenFromItsOwnBuffers() {
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[0], 1 << 20, true);
        JettyTransport transport = new JettyTransport(endPoint, Runnable::run, pool, () -> 101, 101, t -> { });
        Done done = new Done();
        byte[] payload = new byte[JettyTransport.COALESCE_LIMIT + 1];
        java.util.Arrays.fill(payload, (byte) 'x');
        transport.write(new ByteBuffer[] {ascii("hh"), ByteBuffer.wrap(payload)}, done);
        assertEquals(2 + payload.length, endPoint.takeOutput().remaining());
        assertEquals(1, done.succeeded.get());
        assertEquals(0, pool.getDirectByteBufferCount(), "nothing copied into a pooled buffer");
        assertTrue(done.failed.get() == null);
    }

    @Test
    void aSixtyFourKibMessageWithItsHeaderArrivesInOneReadFromNoPooledBuffer() throws InterruptedException {
        // 65,544 bytes: a 64 KiB payload, a 4-byte header and a 4-byte mask, as a client sends it.
        // From a 64 KiB buffer it took two reads and an assembly copy.
        ByteArrayEndPoint endPoint = new ByteArrayEndPoint(new byte[65_544], 1024);
        JettyTransport transport = new JettyTransport(endPoint, Runnable::run, pool, () -> 101, 101, t -> { });
        java.util.List<Integer> reads = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
        transport.start(new Transport.TransportListener() {
            @Override
            public void onRead(ByteBuffer data) {
                reads.add(data.remaining());
                data.position(data.limit());
                read.countDown();
            }

            @Override
            public void onEndOfInput() {
            }

            @Override
            public void onFailure(Throwable cause) {
                throw new AssertionError(cause);
            }
        });
        // ByteArrayEndPoint runs the fill on a thread of its own.
        assertTrue(read.await(10, java.util.concurrent.TimeUnit.SECONDS), "the input was read");
        assertEquals(java.util.List.of(65_544), reads);
        assertEquals(0, pool.getHeapByteBufferCount(), "the read buffer is the thread's, not one taken from Jetty's pool per fill");
        transport.close();
    }
}
