package io.socketlet;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One open WebSocket connection, as the application holds it.
 *
 * <p>All methods are thread-safe and non-blocking: a send encodes the message, puts it on the
 * connection's bounded send queue and returns; it never waits for a handler of this or any
 * other connection. The returned future completes when the bytes were handed to the container,
 * and fails if the connection closed first, if the protocol cannot carry the message (binary or
 * ping on a legacy hixie connection), or if the queue would pass {@code maxBufferedBytes} (the
 * slow peer is then closed with 1008).
 *
 * <p>Blocking on a send's future ({@code join()}, {@code get()}) inside a callback of the same
 * connection first lets the callback's held-back frames go. On Jetty it then waits like any
 * join (Jetty completes the write whatever the callback does; {@code writeTimeout} bounds it).
 * On the Servlet API road (Tomcat) it completes when the container takes the bytes at once, the
 * usual case; when it cannot (a peer that is not reading, or the first callback of a connection
 * before Tomcat has reported the socket writable), it throws {@link IllegalStateException} at
 * once, since Tomcat cannot report the write done while the callback runs. Chaining on the
 * future ({@code whenComplete}, {@code thenRun}) never blocks and is the way to pace a sender.
 */
public interface WebSocket {

    /**
     * Sends a text message.
     *
     * @param text the message, not null; may be empty
     * @return completes when the frame was handed to the container; fails as the class comment says
     */
    CompletableFuture<Void> sendText(CharSequence text);

    /**
     * Sends a binary message: the bytes between the buffer's position and limit. They are copied
     * before this method returns, so the caller may reuse the buffer at once.
     *
     * @param data the message bytes, from position to limit; neither is moved
     * @return completes when the frame was handed to the container; fails as the class comment says
     */
    CompletableFuture<Void> sendBinary(ByteBuffer data);

    /**
     * Sends a binary message without copying it: the bytes between the buffer's position and
     * limit are written from the buffer itself, which the caller hands over. The caller must not
     * change those bytes until the returned future completes (after that the buffer is the
     * caller's again); its position and limit are left as they are. A buffer received in
     * {@link WebSocketHandler#onBinary} belongs to the application and can be handed over as it
     * is, as an echo does. Small messages and compressed ones are copied anyway (into their
     * frame, or by the compressor); this default copies, as {@link #sendBinary(ByteBuffer)}.
     *
     * @param data the message bytes, from position to limit, lent to the connection until the future completes
     * @return completes when the frame was handed to the container, after which the buffer is the caller's again
     */
    default CompletableFuture<Void> sendBinaryNoCopy(ByteBuffer data) {
        return sendBinary(data);
    }

    /**
     * Sends a binary message; the array is copied before this method returns.
     *
     * @param data the whole array is the message
     * @return completes when the frame was handed to the container; fails as the class comment says
     */
    default CompletableFuture<Void> sendBinary(byte[] data) {
        return sendBinary(ByteBuffer.wrap(data));
    }

    /**
     * Sends a message prepared once for many connections (a broadcast): the frame is encoded
     * once and shared, see {@link PreparedMessage} for which connections share it. Otherwise the
     * same as {@link #sendText} or {@link #sendBinary}: queued, never blocking, the future tells
     * when the bytes reached the container. This default encodes per connection; the engine's
     * connections share the encoded frame.
     *
     * @param message the prepared text or binary message
     * @return completes when the frame was handed to the container; fails as the class comment says
     */
    default CompletableFuture<Void> send(PreparedMessage message) {
        return message.isText() ? sendText(message.text()) : sendBinary(message.binary());
    }

    /**
     * Sends a ping with up to 125 bytes of payload; the peer's pong arrives at {@link WebSocketHandler#onPong}.
     *
     * @param payload at most 125 bytes, from position to limit; may be empty
     * @return completes when the ping was handed to the container; fails on a hixie connection, which has no pings
     */
    CompletableFuture<Void> ping(ByteBuffer payload);

    /**
     * Starts the closing handshake: messages already queued go first, then a close frame with
     * this code and reason. The future completes when the close frame was handed to the
     * container. {@link WebSocketHandler#onClose} follows when the peer answered or a timeout
     * passed.
     *
     * @param code 1000, or 1001-1003, 1007-1014, or 3000-4999
     * @param reason at most 123 bytes of UTF-8
     * @return completes when the close frame was handed to the container
     */
    CompletableFuture<Void> close(int code, String reason);

    /**
     * {@code close(1000, "")}.
     *
     * @return completes when the close frame was handed to the container
     */
    default CompletableFuture<Void> close() {
        return close(CloseCodes.NORMAL, "");
    }

    /**
     * True until a close frame was sent or received, or the connection dropped.
     *
     * @return false once the closing handshake started or the connection dropped
     */
    boolean isOpen();

    /**
     * Bytes queued for sending but not yet handed to the container, like the browser's {@code bufferedAmount}.
     *
     * @return the queued bytes, zero when everything was handed over
     */
    long bufferedAmount();

    /**
     * The subprotocol the server selected, or the empty string if none.
     *
     * @return the selected subprotocol, never null
     */
    String subprotocol();

    /**
     * The extensions negotiated for this connection, as sent in {@code Sec-WebSocket-Extensions}; empty if none.
     *
     * @return the negotiated extensions with their parameters, read-only
     */
    List<String> extensions();

    /**
     * Which protocol road the client took.
     *
     * @return the version of this connection, never null
     */
    ProtocolVersion protocolVersion();

    /**
     * The peer's address as the container saw it.
     *
     * @return the peer's address, as in {@link HandshakeRequest#remoteAddress()}
     */
    InetSocketAddress remoteAddress();

    /**
     * The opening handshake request: path, headers, query parameters.
     *
     * @return the request that opened this connection, valid for its whole life
     */
    HandshakeRequest handshake();

    /**
     * A thread-safe map the application may use to keep state with this connection.
     *
     * @return the same mutable map on every call, empty at first
     */
    Map<String, Object> attributes();
}
