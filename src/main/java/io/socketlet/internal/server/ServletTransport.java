package io.socketlet.internal.server;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.WebConnection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The portable road: an upgraded {@link WebConnection}'s streams, or an RFC 8441 stream's request
 * and response bodies, in non-blocking mode (Servlet 3.1 {@link ReadListener}/{@link WriteListener}). No container thread waits on a
 * socket: reads loop while {@code isReady()}, writes stop when the container says it is not
 * ready and resume in {@code onWritePossible}.
 *
 * <p>Reads go into a per-thread scratch array, since the listener copies what it keeps: an idle
 * connection holds no read buffer.
 */
final class ServletTransport implements Transport, ReadListener, WriteListener {

    private static final System.Logger LOG = System.getLogger(ServletTransport.class.getName());
    private static final int READ_BUFFER_SIZE = 16 * 1024;
    /** Buffers smaller than this are copied together into one container write. */
    private static final int GATHER_LIMIT = 8 * 1024;
    /**
     * The most bytes handed to one container write. In non-blocking mode a container takes a
     * whole write even when the socket cannot (Tomcat keeps the rest in a buffer of its own), so
     * one 16 MiB write would look like no progress until the last byte left. In pieces, each
     * piece the container takes shows the peer is reading (the write timeout is about stalls),
     * and the container never holds a second copy of a large message. A little over 64 KiB, so a
     * 64 KiB message and its header (at most 14 bytes) go in one write: at exactly 64 KiB the
     * header's last bytes followed alone, and on Tomcat (whose socket buffer is 8 KiB, so a 64 KiB
     * write leaves it full) that wrote a write of their own only after a round trip through
     * Tomcat's poller.
     */
    static final int MAX_WRITE_SLICE = 64 * 1024 + 16;
    private static final ThreadLocal<byte[]> READ_BUFFER = ThreadLocal.withInitial(() -> new byte[READ_BUFFER_SIZE]);

    /** What ends the connection: the upgraded socket, or the RFC 8441 request's async cycle. */
    private final AutoCloseable connection;
    private final ServletInputStream in;
    private final ServletOutputStream out;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean inputEnded = new AtomicBoolean();
    private volatile TransportListener listener;
    /** On Tomcat: closes the socket itself, which WebConnection.close() leaves to a later event. */
    private final Runnable socketCloser;

    private final Object writeLock = new Object();
    private ByteBuffer[] pending;
    private int pendingIndex;
    private boolean flushed;
    /**
     * The last {@code isReady()} said true and nothing was written since: the next write needs not
     * ask again (on Tomcat each call takes a lock and looks at the socket's buffers).
     */
    private boolean knownReady;
    private WriteCallback callback;

    /** An upgraded socket (HTTP/1.1 upgrade). */
    ServletTransport(WebConnection connection) throws IOException {
        this(connection.getInputStream(), connection.getOutputStream(), connection,
                TomcatSocketCloser.of(connection.getOutputStream()));
    }

    /**
     * Any other pair of non-blocking servlet streams, ended by {@code closer}: an RFC 8441 stream's
     * request and response bodies, which end with {@code AsyncContext.complete()} (and must never
     * close the socket under them: it carries the other streams of the HTTP/2 connection).
     */
    ServletTransport(ServletInputStream in, ServletOutputStream out, AutoCloseable closer) {
        this(in, out, closer, null);
    }

    private ServletTransport(ServletInputStream in, ServletOutputStream out, AutoCloseable connection, Runnable socketCloser) {
        this.connection = connection;
        this.in = in;
        this.out = out;
        this.socketCloser = socketCloser;
    }

    @Override
    public void start(TransportListener listener) {
        this.listener = listener;
        out.setWriteListener(this);
        in.setReadListener(this);
    }

