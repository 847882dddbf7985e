package io.socketlet.rooms;

/**
 * What a node asks of the broker about one of its members; the broker turns it into a
 * {@link PresenceChange} in the room's log (or into nothing, when nothing changes).
 *
 * @param kind          join (without a name), take or change a name, or leave
 * @param memberId      the member
 * @param name          the wanted name, for {@link Kind#NAME}: already cleaned by the application;
 *                      the broker cuts it to {@code maxNameLength} and makes it unique in the room
 * @param maxNameLength the longest name, in code points
 * @param reason        why a member leaves, for {@link Kind#LEAVE}
 */
public record PresenceRequest(Kind kind, long memberId, String name, int maxNameLength, String reason) {

    /** What the member asks. */
    public enum Kind {
        /** Enter the room, without a name. */
        JOIN,
        /** Take or change a name. */
        NAME,
        /** Leave the room. */
        LEAVE
    }

    static PresenceRequest join(long memberId) {
        return new PresenceRequest(Kind.JOIN, memberId, null, 0, "");
    }

    static PresenceRequest name(long memberId, String wanted, int maxNameLength) {
        return new PresenceRequest(Kind.NAME, memberId, wanted, maxNameLength, "");
    }

    static PresenceRequest leave(long memberId, String reason) {
        return new PresenceRequest(Kind.LEAVE, memberId, null, 0, reason == null ? "" : reason);
    }
}
