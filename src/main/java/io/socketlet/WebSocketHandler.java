package io.socketlet;

import java.nio.ByteBuffer;

/**
 * What an application does with one connection. Every method has an empty default, so an
 * endpoint implements only the events it cares about.
 *
 * <p>Callbacks for one connection never run concurrently with each other: they are called in
 * order from the connection's read path, except {@code onClose} after a timeout or a failed
 * write, which runs on one of the endpoint's event threads (and waits for a callback in
 * progress to return first). No engine lock is held while a callback runs. They must not block
 * for long, since that connection reads nothing while they run; sends from inside a callback
 * are non-blocking and safe.
 * An exception thrown from a callback closes the connection with {@link CloseCodes#INTERNAL_ERROR}
 * and is logged.
 */
public interface WebSocketHandler {

    /**
     * The handshake completed; the socket is open and may send.
     *
     * @param socket the new connection
     */
    default void onOpen(WebSocket socket) {
    }

    /**
     * A whole text message arrived (already reassembled from its fragments and UTF-8 validated).
     *
     * @param socket the connection it came on
     * @param text the message, possibly empty
     */
    default void onText(WebSocket socket, String text) {
    }

    /**
     * A whole binary message arrived. The buffer belongs to the application from here on and
     * is not reused by the server.
     *
     * @param socket the connection it came on
     * @param data the message, from position to limit; possibly empty
     */
    default void onBinary(WebSocket socket, ByteBuffer data) {
    }

    /**
     * A pong arrived, solicited by {@link WebSocket#ping} or not. Pings are answered by the server itself.
     *
     * @param socket the connection it came on
     * @param payload the pong's application data, at most 125 bytes; possibly empty
     */
    default void onPong(WebSocket socket, ByteBuffer payload) {
    }

    /**
     * The connection is closed; called exactly once, and nothing else is called afterwards.
     *
     * @param socket the connection, no longer open
     * @param code the code of the first close frame received from the peer (its own close, or
     *             its answer to ours), {@link CloseCodes#NO_STATUS} when that frame had none,
     *             {@link CloseCodes#ABNORMAL} when the connection ended without a close handshake
     *             (including a peer that never answered our close), or the code the server failed
     *             the connection with (1002, 1007, 1008, 1009, 1011) after a violation or an error
     * @param reason the reason text, possibly empty
     */
    default void onClose(WebSocket socket, int code, String reason) {
    }

    /**
     * Something went wrong on this connection: a protocol violation by the peer, an I/O error,
     * a limit crossed. {@link #onClose} follows.
     *
     * @param socket the connection it happened on
     * @param error what went wrong
     */
    default void onError(WebSocket socket, Throwable error) {
    }
}
