package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.FakeHandshakeRequest;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketClosedException;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.protocol.ProtocolException;
import io.socketlet.internal.server.FakeTransport.Completion;
import io.socketlet.internal.server.FakeTransport.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One connection over a fake transport, fed client frames as bytes: RFC 6455 section 7's closing
 * handshake, control frames, failures, the send queue's bound, and the timers (driven with a
 * clock value far in the future rather than by waiting).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketConnectionTest {

    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    private final SharedScheduler scheduler = SharedScheduler.acquire(null);
    private final RecordingHandler handler = new RecordingHandler();
    private FakeTransport transport;
    private WebSocketConnection connection;

    @AfterEach
    void release() {
        scheduler.release(null);
        if (transport != null) {
            transport.shutdown();
        }
    }

    // ---- set-up helpers

    private WebSocketConnection open(Completion completion) {
        return open(WebSocketSettings.defaults(), completion);
    }

    private WebSocketConnection open(WebSocketSettings settings, Completion completion) {
        Endpoint endpoint = new Endpoint("test", settings, scheduler);
        connection = new WebSocketConnection(endpoint, handler, FakeHandshakeRequest.rfcExample(),
                ProtocolVersion.RFC6455, "", List.of());
        transport = new FakeTransport(completion);
        connection.open(transport);
        return connection;
    }

    /** A client frame: FIN set, masked as "a client MUST mask all frames that it sends to the server". */
    static byte[] clientFrame(int opcode, byte[] payload) {
        int[] mask = {0x37, 0xfa, 0x21, 0x3d};
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            b.put((byte) (0x80 | payload.length));
        } else if (payload.length <= 0xffff) {
            b.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        for (int m : mask) {
            b.put((byte) m);
        }
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    static byte[] clientText(String text) {
        return clientFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] clientClose(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        ByteBuffer payload = ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r);
        return clientFrame(CLOSE, payload.array());
    }

    /** Bytes from the socket, as the transport delivers them. */
    private void receive(byte[] bytes) {
        transport.listener().onRead(ByteBuffer.wrap(bytes.clone()));
    }

    private List<Frame> frames() {
        return transport.frames();
    }

    private Frame onlyFrame() {
        List<Frame> frames = frames();
        assertEquals(1, frames.size(), frames::toString);
        return frames.get(0);
    }

    private Frame lastFrame() {
        List<Frame> frames = frames();
        assertFalse(frames.isEmpty(), "nothing was written");
        return frames.get(frames.size() - 1);
    }

    private static void assertCloseFrame(int code, Frame frame) {
        assertEquals(CLOSE, frame.opcode(), frame::toString);
        assertTrue(frame.fin());
        assertEquals(code, frame.closeCode(), frame::toString);
    }

    private static Throwable failureOf(CompletableFuture<Void> future) {
        assertTrue(future.isCompletedExceptionally(), "expected a failed future, was " + future);
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(1, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static long farFuture(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    // ---- open, messages in and out

    @Test
    void sendsFromOnOpenLeaveOnceTheTransportIsReady() {
        handler.onOpen = socket -> socket.sendText("hello");
        open(Completion.INLINE);
        assertEquals(List.of("open"), handler.events);
        Frame frame = onlyFrame();
        assertEquals(TEXT, frame.opcode());
        assertEquals("hello", frame.text());
        assertTrue(connection.isOpen());
    }

    @Test
    void receivedMessagesReachTheHandler() {
        open(Completion.INLINE);
        receive(clientText("hi"));
        receive(clientFrame(BINARY, new byte[] {1, 2, 3}));
        assertEquals(List.of("open", "text:hi", "binary:3"), handler.events);
    }

    @Test
    void framesLeaveInTheOrderTheyWereSent() {
        open(Completion.INLINE);
        connection.sendText("one");
        connection.sendBinary(new byte[] {7});
        connection.ping(ByteBuffer.wrap(new byte[] {9}));
        connection.sendText(repeat('z', 5000));
        List<Frame> frames = frames();
        assertEquals(List.of(TEXT, BINARY, PING, TEXT), frames.stream().map(Frame::opcode).toList());
        assertEquals("one", frames.get(0).text());
        assertArrayEquals(new byte[] {7}, frames.get(1).payload());
        assertEquals(repeat('z', 5000), frames.get(3).text());
        assertTrue(frames.stream().allMatch(Frame::fin));
    }

    @Test
    void sendCompletesWhenItsFrameWasWritten() {
        open(Completion.HELD);
        CompletableFuture<Void> sent = connection.sendText("x");
        assertFalse(sent.isDone());
        assertEquals(3, connection.bufferedAmount());
        transport.completeHeldWrite();
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
        assertEquals(0, connection.bufferedAmount());
    }

    @Test
    void sendBinaryNoCopyWritesTheHandedOverBytesAndLeavesTheBuffersPositionAlone() {
        open(Completion.HELD);
        byte[] bytes = new byte[10_000];
        new java.util.Random(14).nextBytes(bytes);
        ByteBuffer data = ByteBuffer.wrap(bytes, 100, 9000);
        CompletableFuture<Void> sent = connection.sendBinaryNoCopy(data);
        assertEquals(100, data.position());
        assertEquals(9100, data.limit());
        assertFalse(sent.isDone(), "the buffer is the engine's until the write completes");
        transport.completeHeldWrite();
        assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
        Frame frame = onlyFrame();
        assertEquals(BINARY, frame.opcode());
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 100, 9100), frame.payload());
    }

    @Test
    void concurrentSendersFromEightThreadsAllCompleteIntactAndInOrder() throws Exception {
        open(Completion.MIXED);
        int threads = 8;
        int perThread = 2_000;
        List<CompletableFuture<Void>> futures = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread sender = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int seq = 0; seq < perThread; seq++) {
                    futures.add(connection.sendText(message(id, seq)));
                }
            });
            sender.start();
            senders.add(sender);
        }
        go.countDown();
        for (Thread sender : senders) {
            sender.join(30_000);
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

        int[] next = new int[threads];
        List<Frame> frames = frames();
        assertEquals(threads * perThread, frames.size());
        for (Frame frame : frames) {
            assertEquals(TEXT, frame.opcode());
            String text = frame.text();
            String[] parts = text.split(":", 3);
            int id = Integer.parseInt(parts[0]);
            int seq = Integer.parseInt(parts[1]);
            assertEquals(message(id, seq), text, "message of thread " + id + " seq " + seq + " is not intact");
            assertEquals(next[id], seq, "thread " + id + "'s messages were reordered or lost");
            next[id]++;
        }
        assertEquals(0, transport.overlappingWrites());
        assertTrue(connection.isOpen());
    }

    /** Every 97th message is large enough to travel as two buffers. */
    private static String message(int id, int seq) {
        String head = id + ":" + seq + ":";
        return seq % 97 == 0 ? head + repeat((char) ('a' + id), 5000) : head + "m";
    }

    // ---- the send queue's bound

    @Test
    void dataPastMaxBufferedBytesIntoANonEmptyQueueClosesWith1008() {
        open(WebSocketSettings.builder().maxBufferedBytes(1000).build(), Completion.HELD);
        CompletableFuture<Void> first = connection.sendText(repeat('a', 600));
        CompletableFuture<Void> second = connection.sendText(repeat('b', 600));

        assertInstanceOf(WebSocketClosedException.class, failureOf(second));
        assertFalse(connection.isOpen());

        transport.releaseHeldWrites();
        assertTrue(first.isDone() && !first.isCompletedExceptionally(), "what was queued before the close still leaves");
        List<Frame> frames = frames();
        assertEquals(2, frames.size(), frames::toString);
        assertEquals(repeat('a', 600), frames.get(0).text());
        assertCloseFrame(1008, frames.get(1));
        assertFalse(transport.isClosed(), "a failure that left the input intact waits for the peer's close");
        receive(clientClose(1000, ""));
        assertTrue(transport.isClosed());
        assertEquals(1008, handler.onlyClose().code(), "our code, whatever the peer answered");
    }

    @Test
    void singleMessageLargerThanMaxBufferedBytesIsAcceptedIntoAnEmptyQueue() {
        open(WebSocketSettings.builder().maxBufferedBytes(1000).build(), Completion.INLINE);
        CompletableFuture<Void> big = connection.sendText(repeat('q', 5000));
        assertTrue(big.isDone() && !big.isCompletedExceptionally());
        assertEquals(repeat('q', 5000), onlyFrame().text());
        assertTrue(connection.isOpen());
    }

    @Test
    void nothingIsSentAfterTheCloseFrame() {
        open(Completion.INLINE);
        connection.close();
        assertInstanceOf(WebSocketClosedException.class, failureOf(connection.sendText("late")));
        assertInstanceOf(WebSocketClosedException.class, failureOf(connection.sendBinary(new byte[] {1})));
        assertInstanceOf(WebSocketClosedException.class, failureOf(connection.ping(ByteBuffer.allocate(0))));
        assertCloseFrame(1000, onlyFrame());
    }

    // ---- the closing handshake, server first (section 7.1.2)

    @Test
    void serverCloseSendsACloseFrameThenWaitsForThePeersClose() {
        open(Completion.INLINE);
        CompletableFuture<Void> closing = connection.close(1000, "bye");
        assertTrue(closing.isDone());
        Frame frame = onlyFrame();
        assertCloseFrame(1000, frame);
        assertEquals("bye", frame.closeReason());
        assertFalse(connection.isOpen());
        assertFalse(transport.isClosed(), "the server waits for the peer's close frame");
        assertEquals(0, handler.closeCount());

        receive(clientClose(1000, "bye"));
        assertTrue(transport.isClosed(), "the handshake is complete: the server closes TCP");
        assertEquals(new Close(1000, "bye"), handler.onlyClose());
        assertEquals(1, frames().size(), "our close is not sent twice");
    }

    @Test
    void serverCloseReportsTheCodeOfThePeersAnswer() {
        // Section 7.1.5: "_The WebSocket Connection Close Code_ is defined as the status code
        // contained in the first Close control frame received by the application"; and
        // WebSocketHandler.onClose documents "the peer's close code".
        open(Completion.INLINE);
        connection.close(4000, "done here");
        receive(clientClose(1001, "leaving"));
        assertTrue(transport.isClosed());
        assertEquals(new Close(1001, "leaving"), handler.onlyClose());
    }

    @Test
    void closeTimeoutDropsAPeerThatNeverAnswersOurClose() {
        open(Completion.INLINE);
        connection.close(1000, "bye");
        connection.sweep(System.nanoTime());
        assertFalse(transport.isClosed(), "not before the close timeout");

        connection.sweep(farFuture(Duration.ofHours(1)));
        assertTrue(transport.isClosed());
        assertEquals(1006, handler.onlyClose().code());
    }

    @Test
    void peerThatDropsTcpInsteadOfAnsweringOurCloseIsReportedAs1006() {
        open(Completion.INLINE);
        connection.close(1000, "bye");
        transport.listener().onEndOfInput();
        assertEquals(1006, handler.onlyClose().code());
        assertTrue(transport.isClosed());
    }

    // ---- the closing handshake, peer first (section 5.5.1)

    @Test
    void peerCloseIsEchoedAndTcpClosedAfterTheEchoIsWritten() {
        open(Completion.HELD);
        receive(clientClose(1001, "going away"));
        assertFalse(connection.isOpen());
        // "If an endpoint receives a Close frame and did not previously send a Close frame, the
        // endpoint MUST send a Close frame in response ... typically echoing the status code it received."
        assertCloseFrame(1001, onlyFrame());
        assertFalse(transport.isClosed(), "not before the echo was written");
        assertEquals(0, handler.closeCount());

        transport.completeHeldWrite();
        assertTrue(transport.isClosed());
        assertEquals(new Close(1001, "going away"), handler.onlyClose());
    }

    @Test
    void peerCloseWithoutStatusIsAnsweredWithAnEmptyCloseAndReportedAs1005() {
        open(Completion.INLINE);
        receive(clientFrame(CLOSE, new byte[0]));
        Frame echo = onlyFrame();
        assertEquals(CLOSE, echo.opcode());
        assertEquals(0, echo.payload().length, "1005 is never sent: the echo has no body");
        assertTrue(transport.isClosed());
        assertEquals(new Close(1005, ""), handler.onlyClose());
    }

    @Test
    void messagesQueuedBeforeThePeersCloseLeaveBeforeTheEcho() {
        open(Completion.HELD);
        CompletableFuture<Void> a = connection.sendText("a");
        CompletableFuture<Void> b = connection.sendText("b");
        receive(clientClose(1000, ""));
        transport.releaseHeldWrites();
        assertTrue(a.isDone() && !a.isCompletedExceptionally());
        assertTrue(b.isDone() && !b.isCompletedExceptionally());
        List<Frame> frames = frames();
        assertEquals(List.of(TEXT, TEXT, CLOSE), frames.stream().map(Frame::opcode).toList());
        assertTrue(transport.isClosed());
    }

    @Test
    void dataAfterThePeersCloseIsNotDelivered() {
        open(Completion.HELD);
        receive(clientClose(1000, ""));
        receive(clientText("after close"));
        assertFalse(handler.events.contains("text:after close"), handler.events::toString);
    }

    // ---- control frames

    @Test
    void pingIsAnsweredWithAPongOfTheSamePayload() {
        open(Completion.INLINE);
        byte[] payload = "are you there?".getBytes(StandardCharsets.UTF_8);
        receive(clientFrame(PING, payload));
        Frame pong = onlyFrame();
        assertEquals(PONG, pong.opcode());
        assertArrayEquals(payload, pong.payload());
        assertTrue(connection.isOpen());
    }

    @Test
    void pongReachesTheHandler() {
        open(Completion.INLINE);
        receive(clientFrame(PONG, new byte[] {4, 2}));
        assertEquals(List.of("open", "pong:2"), handler.events);
        assertEquals(List.of(), frames());
    }

    // ---- failing the connection (section 7.1.7)

    @Test
    void protocolErrorSendsCloseWithItsCodeThenClosesTcp() {
        open(Completion.HELD);
        receive(new byte[] {(byte) 0x81, 0x02, 'h', 'i'}); // "a client MUST mask": this frame is not masked
        assertCloseFrame(1002, onlyFrame());
        assertFalse(transport.isClosed(), "the close frame goes first");

        transport.completeHeldWrite();
        assertFalse(transport.isClosed(), "it lingers until the peer shows it read the close frame");
        receive(new byte[] {0x01, 0x02, 0x03}); // more of what it was sending: it has not read our close yet
        assertFalse(transport.isClosed(), "closing TCP on unread bytes would reset the connection, and could lose our close frame");
        receive(clientClose(1002, ""));
        assertTrue(transport.isClosed(), "its close frame answers ours: then TCP is closed");
        assertInstanceOf(ProtocolException.class, handler.errors.get(0));
        assertEquals(1, handler.errors.size());
        assertEquals(1002, handler.onlyClose().code());
        assertTrue(handler.events.indexOf("error") < handler.events.indexOf("close:1002"), handler.events::toString);
    }

    @Test
    void aPeerStillSendingAfterAViolationIsNotCutOffBeforeTheLingerEnds() {
        open(WebSocketSettings.builder().maxFrameSize(10).build(), Completion.INLINE);
        receive(clientText(repeat('x', 11)));
        assertCloseFrame(1009, onlyFrame());
        for (int i = 0; i < 5; i++) {
            receive(clientText(repeat('y', 200))); // the rest of its upload, sent before it read our close
        }
        assertFalse(transport.isClosed(), "TCP stays open while the peer may not have read our close");
        connection.sweep(farFuture(Duration.ofSeconds(2)));
        assertTrue(transport.isClosed(), "closed when the linger ran out");
        assertEquals(1009, handler.onlyClose().code());
    }

    @Test
    void endsWithClientCloseFindsAWholeMaskedCloseFrameAtTheEndOfARead() {
        assertTrue(WebSocketConnection.endsWithClientClose(ByteBuffer.wrap(clientClose(1000, ""))));
        assertTrue(WebSocketConnection.endsWithClientClose(ByteBuffer.wrap(clientClose(1009, repeat('r', 123)))));
        byte[] text = clientText("tail of a message");
        byte[] close = clientClose(1000, "bye");
        byte[] after = java.util.Arrays.copyOf(text, text.length + close.length);
        System.arraycopy(close, 0, after, text.length, close.length);
        assertTrue(WebSocketConnection.endsWithClientClose(ByteBuffer.wrap(after)));
        assertFalse(WebSocketConnection.endsWithClientClose(ByteBuffer.wrap(clientText("just data"))));
        assertFalse(WebSocketConnection.endsWithClientClose(ByteBuffer.wrap(new byte[] {(byte) 0x88, (byte) 0x80, 1, 2, 3})),
                "a close frame cut short");
        assertFalse(WebSocketConnection.endsWithClientClose(ByteBuffer.wrap(new byte[0])));
    }

    @Test
    void frameOverMaxFrameSizeClosesWith1009() {
        open(WebSocketSettings.builder().maxFrameSize(10).build(), Completion.INLINE);
        receive(clientText(repeat('x', 11)));
        assertCloseFrame(1009, onlyFrame());
        assertFalse(transport.isClosed());
        connection.sweep(farFuture(Duration.ofSeconds(2)));
        assertTrue(transport.isClosed(), "closed when the linger after a violation ran out");
        assertEquals(1009, handler.onlyClose().code());
    }

    @Test
    void invalidUtf8ClosesWith1007() {
        open(Completion.INLINE);
        receive(clientFrame(TEXT, new byte[] {'o', 'k', (byte) 0xC0, (byte) 0xAF}));
        assertCloseFrame(1007, onlyFrame());
        connection.sweep(farFuture(Duration.ofSeconds(2)));
        assertEquals(1007, handler.onlyClose().code());
        assertFalse(handler.events.stream().anyMatch(e -> e.startsWith("text:")));
    }

    @Test
    void inputAfterAProtocolErrorIsIgnored() {
        open(Completion.INLINE);
        receive(new byte[] {(byte) 0x81, 0x02, 'h', 'i'});
        receive(clientText("later"));
        assertFalse(handler.events.contains("text:later"));
        assertEquals(1, frames().size());
    }

    @Test
    void handlerExceptionClosesWith1011() {
        RuntimeException boom = new IllegalStateException("boom");
        handler.onText = (socket, text) -> {
            throw boom;
        };
        open(Completion.INLINE);
        receive(clientText("hi"));
        assertCloseFrame(1011, onlyFrame());
        receive(clientClose(1011, ""));
        assertTrue(transport.isClosed());
        assertEquals(List.of(boom), handler.errors);
        assertEquals(1011, handler.onlyClose().code());
    }

    @Test
    void handlerExceptionInOnOpenClosesWith1011() {
        handler.onOpen = socket -> {
            throw new IllegalStateException("cannot open");
        };
        open(Completion.INLINE);
        assertCloseFrame(1011, onlyFrame());
        connection.sweep(farFuture(Duration.ofMinutes(1)));
        assertTrue(transport.isClosed(), "a peer that never answers is dropped after closeTimeout");
        assertEquals(1011, handler.onlyClose().code(), "reported as the failure it was");
    }

    @Test
    void failedWriteEndsTheConnectionAs1006() {
        open(Completion.FAIL);
        CompletableFuture<Void> sent = connection.sendText("x");
        assertInstanceOf(IOException.class, failureOf(sent));
        assertTrue(transport.isClosed());
        assertEquals(1006, handler.awaitOnlyClose().code(), "told on an event thread, not inside the send");
    }

    // ---- the connection ending without a close frame

    @Test
    void endOfInputIsReportedAs1006ExactlyOnceEvenWhenTheTransportAlsoFails() {
        open(Completion.INLINE);
        transport.listener().onEndOfInput();
        transport.listener().onFailure(new IOException("reset"));
        transport.listener().onEndOfInput();
        assertEquals(1006, handler.onlyClose().code());
        assertTrue(transport.isClosed());
        assertEquals(List.of(), handler.errors, "nothing is reported after onClose");
        assertEquals("close:1006", handler.events.get(handler.events.size() - 1));
    }

    @Test
    void transportFailureIsReportedAsAnErrorThen1006ExactlyOnce() {
        open(Completion.INLINE);
        IOException reset = new IOException("reset");
        transport.listener().onFailure(reset);
        transport.listener().onEndOfInput();
        assertEquals(List.of(reset), handler.errors);
        assertEquals(1006, handler.onlyClose().code());
    }

    @Test
    void sendsAfterTheConnectionEndedFailWithWebSocketClosedException() {
        open(Completion.INLINE);
        transport.listener().onEndOfInput();
        assertInstanceOf(WebSocketClosedException.class, failureOf(connection.sendText("x")));
        assertInstanceOf(WebSocketClosedException.class, failureOf(connection.sendBinary(new byte[1])));
        assertInstanceOf(WebSocketClosedException.class, failureOf(connection.ping(ByteBuffer.allocate(0))));
        assertTrue(connection.close().isDone());
        assertEquals(1, handler.closeCount());
    }

    @Test
    void queuedSendsFailWhenTheConnectionDrops() {
        open(Completion.HELD);
        CompletableFuture<Void> inFlight = connection.sendText("a");
        CompletableFuture<Void> queued = connection.sendText("b");
        transport.listener().onEndOfInput();
        assertInstanceOf(WebSocketClosedException.class, failureOf(queued));
        assertTrue(failureOf(inFlight) != null, "the write under way fails when TCP closes");
        assertEquals(1006, handler.onlyClose().code());
    }

    // ---- timers

    @Test
    void idleTimeoutClosesWith1001() {
        open(WebSocketSettings.builder().idleTimeout(Duration.ofMinutes(1)).pingInterval(Duration.ZERO).build(), Completion.INLINE);
        connection.sweep(System.nanoTime());
        assertTrue(connection.isOpen());

        connection.sweep(farFuture(Duration.ofMinutes(2)));
        assertCloseFrame(1001, onlyFrame());
        assertFalse(connection.isOpen());
    }

    @Test
    void zeroIdleTimeoutAndPingIntervalDisableBoth() {
        open(WebSocketSettings.builder().idleTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build(), Completion.INLINE);
        connection.sweep(farFuture(Duration.ofDays(1)));
        assertTrue(connection.isOpen());
        assertEquals(List.of(), frames());
    }

    @Test
    void pingIntervalSendsAPing() {
        open(WebSocketSettings.builder().idleTimeout(Duration.ZERO).pingInterval(Duration.ofMinutes(1)).build(), Completion.INLINE);
        connection.sweep(System.nanoTime());
        assertEquals(List.of(), frames(), "not before the interval");

        long later = farFuture(Duration.ofMinutes(2));
        connection.sweep(later);
        Frame ping = onlyFrame();
        assertEquals(PING, ping.opcode());
        assertTrue(connection.isOpen());

        connection.sweep(later);
        assertEquals(1, frames().size(), "one ping per interval");
    }

    @Test
    void writeTimeoutDropsAPeerThatStoppedReading() {
        open(WebSocketSettings.builder().writeTimeout(Duration.ofMinutes(1)).idleTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build(),
                Completion.HELD);
        CompletableFuture<Void> stuck = connection.sendText("never read");
        connection.sweep(System.nanoTime());
        assertTrue(connection.isOpen(), "not before the write timeout");

        connection.sweep(farFuture(Duration.ofMinutes(2)));
        assertTrue(transport.isClosed(), "no close frame can reach a peer that does not read: TCP is dropped");
        assertTrue(stuck.isCompletedExceptionally());
        assertEquals(1006, handler.onlyClose().code());
    }

    @Test
    void writeTimeoutLeavesAConnectionWithNothingPendingAlone() {
        open(WebSocketSettings.builder().writeTimeout(Duration.ofMinutes(1)).idleTimeout(Duration.ZERO).pingInterval(Duration.ZERO).build(),
                Completion.INLINE);
        connection.sendText("read at once");
        connection.sweep(farFuture(Duration.ofMinutes(2)));
        assertTrue(connection.isOpen());
        assertFalse(transport.isClosed());
    }

    @Test
    void shutdownClosesWith1001() {
        open(Completion.INLINE);
        connection.shutdown("Server is shutting down");
        assertCloseFrame(1001, onlyFrame());
        assertFalse(connection.isOpen());
    }

    // ---- the application's side, recorded

    record Close(int code, String reason) {
    }

    static final class RecordingHandler implements WebSocketHandler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final List<Close> closes = new CopyOnWriteArrayList<>();
        volatile Consumer<WebSocket> onOpen = socket -> { };
        volatile BiConsumer<WebSocket, String> onText = (socket, text) -> { };

        @Override
        public void onOpen(WebSocket socket) {
            events.add("open");
            onOpen.accept(socket);
        }

        @Override
        public void onText(WebSocket socket, String text) {
            events.add("text:" + text);
            onText.accept(socket, text);
        }

        @Override
        public void onBinary(WebSocket socket, ByteBuffer data) {
            events.add("binary:" + data.remaining());
        }

        @Override
        public void onPong(WebSocket socket, ByteBuffer payload) {
            events.add("pong:" + payload.remaining());
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            events.add("close:" + code);
            closes.add(new Close(code, reason));
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            events.add("error");
            errors.add(error);
        }

        int closeCount() {
            return closes.size();
        }

        Close onlyClose() {
            assertEquals(1, closes.size(), () -> "onClose calls: " + closes);
            return closes.get(0);
        }

        /** onClose, which an event thread may deliver a moment later. */
        Close awaitOnlyClose() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (closes.isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            return onlyClose();
        }
    }
}
