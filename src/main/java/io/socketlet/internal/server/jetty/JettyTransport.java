package io.socketlet.internal.server.jetty;

import io.socketlet.internal.server.Transport;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.io.SelectableChannelEndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * A {@link Transport} straight on Jetty's socket (see {@link JettyUpgrade} for why, and
 * docs/jetty-upgrade-bug.md).
 *
 * <p>Jetty switches the {@link EndPoint} to this transport's {@link #connection()}, a Jetty
 * {@link AbstractConnection} implementing {@link Connection.UpgradeTo}. The two are separate
 * objects because both Jetty's {@code Connection} and {@code Transport} have a {@code close()}:
 * Jetty calls its own when it shuts a connector down, and that must reach the listener as a
 * failure, while the engine's own close must stay silent.
 *
 * <p>Reads are Jetty's own non-blocking cycle: {@code fillInterested()}, then {@code onFillable()}
 * fills the thread's read buffer until the socket has nothing more and hands every chunk to the
 * listener, so an idle connection holds no read buffer. Writes go to {@link EndPoint#write(Callback, ByteBuffer...)}.
 */
public final class JettyTransport implements Transport {

    /**
     * Read buffer size. A 64 KiB message with its header (65,544 bytes from a client) needs two
     * reads from a 64 KiB buffer and is then assembled; 128 KiB reads it, or two of them, in one
     * system call, and the decoder takes a whole message straight from the read (measured in
     * bench/notes.md: 1.45 reads per 64 KiB message before).
     */
    static final int READ_BUFFER_SIZE = 128 * 1024;

    /**
     * One read buffer per thread, not per connection: the listener copies what it keeps, so a
     * buffer is only used while one fill loop runs, and an idle connection holds none. Not from
     * Jetty's pool, whose default pools nothing over 64 KiB (a larger buffer would be a new
     * allocation per fill). A heap buffer, a JDK type: nothing of the application stays in
     * Jetty's threads. Taken out while in use, so a fill loop that somehow ran inside another on
     * the same thread would get a buffer of its own.
     */
    private static final ThreadLocal<ByteBuffer> READ_BUFFER = new ThreadLocal<>();

    /**
     * The most bytes handed to one {@link EndPoint#write} call. The JDK copies a heap buffer into a
     * temporary direct buffer of the same size before the system call and keeps that buffer
     * cached per thread, so one 16 MB message would pin 16 MB of native memory in every pool
     * thread that ever wrote one. Bigger writes go out in slices of this size: 256 KiB keeps a
     * 64 KiB frame and its header in one system call, and bounds the cache per thread.
     */
    static final int MAX_WRITE_SLICE = 256 * 1024;

    /** Writes of several buffers up to this many bytes are joined into one pooled direct buffer ({@link #writeCoalesced}). */
    static final int COALESCE_LIMIT = 32 * 1024;

    private final UpgradedConnection connection;
    private final ByteBufferPool bufferPool;
    /**
     * Used once, when Jetty switches over, then dropped: the status supplier holds Jetty's
     * response, and through it the whole HTTP connection (parser, channel, output), which an
     * open WebSocket must not keep alive (about 2 KB per idle connection, measured).
     */
    private IntSupplier sentStatus;
    private Consumer<? super Transport> onOpen;
    private final int switchStatus;
    /** Set by the engine's {@link #close()}: from then on the listener hears nothing more. */
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Bytes that came in with the request headers, delivered first by {@link #start}. */
    private volatile ByteBuffer prefilled;
    private volatile TransportListener listener;
    /** Set once EOF or a failure went to the listener: nothing more is delivered after it. */
    private boolean inputDone;

    /**
     * @param sentStatus   the status of the response Jetty sent, read when Jetty switches over
     * @param switchStatus the status that switches: 101, or 200 for an HTTP/2 CONNECT stream
     * @param onOpen       called once Jetty has switched the socket to this transport after a 101,
     *                     on the Jetty thread that completed the response
     */
    JettyTransport(EndPoint endPoint, Executor executor, ByteBufferPool bufferPool,
                   IntSupplier sentStatus, int switchStatus, Consumer<? super Transport> onOpen) {
        this.switchStatus = switchStatus;
        this.connection = new UpgradedConnection(endPoint, executor);
        this.bufferPool = Objects.requireNonNull(bufferPool, "bufferPool");
        this.sentStatus = Objects.requireNonNull(sentStatus, "sentStatus");
        this.onOpen = Objects.requireNonNull(onOpen, "onOpen");
    }

    /** The Jetty connection to switch the socket to. */
    Connection connection() {
        return connection;
    }

    private EndPoint endPoint() {
        return connection.getEndPoint();
    }

    // ---- Jetty's side: upgrade, open, read, idle ----

    private final class UpgradedConnection extends AbstractConnection implements Connection.UpgradeTo {

        UpgradedConnection(EndPoint endPoint, Executor executor) {
            super(endPoint, executor);
        }

        /**
         * Bytes Jetty had already read past the request headers (a client's first frame,
         * hixie-76's eight key bytes). Jetty hands over a direct buffer it no longer uses; the
         * listener needs a heap buffer, so copy.
         */
        @Override
        public void onUpgradeTo(ByteBuffer buffer) {
            if (buffer == null || !buffer.hasRemaining()) {
                return;
            }
            ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
            copy.put(buffer).flip();
            prefilled = copy;
        }

        @Override
        public void onOpen() {
            super.onOpen();
            // The engine owns idle timeouts (it pings, and closes with a reason of its own).
            // Jetty's connector idle timeout, still on this EndPoint from the HTTP request, would
            // otherwise close a quiet WebSocket behind the engine's back.
            getEndPoint().setIdleTimeout(0);
            // Jetty switches whatever response went out. If service() threw after the takeover
            // was arranged, that was an error page, not our 101: the client speaks no WebSocket.
            int status = statusSent();
            Consumer<? super Transport> opened = onOpen;
            sentStatus = null;
            onOpen = null;
            if (status != switchStatus) {
                JettyTransport.this.close();
                return;
            }
            try {
                opened.accept(JettyTransport.this);
            } catch (Throwable x) {
                // We run inside Jetty's completion of the 101 response: don't let it see our failure.
                JettyTransport.this.close();
            }
        }

        /** Never let Jetty's idle timeout close the socket; see {@link #onOpen()}. */
        @Override
        public boolean onIdleExpired(TimeoutException timeout) {
            return false;
        }

        @Override
        public void onFillable() {
            readAvailable();
        }

        /** The socket closed (Jetty stopping, or the engine's close) or failed while we waited. */
        @Override
        public void onFillInterestedFailed(Throwable cause) {
            endOfInput(cause);
        }

        /**
         * Jetty is done with this connection: its socket is closed and the end point destroyed.
         * The end point then forgets it, because Jetty may keep that end point a while longer:
         * its selector holds the last selection key it handled until it next selects, and on an
         * idle server that can be for good. Through this object's class, its
         * {@code JettyClassLoader} (a class of the web application) kept the whole undeployed
         * application reachable (RedeployLeakIT on Jetty). Jetty checks for a null connection
         * wherever a destroyed socket end point can still be reached.
         */
        @Override
        public void onClose(Throwable cause) {
            super.onClose(cause);
            EndPoint endPoint = getEndPoint();
            if (endPoint instanceof SelectableChannelEndPoint && endPoint.getConnection() == this) {
                endPoint.setConnection(null);
            }
        }

        @Override
        public String toConnectionString() {
            return "JettyTransport@" + Integer.toHexString(JettyTransport.this.hashCode())
                    + "[closed=" + closed.get() + ",inputDone=" + inputDone + "]";
        }
    }

    private int statusSent() {
        try {
            return sentStatus.getAsInt();
        } catch (RuntimeException x) {
            return 101; // cannot tell (a Jetty that recycles earlier): the usual case is the 101
        }
    }

    private void readAvailable() {
        TransportListener target = listener;
        ByteBuffer buffer = READ_BUFFER.get();
        if (buffer == null) {
            buffer = ByteBuffer.allocate(READ_BUFFER_SIZE);
        } else {
            READ_BUFFER.set(null);
        }
        try {
            while (!closed.get()) {
                buffer.clear().limit(0); // Jetty fills from limit to capacity ("flush mode")
                int filled = endPoint().fill(buffer);
                if (filled > 0) {
                    target.onRead(buffer);
                } else if (filled == 0) {
                    connection.fillInterested();
                    return;
                } else {
                    endOfInput(null);
                    return;
                }
            }
        } catch (Throwable x) {
            endOfInput(x);
        } finally {
            READ_BUFFER.set(buffer);
        }
    }

    /**
     * The one terminal input event, delivered at most once and never after {@link #close()}.
     * Reads are serial (the fill loop and a fill-interest failure never overlap), so no lock. A
     * socket that Jetty itself closes (server stop) ends here too: a waiting read fails, a running
     * fill loop reads EOF.
     */
    private void endOfInput(Throwable failure) {
        if (inputDone) {
            return;
        }
        inputDone = true;
        if (closed.get()) {
            return;
        }
        TransportListener target = listener;
        if (failure == null) {
            target.onEndOfInput();
        } else {
            target.onFailure(failure);
            close(); // a socket that failed to read is of no further use
        }
    }

    // ---- The engine's side: Transport ----

    @Override
    public void start(TransportListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (this.listener != null) {
            throw new IllegalStateException("already started");
        }
        this.listener = listener;
        ByteBuffer early = prefilled;
        prefilled = null;
        if (early != null && !closed.get()) {
            try {
                listener.onRead(early);
            } catch (Throwable x) {
                endOfInput(x);
                return;
            }
        }
        if (closed.get()) {
            return;
        }
        if (!endPoint().isOpen()) {
            endOfInput(new ClosedChannelException()); // Jetty closed it before we started
            return;
        }
        connection.fillInterested();
    }

    @Override
    public void write(ByteBuffer[] buffers, WriteCallback callback) {
        Objects.requireNonNull(callback, "callback");
        if (closed.get() || !endPoint().isOpen()) {
            callback.failed(new ClosedChannelException());
            return;
        }
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        try {
            if (buffers.length > 1 && total <= COALESCE_LIMIT) {
                writeCoalesced(buffers, (int) total, callback);
            } else if (total <= MAX_WRITE_SLICE) {
                endPoint().write(new WriteDone(callback, null), buffers);
            } else {
                new SlicedWrite(buffers, callback).next();
            }
        } catch (RuntimeException x) { // WritePendingException: the caller broke the one-write rule
            callback.failed(x);
        }
    }

    /**
     * Many small frames (the answers to one read's messages) copied into one pooled direct buffer
     * and written from it: the JDK would otherwise copy each heap buffer into a temporary direct
     * buffer of its own before the system call (a per-thread cache look-up per buffer, one iovec
     * each). The buffer goes back to Jetty's pool when the write completes.
     */
    private void writeCoalesced(ByteBuffer[] buffers, int total, WriteCallback callback) {
        RetainableByteBuffer pooled = bufferPool.acquire(total, true);
        try {
            ByteBuffer joined = pooled.getByteBuffer();
            joined.clear();
            for (ByteBuffer b : buffers) {
                joined.put(b.duplicate());
            }
            joined.flip();
            endPoint().write(new WriteDone(callback, pooled), joined);
        } catch (RuntimeException x) {
            pooled.release();
            throw x;
        }
    }

    /** Jetty completes a write from its selector, whatever our read path is doing. */
    @Override
    public boolean completesWritesDuringCallbacks() {
        return true;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            endPoint().close(); // fails a pending write; the read side stops quietly
        }
    }

    /** Adapts Jetty's write completion to the engine's. Blocking by default: Jetty dispatches it. */
    private static final class WriteDone implements Callback {
        private final WriteCallback callback;
        /** The pooled buffer the write came from, returned when it completes; or null. */
        private final RetainableByteBuffer pooled;

        WriteDone(WriteCallback callback, RetainableByteBuffer pooled) {
            this.callback = callback;
            this.pooled = pooled;
        }

        @Override
        public void succeeded() {
            if (pooled != null) {
                pooled.release();
            }
            callback.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            if (pooled != null) {
                pooled.release();
            }
            callback.failed(x);
        }
    }

    /**
     * A write bigger than {@link #MAX_WRITE_SLICE}, sent as successive gathering writes of at most
     * that many bytes, each a set of views into the caller's buffers.
     *
     * <p>Jetty may complete a write inline, inside {@code EndPoint.write}; calling the next write
     * from there would recurse once per slice. So {@link #succeeded()} only raises
     * {@code pendingNext}, and whichever thread holds {@code iterating} writes the next slice: the
     * caller's thread while completions come inline, Jetty's thread when one comes later.
     */
    private final class SlicedWrite implements Callback {
        private final ByteBuffer[] buffers;
        private final WriteCallback callback;
        private int index;
        private final AtomicBoolean iterating = new AtomicBoolean();
        private volatile boolean pendingNext;

        SlicedWrite(ByteBuffer[] buffers, WriteCallback callback) {
            this.buffers = buffers;
            this.callback = callback;
        }

        void next() {
            pendingNext = true;
            while (pendingNext && iterating.compareAndSet(false, true)) {
                try {
                    while (pendingNext) {
                        pendingNext = false;
                        if (!writeSlice()) {
                            return;
                        }
                    }
                } catch (RuntimeException x) {
                    callback.failed(x);
                    return;
                } finally {
                    iterating.set(false);
                }
                // A completion that came after our last look but before we let go of
                // 'iterating' found it taken and left pendingNext for us: look again.
            }
        }

        /** Starts the next slice; false when everything was written (and the callback ran). */
        private boolean writeSlice() {
            while (index < buffers.length && !buffers[index].hasRemaining()) {
                index++;
            }
            if (index == buffers.length) {
                callback.succeeded();
                return false;
            }
            if (closed.get()) {
                callback.failed(new ClosedChannelException());
                return false;
            }
            List<ByteBuffer> slices = new ArrayList<>();
            int room = MAX_WRITE_SLICE;
            for (int i = index; i < buffers.length && room > 0; i++) {
                ByteBuffer source = buffers[i];
                int length = Math.min(source.remaining(), room);
                if (length > 0) {
                    slices.add(source.slice(source.position(), length));
                    source.position(source.position() + length); // Jetty consumes the view
                    room -= length;
                }
            }
            endPoint().write(this, slices.toArray(new ByteBuffer[0]));
            return true;
        }

        @Override
        public void succeeded() {
            callback.progressed(); // a slice left: the peer is reading
            next();
        }

        @Override
        public void failed(Throwable x) {
            callback.failed(x);
        }
    }
}
