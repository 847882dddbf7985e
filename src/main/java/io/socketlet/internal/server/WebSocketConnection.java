package io.socketlet.internal.server;

import io.socketlet.CloseCodes;
import io.socketlet.HandshakeRequest;
import io.socketlet.PreparedMessage;
import io.socketlet.ProtocolVersion;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketClosedException;
import io.socketlet.WebSocketHandler;
import io.socketlet.WebSocketSettings;
import io.socketlet.internal.protocol.CloseStatus;
import io.socketlet.internal.protocol.Decoder;
import io.socketlet.internal.protocol.Encoder;
import io.socketlet.internal.protocol.Hixie76;
import io.socketlet.internal.protocol.PerMessageDeflate;
import io.socketlet.internal.protocol.ProtocolException;
import io.socketlet.internal.server.SendQueue.Kind;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One WebSocket connection: bytes from the {@link Transport} through the protocol
 * {@link Decoder} to the application's {@link WebSocketHandler}, and the application's sends
 * through the {@link Encoder} and the {@link SendQueue} back to the transport. Its closing
 * handshake is a {@link CloseState}; its timers are checked by the {@link Endpoint}'s sweep.
 *
 * <p>No application code runs while this connection holds a lock that anyone else may wait
 * for. The read path decodes one read's worth of input into {@link InboundEvents} and delivers
 * them after the decoder is let go; a sender, the timer and the container's threads never wait
 * for a handler. Callbacks of one connection still never overlap: while the read path delivers,
 * an {@code onClose} decided elsewhere waits for it to finish and is delivered by it.
 */
final class WebSocketConnection implements WebSocket, Transport.TransportListener {

    private static final System.Logger LOG = System.getLogger(WebSocketConnection.class.getName());
    /** The longest wait for a peer that broke the protocol to show it read our close frame. */
    private static final long LINGER_NANOS = 1_000_000_000L;

    private final Endpoint endpoint;
    private final WebSocketSettings settings;
    private final WebSocketHandler handler;
    private final HandshakeRequest handshake;
    private final ProtocolVersion version;
    private final String subprotocol;
    private final List<String> extensions;
    private final Decoder decoder;
    private final Encoder encoder;
    private final SendQueue sendQueue;
    private final CloseState state = new CloseState();
    private final InboundEvents inbound = new InboundEvents(this);
    /** Made on first use: most connections never store an attribute, and an idle one should not pay for a map. */
    private volatile Map<String, Object> attributes;
    private Transport transport;

    /** After a protocol violation the input is no longer trusted: nothing more is decoded. */
    private volatile boolean inputFailed;
    /** hixie-76 only: the 8 challenge bytes have not arrived yet. */
    private volatile boolean awaitingChallenge;
    /** onOpen was called: onClose will be too, exactly once. */
    private volatile boolean opened;
    private final AtomicBoolean closeReported = new AtomicBoolean();

    // The decoder belongs to the read path; an end decided elsewhere asks it to let go.
    private final Object decoderGate = new Object();
    private boolean decoding;
    private boolean decoderReleaseAsked;
    private boolean decoderReleased;

    // Callbacks never overlap: while the read path delivers, others leave their onClose to it.
    private final Object deliveryGate = new Object();
    private boolean delivering;
    private Runnable afterDelivery;

