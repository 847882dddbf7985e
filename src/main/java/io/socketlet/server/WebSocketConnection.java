package io.socketlet.server;

import io.socketlet.CloseCodes;
import io.socketlet.HandshakeRequest;
import io.socketlet.PreparedMessage;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketClosedException;
import io.socketlet.WebSocketHandler;
import io.socketlet.protocol.CloseStatus;
import io.socketlet.protocol.Decoder;
import io.socketlet.protocol.Encoder;
import io.socketlet.protocol.Hixie76;
import io.socketlet.protocol.MessageListener;
import io.socketlet.protocol.PerMessageDeflate;
import io.socketlet.protocol.ProtocolException;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One WebSocket connection: bytes from the {@link Transport} through the protocol
 * {@link Decoder} to the application's {@link WebSocketHandler}, and the application's sends
 * through the {@link Encoder} and the {@link SendQueue} back to the transport. It owns the close
 * handshake (RFC 6455 section 7) and the timers the {@link Endpoint} sweeps.
 *
 * <p>Close states: OPEN; CLOSING once a close frame was sent or received (no data is delivered
 * to the application any more); CLOSED once TCP is closed and {@code onClose} has run.
 */
final class WebSocketConnection implements WebSocket, MessageListener, Transport.TransportListener {

    private static final System.Logger LOG = System.getLogger(WebSocketConnection.class.getName());

    private enum State { OPEN, CLOSING, CLOSED }

    private final Endpoint endpoint;
    private final WebSocketHandler handler;
    private final HandshakeRequest handshake;
    private final ProtocolVersion version;
    private final String subprotocol;
    private final List<String> extensions;
    private final Decoder decoder;
    private final Encoder encoder;
    private final SendQueue sendQueue;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final AtomicBoolean closeReported = new AtomicBoolean();
    private Transport transport;

    private State state = State.OPEN;
    /** What onClose reports once TCP is closed, decided when the close began. */
    private int closeCode = CloseCodes.ABNORMAL;
    private String closeReason = "";
    /** After a failure the input is no longer trusted: nothing more is decoded. */
    private volatile boolean inputFailed;
    /** Close TCP as soon as our close frame is written: it answers the peer's close. */
    private boolean closeAfterFlush;
    /** The peer's close frame arrived. */
    private boolean peerClosed;
    /** The server failed the connection: onClose reports our code, not the peer's answer. */
    private boolean failed;
    /** After a protocol violation: once our close frame is written, linger briefly, then close TCP. */
    private boolean lingerAfterFlush;
    private volatile boolean lingering;
    private volatile long lingerDeadlineNanos;
    /** The longest wait for a peer that broke the protocol to show it read our close frame. */
    private static final long LINGER_NANOS = 1_000_000_000L;

    private volatile long lastReadNanos;
    private volatile long lastWriteNanos;
    private volatile long closeDeadlineNanos;
    private volatile long lastPingNanos;
    private final long openedNanos;
    /** hixie-76 only: the 8 challenge bytes have not arrived yet. */
    private volatile boolean awaitingChallenge;
    /** onOpen was called: onClose will be too. */
    private volatile boolean opened;

    WebSocketConnection(Endpoint endpoint, WebSocketHandler handler, HandshakeRequest handshake,
                        ProtocolVersion version, String subprotocol, List<String> extensions) {
        this(endpoint, handler, handshake, version, subprotocol, extensions, null);
    }

    WebSocketConnection(Endpoint endpoint, WebSocketHandler handler, HandshakeRequest handshake, HandshakeDecision decision) {
        this(endpoint, handler, handshake, decision.version(), decision.subprotocol(), decision.extensions(), decision.deflate());
    }

    private WebSocketConnection(Endpoint endpoint, WebSocketHandler handler, HandshakeRequest handshake,
                                ProtocolVersion version, String subprotocol, List<String> extensions,
                                PerMessageDeflate.Agreement deflate) {
        this.endpoint = endpoint;
        this.handler = handler;
        this.handshake = handshake;
        this.version = version;
        this.subprotocol = subprotocol;
        this.extensions = extensions;
        this.decoder = Codecs.decoder(version, endpoint.settings(), deflate, this);
        this.encoder = Codecs.encoder(version, endpoint.settings(), deflate);
        this.sendQueue = new SendQueue(endpoint.settings().maxBufferedBytes(), this::writeFailed, endpoint.metrics()::written);
        long now = System.nanoTime();
        this.lastReadNanos = now;
        this.lastWriteNanos = now;
        this.lastPingNanos = now;
        this.openedNanos = now;
    }

    /** Starts the connection on its transport: onOpen first (its sends wait in the queue), then reads and writes flow. */
    void open(Transport transport) {
        open(transport, null);
    }

