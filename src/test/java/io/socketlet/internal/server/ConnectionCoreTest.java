package io.socketlet.internal.server;

import static io.socketlet.internal.server.WebSocketConnectionTest.clientClose;
import static io.socketlet.internal.server.WebSocketConnectionTest.clientFrame;
import static io.socketlet.internal.server.WebSocketConnectionTest.clientText;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.socketlet.FakeHandshakeRequest;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.server.FakeTransport.Completion;
import io.socketlet.internal.server.FakeTransport.Frame;
import io.socketlet.internal.server.WebSocketConnectionTest.RecordingHandler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection core under real application patterns (issue "[1 of 5]"): no engine lock held
 * over application code, closes from both sides that lose nothing, a write timeout that measures
 * stalls, timers that survive anything, control frames ahead of data, blocking on a send inside
 * a callback.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionCoreTest {

    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    private final SharedScheduler scheduler = SharedScheduler.acquire(null);
    private final List<FakeTransport> transports = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws InterruptedException {
        release.countDown();
        for (Thread t : threads) {
            t.join(5_000);
        }
        scheduler.release(null);
        transports.forEach(FakeTransport::shutdown);
    }

    private Endpoint endpoint(WebSocketSettings settings) {
        return new Endpoint("core-test", settings, scheduler);
    }

    private FakeTransport open(Endpoint endpoint, WebSocketHandler handler, Completion completion) {
        WebSocketConnection connection = new WebSocketConnection(endpoint, handler, FakeHandshakeRequest.rfcExample(),
                ProtocolVersion.RFC6455, "", List.of());
        FakeTransport transport = new FakeTransport(completion);
        transports.add(transport);
        connection.open(transport);
        return transport;
    }

    private static WebSocketConnection connectionOf(FakeTransport transport) {
        return (WebSocketConnection) transport.listener();
    }

    private static void receive(FakeTransport transport, byte[] bytes) {
        transport.listener().onRead(ByteBuffer.wrap(bytes.clone()));
    }

    private void inThread(Runnable r) {
        Thread t = new Thread(r, "test-reader");
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.onSpinWait();
        }
        return condition.getAsBoolean();
    }

    private static boolean wroteClose(FakeTransport transport, int code) {
        return transport.frames().stream().anyMatch(f -> f.opcode() == CLOSE && f.closeCode() == code);
    }

    // ---- 1. no engine lock over application code

    @Test
    void aHandlerThatTakesItsTimeDoesNotHoldUpTheTimersOfOtherConnections() {
        WebSocketSettings settings = WebSocketSettings.builder().closeTimeout(Duration.ofMillis(100))
                .idleTimeout(Duration.ofMillis(400)).pingInterval(Duration.ZERO).build();
        Endpoint endpoint = endpoint(settings);
        WebSocketHandler slow = new WebSocketHandler() {
            @Override
            public void onText(WebSocket socket, String text) {
                socket.close(1000, "bye");
                await(release); // the application takes its time; its close times out meanwhile
            }
        };
        FakeTransport a = open(endpoint, slow, Completion.INLINE);
        FakeTransport b = open(endpoint, new RecordingHandler(), Completion.INLINE);
        inThread(() -> receive(a, clientText("hi")));

        assertTrue(eventually(a::isClosed), "A's close timeout fires while A's handler still runs");
        assertTrue(eventually(() -> wroteClose(b, 1001)), "B's idle timeout fires too: the timer is not stuck on A");
    }

    @Test
    void aSenderWhoseWriteFailsNeverWaitsForTheReceivingHandler() throws Exception {
        ReentrantLock applicationLock = new ReentrantLock();
        CountDownLatch inHandler = new CountDownLatch(1);
        RecordingHandler recorder = new RecordingHandler();
        recorder.onText = (socket, text) -> {
            inHandler.countDown();
            applicationLock.lock(); // waits for the sender below
            applicationLock.unlock();
        };
        FakeTransport z = open(endpoint(WebSocketSettings.defaults()), recorder, Completion.FAIL);
        AtomicReference<CompletableFuture<Void>> sent = new AtomicReference<>();
        CountDownLatch locked = new CountDownLatch(1);
        Thread sender = new Thread(() -> {
            applicationLock.lock();
            try {
                locked.countDown();
                await(inHandler);
                // The peer reset: this write fails inline, on the thread that holds the application lock.
                sent.set(connectionOf(z).sendText("to Z"));
            } finally {
                applicationLock.unlock();
            }
        }, "test-sender");
        sender.setDaemon(true);
        sender.start();
        assertTrue(locked.await(5, TimeUnit.SECONDS));
        inThread(() -> receive(z, clientText("hi")));
        sender.join(5_000);
        assertFalse(sender.isAlive(), "the send returned: it did not wait for Z's handler (which waits for the sender)");
        assertTrue(sent.get().isCompletedExceptionally());
        threads.get(0).join(5_000);
        assertEquals(List.of("text:hi", "close:1006"), recorder.events.stream().filter(e -> !e.equals("open")).toList(),
                "onClose follows onText, never beside it");
    }

    // ---- 2. both sides closing at once

    @Test
    void closingFromBothSidesAtOnceWritesTheReplyAndOurCloseBeforeClosingTcp() {
        RecordingHandler recorder = new RecordingHandler();
        recorder.onText = (socket, text) -> {
            socket.sendText("reply to " + text);
            socket.close(1000, "done");
        };
        FakeTransport t = open(endpoint(WebSocketSettings.defaults()), recorder, Completion.INLINE);
        // A message and the client's close in one TCP segment.
        byte[] message = clientText("last");
        byte[] close = clientClose(4000, "client leaves");
        byte[] segment = new byte[message.length + close.length];
        System.arraycopy(message, 0, segment, 0, message.length);
        System.arraycopy(close, 0, segment, message.length, close.length);
        receive(t, segment);

        List<Frame> frames = t.frames();
        assertEquals(2, frames.size(), frames::toString);
        assertEquals("reply to last", frames.get(0).text());
        assertEquals(CLOSE, frames.get(1).opcode());
        assertEquals(1000, frames.get(1).closeCode());
        assertTrue(t.isClosed(), "both close frames crossed: TCP closes");
        assertEquals(4000, recorder.onlyClose().code(), "the first close frame received decides the code");
    }

    // ---- 3. writeTimeout measures a stall, not a whole write

    @Test
    void aSlowButSteadyReaderIsNotCutByTheWriteTimeout() throws InterruptedException {
        WebSocketSettings settings = WebSocketSettings.builder().writeTimeout(Duration.ofSeconds(2)).pingInterval(Duration.ZERO).build();
        RecordingHandler recorder = new RecordingHandler();
        FakeTransport t = open(endpoint(settings), recorder, Completion.HELD);
        WebSocketConnection connection = connectionOf(t);
        connection.sendBinary(new byte[1 << 20]);
        for (int i = 0; i < 12; i++) { // 2.4 s in all, longer than the timeout; a piece taken every 200 ms
            Thread.sleep(200);
            t.progressHeldWrite();
            connection.sweep(System.nanoTime());
        }
        assertFalse(t.isClosed(), "bytes moved all the time");
        connection.sweep(System.nanoTime() + Duration.ofSeconds(3).toNanos());
        assertTrue(t.isClosed(), "a reader that stops entirely is still dropped");
        assertEquals(1006, recorder.onlyClose().code());
    }

    // ---- 4. timers that cannot die

    @Test
    void anErrorThrownDuringTheSweepDoesNotStopTheEndpointsTimers() {
        WebSocketSettings settings = WebSocketSettings.builder().idleTimeout(Duration.ofMillis(300)).pingInterval(Duration.ZERO).build();
        Endpoint endpoint = endpoint(settings);
        WebSocketConnection broken = mock(WebSocketConnection.class);
        when(broken.due(anyLong())).thenThrow(new AssertionError("a bug, or an Error of the JVM"));
        assertTrue(endpoint.register(broken, null));
        FakeTransport t = open(endpoint, new RecordingHandler(), Completion.INLINE);
        assertTrue(eventually(() -> wroteClose(t, 1001)), "the idle timeout still fires after the sweep met an Error");
    }

    // ---- 5. a connection that opens after its endpoint stopped

    @Test
    void aConnectionOpeningAfterTheEndpointStoppedIsAbortedAtOnce() {
        Endpoint endpoint = endpoint(WebSocketSettings.defaults());
        endpoint.shutdown(Duration.ZERO);
        RecordingHandler recorder = new RecordingHandler();
        FakeTransport t = open(endpoint, recorder, Completion.INLINE);
        assertTrue(t.isClosed(), "no close timer would ever end it");
        assertTrue(t.frames().isEmpty(), t.frames()::toString);
        assertTrue(recorder.events.isEmpty(), "the application never heard of it: " + recorder.events);
    }

    // ---- 6. a peer that never answers pings

    @Test
    void aPeerThatNeverAnswersAPingIsDroppedAfterThePongTimeout() {
        // Timers driven with clock values ahead of real time, so the endpoint's own sweep (which
        // runs on real time) has nothing to do meanwhile.
        WebSocketSettings settings = WebSocketSettings.builder().pingInterval(Duration.ofSeconds(1))
                .pongTimeout(Duration.ofSeconds(1)).idleTimeout(Duration.ofHours(1)).build();
        RecordingHandler recorder = new RecordingHandler();
        FakeTransport t = open(endpoint(settings), recorder, Completion.INLINE);
        WebSocketConnection connection = connectionOf(t);
        long t0 = System.nanoTime();
        connection.sweep(t0 + Duration.ofSeconds(2).toNanos());
        assertEquals(PING, t.frames().get(0).opcode());
        connection.sweep(t0 + Duration.ofMillis(2900).toNanos());
        assertFalse(t.isClosed(), "within the pong timeout");
        connection.sweep(t0 + Duration.ofMillis(3100).toNanos());
        assertTrue(t.isClosed(), "no pong, nothing at all, within the pong timeout");
        assertEquals(1006, recorder.onlyClose().code());
    }

    @Test
    void aPongTimeoutLongerThanThePingIntervalStillRunsOut() {
        // Each new ping restarted the pong timeout's clock: with pings every second and a 3 s pong
        // timeout, a silent peer was never dropped (TimersIT found it over a real container).
        WebSocketSettings settings = WebSocketSettings.builder().pingInterval(Duration.ofSeconds(1))
                .pongTimeout(Duration.ofSeconds(3)).idleTimeout(Duration.ofHours(1)).build();
        RecordingHandler recorder = new RecordingHandler();
        FakeTransport t = open(endpoint(settings), recorder, Completion.INLINE);
        WebSocketConnection connection = connectionOf(t);
        long t0 = System.nanoTime();
        for (int ms = 1100; ms <= 4000; ms += 100) {
            connection.sweep(t0 + Duration.ofMillis(ms).toNanos());
        }
        assertFalse(t.isClosed(), "within 3 s of the ping");
        assertEquals(1, t.frames().stream().filter(f -> f.opcode() == PING).count(), "one ping waits for its answer, no more");
        for (int ms = 4100; ms <= 4500; ms += 100) {
            connection.sweep(t0 + Duration.ofMillis(ms).toNanos());
        }
        assertTrue(t.isClosed(), "3 s after the unanswered ping");
        assertEquals(1006, recorder.onlyClose().code());
    }

    @Test
    void aPongTimeoutOfZeroLeavesAnUnansweredPingToTheIdleTimeout() {
        // README: "pongTimeout ... 0 disables": pings still go out, a silent peer stays until idleTimeout.
        WebSocketSettings settings = WebSocketSettings.builder().pingInterval(Duration.ofSeconds(1))
                .pongTimeout(Duration.ZERO).idleTimeout(Duration.ofHours(1)).build();
        RecordingHandler recorder = new RecordingHandler();
        FakeTransport t = open(endpoint(settings), recorder, Completion.INLINE);
        WebSocketConnection connection = connectionOf(t);
        long t0 = System.nanoTime();
        connection.sweep(t0 + Duration.ofSeconds(2).toNanos());
        assertEquals(PING, t.frames().get(0).opcode());
        connection.sweep(t0 + Duration.ofMinutes(30).toNanos());
        assertFalse(t.isClosed(), () -> "no pong timeout when it is 0: " + recorder.events);
        assertFalse(wroteClose(t, 1001), "nor a close");
        connection.sweep(t0 + Duration.ofMinutes(61).toNanos());
        assertTrue(wroteClose(t, 1001), "the idle timeout still ends it");
    }

    @Test
    void aPeerThatAnswersEveryPingStays() throws InterruptedException {
        // The endpoint's own timer pings every 100 ms; the peer answers each within a few ms, far
        // inside the 2 s pong timeout, however loaded the machine.
        WebSocketSettings settings = WebSocketSettings.builder().pingInterval(Duration.ofMillis(100))
                .pongTimeout(Duration.ofSeconds(2)).idleTimeout(Duration.ofHours(1)).build();
        RecordingHandler recorder = new RecordingHandler();
        FakeTransport t = open(endpoint(settings), recorder, Completion.INLINE);
        int answered = 0;
        long end = System.nanoTime() + Duration.ofMillis(800).toNanos();
        while (System.nanoTime() < end) { // the endpoint's own timer pings; the peer answers each
            long pings = t.frames().stream().filter(f -> f.opcode() == PING).count();
            for (; answered < pings; answered++) {
                receive(t, clientFrame(PONG, new byte[0]));
            }
            Thread.sleep(10);
        }
        assertTrue(answered >= 2, "pinged while quiet: " + answered);
        assertFalse(t.isClosed(), () -> recorder.events + " " + t.frames());
    }

    // ---- 7. control frames ahead of data

    @Test
    void aPongGoesAheadOfDataFramesStillWaiting() {
        FakeTransport t = open(endpoint(WebSocketSettings.defaults()), new RecordingHandler(), Completion.HELD);
        WebSocketConnection connection = connectionOf(t);
        connection.sendBinary(new byte[100_000]); // in flight, the peer reading slowly
        connection.sendBinary(new byte[100_000]); // waiting
        receive(t, clientFrame(PING, new byte[] {42}));
        t.releaseHeldWrites();
        List<Frame> frames = t.frames();
        assertEquals(3, frames.size(), frames::toString);
        assertEquals(PONG, frames.get(1).opcode(), "the pong left between the two messages: " + frames);
    }

    @Test
    void aFailingCloseDropsTheDataStillWaitingButAnOrdinaryCloseKeepsIt() {
        FakeTransport t = open(endpoint(WebSocketSettings.defaults()), new RecordingHandler(), Completion.HELD);
        WebSocketConnection connection = connectionOf(t);
        connection.sendBinary(new byte[10]);
        CompletableFuture<Void> waiting = connection.sendBinary(new byte[10]);
        connection.fail(1008, "policy", null, false);
        t.releaseHeldWrites();
        List<Frame> frames = t.frames();
        assertEquals(2, frames.size(), frames::toString);
        assertEquals(1008, frames.get(1).closeCode());
        assertTrue(waiting.isCompletedExceptionally());
    }

    // ---- 8. blocking on a send inside a callback

    @Test
    void joinInsideACallbackCompletesWhenTheSocketTakesTheBytes() {
        List<String> seen = new CopyOnWriteArrayList<>();
        RecordingHandler recorder = new RecordingHandler();
        AtomicReference<FakeTransport> transport = new AtomicReference<>();
        recorder.onText = (socket, text) -> {
            socket.sendText("echo " + text).join();
            seen.add("joined with " + transport.get().frames().size() + " frame(s) written");
        };
        transport.set(open(endpoint(WebSocketSettings.defaults()), recorder, Completion.INLINE));
        receive(transport.get(), clientText("a"));
        assertEquals(List.of("joined with 1 frame(s) written"), seen);
    }

    @Test
    void joinInsideACallbackFailsFastWhenThePeerIsNotReading() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        RecordingHandler recorder = new RecordingHandler();
        recorder.onText = (socket, text) -> {
            try {
                socket.sendText("echo").join();
            } catch (RuntimeException e) {
                thrown.set(e);
            }
        };
        FakeTransport t = open(endpoint(WebSocketSettings.defaults()), recorder, Completion.HELD);
        receive(t, clientText("a"));
        assertInstanceOf(IllegalStateException.class, thrown.get());
        assertTrue(thrown.get().getMessage().contains("whenComplete"), thrown.get().getMessage());
        assertNull(recorder.closes.isEmpty() ? null : recorder.closes, "the connection itself carries on");
        t.releaseHeldWrites();
        assertEquals("echo", t.frames().get(0).text());
    }

    /**
     * On a transport that completes writes while our callback runs (Jetty's socket), a write
     * the container has not finished yet is simply waited for. Before 0fc8763 this join threw
     * IllegalStateException and the connection closed with 1011 (ConnectionCoreIT[JETTY] in a
     * full run: "expected a TEXT frame, got CLOSE ... 1011").
     */
    @Test
    void joinInsideACallbackWaitsForAWriteTheContainerCompletesMeanwhile() {
        List<String> seen = new CopyOnWriteArrayList<>();
        RecordingHandler recorder = joinsItsEcho(seen);
        FakeTransport t = open(endpoint(WebSocketSettings.defaults()), recorder, Completion.HELD);
        t.completesWritesDuringCallbacks(true);
        inThread(() -> receive(t, clientText("a")));
        // The container's own thread finishes the write while the callback is still in join().
        assertTrue(eventually(() -> t.heldWrites() == 1 || !recorder.errors.isEmpty()), "the echo reached the socket");
        t.releaseHeldWrites();
        assertTrue(eventually(() -> seen.size() == 1 || !recorder.closes.isEmpty()), recorder.events::toString);
        assertEquals(List.of("joined"), seen, recorder.events::toString);
        assertEquals(List.of("echo a"), t.frames().stream().map(Frame::text).toList(), "no 1011: " + t.frames());
    }

    /**
     * A write another thread has under way (a broadcast) holds the drain when a callback joins
     * its own reply: that writer takes the reply along, so the join waits for it, even on the
     * Servlet API road. Before 0fc8763 it threw and the connection closed with 1011.
     */
    @Test
    void joinInsideACallbackWaitsForAWriteUnderWayOnAnotherThread() throws InterruptedException {
        List<String> seen = new CopyOnWriteArrayList<>();
        RecordingHandler recorder = joinsItsEcho(seen);
        FakeTransport t = open(endpoint(WebSocketSettings.defaults()), recorder, Completion.INLINE);
        t.completion(Completion.GATED);
        Thread broadcaster = new Thread(() -> connectionOf(t).sendText("broadcast"), "test-broadcaster");
        broadcaster.setDaemon(true);
        threads.add(broadcaster);
        broadcaster.start();
        assertTrue(eventually(() -> t.writeCount() == 1), "the broadcast's write is under way");
        Thread reader = new Thread(() -> receive(t, clientText("a")), "test-reader");
        reader.setDaemon(true);
        threads.add(reader);
        reader.start();
        // Let the broadcast's write return once the callback waits in join() (or has given up).
        assertTrue(eventually(() -> reader.getState() == Thread.State.TIMED_WAITING
                || reader.getState() == Thread.State.WAITING || reader.getState() == Thread.State.TERMINATED));
        t.openGate();
        reader.join(5_000);
        assertEquals(List.of("joined"), seen, recorder.events::toString);
        assertEquals(List.of("broadcast", "echo a"), t.frames().stream().map(Frame::text).toList(), "no 1011: " + t.frames());
    }

    /** A handler that answers each text with a blocking send, and notes "joined" once it returned. */
    private static RecordingHandler joinsItsEcho(List<String> seen) {
        RecordingHandler recorder = new RecordingHandler();
        recorder.onText = (socket, text) -> {
            socket.sendText("echo " + text).join();
            seen.add("joined");
        };
        return recorder;
    }

    @Test
    void joinInsideOnOpenFailsFastInsteadOfWaitingForTheTransport() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        RecordingHandler recorder = new RecordingHandler();
        recorder.onOpen = socket -> {
            try {
                socket.sendText("hello").join();
            } catch (RuntimeException e) {
                thrown.set(e);
            }
        };
        FakeTransport t = open(endpoint(WebSocketSettings.defaults()), recorder, Completion.INLINE);
        assertInstanceOf(IllegalStateException.class, thrown.get());
        assertEquals("hello", t.frames().get(0).text(), "the message itself still leaves once the transport starts");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
