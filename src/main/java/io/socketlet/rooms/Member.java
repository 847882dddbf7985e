package io.socketlet.rooms;

/**
 * One member of a room as every node sees it: an id unique across the nodes sharing the broker,
 * and a display name, unique in the room ignoring case, or null for a member that has not taken
 * one (a page that only watches).
 */
public record Member(long id, String name) {

    /**
     * Whether the member has taken a name.
     *
     * @return true when {@link #name()} is not null
     */
    public boolean isNamed() {
        return name != null;
    }
}
