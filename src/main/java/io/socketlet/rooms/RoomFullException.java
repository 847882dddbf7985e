package io.socketlet.rooms;

/** {@link Room#join} refused a connection: the room holds {@link RoomOptions#maxMembers()} already. */
public final class RoomFullException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The most members the room takes. */
    private final int maxMembers;

    RoomFullException(String room, int maxMembers) {
        super("The room " + room + " is full: " + maxMembers + " members, the most it takes", null, false, false);
        this.maxMembers = maxMembers;
    }

    /**
     * The most members the room takes.
     *
     * @return the room's {@link RoomOptions#maxMembers()}
     */
    public int maxMembers() {
        return maxMembers;
    }
}
