package io.socketlet.rooms;

import io.socketlet.PreparedMessage;

/**
 * The application's view of a room's log. Both methods are called on every node, for every
 * entry, in the log's order, one at a time (never concurrently for one room): the place to keep
 * state that every node must agree on (a canvas's picture, recent messages), and to decide what
 * the local members receive. What they return is encoded once and sent to every local member
 * (a message's author excepted).
 *
 * <p>Called from the room's serial order: never under an engine lock, but keep them short, and
 * never block: they hold up the room.
 */
public interface RoomListener {

    /**
     * A broadcast; returns what the local members receive (by default the message itself), or null for nothing.
     *
     * @param room the room whose log it is
     * @param message the broadcast, at its offset
     * @return what local members receive (its author excepted), or null to send nothing
     */
    default PreparedMessage onMessage(Room room, RoomMessage message) {
        return message.prepared();
    }

    /**
     * Someone came, took or changed a name, or left; returns what the local members receive, or null (the default).
     *
     * @param room the room whose log it is
     * @param change the change, at its offset
     * @return what local members receive, or null to send nothing
     */
    default PreparedMessage onPresence(Room room, PresenceChange change) {
        return null;
    }

    /**
     * The room closed on this node ({@link Room#close()}, {@link Rooms#remove}, or dropped when
     * empty): forget the state kept for it here. A room of the same name opened later builds its
     * state again from what the broker brings ({@code history} entries from a Redis stream;
     * nothing in one JVM), with this listener if it was opened by a join on the closed room.
     *
     * @param room the room, closed; its members here have left
     */
    default void onClosed(Room room) {
    }
}