    @Override
    public void onDataAvailable() throws IOException {
        byte[] buffer = READ_BUFFER.get();
        while (!closed.get() && in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
                endOfInput();
                return;
            }
            if (n > 0) {
                listener.onRead(ByteBuffer.wrap(buffer, 0, n));
            }
        }
        if (!closed.get() && in.isFinished()) {
            endOfInput();
        }
    }

    @Override
    public void onAllDataRead() {
        endOfInput();
    }

    private void endOfInput() {
        // Tomcat may report the end twice, or after close(): the listener hears it once.
        if (inputEnded.compareAndSet(false, true) && !closed.get()) {
            listener.onEndOfInput();
        }
    }

    @Override
    public void onError(Throwable t) {
        // Tomcat reports a peer's FIN as EOFException and a reset as SocketException here.
        if (t instanceof java.io.EOFException) {
            endOfInput();
            return;
        }
        boolean first = inputEnded.compareAndSet(false, true);
        WriteCallback failed = takeCallback();
        if (failed != null) {
            failed.failed(t);
        }
        if (first && !closed.get()) {
            listener.onFailure(t);
        }
    }

    @Override
    public void write(ByteBuffer[] buffers, WriteCallback callback) {
        synchronized (writeLock) {
            if (closed.get()) {
                callback.failed(new IOException("connection closed"));
                return;
            }
            this.pending = buffers;
            this.pendingIndex = 0;
            this.flushed = false;
            this.callback = callback;
        }
        writeLoop();
    }

    @Override
    public void onWritePossible() {
        writeLoop();
    }

    /**
     * Writes while the container is ready, then flushes, and completes only when the flush left
     * the stream ready again (everything reached the socket), as Tomcat's own WebSocket does.
     * Runs on the sender's thread or in {@code onWritePossible}; the lock keeps the two apart.
     */
    private void writeLoop() {
        WriteCallback done = null;
        Throwable failure = null;
        synchronized (writeLock) {
            if (callback == null) {
                return;
            }
            try {
                while (true) {
                    if (!knownReady && !out.isReady()) {
                        return; // the container calls onWritePossible when it can take more
                    }
                    if (callback == null) {
                        return; // failed meanwhile by onError, on this thread
                    }
                    if (pendingIndex < pending.length) {
                        knownReady = false;
                        writeSome();
                    } else if (!flushed) {
                        knownReady = false;
                        out.flush();
                        flushed = true;
                    } else {
                        knownReady = true; // asked just now, after the flush
                        done = callback;
                        callback = null;
                        pending = null;
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                knownReady = false;
                // The container may have failed the write through onError on this very thread
                // (Tomcat does, inside write or flush): then the callback has been told already.
                failure = e;
                done = callback;
                callback = null;
                pending = null;
            }
        }
        if (done == null) {
            return;
        }
        if (failure != null) {
            done.failed(failure);
        } else {
            done.succeeded();
        }
    }

    /**
     * One container write: a large buffer (or a lone small one) from its own array, or small ones
     * gathered into one copy.
     */
    private void writeSome() throws IOException {
        ByteBuffer first = pending[pendingIndex];
        if (!first.hasRemaining()) {
            pendingIndex++;
            return;
        }
        boolean alone = pendingIndex + 1 == pending.length || pending[pendingIndex + 1].remaining() >= GATHER_LIMIT;
        if (first.remaining() >= GATHER_LIMIT || (alone && first.hasArray())) {
            int length = Math.min(first.remaining(), MAX_WRITE_SLICE);
            if (first.hasArray()) {
                out.write(first.array(), first.arrayOffset() + first.position(), length);
                first.position(first.position() + length);
            } else {
                // A direct or read-only buffer handed over by the application: a slice at a time.
                byte[] slice = new byte[length];
                first.get(slice);
                out.write(slice, 0, length);
            }
            if (!first.hasRemaining()) {
                pendingIndex++;
            }
            callback.progressed();
            return;
        }
        int total = 0;
        int end = pendingIndex;
        while (end < pending.length && (total == 0 || total + pending[end].remaining() <= GATHER_LIMIT * 2)
                && pending[end].remaining() < GATHER_LIMIT) {
            total += pending[end].remaining();
            end++;
        }
        if (end == pendingIndex) {
            end++;
            total = first.remaining();
        }
        byte[] gathered = new byte[total];
        int at = 0;
        for (int i = pendingIndex; i < end; i++) {
            int n = pending[i].remaining();
            pending[i].get(gathered, at, n);
            at += n;
        }
        pendingIndex = end;
        out.write(gathered, 0, total);
        callback.progressed();
    }

    private WriteCallback takeCallback() {
        synchronized (writeLock) {
            WriteCallback cb = callback;
            callback = null;
            pending = null;
            return cb;
        }
    }

    /** The container ended the connection (shutdown, its own timeout) without our asking. */
    void containerDestroyed() {
        if (!closed.get() && inputEnded.compareAndSet(false, true) && listener != null) {
            listener.onFailure(new IOException("The container closed the upgraded connection"));
        }
        close();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        WriteCallback failed = takeCallback();
        try {
            connection.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing upgraded connection", e);
        }
        if (socketCloser != null) {
            socketCloser.run();
        }
        if (failed != null) {
            failed.failed(new IOException("connection closed"));
        }
    }
}
