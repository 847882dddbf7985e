package io.socketlet.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.socketlet.CloseCodes;
import io.socketlet.WebSocket;
import io.socketlet.WebSocketHandler;

import java.nio.ByteBuffer;

/**
 * One client of a JSON endpoint: text messages are parsed and checked before the endpoint sees
 * them, and whatever is refused is answered, never thrown. Refusals:
 * <ul>
 *   <li>binary message: close 1003 (the endpoint speaks JSON text);</li>
 *   <li>text that is not JSON: close 1007;</li>
 *   <li>JSON of the wrong shape, or too many messages too fast: {@code {"type":"error"}} back;
 *       {@value #MAX_STRIKES} such refusals in a row close with 1008.</li>
 * </ul>
 * Messages over the endpoint's {@code maxMessageSize} never get here: the engine closes with 1009.
 */
abstract class JsonConnection implements WebSocketHandler {

    static final int MAX_STRIKES = 20;

    private final RateLimit rate;
    /** Refusals since the last accepted message; touched only from this connection's callbacks. */
    private int strikes;

    JsonConnection(RateLimit rate) {
        this.rate = rate;
    }

    /**
     * The member id this page had before it reconnected ({@code ?was=}), or 0: its own earlier
     * broadcasts, which it shows already, are left out of its replay again. A page that names
     * another member only misses that member's messages, so the claim needs no proof.
     */
    static long formerId(WebSocket socket) {
        String was = socket.handshake() == null ? null : socket.handshake().queryParameter("was");
        if (was == null || was.isEmpty() || was.length() > 19 || !was.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Long.parseLong(was);
    }

    /** Acts on one well-formed message of the given type; throws to refuse it. */
    abstract void handle(WebSocket socket, String type, ObjectNode message) throws BadMessage;

    /** Sends an answer to this client alone, in order with what the room sends it. */
    abstract void reply(WebSocket socket, String json);

    @Override
    public final void onText(WebSocket socket, String text) {
        try {
            if (!rate.tryAcquire()) {
                throw BadMessage.reply("Too many messages: slow down");
            }
            ObjectNode message = Json.parseMessage(text);
            handle(socket, message.get("type").asText(), message);
            strikes = 0;
        } catch (BadMessage refused) {
            refuse(socket, refused);
        }
    }

    @Override
    public final void onBinary(WebSocket socket, ByteBuffer data) {
        socket.close(CloseCodes.UNSUPPORTED_DATA, "This endpoint takes JSON text messages, not binary");
    }

    private void refuse(WebSocket socket, BadMessage refused) {
        if (refused.closes()) {
            socket.close(refused.closeCode(), CleanText.closeReason(refused.getMessage()));
        } else if (++strikes >= MAX_STRIKES) {
            socket.close(CloseCodes.POLICY_VIOLATION, MAX_STRIKES + " refused messages in a row");
        } else {
            reply(socket, Json.error(refused.getMessage()));
        }
    }
}