    /**
     * @param reservation the place under maxConnections the handshake held; it passes to this
     *                    connection as it is counted, so no other handshake sees both or neither
     */
    void open(Transport transport, Object reservation) {
        this.transport = transport;
        endpoint.register(this, reservation);
        if (version == ProtocolVersion.HIXIE_76) {
            awaitingChallenge = true; // onOpen waits until the challenge is answered
        } else {
            notifyOpen();
        }
        transport.start(this);
        sendQueue.start(transport);
    }

    private void notifyOpen() {
        opened = true;
        // Counted here, not at the 101: a client may vanish before (or, on hixie-76, before its
        // key bytes), and then nothing opened.
        endpoint.metrics().handshakeAccepted();
        try {
            handler.onOpen(this);
        } catch (Throwable t) {
            handlerFailed(t);
        }
    }

    /**
     * hixie-76: the 8 bytes after the request headers arrived. The 16-byte answer goes out before
     * anything else, then the application hears onOpen.
     */
    void onChallenge(byte[] key3) {
        byte[] answer = Hixie76.challengeResponse(handshake.header("Sec-WebSocket-Key1"), handshake.header("Sec-WebSocket-Key2"), key3);
        sendQueue.offer(new ByteBuffer[] {ByteBuffer.wrap(answer)}, true, false);
        awaitingChallenge = false;
        notifyOpen();
    }

    // ---- input: transport -> decoder -> handler ----

    @Override
    public void onRead(ByteBuffer data) {
        lastReadNanos = System.nanoTime();
        endpoint.metrics().bytesIn(data.remaining());
        if (inputFailed) {
            if (lingering) {
                terminate(0, null, true); // the peer sent something after our close: it is reading
            }
            return;
        }
        // Answers to everything in this read leave together, in one write, once it is decoded.
        sendQueue.cork();
        try {
            // Locked against release() from another thread when the connection ends mid-read.
            synchronized (decoder) {
                if (isClosed()) {
                    return;
                }
                decoder.decode(data);
            }
        } catch (ProtocolException e) {
            inputFailed = true;
            fail(e.closeCode(), e.getMessage(), e, true);
        } finally {
            sendQueue.uncork();
        }
    }

    @Override
    public void onEndOfInput() {
        terminate(CloseCodes.ABNORMAL, "Connection ended without a close frame", false);
    }

    @Override
    public void onFailure(Throwable cause) {
        if (isOpen()) {
            notifyError(cause);
        }
        terminate(CloseCodes.ABNORMAL, "Connection failed: " + cause, false);
    }

    @Override
    public void onText(String text) {
        endpoint.metrics().messageIn();
        if (isOpen()) {
            try {
                handler.onText(this, text);
            } catch (Throwable t) {
                handlerFailed(t);
            }
        }
    }

    @Override
    public void onBinary(ByteBuffer data) {
        endpoint.metrics().messageIn();
        if (isOpen()) {
            try {
                handler.onBinary(this, data);
            } catch (Throwable t) {
                handlerFailed(t);
            }
        }
    }

    @Override
    public void onPing(byte[] payload) {
        // "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response ...
        // with identical Application data", unless it already sent its close frame.
        // Pongs count against maxBufferedBytes like data: a peer that floods pings and reads
        // nothing must not fill the heap with answers.
        ByteBuffer[] pong = encoder.pong(payload);
        if (pong != null && sendQueue.offer(pong, false, false) == SendQueue.OVERFLOW) {
            fail(CloseCodes.POLICY_VIOLATION, "Send queue passed " + endpoint.settings().maxBufferedBytes()
                    + " bytes: peer sends pings and does not read", null, false);
        }
    }

    @Override
    public void onPong(byte[] payload) {
        if (isOpen()) {
            try {
                handler.onPong(this, ByteBuffer.wrap(payload));
            } catch (Throwable t) {
                handlerFailed(t);
            }
        }
    }

