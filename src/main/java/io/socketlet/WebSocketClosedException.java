package io.socketlet;

/**
 * Fails the future of a send that never reached the container: the connection closed first, or
 * was closed because the send queue passed {@code maxBufferedBytes}.
 */
public class WebSocketClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * A send refused because the connection is closed, for the reason given.
     *
     * @param message why the connection is closed
     */
    public WebSocketClosedException(String message) {
        super(message);
    }

    /**
     * A send refused because the connection is closed, for the reason and the failure given.
     *
     * @param message why the connection is closed
     * @param cause the failure that closed it
     */
    public WebSocketClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
