package io.socketlet.internal.server;

import java.nio.ByteBuffer;

/**
 * The bytes of one upgraded socket, non-blocking: bytes in when they arrive, bytes out when the
 * socket can take them, and close. Nothing else: the engine above never knows whether it runs
 * over the Servlet API ({@link ServletTransport}) or over Jetty's own socket
 * ({@code io.socketlet.internal.server.jetty.JettyTransport}).
 */
public interface Transport {

    /**
     * Starts delivering input to the listener. From here on the listener's methods are called
     * one at a time (never concurrently with each other), on container threads. Writes are
     * allowed from this call on.
     *
     * @param listener receives the socket's input, end and failure
     */
    void start(TransportListener listener);

    /**
     * Writes every remaining byte of the buffers, in order, without blocking. At most one write
     * is outstanding at a time: the caller waits for the callback before the next write. The
     * callback runs when all bytes were handed to the container, possibly inline before this
     * method returns, or fails if the socket failed or was closed. The transport does not
     * keep the buffers after the callback.
     *
     * @param buffers written from position to limit, in array order
     * @param callback told once, when the write completed or failed
     */
    void write(ByteBuffer[] buffers, WriteCallback callback);

    /**
     * Whether a pending write can complete while a listener callback is still running on the
     * thread that delivers this socket's input. True for Jetty's own socket; false for the
     * Servlet API, where a container may run one event of a socket at a time (Tomcat does), so
     * the write's completion waits for the callback to return. Decides whether blocking on a send
     * inside a callback may wait or must fail fast.
     *
     * @return true when a write can complete while a callback runs
     */
    default boolean completesWritesDuringCallbacks() {
        return false;
    }

    /** Closes the socket in both directions. Idempotent; a pending write fails. */
    void close();

    /** Called with what the socket delivers. */
    interface TransportListener {

        /**
         * Bytes arrived. The buffer is lent for the duration of the call only (it may be a
         * scratch buffer shared by many connections): the listener may modify its contents in
         * place (to unmask), and must copy whatever it needs later.
         *
         * @param data the bytes from position to limit
         */
        void onRead(ByteBuffer data);

        /** The peer closed its side (EOF). No more reads follow. */
        void onEndOfInput();

        /**
         * The socket failed (reset, timeout, container shutdown). No more reads follow.
         *
         * @param cause what failed
         */
        void onFailure(Throwable cause);
    }

    /** Completion of one {@link #write}. */
    interface WriteCallback {
        /**
         * Part of the write was taken by the container: the peer is reading. A transport that
         * writes a large buffer in pieces calls this after each piece, so the write timeout
         * measures a stall, not the length of a write to a slow but steady reader.
         */
        default void progressed() {
        }

        /** Every byte of the write was handed to the container. */
        void succeeded();

        /**
         * The write failed; the connection is going away.
         *
         * @param cause what failed
         */
        void failed(Throwable cause);
    }
}
