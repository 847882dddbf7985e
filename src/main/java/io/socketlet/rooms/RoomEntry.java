package io.socketlet.rooms;

/**
 * One entry of a room's log, delivered on every node in the log's order: a message someone
 * broadcast, or a change of who is in the room.
 */
public sealed interface RoomEntry permits RoomMessage, PresenceChange {

    /**
     * Its place in the log; null for an entry delivered on this node only, while the broker was unreachable.
     *
     * @return the offset, or null for an entry delivered on this node only
     */
    Offset offset();
}
