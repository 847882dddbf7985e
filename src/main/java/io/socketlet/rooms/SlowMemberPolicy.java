package io.socketlet.rooms;

/**
 * What a room does with a member whose connection has more than {@link RoomOptions#maxQueuedBytes()}
 * waiting to be sent (a peer that reads slower than the room talks, or not at all). Without a
 * policy such a member would hold a growing queue until the engine's own {@code maxBufferedBytes}
 * closes it; a room decides earlier, and says what it did.
 */
public enum SlowMemberPolicy {

    /**
     * Close the connection with 1008 (policy violation) and a reason ("Too slow: N bytes waiting"),
     * and take the member out of the room. For rooms where every member must see every message
     * (a chat, a shared canvas): a member that missed some is better off reconnecting, which
     * resumes from its last offset.
     */
    CLOSE,

    /**
     * Skip messages for the member while it is over the limit, and count them
     * ({@link Room#droppedMessages()}); the member stays. For rooms of fresh values where only
     * the latest matters (prices, positions, cursors).
     */
    DROP_MESSAGES
}
