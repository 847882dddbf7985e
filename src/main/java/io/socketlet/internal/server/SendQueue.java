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
 * frames, never inside one, so a keep-alive answer does not wait behind a large message. A large
 * message may be queued as fragments (the connection's splitter decides, see
 * {@code FrameEncoder.fragments}): they leave one per write, and control frames may go between
 * them; the message's future completes with its last fragment. A close
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
        /**
         * A ping or pong: ahead of waiting data frames; the control frames waiting are bounded by
         * maxBufferedBytes on their own, so a message larger than the bound in flight does not
         * make the answer to one ping overflow.
         */
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

    /** Splits a large data frame into fragments, or returns null to send it whole. */
    interface Splitter {
        ByteBuffer[][] split(ByteBuffer[] frame, long size);
    }

    /** Told how many frames and bytes each completed write carried (the endpoint's counters). */
    interface WrittenListener {
        void accept(int frames, long bytes);
    }

    private final Object lock = new Object();
    private final long maxBufferedBytes;
    // Small to start with: an idle connection holds these (they grow when a peer reads slowly).
    private final ArrayDeque<SendFuture> data = new ArrayDeque<>(4);
    private final ArrayDeque<SendFuture> controls = new ArrayDeque<>(2);
    /** Notified once when a write fails; the connection then ends. */
    private final Consumer<Throwable> onWriteFailure;
    private final WrittenListener onWritten;
    private final Splitter splitter;

    private Transport transport;
    private long bufferedBytes;
    /** Bytes of the control frames waiting (not yet taken into a write). */
    private long controlBytes;
    /** While set, sends from this thread are held back (see {@link #cork}). */
    private Thread corkedBy;
    private boolean draining;
    private boolean closeQueued;
    private Throwable failure;
    /** The entries of the write under way, or null; reused from one write to the next. */
    private List<SendFuture> inFlight;
    private final ArrayList<SendFuture> batch = new ArrayList<>(4);
    private boolean writeReturned;
    private boolean writeCompleted;
    private Throwable writeFailure;
    /** When the output last moved: bytes taken by the container, or a frame into an idle queue. */
    private volatile long lastProgressNanos;

    SendQueue(long maxBufferedBytes, Consumer<Throwable> onWriteFailure) {
        this(maxBufferedBytes, onWriteFailure, (frames, bytes) -> { });
    }

    SendQueue(long maxBufferedBytes, Consumer<Throwable> onWriteFailure, WrittenListener onWritten) {
        this(maxBufferedBytes, onWriteFailure, onWritten, (frame, size) -> null);
    }

    /** @param splitter asked, under the queue's lock, whether a data frame leaves in fragments */
    SendQueue(long maxBufferedBytes, Consumer<Throwable> onWriteFailure, WrittenListener onWritten, Splitter splitter) {
        this.maxBufferedBytes = maxBufferedBytes;
        this.onWriteFailure = onWriteFailure;
        this.onWritten = onWritten;
        this.splitter = splitter;
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
        List<SendFuture> dropped = null;
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
            // A peer that floods pings and reads nothing must not fill the heap with pongs: the
            // control frames waiting are bounded too, but by themselves. Counted with the data, the
            // answer to a single ping during a message larger than the bound (one message into an
            // empty queue always fits) would close the connection as a ping flood.
            if (kind == Kind.DATA && bufferedBytes > 0 && bufferedBytes + size > maxBufferedBytes
                    || kind == Kind.CONTROL && controlBytes > 0 && controlBytes + size > maxBufferedBytes) {
                return OVERFLOW;
            }
            if (isIdle()) {
                lastProgressNanos = System.nanoTime();
            }
            if (kind == Kind.FAILING_CLOSE && !data.isEmpty()) {
                dropped = new ArrayList<>(data);
                data.clear();
                for (SendFuture e : dropped) {
                    bufferedBytes -= e.queuedBytes;
                    e.release();
                }
            }
            closeQueued = kind == Kind.CLOSE || kind == Kind.FAILING_CLOSE;
            future.frame = frame;
            future.fragments = kind == Kind.DATA ? splitter.split(frame, size) : null;
            future.queuedBytes = size;
            (kind == Kind.CONTROL ? controls : data).add(future);
            bufferedBytes += size;
            if (kind == Kind.CONTROL) {
                controlBytes += size;
            }
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
        List<SendFuture> dropped;
        synchronized (lock) {
            if (failure != null) {
                return;
            }
            failure = cause;
            dropped = new ArrayList<>(controls);
            dropped.addAll(data);
            controls.clear();
            data.clear();
            controlBytes = 0;
            for (SendFuture e : dropped) {
                bufferedBytes -= e.queuedBytes;
                e.release();
            }
        }
        failAll(dropped, cause);
    }

    private static void failAll(List<SendFuture> entries, Throwable cause) {
        for (SendFuture e : entries) {
            e.completeExceptionally(cause);
        }
    }

    private void drain() {
        while (true) {
            List<SendFuture> written;
            ByteBuffer[] buffers;
            synchronized (lock) {
                if ((data.isEmpty() && controls.isEmpty()) || failure != null) {
                    draining = false;
                    return;
                }
                written = batch;
                int count = takeBatch(controls, written, 0);
                for (SendFuture control : written) {
                    controlBytes -= control.inFlightBytes; // no longer waiting
                }
                count = takeBatch(data, written, count);
                buffers = new ByteBuffer[count];
                int i = 0;
                for (SendFuture e : written) {
                    for (ByteBuffer b : e.inFlight()) {
                        buffers[i++] = b;
                    }
                }
                inFlight = written;
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
            if (!finish(written, failed)) {
                return;
            }
        }
    }

    /**
     * Moves frames from a queue into the batch, within the batch bounds; returns the buffer
     * count. A fragmented message gives one fragment at a time and ends the batch there, so the
     * next batch looks at the control frames again before its next fragment.
     */
    private static int takeBatch(ArrayDeque<SendFuture> from, List<SendFuture> batch, int count) {
        long bytes = 0;
        for (SendFuture e : batch) {
            bytes += e.inFlightBytes;
        }
        while (!from.isEmpty() && batch.size() < MAX_BATCH_FRAMES) {
            SendFuture e = from.peek();
            ByteBuffer[] next = e.fragments == null ? e.frame : e.fragments[e.nextFragment];
            long size = e.fragments == null ? e.queuedBytes : sizeOf(next);
            if (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
                break;
            }
            e.inFlightBytes = size;
            e.queuedBytes -= size;
            e.lastInFlight = e.fragments == null || ++e.nextFragment == e.fragments.length;
            batch.add(e);
            count += next.length;
            bytes += size;
            if (!e.lastInFlight) {
                break;
            }
            from.poll();
        }
        return count;
    }

    private static long sizeOf(ByteBuffer[] buffers) {
        long size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        return size;
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
        List<SendFuture> written;
        synchronized (lock) {
            writeCompleted = true;
            writeFailure = cause;
            if (!writeReturned) {
                return; // completed inline: the writer's loop goes on
            }
            written = inFlight;
        }
        if (finish(written, cause)) {
            drain();
        }
    }

    /**
     * Completes one written batch and empties it for the next write; returns whether draining
     * should go on. Only the draining thread gets here, once per write, and the next batch is
     * taken after this returns, so the list needs no lock while the futures complete.
     */
    private boolean finish(List<SendFuture> written, Throwable cause) {
        long bytes = 0;
        int messages = 0;
        synchronized (lock) {
            inFlight = null;
            lastProgressNanos = System.nanoTime();
            for (SendFuture e : written) {
                bufferedBytes -= e.inFlightBytes;
                bytes += e.inFlightBytes;
                if (e.lastInFlight) {
                    messages++;
                    e.release();
                }
            }
        }
        try {
            if (cause != null) {
                failAll(written, cause);
                fail(cause);
                synchronized (lock) {
                    draining = false;
                }
                onWriteFailure.accept(cause);
                return false;
            }
            onWritten.accept(messages, bytes);
            for (SendFuture e : written) {
                if (e.lastInFlight) {
                    e.complete(null); // a fragment's message waits for its last fragment
                }
            }
            return true;
        } finally {
            written.clear();
        }
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

    /**
     * A send's future, which is also its place in the queue (one object per send): its frame,
     * and where its fragments are. Those fields belong to the queue's lock. Blocking on it from a
     * callback of its own connection never hangs (see {@link #beforeWaiting}).
     */
    private static final class SendFuture extends CompletableFuture<Void> {
        private final SendQueue queue;
        /** The whole frame; the buffers of a message sent whole. */
        ByteBuffer[] frame;
        /** Or, for a message sent in fragments, each fragment's buffers; null otherwise. */
        ByteBuffer[][] fragments;
        int nextFragment;
        /** Bytes not yet taken into a write. */
        long queuedBytes;
        /** How much of this entry the write under way carries, and whether that ends it. */
        long inFlightBytes;
        boolean lastInFlight;

        SendFuture(SendQueue queue) {
            this.queue = queue;
        }

        /** Done with the bytes: a future the application keeps does not keep them (nor its buffer, lent by sendBinaryNoCopy). */
        void release() {
            frame = null;
            fragments = null;
        }

        /** The buffers this entry gives the write being taken: its frame, or the fragment just taken. */
        ByteBuffer[] inFlight() {
            return fragments == null ? frame : fragments[nextFragment - 1];
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
