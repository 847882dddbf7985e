package io.socketlet.internal.server;

import io.socketlet.WebSocketClosedException;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A connection's outbound frames: any thread may add, one writer at a time drains into the
 * {@link Transport}. Frames queued together leave in one gathering write. The queue is bounded in
 * bytes so a peer that stops reading cannot exhaust the heap; only the close frame is always
 * admitted, and after it nothing more.
 *
 * <p>Order: data frames and the close frame leave in the order they were queued (nothing queued
 * before our close is lost), but pings and pongs go ahead of data frames still waiting, between
 * frames, never inside one, so a keep-alive answer does not wait behind a large message. A close
 * that fails the connection drops the data still waiting: the peer broke the protocol or stopped
 * reading, and the close should reach it now.
 *
 * <p>Each write's callback may come inline (the container took everything at once) or later on
 * a container thread; the drain loop handles both without recursion: whichever of the writer and
 * the callback comes second continues the loop. No lock is held while the transport writes or
 * while a future completes.
 */
final class SendQueue implements Transport.WriteCallback {

    /** How a frame is queued. */
    enum Kind {
        /** A message frame: in order, bounded by maxBufferedBytes. */
        DATA,
        /** A ping or pong: ahead of waiting data frames, bounded like data. */
        CONTROL,
        /** Our close frame, after everything queued before it; nothing may follow it. */
        CLOSE,
        /** A close that fails the connection: the data frames still waiting are dropped. */
        FAILING_CLOSE
    }

    /** Most frames and bytes gathered into one write. */
    private static final int MAX_BATCH_FRAMES = 64;
    private static final long MAX_BATCH_BYTES = 256 * 1024;

    /** Result of {@link #offer} when the frame would pass {@code maxBufferedBytes}. */
    static final CompletableFuture<Void> OVERFLOW = new CompletableFuture<>();

    private record Entry(ByteBuffer[] buffers, long size, CompletableFuture<Void> future) {
    }

    /** Told how many frames and bytes each completed write carried (the endpoint's counters). */
    interface WrittenListener {
        void accept(int frames, long bytes);
    }

    private final Object lock = new Object();
    private final long maxBufferedBytes;
    // Small to start with: an idle connection holds these (they grow when a peer reads slowly).
    private final ArrayDeque<Entry> data = new ArrayDeque<>(4);
    private final ArrayDeque<Entry> controls = new ArrayDeque<>(2);
    /** Notified once when a write fails; the connection then ends. */
    private final Consumer<Throwable> onWriteFailure;
    private final WrittenListener onWritten;

    private Transport transport;
    private long bufferedBytes;
    /** While set, sends from this thread are held back (see {@link #cork}). */
    private Thread corkedBy;
    private boolean draining;
    private boolean closeQueued;
    private Throwable failure;
    private List<Entry> inFlight;
    private boolean writeReturned;
    private boolean writeCompleted;
    private Throwable writeFailure;
    /** When the output last moved: bytes taken by the container, or a frame into an idle queue. */
    private volatile long lastProgressNanos;

    SendQueue(long maxBufferedBytes, Consumer<Throwable> onWriteFailure) {
        this(maxBufferedBytes, onWriteFailure, (frames, bytes) -> { });
    }

    SendQueue(long maxBufferedBytes, Consumer<Throwable> onWriteFailure, WrittenListener onWritten) {
        this.maxBufferedBytes = maxBufferedBytes;
        this.onWriteFailure = onWriteFailure;
        this.onWritten = onWritten;
    }

    /** {@link #offer(Supplier, Kind)} for a frame already encoded. */
    CompletableFuture<Void> offer(ByteBuffer[] frame, Kind kind) {
        return offer(() -> frame, kind);
    }

