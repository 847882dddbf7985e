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

    /**
     * The member's connection.
     *
     * @return the connection that joined
     */
    public WebSocket socket() {
        return socket;
    }

    /**
     * The member as the room's log last said (its name comes once the log placed it).
     *
     * @return the member, with a null name until the log placed one
     */
    public Member member() {
        return member;
    }

    /**
     * The member's id, unique across the nodes sharing the broker.
     *
     * @return the id, positive
     */
    public long id() {
        return member.id();
    }

    void member(Member updated) {
        this.member = updated;
    }

    /**
     * Sends to this member alone, in order with what the room sends it; the room's slow-member policy applies.
     *
     * @param text the message
     */
    public void send(String text) {
        room.sendTo(this, PreparedMessage.text(text));
    }

    /**
     * Sends a message to this member alone, in the room's order.
     *
     * @param message the message, encoded once
     */
    public void send(PreparedMessage message) {
        room.sendTo(this, message);
    }

    /**
     * Sends what the room delivered after the offset (from the entries it keeps, see
     * {@link RoomOptions#history()}), as the member would have received them live, and returns
     * true; or sends nothing and returns false when the room no longer has everything after it
     * (the member missed too much: give it the whole state instead).
     *
     * @param offset the last offset the member received, as the client remembered it
     * @return true when everything after the offset was sent; false when nothing was
     */
    public boolean replayAfter(Offset offset) {
        return room.replayAfter(this, offset, 0);
    }

    /**
     * Like {@link #replayAfter(Offset)}, for a member that is the same client as an earlier one
     * (it reconnected, and a new connection is a new member with a new id): what was broadcast
     * to everyone but that earlier member (its own strokes, say, which it has already) is left out
     * again. The room cannot know who a connection was; the application says so (the demo's page
     * sends its former id). A wrong id only keeps that member's messages from this one.
     *
     * @param offset the last offset the member received, as the client remembered it
     * @param formerId the member id the same client had before, or 0 for none
     * @return true when everything after the offset was sent; false when nothing was
     */
    public boolean replayAfter(Offset offset, long formerId) {
        return room.replayAfter(this, offset, formerId);
    }

    /**
     * Whether {@link #replayAfter} would find everything after the offset.
     *
     * @param offset the last offset the member received
     * @return true when the room keeps every entry after it
     */
    public boolean canReplayAfter(Offset offset) {
        return room.canReplayAfter(offset);
    }

    /**
     * Sends the last {@code count} messages the room delivered (at most what it keeps).
     *
     * @param count how many, zero or more; more than the room keeps sends what it keeps
     */
    public void replayLatest(int count) {
        room.replayLatest(this, count);
    }

    @Override
    public String toString() {
        return "Membership[" + member + " in " + room.name() + "]";
    }
}
