package io.socketlet.server;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A connection's outbound frames: any thread may add, one writer at a time drains into the
 * {@link Transport}. Frames queued together leave in one gathering write. The queue is bounded in
 * bytes so a peer that stops reading cannot exhaust the heap; control frames (pong, close) are
 * small and always admitted. After the close frame nothing more is admitted.
 *
 * <p>Each write's callback may come inline (the container took everything at once) or later on
 * a container thread; the drain loop handles both without recursion: whichever of the writer and
 * the callback comes second continues the loop.
 */
final class SendQueue implements Transport.WriteCallback {

    /** Most frames and bytes gathered into one write. */
    private static final int MAX_BATCH_FRAMES = 64;
    private static final long MAX_BATCH_BYTES = 256 * 1024;

    private record Entry(ByteBuffer[] buffers, long size, CompletableFuture<Void> future) {
    }

    private final Object lock = new Object();
    private final long maxBufferedBytes;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private Transport transport;
    private long bufferedBytes;
    /** Greater than zero while the read path holds frames back (see {@link #cork}). */
    private int corked;
    private boolean draining;
    private boolean closeQueued;
    private Throwable failure;
    private List<Entry> inFlight;
    private boolean writeReturned;
    private boolean writeCompleted;
    private Throwable writeFailure;
    /** When the queue last moved: a frame written, or the first frame into an empty queue. */
    private long lastProgressNanos;
    /** Notified once when a write fails; the connection then ends. */
    private final java.util.function.Consumer<Throwable> onWriteFailure;

    /** Told how many frames and bytes each completed write carried (the endpoint's counters). */
    interface WrittenListener {
        void accept(int frames, long bytes);
    }

    private final WrittenListener onWritten;

    SendQueue(long maxBufferedBytes, java.util.function.Consumer<Throwable> onWriteFailure) {
        this(maxBufferedBytes, onWriteFailure, (frames, bytes) -> { });
    }

    SendQueue(long maxBufferedBytes, java.util.function.Consumer<Throwable> onWriteFailure, WrittenListener onWritten) {
        this.maxBufferedBytes = maxBufferedBytes;
        this.onWriteFailure = onWriteFailure;
        this.onWritten = onWritten;
    }

    /** Result of {@link #offer} when the frame would pass {@code maxBufferedBytes}. */
    static final CompletableFuture<Void> OVERFLOW = new CompletableFuture<>();

    /**
     * Queues one frame. Returns its future, a failed future if the queue no longer admits frames,
     * or {@link #OVERFLOW} (not queued) if a data frame would pass the byte bound; a single frame
     * is always admitted into an empty queue, so one large message can always be sent.
     */
    CompletableFuture<Void> offer(ByteBuffer[] frame, boolean control, boolean isClose) {
        return offer(() -> frame, control, isClose);
    }

    /**
     * Like {@link #offer(ByteBuffer[], boolean, boolean)}, but encodes the frame under the queue's
     * lock, so frames are encoded in the order they are sent: a compressor that keeps context
     * across messages (permessage-deflate) must see them in wire order. Exceptions from the
     * encoder propagate, with nothing queued.
     */
    CompletableFuture<Void> offer(Supplier<ByteBuffer[]> encode, boolean control, boolean isClose) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        boolean startDrain;
        synchronized (lock) {
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (closeQueued) {
                return CompletableFuture.failedFuture(
                        new io.socketlet.WebSocketClosedException("WebSocket is closing: no frame may follow the close frame"));
            }
            ByteBuffer[] frame = encode.get();
            long size = 0;
            for (ByteBuffer b : frame) {
                size += b.remaining();
            }
            if (!control && bufferedBytes > 0 && bufferedBytes + size > maxBufferedBytes) {
                return OVERFLOW;
            }
            closeQueued = isClose;
            if (queue.isEmpty() && inFlight == null) {
                lastProgressNanos = System.nanoTime();
            }
            queue.add(new Entry(frame, size, future));
            bufferedBytes += size;
            startDrain = !draining && transport != null && corked == 0;
            if (startDrain) {
                draining = true;
            }
        }
        if (startDrain) {
            drain();
        }
        return future;
    }

    /**
     * Holds frames back until {@link #uncork}: while the connection decodes one read's worth of
     * messages, their answers (echoes, pongs) gather and leave in one write instead of one system
     * call each. Only the read path corks, around one decode.
     */
    void cork() {
        synchronized (lock) {
            corked++;
        }
    }

    /** Ends a {@link #cork}: whatever gathered meanwhile starts to flow, as one gathering write. */
    void uncork() {
        boolean startDrain;
        synchronized (lock) {
            corked--;
            startDrain = corked == 0 && !draining && transport != null && !queue.isEmpty() && failure == null;
            if (startDrain) {
                draining = true;
            }
        }
        if (startDrain) {
            drain();
        }
    }

    /** The transport is ready: frames queued before (from onOpen) start to flow. */
    void start(Transport transport) {
        boolean startDrain;
        synchronized (lock) {
            this.transport = transport;
            startDrain = !draining && !queue.isEmpty() && failure == null && corked == 0;
            if (startDrain) {
                draining = true;
            }
        }
        if (startDrain) {
            drain();
        }
    }

    /** Whether nothing is queued or being written. */
    boolean isEmpty() {
        synchronized (lock) {
            return queue.isEmpty() && inFlight == null;
        }
    }

    /** Bytes queued and not yet handed to the container. */
    long bufferedBytes() {
        synchronized (lock) {
            return bufferedBytes;
        }
    }

    /**
     * How long frames have waited without any being written, in nanoseconds at {@code now}; 0
     * when nothing waits. The write timeout compares this with its setting.
     */
    long stalledNanos(long now) {
        synchronized (lock) {
            return queue.isEmpty() && inFlight == null ? 0 : Math.max(0, now - lastProgressNanos);
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
            dropped = new ArrayList<>(queue);
            queue.clear();
            for (Entry e : dropped) {
                bufferedBytes -= e.size;
            }
        }
        for (Entry e : dropped) {
            e.future.completeExceptionally(cause);
        }
    }

    private void drain() {
        while (true) {
            List<Entry> batch;
            ByteBuffer[] buffers;
            synchronized (lock) {
                if (queue.isEmpty() || failure != null) {
                    draining = false;
                    return;
                }
                batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH_FRAMES));
                int count = 0;
                long bytes = 0;
                while (!queue.isEmpty() && batch.size() < MAX_BATCH_FRAMES
                        && (batch.isEmpty() || bytes + queue.peek().size <= MAX_BATCH_BYTES)) {
                    Entry e = queue.poll();
                    batch.add(e);
                    count += e.buffers.length;
                    bytes += e.size;
                }
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
        if (cause == null) {
            onWritten.accept(batch.size(), bytes);
        }
        if (cause != null) {
            for (Entry e : batch) {
                e.future.completeExceptionally(cause);
            }
            fail(cause);
            synchronized (lock) {
                draining = false;
            }
            onWriteFailure.accept(cause);
            return false;
        }
        for (Entry e : batch) {
            e.future.complete(null);
        }
        return true;
    }
}