    /**
     * Queues one frame, encoding it under the queue's lock, so frames are encoded in the order
     * they are sent: a compressor that keeps context across messages (permessage-deflate) must
     * see them in wire order. Exceptions from the encoder propagate, with nothing queued.
     *
     * @return the frame's future; a failed future if the queue no longer admits frames; or
     *         {@link #OVERFLOW} (not queued) if a data or control frame would pass the byte bound. A single
     *         frame is always admitted into an empty queue, so one large message can always be sent.
     */
    CompletableFuture<Void> offer(Supplier<ByteBuffer[]> encode, Kind kind) {
        SendFuture future = new SendFuture(this);
        List<Entry> dropped = null;
        boolean startDrain;
        synchronized (lock) {
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (closeQueued) {
                return CompletableFuture.failedFuture(
                        new WebSocketClosedException("WebSocket is closing: no frame may follow the close frame"));
            }
            ByteBuffer[] frame = encode.get();
            long size = 0;
            for (ByteBuffer b : frame) {
                size += b.remaining();
            }
            // Pings and pongs count too: a peer that floods pings and reads nothing must not
            // fill the heap with answers. Only the close frame is always admitted.
            boolean bounded = kind == Kind.DATA || kind == Kind.CONTROL;
            if (bounded && bufferedBytes > 0 && bufferedBytes + size > maxBufferedBytes) {
                return OVERFLOW;
            }
            if (isIdle()) {
                lastProgressNanos = System.nanoTime();
            }
            if (kind == Kind.FAILING_CLOSE && !data.isEmpty()) {
                dropped = new ArrayList<>(data);
                data.clear();
                for (Entry e : dropped) {
                    bufferedBytes -= e.size;
                }
            }
            closeQueued = kind == Kind.CLOSE || kind == Kind.FAILING_CLOSE;
            (kind == Kind.CONTROL ? controls : data).add(new Entry(frame, size, future));
            bufferedBytes += size;
            startDrain = !draining && transport != null && corkedBy != Thread.currentThread();
            if (startDrain) {
                draining = true;
            }
        }
        if (dropped != null) {
            failAll(dropped, new WebSocketClosedException("WebSocket failed before this message was sent"));
        }
        if (startDrain) {
            drain();
        }
        return future;
    }

    /**
     * Holds back the calling thread's sends until {@link #uncork}: while the read path decodes one
     * read's worth of messages and delivers them, their answers (echoes, pongs) gather and leave
     * in one write instead of one system call each. Sends from other threads are not held.
     */
    void cork() {
        synchronized (lock) {
            corkedBy = Thread.currentThread();
        }
    }

    /** Ends a {@link #cork}: whatever gathered meanwhile starts to flow, as one gathering write. */
    void uncork() {
        synchronized (lock) {
            corkedBy = null;
        }
        flush();
    }

    /** The transport is ready: frames queued before (from onOpen) start to flow. */
    void start(Transport transport) {
        synchronized (lock) {
            this.transport = transport;
        }
        flush();
    }

    /** Starts draining what waits, corked or not, unless a drain runs already. */
    private void flush() {
        synchronized (lock) {
            if (draining || transport == null || failure != null || (data.isEmpty() && controls.isEmpty())) {
                return;
            }
            draining = true;
        }
        drain();
    }

    private boolean isIdle() {
        return data.isEmpty() && controls.isEmpty() && inFlight == null;
    }

    /** Whether nothing is queued or being written. */
    boolean isEmpty() {
        synchronized (lock) {
            return isIdle();
        }
    }

    /** Bytes queued and not yet handed to the container. */
    long bufferedBytes() {
        synchronized (lock) {
            return bufferedBytes;
        }
    }

    /**
     * How long frames have waited without the output moving, in nanoseconds at {@code now}; 0
     * when nothing waits. The write timeout compares this with its setting: a peer that reads
     * slowly but steadily makes progress, one that stopped reading does not.
     */
    long stalledNanos(long now) {
        synchronized (lock) {
            return isIdle() ? 0 : Math.max(0, now - lastProgressNanos);
        }
    }

    /** Runs an action under the queue's lock, apart from any encoding (to release the encoder safely). */
    void runExclusively(Runnable action) {
        synchronized (lock) {
            action.run();
        }
    }

    /** Fails every queued frame and refuses new ones; the frames in flight fail when their write does. */
    void fail(Throwable cause) {
        List<Entry> dropped;
        synchronized (lock) {
            if (failure != null) {
                return;
            }
            failure = cause;
            dropped = new ArrayList<>(controls);
            dropped.addAll(data);
            controls.clear();
            data.clear();
            for (Entry e : dropped) {
                bufferedBytes -= e.size;
            }
        }
        failAll(dropped, cause);
    }

    private static void failAll(List<Entry> entries, Throwable cause) {
        for (Entry e : entries) {
            e.future.completeExceptionally(cause);
        }
    }

    private void drain() {
        while (true) {
            List<Entry> batch;
            ByteBuffer[] buffers;
            synchronized (lock) {
                if ((data.isEmpty() && controls.isEmpty()) || failure != null) {
                    draining = false;
                    return;
                }
                batch = new ArrayList<>(Math.min(controls.size() + data.size(), MAX_BATCH_FRAMES));
                int count = takeBatch(controls, batch, 0);
                count = takeBatch(data, batch, count);
                buffers = new ByteBuffer[count];
                int i = 0;
                for (Entry e : batch) {
                    for (ByteBuffer b : e.buffers) {
                        buffers[i++] = b;
                    }
                }
                inFlight = batch;
                writeReturned = false;
                writeCompleted = false;
                writeFailure = null;
            }
            transport.write(buffers, this);
            Throwable failed;
            synchronized (lock) {
                if (!writeCompleted) {
                    // The container will call back later; the callback continues the loop.
                    writeReturned = true;
                    return;
                }
                failed = writeFailure;
            }
            if (!finish(batch, failed)) {
                return;
            }
        }
    }

