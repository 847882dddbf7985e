package io.socketlet.internal.server;

import io.socketlet.CloseCodes;

/**
 * The open/closing/closed state of one connection and its closing handshake (RFC 6455 section
 * 7), in one place. Each method is one event; it changes the state under this object's own lock
 * and returns what the connection must do next, so the connection runs no decision of its own
 * and never calls out (to the send queue, the transport or the application) while this lock is
 * held.
 *
 * <p>The rules it keeps:
 * <ul>
 *   <li>A close frame is sent once: ours, or our echo of the peer's.</li>
 *   <li>TCP is closed by the server once both close frames have crossed, and only after our own
 *       close frame was written: everything queued before it leaves first.</li>
 *   <li>"The WebSocket Connection Close Code is ... the status code contained in the first Close
 *       control frame received" (7.1.5), unless the server failed the connection (7.1.7): then
 *       the application hears the code the server failed it with, whatever the peer answers.</li>
 *   <li>After a protocol violation, once our close frame is written, the server lingers briefly
 *       (dropping what the peer still sends) for the peer's close frame, the sign that it read
 *       ours, before closing TCP: closing at once could reset the connection while the peer's
 *       unread bytes sit in our socket, and a reset can discard our close frame before the peer
 *       reads it.</li>
 * </ul>
 */
final class CloseState {

    /** OPEN until a close frame is sent or received; CLOSING until TCP is closed; then CLOSED. */
    enum Phase { OPEN, CLOSING, CLOSED }

    /** What a connection does after the peer's close frame arrived. */
    enum PeerCloseAction {
        /** Queue the echo of the peer's close; TCP closes once it is written. */
        ANSWER,
        /** Our close was already written: the handshake is complete, close TCP now. */
        TERMINATE,
        /** Our close is still queued: TCP closes once it is written. Or the connection is closed already. */
        WAIT
    }

    /** What a connection does after our close frame was written. */
    enum CloseWrittenAction {
        /** Both close frames have crossed: close TCP. */
        TERMINATE,
        /** We failed the connection over broken input: wait for the peer's close frame, or the linger's end. */
        LINGER,
        /** Wait for the peer's close, up to the close timeout. */
        WAIT
    }

    /** What a connection does after it decided to fail. */
    enum FailAction {
        /** Queue our close frame with the failure's code. */
        SEND_CLOSE,
        /** Our close was written already and the input is broken: close TCP now. */
        TERMINATE,
        /** A close frame is queued or written already, or the connection is closed. */
        NONE
    }

    /** What the application is told in {@code onClose}. */
    record Report(int code, String reason) {
    }

    /** Changed under this object's lock; volatile so that the per-message {@link #isOpen} check takes no lock. */
    private volatile Phase phase = Phase.OPEN;
    /** Our close frame was handed to the container. */
    private boolean closeWritten;
    /** The peer's close frame arrived. */
    private boolean peerClosed;
    /** The server failed the connection: onClose reports our code, not the peer's answer. */
    private boolean failed;
    /** The peer's input broke the protocol: after our close is written, linger, then close TCP. */
    private boolean lingerAfterWrite;
    private volatile boolean lingering;
    private int code = CloseCodes.ABNORMAL;
    private String reason = "";
    /** The closing handshake times out at this {@link System#nanoTime()}. */
    private long closeDeadline;
    /** A lingering connection closes TCP at this {@link System#nanoTime()}. */
    private long lingerDeadline;

    Phase phase() {
        return phase;
    }

    boolean isOpen() {
        return phase == Phase.OPEN;
    }

    /** Lingering after a protocol violation: the peer's close frame now means it read ours. */
    boolean isLingering() {
        return lingering;
    }

    /**
     * The application (or the server, for idle and shutdown) starts the closing handshake.
     *
     * @return true if our close frame must now be queued; false if the handshake had begun already
     */
    synchronized boolean startClose(int code, String reason, long deadline) {
        if (phase != Phase.OPEN) {
            return false;
        }
        phase = Phase.CLOSING;
        this.code = code;
        this.reason = reason;
        closeDeadline = deadline;
        return true;
    }

    /**
     * The server fails the connection (7.1.7) with this code: a protocol violation, a limit, a
     * handler that threw.
     *
     * @param inputBroken the peer's bytes can no longer be parsed
     */
    synchronized FailAction fail(int code, String reason, boolean inputBroken, long deadline) {
        if (phase == Phase.CLOSED) {
            return FailAction.NONE;
        }
        failed = true;
        this.code = code;
        this.reason = reason;
        lingerAfterWrite |= inputBroken;
        if (phase == Phase.OPEN) {
            phase = Phase.CLOSING;
            closeDeadline = deadline;
            return FailAction.SEND_CLOSE;
        }
        // A close frame went out or is queued already: nothing more may be sent. Broken input
        // after our close was written ends the connection now.
        return inputBroken && closeWritten ? FailAction.TERMINATE : FailAction.NONE;
    }

    /** The peer's close frame arrived, with its (already validated) status. */
    synchronized PeerCloseAction peerClosed(int peerCode, String peerReason, long deadline) {
        if (phase == Phase.CLOSED || peerClosed) {
            return PeerCloseAction.WAIT;
        }
        peerClosed = true;
        if (phase == Phase.OPEN) {
            phase = Phase.CLOSING;
            code = peerCode;
            reason = peerReason;
            closeDeadline = deadline;
            return PeerCloseAction.ANSWER;
        }
        if (!failed) {
            code = peerCode; // the answer to our close is "the first Close control frame received"
            reason = peerReason;
        }
        return closeWritten ? PeerCloseAction.TERMINATE : PeerCloseAction.WAIT;
    }

    /** Our close frame (or echo) was handed to the container. */
    synchronized CloseWrittenAction closeWritten(long now, long lingerNanos) {
        closeWritten = true;
        if (phase == Phase.CLOSED || peerClosed) {
            return CloseWrittenAction.TERMINATE;
        }
        if (lingerAfterWrite) {
            lingerDeadline = now + lingerNanos;
            lingering = true;
            return CloseWrittenAction.LINGER;
        }
        return CloseWrittenAction.WAIT;
    }

    /** Whether the closing handshake has run out of time at {@code now}: the linger, or the close timeout. */
    synchronized boolean closingExpired(long now) {
        if (phase != Phase.CLOSING) {
            return false;
        }
        return (lingering && now - lingerDeadline > 0) || now - closeDeadline > 0;
    }

    synchronized int closingCode() {
        return code;
    }

    /**
     * TCP is closed (or about to be): the connection is CLOSED.
     *
     * @param code   what ended it, reported when no closing handshake decided otherwise
     *               (end of input, a failed write, a timeout)
     * @return what to report to the application, or null if the connection had ended already
     */
    synchronized Report terminate(int code, String reason) {
        if (phase == Phase.CLOSED) {
            return null;
        }
        boolean handshakeStarted = phase == Phase.CLOSING;
        phase = Phase.CLOSED;
        lingering = false;
        // A connection we failed reports why, however it then ended (EOF, timeout, the peer's
        // answer); one whose peer sent its close reports that close, even if TCP ends at once.
        if (handshakeStarted && (failed || peerClosed)) {
            return new Report(this.code, this.reason);
        }
        return new Report(code, reason);
    }

    @Override
    public synchronized String toString() {
        return phase + (closeWritten ? " closeWritten" : "")
                + (peerClosed ? " peerClosed" : "") + (failed ? " failed " + code : "");
    }
}
