package io.socketlet.internal.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.WebSocketClosedException;
import io.socketlet.internal.server.FakeTransport.Completion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The send queue alone, over a fake transport: order, completion, the byte bound, the close frame, failures. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendQueueTest {

    private static final long UNBOUNDED = Long.MAX_VALUE;

    private final List<Throwable> writeFailures = Collections.synchronizedList(new ArrayList<>());
    private FakeTransport transport;

    @AfterEach
    void stopTransport() {
        if (transport != null) {
            transport.shutdown();
        }
    }

    private SendQueue startedQueue(long maxBufferedBytes, Completion completion) {
        transport = new FakeTransport(completion);
        SendQueue queue = new SendQueue(maxBufferedBytes, writeFailures::add);
        queue.start(transport);
        return queue;
    }

    private static ByteBuffer[] frame(String ascii) {
        return new ByteBuffer[] {ByteBuffer.wrap(ascii.getBytes(StandardCharsets.US_ASCII))};
    }

    private static ByteBuffer[] frameOf(int bytes) {
        return new ByteBuffer[] {ByteBuffer.allocate(bytes)};
    }

    private static CompletableFuture<Void> data(SendQueue queue, ByteBuffer[] frame) {
        return queue.offer(frame, SendQueue.Kind.DATA);
    }

    private static void awaitAll(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    }

    private String writtenAscii() {
        return new String(transport.bytes(), StandardCharsets.US_ASCII);
    }

    private static Throwable failureOf(CompletableFuture<Void> future) {
        assertTrue(future.isCompletedExceptionally(), "expected a failed future");
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(1, TimeUnit.SECONDS));
        return e.getCause();
    }

    // ---- order and completion

    @Test
    void framesLeaveInTheOrderTheyWereOffered() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.INLINE);
        data(queue, frame("a"));
        data(queue, frame("bb"));
        queue.offer(frame("P"), SendQueue.Kind.CONTROL);
        data(queue, frame("ccc"));
        assertEquals("abbPccc", writtenAscii());
    }

    @Test
    void framesOfferedBeforeTheTransportIsReadyWaitForIt() {
        transport = new FakeTransport(Completion.INLINE);
        SendQueue queue = new SendQueue(UNBOUNDED, writeFailures::add);
        CompletableFuture<Void> a = data(queue, frame("a"));
        CompletableFuture<Void> b = data(queue, frame("b"));
        assertFalse(a.isDone() || b.isDone());
        assertEquals(2, queue.bufferedBytes());
        assertEquals(0, transport.writeCount());

        queue.start(transport);
        assertEquals("ab", writtenAscii());
        assertTrue(a.isDone() && b.isDone());
        assertEquals(0, queue.bufferedBytes());
    }

    @Test
    void aFrameOfSeveralBuffersLeavesWhole() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.INLINE);
        ByteBuffer[] frame = {ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.allocate(0), ByteBuffer.wrap(new byte[] {3})};
        data(queue, frame);
        data(queue, new ByteBuffer[] {ByteBuffer.wrap(new byte[] {4})});
        assertArrayEquals(new byte[] {1, 2, 3, 4}, transport.bytes());
    }

    @Test
    void futureCompletesWhenItsBytesWereWrittenNotBefore() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.HELD);
        CompletableFuture<Void> future = data(queue, frame("hello"));
        assertFalse(future.isDone());
        assertEquals(5, queue.bufferedBytes(), "bytes in flight are still buffered");
        assertFalse(queue.isEmpty());

        transport.completeHeldWrite();
        assertTrue(future.isDone() && !future.isCompletedExceptionally());
        assertEquals(0, queue.bufferedBytes());
        assertTrue(queue.isEmpty());
    }

    @Test
    void framesQueuedDuringAWriteLeaveAfterItOneWriteAtATime() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.HELD);
        CompletableFuture<Void> a = data(queue, frame("a"));
        CompletableFuture<Void> b = data(queue, frame("b"));
        CompletableFuture<Void> c = data(queue, frame("c"));
        assertEquals(1, transport.writeCount(), "a second write waits for the first one's callback");
        assertEquals("a", writtenAscii());

        transport.completeHeldWrite();
        assertTrue(a.isDone());
        assertFalse(b.isDone() || c.isDone());
        assertEquals("abc", writtenAscii());

        transport.completeHeldWrite();
        assertTrue(b.isDone() && c.isDone());
        assertEquals(0, transport.overlappingWrites());
    }

    // ---- fragments: a large message leaves in pieces, control frames between them

    /** A splitter that cuts a one-buffer frame into pieces of {@code size} bytes (views, as FrameEncoder's are). */
    private static SendQueue.Splitter piecesOf(int size) {
        return (frame, bytes) -> {
            ByteBuffer whole = frame[0];
            if (frame.length != 1 || whole.remaining() <= size) {
                return null;
            }
            int count = (whole.remaining() + size - 1) / size;
            ByteBuffer[][] pieces = new ByteBuffer[count][];
            for (int i = 0; i < count; i++) {
                int at = whole.position() + i * size;
                pieces[i] = new ByteBuffer[] {whole.slice(at, Math.min(size, whole.limit() - at))};
            }
            return pieces;
        };
    }

    private SendQueue fragmentingQueue(long maxBufferedBytes, Completion completion, int pieceSize) {
        transport = new FakeTransport(completion);
        SendQueue queue = new SendQueue(maxBufferedBytes, writeFailures::add, (frames, bytes) -> { }, piecesOf(pieceSize));
        queue.start(transport);
        return queue;
    }

    @Test
    void aPongGoesBetweenTheFragmentsOfAMessageInFlightNotAfterIt() {
        SendQueue queue = fragmentingQueue(UNBOUNDED, Completion.HELD, 3);
        CompletableFuture<Void> message = data(queue, frame("AAABBBCCC"));
        assertEquals("AAA", writtenAscii(), "one fragment per write");
        assertEquals(9, queue.bufferedBytes());
        CompletableFuture<Void> pong = queue.offer(frame("P"), SendQueue.Kind.CONTROL);

        transport.completeHeldWrite();
        assertEquals("AAAPBBB", writtenAscii(), "the pong leaves after the fragment in flight, before the next one");
        assertFalse(message.isDone(), "the message is not written yet");
        assertEquals(7, queue.bufferedBytes(), "P and BBB in flight, CCC waiting");

        transport.completeHeldWrite();
        assertTrue(pong.isDone());
        assertFalse(message.isDone());
        assertEquals("AAAPBBBCCC", writtenAscii());

        transport.completeHeldWrite();
        assertTrue(message.isDone() && !message.isCompletedExceptionally(), "done with its last fragment");
        assertEquals(0, queue.bufferedBytes());
        assertTrue(queue.isEmpty());
    }

    @Test
    void dataQueuedBehindAFragmentedMessageWaitsForAllOfIt() {
        SendQueue queue = fragmentingQueue(UNBOUNDED, Completion.HELD, 2);
        CompletableFuture<Void> large = data(queue, frame("aabbcc"));
        CompletableFuture<Void> small = data(queue, frame("x"));
        CompletableFuture<Void> close = queue.offer(frame("Z"), SendQueue.Kind.CLOSE);
        transport.releaseHeldWrites();
        assertEquals("aabbccxZ", writtenAscii());
        assertTrue(large.isDone() && small.isDone() && close.isDone());
        assertEquals(0, queue.bufferedBytes());
    }

    @Test
    void aFailingCloseDuringAFragmentedMessageFailsItAndFollowsTheFragmentInFlight() {
        SendQueue queue = fragmentingQueue(UNBOUNDED, Completion.HELD, 3);
        CompletableFuture<Void> message = data(queue, frame("AAABBBCCC"));
        CompletableFuture<Void> close = queue.offer(frame("Z"), SendQueue.Kind.FAILING_CLOSE);
        assertTrue(message.isCompletedExceptionally(), "the rest of the message is dropped");
        transport.releaseHeldWrites();
        assertEquals("AAAZ", writtenAscii(), "never inside a frame: the close follows the fragment that was in flight");
        assertTrue(close.isDone() && !close.isCompletedExceptionally());
        assertEquals(0, queue.bufferedBytes());
    }

    @Test
    void aFailedWriteFailsTheFragmentedMessage() {
        SendQueue queue = fragmentingQueue(UNBOUNDED, Completion.HELD, 3);
        CompletableFuture<Void> message = data(queue, frame("AAABBBCCC"));
        transport.completeHeldWrite();
        transport.failHeldWrite(new IOException("reset"));
        assertInstanceOf(IOException.class, failureOf(message));
        assertEquals(1, writeFailures.size());
        assertEquals(0, queue.bufferedBytes());
    }

    // ---- inline and later completions both drain everything

    @Test
    void inlineCompletionsDrainAHundredThousandQueuedFrames() throws Exception {
        transport = new FakeTransport(Completion.INLINE);
        SendQueue queue = new SendQueue(UNBOUNDED, writeFailures::add);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            futures.add(data(queue, frame("x")));
        }
        queue.start(transport);
        awaitAll(futures);
        assertEquals(100_000, transport.bytes().length);
        assertTrue(queue.isEmpty());
    }

    @Test
    void aHundredThousandInlineCompletionsInARowDoNotRecurse() throws Exception {
        // Each frame is sent from the previous frame's completion, which runs inside the writer's
        // loop (the first frame waits for start(), so every later send finds a writer at work), and
        // every write completes inline: 100,000 writes, each completed before write() returns. The
        // loop must go on, not call itself.
        transport = new FakeTransport(Completion.INLINE);
        SendQueue queue = new SendQueue(UNBOUNDED, writeFailures::add);
        int total = 100_000;
        AtomicInteger sent = new AtomicInteger();
        CompletableFuture<Void> last = new CompletableFuture<>();
        Runnable[] sendNext = new Runnable[1];
        sendNext[0] = () -> {
            int n = sent.incrementAndGet();
            CompletableFuture<Void> future = data(queue, frame("y"));
            assertFalse(future.isDone(), "a send made while the writer is busy waits for it");
            future.whenComplete((ok, error) -> {
                if (error != null) {
                    last.completeExceptionally(error);
                } else if (n == total) {
                    last.complete(null);
                } else {
                    try {
                        sendNext[0].run();
                    } catch (Throwable t) {
                        last.completeExceptionally(new AssertionError("send " + (n + 1) + " failed", t));
                    }
                }
            });
        };
        sendNext[0].run();
        queue.start(transport);
        last.get(30, TimeUnit.SECONDS);
        assertEquals(total, transport.writeCount());
        assertEquals(total, transport.bytes().length);
        assertTrue(transport.extraStackDepth() < 50,
                "the stack grew by " + transport.extraStackDepth() + " frames over " + total + " writes");
    }

    @Test
    void laterCompletionsFromAnotherThreadDrainEverything() throws Exception {
        assertDrainsInOrder(Completion.ASYNC);
    }

    @Test
    void mixedInlineAndLaterCompletionsDrainEverything() throws Exception {
        assertDrainsInOrder(Completion.MIXED);
    }

    private void assertDrainsInOrder(Completion completion) throws Exception {
        SendQueue queue = startedQueue(UNBOUNDED, completion);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            String s = (i % 10) + (i % 7 == 0 ? "-" : "");
            expected.append(s);
            futures.add(data(queue, frame(s)));
        }
        awaitAll(futures);
        assertEquals(expected.toString(), writtenAscii());
        assertEquals(0, transport.overlappingWrites(), "at most one write is outstanding");
        assertEquals(0, queue.bufferedBytes());
        assertTrue(writeFailures.isEmpty());
    }

    @Test
    void concurrentSendersFromEightThreadsAllCompleteIntactAndInOrder() throws Exception {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.MIXED);
        int threads = 8;
        int perThread = 5_000;
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
                    futures.add(data(queue, record(id, seq)));
                }
            });
            sender.start();
            senders.add(sender);
        }
        go.countDown();
        for (Thread sender : senders) {
            sender.join(30_000);
        }
        assertEquals(threads * perThread, futures.size());
        awaitAll(futures);

        ByteBuffer out = ByteBuffer.wrap(transport.bytes());
        assertEquals(threads * perThread * RECORD_BYTES, out.remaining());
        int[] next = new int[threads];
        while (out.hasRemaining()) {
            int id = out.getInt();
            int seq = out.getInt();
            long check = out.getLong();
            assertEquals(checksum(id, seq), check, "record of thread " + id + " seq " + seq + " is torn");
            assertEquals(next[id], seq, "thread " + id + "'s frames were reordered or lost");
            next[id]++;
        }
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, next[t]);
        }
        assertEquals(0, transport.overlappingWrites());
    }

    private static final int RECORD_BYTES = 16;

    /** A 16-byte record in two buffers (5 + 11 bytes), so a frame split between buffers shows if torn. */
    private static ByteBuffer[] record(int id, int seq) {
        ByteBuffer all = ByteBuffer.allocate(RECORD_BYTES).putInt(id).putInt(seq).putLong(checksum(id, seq));
        byte[] b = all.array();
        return new ByteBuffer[] {ByteBuffer.wrap(b, 0, 5).slice(), ByteBuffer.wrap(b, 5, 11).slice()};
    }

    private static long checksum(int id, int seq) {
        return (id * 0x9E3779B97F4A7C15L) ^ (seq * 0xC2B2AE3D27D4EB4FL);
    }

    // ---- the byte bound

    @Test
    void dataFramePastTheBoundIntoANonEmptyQueueIsRefused() {
        SendQueue queue = startedQueue(100, Completion.HELD);
        CompletableFuture<Void> first = data(queue, frameOf(60));
        assertNotSame(SendQueue.OVERFLOW, first);

        assertSame(SendQueue.OVERFLOW, data(queue, frameOf(41)));
        assertEquals(60, queue.bufferedBytes(), "the refused frame is not queued");

        assertNotSame(SendQueue.OVERFLOW, data(queue, frameOf(40)), "up to the bound is allowed");
        assertEquals(100, queue.bufferedBytes());
        assertSame(SendQueue.OVERFLOW, data(queue, frameOf(1)));
    }

    @Test
    void singleFrameLargerThanTheBoundIsAcceptedIntoAnEmptyQueue() {
        SendQueue queue = startedQueue(100, Completion.INLINE);
        CompletableFuture<Void> big = data(queue, frameOf(10_000));
        assertNotSame(SendQueue.OVERFLOW, big);
        assertTrue(big.isDone() && !big.isCompletedExceptionally());
        assertEquals(10_000, transport.bytes().length);
    }

    @Test
    void waitingPingsAndPongsAreBoundedButTheCloseFrameIsAlwaysAdmitted() {
        SendQueue queue = startedQueue(100, Completion.HELD);
        data(queue, frameOf(1)); // in flight: what follows waits
        assertNotSame(SendQueue.OVERFLOW, queue.offer(frameOf(60), SendQueue.Kind.CONTROL));
        assertSame(SendQueue.OVERFLOW, queue.offer(frameOf(50), SendQueue.Kind.CONTROL),
                "a peer that floods pings and reads nothing must not fill the heap with pongs");
        assertEquals(61, queue.bufferedBytes(), "pongs count in bufferedAmount");
        CompletableFuture<Void> close = queue.offer(frameOf(4), SendQueue.Kind.CLOSE);
        assertNotSame(SendQueue.OVERFLOW, close);
        assertFalse(close.isDone());
    }

    @Test
    void aPongIsAdmittedWhileAMessageLargerThanTheBoundIsInFlight() {
        // One message into an empty queue always fits; answering one ping meanwhile is no flood.
        SendQueue queue = startedQueue(100, Completion.HELD);
        CompletableFuture<Void> big = data(queue, frameOf(10_000));
        CompletableFuture<Void> pong = queue.offer(frameOf(2), SendQueue.Kind.CONTROL);
        assertNotSame(SendQueue.OVERFLOW, pong);
        assertSame(SendQueue.OVERFLOW, data(queue, frameOf(1)), "data still counts everything waiting");
        transport.releaseHeldWrites();
        assertTrue(big.isDone() && pong.isDone());
        assertEquals(10_002, transport.bytes().length);
    }

    @Test
    void pongsThatLeftNoLongerCountAgainstTheBound() {
        SendQueue queue = startedQueue(100, Completion.HELD);
        data(queue, frameOf(1));
        for (int i = 0; i < 10; i++) {
            assertNotSame(SendQueue.OVERFLOW, queue.offer(frameOf(10), SendQueue.Kind.CONTROL), "pong " + i);
        }
        assertSame(SendQueue.OVERFLOW, queue.offer(frameOf(10), SendQueue.Kind.CONTROL));
        transport.completeHeldWrite(); // the data frame; the ten pongs leave in the next write
        transport.completeHeldWrite();
        assertNotSame(SendQueue.OVERFLOW, queue.offer(frameOf(100), SendQueue.Kind.CONTROL));
    }

    @Test
    void pingsAndPongsGoAheadOfWaitingDataButNotOfTheFrameInFlight() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.HELD);
        data(queue, frame("a"));
        data(queue, frame("b"));
        queue.offer(frame("P"), SendQueue.Kind.CONTROL);
        transport.releaseHeldWrites();
        assertEquals("aPb", new String(transport.bytes(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void theCloseFrameLeavesAfterTheDataQueuedBeforeIt() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.HELD);
        data(queue, frame("a"));
        data(queue, frame("b"));
        queue.offer(frame("C"), SendQueue.Kind.CLOSE);
        transport.releaseHeldWrites();
        assertEquals("abC", new String(transport.bytes(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    // ---- the close frame is the last

    @Test
    void nothingIsAdmittedAfterTheCloseFrame() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.HELD);
        data(queue, frame("a"));
        queue.offer(frame("C"), SendQueue.Kind.CLOSE);

        assertInstanceOf(WebSocketClosedException.class, failureOf(data(queue, frame("b"))));
        assertInstanceOf(WebSocketClosedException.class, failureOf(queue.offer(frame("P"), SendQueue.Kind.CONTROL)));
        assertInstanceOf(WebSocketClosedException.class, failureOf(queue.offer(frame("C"), SendQueue.Kind.CLOSE)));

        transport.releaseHeldWrites();
        assertEquals("aC", writtenAscii(), "frames before the close frame still leave, nothing after it");
    }

    // ---- failures

    @Test
    void failedWriteFailsItsFramesAndEveryLaterOneAndIsReportedOnce() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.FAIL);
        CompletableFuture<Void> a = data(queue, frame("a"));
        assertInstanceOf(IOException.class, failureOf(a));
        assertTrue(failureOf(data(queue, frame("b"))) != null);
        assertTrue(failureOf(queue.offer(frame("C"), SendQueue.Kind.CLOSE)) != null);
        assertEquals(1, writeFailures.size(), "the connection hears of a failed write once");
        assertEquals(1, transport.writeCount(), "nothing is written after a failed write");
    }

    @Test
    void failedWriteFailsTheFramesQueuedBehindIt() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.HELD);
        CompletableFuture<Void> a = data(queue, frame("a"));
        CompletableFuture<Void> b = data(queue, frame("b"));
        IOException reset = new IOException("reset");
        transport.failHeldWrite(reset);
        assertSame(reset, failureOf(a));
        assertTrue(failureOf(b) != null);
        assertEquals(List.of(reset), writeFailures);
        assertEquals(0, queue.bufferedBytes());
    }

    @Test
    void failFailsQueuedFramesAtOnceAndInFlightOnesWhenTheirWriteEnds() {
        SendQueue queue = startedQueue(UNBOUNDED, Completion.HELD);
        CompletableFuture<Void> inFlight = data(queue, frame("a"));
        CompletableFuture<Void> queued = data(queue, frame("b"));
        WebSocketClosedException closed = new WebSocketClosedException("closed");

        queue.fail(closed);
        assertSame(closed, failureOf(queued));
        assertFalse(inFlight.isDone());
        assertEquals(1, queue.bufferedBytes(), "only the bytes in flight remain");
        assertSame(closed, failureOf(data(queue, frame("c"))));

        transport.close();
        assertTrue(failureOf(inFlight) instanceof IOException);
        assertEquals(0, queue.bufferedBytes());
        assertEquals("a", writtenAscii());
    }
}