    /** Moves whole frames from a queue into the batch, within the batch bounds; returns the buffer count. */
    private static int takeBatch(ArrayDeque<Entry> from, List<Entry> batch, int count) {
        long bytes = 0;
        for (Entry e : batch) {
            bytes += e.size;
        }
        while (!from.isEmpty() && batch.size() < MAX_BATCH_FRAMES
                && (batch.isEmpty() || bytes + from.peek().size <= MAX_BATCH_BYTES)) {
            Entry e = from.poll();
            batch.add(e);
            count += e.buffers.length;
            bytes += e.size;
        }
        return count;
    }

    @Override
    public void progressed() {
        lastProgressNanos = System.nanoTime();
    }

    @Override
    public void succeeded() {
        completed(null);
    }

    @Override
    public void failed(Throwable cause) {
        completed(cause == null ? new java.io.IOException("write failed") : cause);
    }

    private void completed(Throwable cause) {
        List<Entry> batch;
        synchronized (lock) {
            writeCompleted = true;
            writeFailure = cause;
            if (!writeReturned) {
                return; // completed inline: the writer's loop goes on
            }
            batch = inFlight;
        }
        if (finish(batch, cause)) {
            drain();
        }
    }

    /** Completes one written batch; returns whether draining should go on. */
    private boolean finish(List<Entry> batch, Throwable cause) {
        long bytes = 0;
        synchronized (lock) {
            inFlight = null;
            lastProgressNanos = System.nanoTime();
            for (Entry e : batch) {
                bufferedBytes -= e.size;
                bytes += e.size;
            }
        }
        if (cause != null) {
            failAll(batch, cause);
            fail(cause);
            synchronized (lock) {
                draining = false;
            }
            onWriteFailure.accept(cause);
            return false;
        }
        onWritten.accept(batch.size(), bytes);
        for (Entry e : batch) {
            e.future.complete(null);
        }
        return true;
    }

    /**
     * Waiting for a send inside a callback of the same connection: its frames are held back by
     * {@link #cork}, so they are let go first. A write already under way on another thread is
     * waited for (it completes by itself). What remains is a write waiting for the container's
     * call back: on a transport that calls back while our callback runs (Jetty's socket), the
     * ordinary wait ends; on one that does not (the Servlet API: Tomcat runs one event of a
     * socket at a time), the wait could never end, so it fails at once instead of hanging.
     */
    private void beforeWaiting(SendFuture future) {
        synchronized (lock) {
            if (corkedBy != Thread.currentThread()) {
                return;
            }
        }
        flush();
        while (!future.isDone()) {
            boolean waitsForContainer;
            boolean writerUnderWay;
            Transport current;
            synchronized (lock) {
                current = transport;
                waitsForContainer = current == null || (inFlight != null && writeReturned);
                writerUnderWay = draining && !waitsForContainer;
            }
            if (waitsForContainer) {
                if (current != null && current.completesWritesDuringCallbacks()) {
                    return;
                }
                throw new IllegalStateException("Waiting inside a callback for a send on the same WebSocket that the "
                        + "container cannot take now would stop this connection's reading: chain on the future "
                        + "(whenComplete/thenRun) instead of join()/get()");
            }
            if (writerUnderWay) {
                LockSupport.parkNanos(50_000); // another thread is handing the frames over right now
            } else {
                flush(); // nothing under way: hand them over from here
            }
        }
    }

    /** A send's future: blocking on it from a callback of its own connection never hangs (see {@link #beforeWaiting}). */
    private static final class SendFuture extends CompletableFuture<Void> {
        private final SendQueue queue;

        SendFuture(SendQueue queue) {
            this.queue = queue;
        }

        @Override
        public Void join() {
            if (!isDone()) {
                queue.beforeWaiting(this);
            }
            return super.join();
        }

        @Override
        public Void get() throws InterruptedException, ExecutionException {
            if (!isDone()) {
                queue.beforeWaiting(this);
            }
            return super.get();
        }

        @Override
        public Void get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            if (!isDone()) {
                queue.beforeWaiting(this);
            }
            return super.get(timeout, unit);
        }

        /** Futures derived from this one are plain futures. */
        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
