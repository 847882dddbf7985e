package io.socketlet.internal.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link Transport}: records every byte written, completes each write the way the
 * test asks (inline, later from another thread, held until the test releases it, or failed), and
 * checks the contract's "at most one write is outstanding at a time".
 */
final class FakeTransport implements Transport {

    /** How a write's callback comes. */
    enum Completion {
        /** Before {@code write} returns, on the writer's thread. */
        INLINE,
        /** Later, from another thread. */
        ASYNC,
        /** Each write at random, inline or from another thread. */
        MIXED,
        /** Not until the test calls {@link #completeHeldWrite()}: a peer that does not read. */
        HELD,
        /** Failed at once, as a reset socket does. */
        FAIL,
        /**
         * Inline, but {@code write} does not return before the test calls {@link #openGate()}:
         * a write under way on the sender's thread. Later writes complete inline.
         */
        GATED
    }

    private final Object lock = new Object();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final ArrayDeque<WriteCallback> held = new ArrayDeque<>();
    private final AtomicBoolean outstanding = new AtomicBoolean();
    private final AtomicInteger overlappingWrites = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    private final ExecutorService completer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-transport-completer");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile Completion completion;
    private volatile boolean completesWritesDuringCallbacks;
    private volatile boolean closed;
    private volatile TransportListener listener;
    private volatile int firstWriteDepth = -1;
    private volatile int deepestWrite;

    FakeTransport(Completion completion) {
        this.completion = completion;
    }

    void completion(Completion completion) {
        this.completion = completion;
    }

    /** Whether this transport says it completes writes while a callback runs (as Jetty's socket does); false by default, as the Servlet API. */
    void completesWritesDuringCallbacks(boolean value) {
        this.completesWritesDuringCallbacks = value;
    }

    @Override
    public boolean completesWritesDuringCallbacks() {
        return completesWritesDuringCallbacks;
    }

    @Override
    public void start(TransportListener listener) {
        this.listener = listener;
    }

    TransportListener listener() {
        return listener;
    }

    @Override
    public void write(ByteBuffer[] buffers, WriteCallback callback) {
        if (!outstanding.compareAndSet(false, true)) {
            overlappingWrites.incrementAndGet();
        }
        int n = writes.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            int depth = new Throwable().getStackTrace().length;
            if (firstWriteDepth < 0) {
                firstWriteDepth = depth;
            }
            deepestWrite = Math.max(deepestWrite, depth);
        }
        if (closed) {
            outstanding.set(false);
            callback.failed(new IOException("connection closed"));
            return;
        }
        synchronized (lock) {
            for (ByteBuffer b : buffers) {
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                written.write(bytes, 0, bytes.length);
            }
        }
        Completion how = completion;
        if (how == Completion.MIXED) {
            how = ThreadLocalRandom.current().nextBoolean() ? Completion.INLINE : Completion.ASYNC;
        }
        switch (how) {
            case INLINE -> {
                outstanding.set(false);
                callback.succeeded();
            }
            case ASYNC -> completer.execute(() -> {
                outstanding.set(false);
                callback.succeeded();
            });
            case HELD -> {
                synchronized (lock) {
                    held.add(callback);
                }
            }
            case FAIL -> {
                outstanding.set(false);
                callback.failed(new IOException("Connection reset by peer"));
            }
            case GATED -> {
                try {
                    if (!gate.await(10, TimeUnit.SECONDS)) {
                        throw new AssertionError("the test never opened the gate");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                outstanding.set(false);
                callback.succeeded();
            }
            default -> throw new AssertionError(how);
        }
    }

    /** Lets a {@link Completion#GATED} write return, completed; writes from now on complete inline. */
    void openGate() {
        completion = Completion.INLINE;
        gate.countDown();
    }

    /** Completes the oldest held write; false if none was held. */
    boolean completeHeldWrite() {
        WriteCallback callback;
        synchronized (lock) {
            callback = held.poll();
        }
        if (callback == null) {
            return false;
        }
        outstanding.set(false);
        callback.succeeded();
        return true;
    }

    /** Tells the oldest held write that part of it left, as a peer reading slowly does. */
    void progressHeldWrite() {
        WriteCallback callback;
        synchronized (lock) {
            callback = held.peek();
        }
        if (callback != null) {
            callback.progressed();
        }
    }

    /** Fails the oldest held write, as a socket reset under it does; false if none was held. */
    boolean failHeldWrite(Throwable cause) {
        WriteCallback callback;
        synchronized (lock) {
            callback = held.poll();
        }
        if (callback == null) {
            return false;
        }
        outstanding.set(false);
        callback.failed(cause);
        return true;
    }

    /** From now on writes complete inline, and the held ones complete now. */
    void releaseHeldWrites() {
        completion = Completion.INLINE;
        while (completeHeldWrite()) {
            // each completion may start the next write, which now completes inline
        }
    }

    int heldWrites() {
        synchronized (lock) {
            return held.size();
        }
    }

    /** Closes the socket: a held write fails, as the contract says. */
    @Override
    public void close() {
        closes.incrementAndGet();
        closed = true;
        List<WriteCallback> failed;
        synchronized (lock) {
            failed = new ArrayList<>(held);
            held.clear();
        }
        for (WriteCallback callback : failed) {
            outstanding.set(false);
            callback.failed(new IOException("connection closed"));
        }
    }

    boolean isClosed() {
        return closed;
    }

    int closeCount() {
        return closes.get();
    }

    int writeCount() {
        return writes.get();
    }

    int overlappingWrites() {
        return overlappingWrites.get();
    }

    /** How many stack frames deeper than the first write the deepest sampled write ran. */
    int extraStackDepth() {
        return firstWriteDepth < 0 ? 0 : deepestWrite - firstWriteDepth;
    }

    byte[] bytes() {
        synchronized (lock) {
            return written.toByteArray();
        }
    }

    void shutdown() {
        completer.shutdownNow();
    }

    // ---- the server's frames, parsed back (server frames are never masked)

    record Frame(boolean fin, int opcode, byte[] payload) {
        String text() {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }

        /** A close frame's status code, or 1005 for an empty close frame. */
        int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        String closeReason() {
            return payload.length < 2 ? "" : new String(payload, 2, payload.length - 2, java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Frame[op=" + opcode + ", fin=" + fin + ", " + payload.length + " bytes "
                    + (opcode == 8 ? closeCode() + " " + closeReason() : Arrays.toString(Arrays.copyOf(payload, Math.min(16, payload.length))))
                    + "]";
        }
    }

    List<Frame> frames() {
        return parseFrames(bytes());
    }

    static List<Frame> parseFrames(byte[] b) {
        List<Frame> frames = new ArrayList<>();
        int i = 0;
        while (i < b.length) {
            boolean fin = (b[i] & 0x80) != 0;
            int opcode = b[i] & 0x0f;
            if ((b[i + 1] & 0x80) != 0) {
                throw new AssertionError("server frame is masked at byte " + i);
            }
            long length = b[i + 1] & 0x7f;
            i += 2;
            if (length == 126) {
                length = ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
                i += 2;
            } else if (length == 127) {
                length = 0;
                for (int k = 0; k < 8; k++) {
                    length = (length << 8) | (b[i + k] & 0xff);
                }
                i += 8;
            }
            if (i + length > b.length) {
                throw new AssertionError("truncated frame at byte " + i + ": " + length + " bytes announced, " + (b.length - i) + " written");
            }
            frames.add(new Frame(fin, opcode, Arrays.copyOfRange(b, i, i + (int) length)));
            i += (int) length;
        }
        return frames;
    }
}
