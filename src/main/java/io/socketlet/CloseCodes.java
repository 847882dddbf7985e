package io.socketlet;

/**
 * The close status codes of RFC 6455 section 7.4.1 and the IANA registry, as passed to
 * {@link WebSocket#close(int, String)} and reported to {@link WebSocketHandler#onClose}.
 */
public final class CloseCodes {
    /** The purpose for which the connection was established has been fulfilled. */
    public static final int NORMAL = 1000;
    /** An endpoint is going away: a server shutting down, a browser leaving the page, an idle timeout. */
    public static final int GOING_AWAY = 1001;
    /** The peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** The peer sent a kind of data the endpoint cannot accept (for example binary to a text-only endpoint). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** Reported only: the close frame carried no status code. Never sent. */
    public static final int NO_STATUS = 1005;
    /** Reported only: the connection ended without a close frame. Never sent. */
    public static final int ABNORMAL = 1006;
    /** A message's data was not consistent with its type, such as text that is not UTF-8. */
    public static final int INVALID_PAYLOAD = 1007;
    /** A message broke the endpoint's policy. */
    public static final int POLICY_VIOLATION = 1008;
    /** A frame or message was larger than the endpoint accepts. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** The client expected an extension the server did not negotiate. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** The server met an unexpected condition, such as an exception in the application. */
    public static final int INTERNAL_ERROR = 1011;
    /** The server is restarting. */
    public static final int SERVICE_RESTART = 1012;
    /** The server is overloaded: try again later. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** A gateway received an invalid response. */
    public static final int BAD_GATEWAY = 1014;

    private CloseCodes() {
    }
}
