package io.socketlet.rooms;

/**
 * How a room behaves; immutable, each {@code with...} returns a changed copy.
 *
 * <pre>{@code
 * RoomOptions.defaults().maxMembers(500).slowMembers(SlowMemberPolicy.DROP_MESSAGES).history(200)
 * }</pre>
 *
 * @param maxMembers     the most connections the room holds on one node; {@link Room#join} refuses
 *                       one more with {@link RoomFullException} (default 1000)
 * @param maxQueuedBytes a member with more than this waiting to be sent is slow (default 512 KiB;
 *                       keep it below the endpoint's {@code maxBufferedBytes}, so the room
 *                       decides before the engine closes the connection)
 * @param slowMembers    what happens to a slow member (default {@link SlowMemberPolicy#CLOSE})
 * @param history        how many of the latest log entries the room keeps, for members that
 *                       resume from an offset or want recent messages (default 100; 0 keeps none).
 *                       A Redis broker keeps about as many in the room's stream.
 * @param maxNameLength  the longest member name, in characters (code points); longer names are
 *                       cut, and " 2", " 3"... that make a name unique fit inside (default 24)
 * @param dropWhenEmpty  how long the room stays open on this node once its last local member left
 *                       (or after it was created, if nobody joins); then it closes as
 *                       {@link Rooms#remove} does. Null (the default): it stays until removed
 */
public record RoomOptions(int maxMembers, long maxQueuedBytes, SlowMemberPolicy slowMembers, int history,
                          int maxNameLength, java.time.Duration dropWhenEmpty) {

    /**
     * Checks every value: a positive member cap and queue bound, a policy, a history of zero or more, names of at least 8.
     *
     * @param maxMembers at least 1
     * @param maxQueuedBytes in bytes, at least 1
     * @param slowMembers not null
     * @param history zero or more entries
     * @param maxNameLength in code points, at least 8
     * @param dropWhenEmpty zero or more, or null for never
     */
    public RoomOptions {
        if (maxMembers < 1) {
            throw new IllegalArgumentException("maxMembers must be positive, was " + maxMembers);
        }
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("maxQueuedBytes must be positive, was " + maxQueuedBytes);
        }
        if (slowMembers == null) {
            throw new IllegalArgumentException("slowMembers: a policy is required");
        }
        if (history < 0) {
            throw new IllegalArgumentException("history must not be negative, was " + history);
        }
        if (maxNameLength < 8) {
            throw new IllegalArgumentException("maxNameLength must be at least 8, was " + maxNameLength);
        }
        if (dropWhenEmpty != null && dropWhenEmpty.isNegative()) {
            throw new IllegalArgumentException("dropWhenEmpty must not be negative, was " + dropWhenEmpty);
        }
    }

    /**
     * 1000 members, 512 KiB queued, slow members closed, 100 entries of history, names of 24, never dropped.
     *
     * @return the default options
     */
    public static RoomOptions defaults() {
        return new RoomOptions(1000, 512 * 1024, SlowMemberPolicy.CLOSE, 100, 24, null);
    }

    /**
     * A copy with this {@link #maxMembers()}.
     *
     * @param value at least 1; default 1000
     * @return a new options value; this one is unchanged
     */
    public RoomOptions maxMembers(int value) {
        return new RoomOptions(value, maxQueuedBytes, slowMembers, history, maxNameLength, dropWhenEmpty);
    }

    /**
     * A copy with this {@link #maxQueuedBytes()}.
     *
     * @param value in bytes, at least 1; default 512 KiB
     * @return a new options value; this one is unchanged
     */
    public RoomOptions maxQueuedBytes(long value) {
        return new RoomOptions(maxMembers, value, slowMembers, history, maxNameLength, dropWhenEmpty);
    }

    /**
     * A copy with this {@link #slowMembers()}.
     *
     * @param value not null; default {@link SlowMemberPolicy#CLOSE}
     * @return a new options value; this one is unchanged
     */
    public RoomOptions slowMembers(SlowMemberPolicy value) {
        return new RoomOptions(maxMembers, maxQueuedBytes, value, history, maxNameLength, dropWhenEmpty);
    }

    /**
     * A copy with this {@link #history()}.
     *
     * @param value entries, zero or more; default 100
     * @return a new options value; this one is unchanged
     */
    public RoomOptions history(int value) {
        return new RoomOptions(maxMembers, maxQueuedBytes, slowMembers, value, maxNameLength, dropWhenEmpty);
    }

    /**
     * A copy with this {@link #maxNameLength()}.
     *
     * @param value code points, at least 8; default 24
     * @return a new options value; this one is unchanged
     */
    public RoomOptions maxNameLength(int value) {
        return new RoomOptions(maxMembers, maxQueuedBytes, slowMembers, history, value, dropWhenEmpty);
    }

    /**
     * A copy with this {@link #dropWhenEmpty()}: for rooms made per conversation or per match,
     * which would otherwise stay open (and, over Redis, read) until their {@link Rooms} closes.
     * The grace lets a member that reconnects at once find the room and its state still there.
     *
     * @param grace zero or more; null (the default) never drops the room
     * @return a new options value; this one is unchanged
     */
    public RoomOptions dropWhenEmpty(java.time.Duration grace) {
        return new RoomOptions(maxMembers, maxQueuedBytes, slowMembers, history, maxNameLength, grace);
    }
}