    @Override
    public void onClose(CloseStatus status) {
        boolean answer;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            answer = state == State.OPEN;
            peerClosed = true;
            if (answer) {
                // The peer started the closing handshake: report its status, echo its code.
                state = State.CLOSING;
                closeCode = status.code();
                closeReason = status.reason();
                closeAfterFlush = true;
                closeDeadlineNanos = System.nanoTime() + endpoint.settings().closeTimeout().toNanos();
            }
        }
        if (answer) {
            int echo = status.code();
            // "it SHOULD send a Close frame in response ... typically echoing the status code it received"
            sendClose(encoder.close(status.code() == CloseCodes.NO_STATUS ? CloseCodes.NO_STATUS : echo, ""));
        } else {
            // Our close was answered: the handshake is complete, and the server closes TCP first.
            // "The WebSocket Connection Close Code is ... the status code contained in the first
            // Close control frame received": the peer's answer, unless we had failed the connection.
            synchronized (this) {
                if (!failed) {
                    closeCode = status.code();
                    closeReason = status.reason();
                }
            }
            terminate(0, null, true);
        }
    }

    // ---- output: application -> encoder -> send queue ----

    @Override
    public CompletableFuture<Void> sendText(CharSequence text) {
        return send(() -> encoder.text(text), false);
    }

    @Override
    public CompletableFuture<Void> sendBinary(ByteBuffer data) {
        // The encoder copies the bytes before this returns, as the API promises.
        return send(() -> encoder.binary(data), false);
    }

    /** A broadcast: the frame encoded once for all connections, offered as duplicates where it fits this one. */
    @Override
    public CompletableFuture<Void> send(PreparedMessage message) {
        ByteBuffer[] shared;
        try {
            shared = encoder.prepared(message);
        } catch (UnsupportedOperationException e) {
            return CompletableFuture.failedFuture(e); // binary on a hixie road
        }
        if (shared == null) {
            return message.isText() ? sendText(message.text()) : sendBinary(message.binary()); // a compressor with context
        }
        return send(() -> shared, false);
    }

    @Override
    public CompletableFuture<Void> ping(ByteBuffer payload) {
        return send(() -> encoder.ping(payload), true);
    }

    private CompletableFuture<Void> send(java.util.function.Supplier<ByteBuffer[]> frame, boolean control) {
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new WebSocketClosedException("WebSocket is closed"));
        }
        CompletableFuture<Void> future;
        try {
            future = sendQueue.offer(frame, control, false);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e); // binary or ping on a hixie road, oversized ping
        }
        if (future == SendQueue.OVERFLOW) {
            String reason = "Send queue passed " + endpoint.settings().maxBufferedBytes() + " bytes: peer too slow";
            fail(CloseCodes.POLICY_VIOLATION, reason, null, false);
            return CompletableFuture.failedFuture(new WebSocketClosedException(reason));
        }
        lastWriteNanos = System.nanoTime();
        return future;
    }

    @Override
    public CompletableFuture<Void> close(int code, String reason) {
        if (!CloseStatus.isValidOnWire(code)) {
            throw new IllegalArgumentException("Close code " + code + " may not be sent (use 1000-1003, 1007-1014 or 3000-4999)");
        }
        String text = reason == null ? "" : reason;
        synchronized (this) {
            if (state != State.OPEN) {
                return CompletableFuture.completedFuture(null);
            }
            state = State.CLOSING;
            closeCode = code;
            closeReason = text;
            closeDeadlineNanos = System.nanoTime() + endpoint.settings().closeTimeout().toNanos();
        }
        return sendClose(encoder.close(code, text));
    }

    /**
     * Fails the connection (RFC 6455 section 7.1.7): a close frame with the code, and the status
     * reported to the application is ours whatever the peer answers.
     *
     * @param inputBroken the peer's bytes can no longer be parsed (a protocol violation): after
     *                    our close frame is written we only wait, briefly, for any sign that the
     *                    peer read it, then close TCP. Closing at once could reset the connection
     *                    while the peer's unread bytes sit in our socket, and a reset can discard
     *                    our close frame before the peer reads it.
     */
    void fail(int code, String reason, Throwable cause, boolean inputBroken) {
        boolean sendClose;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            sendClose = state == State.OPEN;
            state = State.CLOSING;
            failed = true;
            closeCode = code;
            closeReason = reason;
            lingerAfterFlush = inputBroken;
            closeDeadlineNanos = System.nanoTime() + endpoint.settings().closeTimeout().toNanos();
        }
        if (cause != null) {
            notifyError(cause);
        }
        if (sendClose) {
            sendClose(encoder.close(code, reason));
        } else if (inputBroken) {
            terminate(0, null, true);
        }
    }

    private CompletableFuture<Void> sendClose(ByteBuffer[] frame) {
        CompletableFuture<Void> written = sendQueue.offer(frame, true, true);
        written.whenComplete((ok, error) -> {
            boolean closeNow = false;
            synchronized (this) {
                if (error != null || closeAfterFlush) {
                    closeNow = true;
                } else if (lingerAfterFlush) {
                    lingerDeadlineNanos = System.nanoTime() + Math.min(LINGER_NANOS, endpoint.settings().closeTimeout().toNanos());
                    lingering = true;
                }
            }
            if (closeNow) {
                terminate(0, null, true);
            }
        });
        return written;
    }

    private void handlerFailed(Throwable t) {
        LOG.log(System.Logger.Level.ERROR, "WebSocket handler failed on " + handshake.path() + "; closing with 1011", t);
        fail(CloseCodes.INTERNAL_ERROR, "Internal server error", t, false);
    }

    private void writeFailed(Throwable cause) {
        terminate(CloseCodes.ABNORMAL, "Write failed: " + cause, false);
    }

    private void notifyError(Throwable cause) {
        try {
            handler.onError(this, cause);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "WebSocket handler's onError threw", t);
        }
    }

    /**
     * Ends the connection: TCP closed, queued sends failed, onClose called once.
     *
     * @param useDecided report the status decided when the close began (otherwise the given one)
     */
    private void terminate(int code, String reason, boolean useDecided) {
        int reportCode;
        String reportReason;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            boolean handshakeStarted = state == State.CLOSING;
            state = State.CLOSED;
            // A connection we failed reports why, however it then ended (EOF, timeout, the peer's
            // answer); one whose peer sent its close reports that close, even if TCP ends at once.
            if ((useDecided || failed || peerClosed) && handshakeStarted) {
                reportCode = closeCode;
                reportReason = closeReason;
            } else {
                reportCode = code;
                reportReason = reason;
            }
        }
        sendQueue.fail(new WebSocketClosedException("WebSocket closed (" + reportCode + " " + reportReason + ")"));
        if (transport != null) {
            transport.close();
        }
        // Native compressor memory goes back now, however the connection ended.
        sendQueue.runExclusively(encoder::release);
        synchronized (decoder) {
            decoder.release();
        }
        endpoint.unregister(this);
        // The application hears onClose only for a connection it heard onOpen for.
        if (opened && closeReported.compareAndSet(false, true)) {
            endpoint.metrics().closed(reportCode);
            try {
                handler.onClose(this, reportCode, reportReason);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "WebSocket handler's onClose threw", t);
            }
        }
    }

    // ---- timers, run by the endpoint's sweep ----

    /** Checks this connection's deadlines; called periodically from the shared scheduler. */
    void sweep(long now) {
        State current;
        synchronized (this) {
            current = state;
        }
        var settings = endpoint.settings();
        long writeTimeout = settings.writeTimeout().toNanos();
        if (writeTimeout > 0 && sendQueue.stalledNanos(now) > writeTimeout) {
            // The peer stopped reading: no close frame can reach it, so TCP is dropped.
            terminate(CloseCodes.ABNORMAL, "Write timed out: nothing could be sent for "
                    + settings.writeTimeout().toMillis() + " ms", false);
            return;
        }
        if (current == State.CLOSING) {
            if (lingering && now - lingerDeadlineNanos > 0) {
                terminate(0, null, true);
            } else if (now - closeDeadlineNanos > 0) {
                terminate(CloseCodes.ABNORMAL, "Closing handshake timed out after " + settings.closeTimeout().toMillis()
                        + " ms (closing with " + closeCode + ")", false);
            }
            return;
        }
        if (current != State.OPEN) {
            return;
        }
        if (awaitingChallenge) {
            if (now - openedNanos > settings.handshakeTimeout().toNanos()) {
                abort("hixie-76 challenge bytes did not arrive within " + settings.handshakeTimeout().toMillis() + " ms");
            }
            return;
        }
        long idle = settings.idleTimeout().toNanos();
        if (idle > 0 && now - lastReadNanos > idle) {
            close(CloseCodes.GOING_AWAY, "Idle timeout: nothing received for " + settings.idleTimeout().toMillis() + " ms");
            return;
        }
        // Ping when either direction has been quiet: proxies cut connections that send nothing, and a
        // peer that only listens must still answer now and then, or the idle timeout takes it.
        long ping = settings.pingInterval().toNanos();
        if (ping > 0 && version == ProtocolVersion.RFC6455 && now - lastPingNanos > ping
                && (now - lastWriteNanos > ping || now - lastReadNanos > ping)) {
            lastPingNanos = now;
            ping(ByteBuffer.allocate(0));
        }
    }

    /** The web application is stopping: say so to the peer with 1001. */
    void shutdown(String reason) {
        if (awaitingChallenge) {
            abort(reason);
        } else if (isOpen()) {
            close(CloseCodes.GOING_AWAY, reason);
        }
    }

    /** Drops TCP at once, for a stop whose grace period is over. */
    void abort(String reason) {
        terminate(CloseCodes.ABNORMAL, reason, false);
    }

    // ---- WebSocket accessors ----

    @Override
    public synchronized boolean isOpen() {
        return state == State.OPEN;
    }

    boolean isClosed() {
        synchronized (this) {
            return state == State.CLOSED;
        }
    }

    @Override
    public long bufferedAmount() {
        return sendQueue.bufferedBytes();
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public List<String> extensions() {
        return extensions;
    }

    @Override
    public ProtocolVersion protocolVersion() {
        return version;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return handshake.remoteAddress();
    }

    @Override
    public HandshakeRequest handshake() {
        return handshake;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        return "WebSocket[" + version + " " + handshake.path() + " from " + handshake.remoteAddress() + "]";
    }
}
