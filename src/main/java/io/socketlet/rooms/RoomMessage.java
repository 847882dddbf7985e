package io.socketlet.rooms;

import io.socketlet.PreparedMessage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A broadcast in a room's log.
 *
 * @param offset  its place in the log (null before the broker placed it, and for a message
 *                delivered locally while the broker was unreachable)
 * @param except  the id of the member that does not receive it (its author, say), or 0
 * @param text    whether the payload is UTF-8 text (else binary)
 * @param payload the message's bytes; never written to
 */
public record RoomMessage(Offset offset, long except, boolean text, byte[] payload) implements RoomEntry {

    /**
     * A text message, not yet placed in the log.
     *
     * @param text the message
     * @param except the id of the member that does not receive it, or 0 for none
     * @return the message, with a null offset
     */
    public static RoomMessage text(String text, long except) {
        return new RoomMessage(null, except, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A binary message, not yet placed; the bytes are copied.
     *
     * @param data the bytes from position to limit; the position is not moved
     * @param except the id of the member that does not receive it, or 0 for none
     * @return the message, with a null offset
     */
    public static RoomMessage binary(ByteBuffer data, long except) {
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return new RoomMessage(null, except, false, copy);
    }

    /**
     * The same message at its place in the log.
     *
     * @param placed the offset the broker gave it
     * @return a copy with that offset, sharing the payload
     */
    public RoomMessage at(Offset placed) {
        return new RoomMessage(placed, except, text, payload);
    }

    /**
     * The text of a text message.
     *
     * @return the payload decoded as UTF-8
     */
    public String asText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * The message, ready to send to many connections.
     *
     * @return a new prepared text or binary message of the payload
     */
    public PreparedMessage prepared() {
        return text ? PreparedMessage.text(asText()) : PreparedMessage.binary(payload);
    }
}