    // Timers, read by the sweep.
    private final long openedNanos;
    private volatile long lastReadNanos;
    private volatile long lastWriteNanos;
    private volatile long lastPingNanos;
    /** When our last keep-alive ping was handed to the container; any input after it was queued answers it. */
    private volatile long pingWrittenNanos;
    private final AtomicBoolean timerActionQueued = new AtomicBoolean();

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
        this.settings = endpoint.settings();
        this.handler = handler;
        this.handshake = handshake;
        this.version = version;
        this.subprotocol = subprotocol;
        this.extensions = extensions;
        this.decoder = Codecs.decoder(version, settings, deflate, inbound, inbound::challenge);
        this.encoder = Codecs.encoder(version, settings, deflate);
        this.sendQueue = new SendQueue(settings.maxBufferedBytes(), this::writeFailed, endpoint.metrics()::written, encoder::fragments);
        long now = System.nanoTime();
        this.openedNanos = now;
        this.lastReadNanos = now;
        this.lastWriteNanos = now;
        this.lastPingNanos = now;
        this.pingWrittenNanos = now;
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
        if (!endpoint.register(this, reservation)) {
            // The endpoint stopped while the 101 was on its way: no timer would ever end this
            // connection, so it never opens. The client sees TCP close.
            state.terminate(CloseCodes.ABNORMAL, "Server is shutting down");
            transport.close();
            return;
        }
        if (version == ProtocolVersion.HIXIE_76) {
            awaitingChallenge = true; // onOpen waits until the challenge is answered
        } else {
            // Corked like any callback: a join() on a send inside onOpen fails fast rather than
            // wait for a transport that starts only once onOpen has returned.
            sendQueue.cork();
            try {
                notifyOpen();
            } finally {
                sendQueue.uncork();
            }
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

    // ---- input: transport -> decoder -> events -> handler ----

    @Override
    public void onRead(ByteBuffer data) {
        lastReadNanos = System.nanoTime();
        endpoint.metrics().bytesIn(data.remaining());
        if (inputFailed) {
            // Lingering after a violation: the bytes are dropped unread. Only the peer's answering
            // close frame ends it early: a peer still sending (the rest of a message too big, say)
            // has not read our close yet, and closing TCP on its unread bytes would reset the
            // connection, which can discard our close frame before it reads it (it would see 1006).
            if (state.isLingering() && endsWithClientClose(data)) {
                terminate(0, null);
            }
            return;
        }
        // Answers to everything in this read leave together, in one write, once it is delivered.
        sendQueue.cork();
        try {
            ProtocolException violation = decode(data);
            deliver();
            if (violation != null) {
                fail(violation.closeCode(), violation.getMessage(), violation, true);
            }
        } finally {
            sendQueue.uncork();
        }
    }

    /**
     * Whether these bytes end with a whole masked close frame with a short payload: a client's
     * answer to our close. After a violation the bytes cannot be parsed as frames any more, so
     * this looks at the end of the read only; a close frame split over two reads is missed, and
     * the linger's deadline ends the connection instead.
     */
    static boolean endsWithClientClose(ByteBuffer data) {
        int end = data.limit();
        for (int length = 0; length <= 125; length++) {
            int start = end - 6 - length; // 2 header bytes, 4 mask bytes, the payload
            if (start < data.position()) {
                return false;
            }
            if ((data.get(start) & 0xFF) == 0x88 && (data.get(start + 1) & 0xFF) == (0x80 | length)) {
                return true;
            }
        }
        return false;
    }

    /** Decodes into {@link #inbound}; returns the peer's protocol violation, if any. */
    private ProtocolException decode(ByteBuffer data) {
        synchronized (decoderGate) {
            if (decoderReleased || state.phase() == CloseState.Phase.CLOSED) {
                return null;
            }
            decoding = true;
        }
        try {
            decoder.decode(data);
            return null;
        } catch (ProtocolException e) {
            inputFailed = true;
            return e;
        } finally {
            boolean release;
            synchronized (decoderGate) {
                decoding = false;
                release = decoderReleaseAsked && !decoderReleased;
                decoderReleased |= release;
            }
            if (release) {
                decoder.release();
            }
        }
    }

    /** Releases the decoder's native memory now, or lets the read path do it when it finishes decoding. */
    private void releaseDecoder() {
        synchronized (decoderGate) {
            decoderReleaseAsked = true;
            if (decoding || decoderReleased) {
                return;
            }
            decoderReleased = true;
        }
        decoder.release();
    }

    /** Delivers the events one read decoded, in order, with no lock held. */
    private void deliver() {
        if (inbound.isEmpty()) {
            return;
        }
        synchronized (deliveryGate) {
            delivering = true;
        }
        try {
            inbound.drainTo(this);
        } finally {
            Runnable after;
            synchronized (deliveryGate) {
                delivering = false;
                after = afterDelivery;
                afterDelivery = null;
            }
            if (after != null) {
                after.run();
            }
        }
    }

    void onText(String text) {
        endpoint.metrics().messageIn();
        if (state.isOpen()) {
            try {
                handler.onText(this, text);
            } catch (Throwable t) {
                handlerFailed(t);
            }
        }
    }

    void onBinary(ByteBuffer data) {
        endpoint.metrics().messageIn();
        if (state.isOpen()) {
            try {
                handler.onBinary(this, data);
            } catch (Throwable t) {
                handlerFailed(t);
            }
        }
    }

    /**
     * "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response ... with
     * identical Application data", unless it already sent its close frame. Answered as it is
     * decoded: no application code is involved. Pongs count against maxBufferedBytes like data:
     * a peer that floods pings and reads nothing must not fill the heap with answers.
     */
    void onPing(byte[] payload) {
        ByteBuffer[] pong = encoder.pong(payload);
        if (pong != null && sendQueue.offer(pong, Kind.CONTROL) == SendQueue.OVERFLOW) {
            fail(CloseCodes.POLICY_VIOLATION, "Send queue passed " + settings.maxBufferedBytes()
                    + " bytes: peer sends pings and does not read", null, false);
        }
    }

    void onPong(byte[] payload) {
        if (state.isOpen()) {
            try {
                handler.onPong(this, ByteBuffer.wrap(payload));
            } catch (Throwable t) {
                handlerFailed(t);
            }
        }
    }

    /** The peer's close frame, after every message that came before it was delivered. */
    void onPeerClose(CloseStatus status) {
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        switch (state.peerClosed(status.code(), status.reason(), deadline)) {
            // "it SHOULD send a Close frame in response ... typically echoing the status code it received"
            case ANSWER -> sendClose(encoder.close(status.code(), ""), Kind.CLOSE);
            // Our close was answered: the handshake is complete, and the server closes TCP first.
            case TERMINATE -> terminate(0, null);
            // Our close is queued behind data: TCP closes once it is written (see sendClose).
            case WAIT -> { }
        }
    }

    /**
     * hixie-76: the 8 bytes after the request headers arrived. The 16-byte answer goes out before
     * anything else, then the application hears onOpen.
     */
    void onChallenge(byte[] key3) {
        byte[] answer = Hixie76.challengeResponse(handshake.header("Sec-WebSocket-Key1"), handshake.header("Sec-WebSocket-Key2"), key3);
        sendQueue.offer(new ByteBuffer[] {ByteBuffer.wrap(answer)}, Kind.CONTROL);
        awaitingChallenge = false;
        notifyOpen();
    }

    @Override
    public void onEndOfInput() {
        terminate(CloseCodes.ABNORMAL, "Connection ended without a close frame");
    }

    @Override
    public void onFailure(Throwable cause) {
        if (state.isOpen()) {
            notifyError(cause);
        }
        terminate(CloseCodes.ABNORMAL, "Connection failed: " + cause);
    }

    // ---- output: application -> encoder -> send queue ----

    @Override
    public CompletableFuture<Void> sendText(CharSequence text) {
        return send(() -> encoder.text(text), Kind.DATA);
    }

    @Override
    public CompletableFuture<Void> sendBinary(ByteBuffer data) {
        // The encoder copies the bytes before this returns, as the API promises.
        return send(() -> encoder.binary(data), Kind.DATA);
    }

    @Override
    public CompletableFuture<Void> sendBinaryNoCopy(ByteBuffer data) {
        // The frame refers to the caller's bytes until the future completes, as the API says.
        return send(() -> encoder.binaryNoCopy(data), Kind.DATA);
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
        return send(() -> shared, Kind.DATA);
    }

    @Override
    public CompletableFuture<Void> ping(ByteBuffer payload) {
        return send(() -> encoder.ping(payload), Kind.CONTROL);
    }

    private CompletableFuture<Void> send(Supplier<ByteBuffer[]> frame, Kind kind) {
        if (!state.isOpen()) {
            return CompletableFuture.failedFuture(new WebSocketClosedException("WebSocket is closed"));
        }
        CompletableFuture<Void> future;
        try {
            future = sendQueue.offer(frame, kind);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e); // binary or ping on a hixie road, oversized ping
        }
        if (future == SendQueue.OVERFLOW) {
            String reason = "Send queue passed " + settings.maxBufferedBytes() + " bytes: peer too slow";
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
        if (!state.startClose(code, text, System.nanoTime() + settings.closeTimeout().toNanos())) {
            return CompletableFuture.completedFuture(null);
        }
        return sendClose(encoder.close(code, text), Kind.CLOSE);
    }

    /**
     * Fails the connection (RFC 6455 section 7.1.7): a close frame with the code, ahead of the
     * data still waiting, and the status reported to the application is ours whatever the peer
     * answers.
     *
     * @param inputBroken the peer's bytes can no longer be parsed (see {@link CloseState})
     */
    void fail(int code, String reason, Throwable cause, boolean inputBroken) {
        CloseState.FailAction action = state.fail(code, reason, inputBroken, System.nanoTime() + settings.closeTimeout().toNanos());
        if (cause != null) {
            notifyError(cause);
        }
        switch (action) {
            case SEND_CLOSE -> sendClose(encoder.close(code, reason), Kind.FAILING_CLOSE);
            case TERMINATE -> terminate(0, null);
            case NONE -> { }
        }
    }

    private CompletableFuture<Void> sendClose(ByteBuffer[] frame, Kind kind) {
        CompletableFuture<Void> written = sendQueue.offer(frame, kind);
        written.whenComplete((ok, error) -> {
            if (error != null) {
                terminate(CloseCodes.ABNORMAL, "Close frame could not be written: " + error);
                return;
            }
            long lingerNanos = Math.min(LINGER_NANOS, settings.closeTimeout().toNanos());
            if (state.closeWritten(System.nanoTime(), lingerNanos) == CloseState.CloseWrittenAction.TERMINATE) {
                terminate(0, null);
            }
        });
        return written;
    }

    private void handlerFailed(Throwable t) {
        LOG.log(System.Logger.Level.ERROR, "WebSocket handler failed on " + handshake.path() + "; closing with 1011", t);
        fail(CloseCodes.INTERNAL_ERROR, "Internal server error", t, false);
    }

    /**
     * A write failed (a reset peer). This may be a sender's own thread, inside its send: the
     * application hears onClose on an event thread, never inside a call it made itself.
     */
    private void writeFailed(Throwable cause) {
        terminate(CloseCodes.ABNORMAL, "Write failed: " + cause, true);
    }

    private void notifyError(Throwable cause) {
        try {
            handler.onError(this, cause);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "WebSocket handler's onError threw", t);
        }
    }

