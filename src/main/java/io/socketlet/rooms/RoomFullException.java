package io.socketlet.rooms;

/**
 * {@link Room#join} refused a connection: the room holds {@link RoomOptions#maxMembers()} on this
 * node already. The cap is per node (members on other nodes do not count), so a room over several
 * nodes holds up to that many on each; the endpoint's {@code maxConnections} caps the node's connections as a whole.
 */
public final class RoomFullException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The most members the room takes. */
    private final int maxMembers;

    RoomFullException(String room, int maxMembers) {
        super("The room " + room + " is full on this node: " + maxMembers + " members here, the most it takes",
                null, false, false);
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
