package io.socketlet.rooms;

/**
 * A change of who is in a room, in the room's log: a member came ({@code before} is null), took
 * or changed its name, or left ({@code after} is null). Every node sees the same changes in the
 * same order, so every node's list of members is the same.
 *
 * @param offset its place in the log
 * @param before the member before the change, or null when it joined
 * @param after  the member after the change, or null when it left
 * @param reason why a member left ("closed", "too slow", "node gone", ...); empty otherwise
 */
public record PresenceChange(Offset offset, Member before, Member after, String reason) implements RoomEntry {

    /**
     * Whether a member came (there was no member before).
     *
     * @return true when {@link #before()} is null
     */
    public boolean joined() {
        return before == null;
    }

    /**
     * Whether a member left (there is no member after).
     *
     * @return true when {@link #after()} is null
     */
    public boolean left() {
        return after == null;
    }

    /**
     * The member concerned, as it is after the change (or was, when it left).
     *
     * @return {@link #after()}, or {@link #before()} when the member left; never null
     */
    public Member member() {
        return after != null ? after : before;
    }
}