    private void terminate(int code, String reason) {
        terminate(code, reason, false);
    }

    /**
     * Ends the connection: TCP closed, queued sends failed, native memory released, onClose
     * called once.
     *
     * @param code          reported when no closing handshake decided the status (see {@link CloseState#terminate})
     * @param onEventThread tell the application on an event thread rather than this one
     */
    private void terminate(int code, String reason, boolean onEventThread) {
        CloseState.Report report = state.terminate(code, reason);
        if (report == null) {
            return;
        }
        sendQueue.fail(new WebSocketClosedException("WebSocket closed (" + report.code() + " " + report.reason() + ")"));
        if (transport != null) {
            transport.close();
        }
        // Native compressor memory goes back now, however the connection ended.
        sendQueue.runExclusively(encoder::release);
        releaseDecoder();
        endpoint.unregister(this);
        // The application hears onClose only for a connection it heard onOpen for.
        if (opened) {
            reportClose(report, onEventThread);
        }
    }

    private void reportClose(CloseState.Report report, boolean onEventThread) {
        Runnable notify = () -> {
            if (closeReported.compareAndSet(false, true)) {
                endpoint.metrics().closed(report.code());
                try {
                    handler.onClose(this, report.code(), report.reason());
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.WARNING, "WebSocket handler's onClose threw", t);
                }
            }
        };
        synchronized (deliveryGate) {
            if (delivering) {
                afterDelivery = notify; // the read path is in a callback: onClose follows it
                return;
            }
        }
        if (onEventThread) {
            try {
                endpoint.events().execute(notify);
                return;
            } catch (RejectedExecutionException stopped) {
                // The application is stopping and its event threads are gone: tell it here.
            }
        }
        notify.run();
    }

    // ---- timers: decided by the endpoint's sweep, run on an event thread ----

    /**
     * What this connection's timers want done at {@code now}, or null. Called from the timer
     * thread, which only decides: the action runs on an event thread, since it may call the
     * application (onClose) or complete its futures. One action at a time per connection.
     */
    Runnable due(long now) {
        if (timerActionQueued.get()) {
            return null;
        }
        Runnable action = timerAction(now);
        if (action == null || !timerActionQueued.compareAndSet(false, true)) {
            return null;
        }
        return () -> {
            try {
                action.run();
            } finally {
                timerActionQueued.set(false);
            }
        };
    }

    /** Runs whatever is due at {@code now} on this thread (tests drive the timers this way). */
    void sweep(long now) {
        Runnable action = timerAction(now);
        if (action != null) {
            action.run();
        }
    }

    private Runnable timerAction(long now) {
        long writeTimeout = settings.writeTimeout().toNanos();
        if (writeTimeout > 0 && sendQueue.stalledNanos(now) > writeTimeout) {
            // The peer stopped reading: no close frame can reach it, so TCP is dropped.
            return () -> terminate(CloseCodes.ABNORMAL, "Write timed out: nothing could be sent for "
                    + settings.writeTimeout().toMillis() + " ms");
        }
        switch (state.phase()) {
            case CLOSED:
                return null;
            case CLOSING:
                if (state.closingExpired(now)) {
                    return () -> terminate(CloseCodes.ABNORMAL, "Closing handshake timed out after "
                            + settings.closeTimeout().toMillis() + " ms (closing with " + state.closingCode() + ")");
                }
                return null;
            default:
                break;
        }
        if (awaitingChallenge) {
            if (now - openedNanos > settings.handshakeTimeout().toNanos()) {
                return () -> abort("hixie-76 challenge bytes did not arrive within " + settings.handshakeTimeout().toMillis() + " ms");
            }
            return null;
        }
        long idle = settings.idleTimeout().toNanos();
        if (idle > 0 && now - lastReadNanos > idle) {
            return () -> close(CloseCodes.GOING_AWAY, "Idle timeout: nothing received for " + settings.idleTimeout().toMillis() + " ms");
        }
        long pongTimeout = settings.pongTimeout().toNanos();
        long pingQueued = lastPingNanos;
        long pingWritten = pingWrittenNanos;
        // Awaiting an answer: nothing read since our ping was queued. The clock runs from when the
        // ping reached the socket, not from when it was queued behind a large message.
        boolean awaitingAnswer = pingQueued - lastReadNanos > 0;
        if (pongTimeout > 0 && awaitingAnswer && pingWritten - pingQueued >= 0
                && now - pingWritten > pongTimeout) {
            // Nothing at all, not even the pong, came back since our ping reached the socket: the
            // peer (or the path to it) is gone. No close frame would be answered either.
            return () -> terminate(CloseCodes.ABNORMAL, "No pong within " + settings.pongTimeout().toMillis()
                    + " ms of a ping: peer unreachable");
        }
        // Ping when either direction has been quiet: proxies cut connections that send nothing, and a
        // peer that only listens must still answer now and then, or the idle timeout takes it.
        long ping = settings.pingInterval().toNanos();
        // Not while a ping waits for its answer under a pong timeout: the next ping would restart
        // the timeout's clock, and with a pong timeout longer than the interval it would never run out.
        if (ping > 0 && version == ProtocolVersion.RFC6455 && now - lastPingNanos > ping
                && (now - lastWriteNanos > ping || now - lastReadNanos > ping)
                && !(pongTimeout > 0 && awaitingAnswer)) {
            lastPingNanos = now;
            return this::keepAlivePing;
        }
        return null;
    }

    private void keepAlivePing() {
        ping(ByteBuffer.allocate(0)).thenRun(() -> pingWrittenNanos = Math.max(System.nanoTime(), lastPingNanos));
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
        terminate(CloseCodes.ABNORMAL, reason);
    }

    // ---- WebSocket accessors ----

    @Override
    public boolean isOpen() {
        return state.isOpen();
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
        Map<String, Object> map = attributes;
        if (map == null) {
            synchronized (this) {
                map = attributes;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    attributes = map;
                }
            }
        }
        return map;
    }

    @Override
    public String toString() {
        return "WebSocket[" + version + " " + handshake.path() + " from " + handshake.remoteAddress() + " " + state + "]";
    }
}
