package io.socketlet.internal.protocol;

/**
 * A violation by the peer; the connection is failed with this RFC 6455 close code and reason.
 *
 * <p>The wire layer throws it where a rule of the RFC is broken; the connection catches it,
 * sends a close frame with {@link #closeCode()} and {@link #getMessage()} as its reason, and
 * drops the socket (RFC 6455 section 7.1.7, "_Fail the WebSocket Connection_").
 */
public final class ProtocolException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int closeCode;

    /**
     * @param closeCode the close code to fail the connection with, such as 1002 or 1007
     * @param reason a short reason for the close frame; also this exception's message
     */
    public ProtocolException(int closeCode, String reason) {
        super(reason);
        this.closeCode = closeCode;
    }

    /** The close code to fail the connection with. */
    public int closeCode() {
        return closeCode;
    }
}
