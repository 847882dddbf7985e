package io.socketlet.rooms;

import io.socketlet.PreparedMessage;
import io.socketlet.WebSocket;

/**
 * A connection's place in a room on this node: what {@link Room#join}'s callback gets, to greet
 * the newcomer before the room's next message reaches it. Use it only in the room's order (in
 * that callback, or in a task given to {@link Room#execute}).
 */
public final class Membership {

    private final Room room;
    private final WebSocket socket;
    private volatile Member member;

    Membership(Room room, WebSocket socket, Member member) {
        this.room = room;
        this.socket = socket;
        this.member = member;
    }

    /** The member's connection. */
    public WebSocket socket() {
        return socket;
    }

    /** The member as the room's log last said (its name comes once the log placed it). */
    public Member member() {
        return member;
    }

    /** The member's id, unique across the nodes sharing the broker. */
    public long id() {
        return member.id();
    }

    void member(Member updated) {
        this.member = updated;
    }

    /** Sends to this member alone, in order with what the room sends it; the room's slow-member policy applies. */
    public void send(String text) {
        room.sendTo(this, PreparedMessage.text(text));
    }

    /** Sends a message to this member alone, in the room's order. */
    public void send(PreparedMessage message) {
        room.sendTo(this, message);
    }

    /**
     * Sends what the room delivered after the offset (from the entries it keeps, see
     * {@link RoomOptions#history()}), as the member would have received them live, and returns
     * true; or sends nothing and returns false when the room no longer has everything after it
     * (the member missed too much: give it the whole state instead).
     */
    public boolean replayAfter(Offset offset) {
        return room.replayAfter(this, offset);
    }

    /** Whether {@link #replayAfter} would find everything after the offset. */
    public boolean canReplayAfter(Offset offset) {
        return room.canReplayAfter(offset);
    }

    /** Sends the last {@code count} messages the room delivered (at most what it keeps). */
    public void replayLatest(int count) {
        room.replayLatest(this, count);
    }

    @Override
    public String toString() {
        return "Membership[" + member + " in " + room.name() + "]";
    }
}
