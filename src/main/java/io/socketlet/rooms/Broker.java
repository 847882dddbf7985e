package io.socketlet.rooms;

import java.util.List;

/**
 * What carries rooms between nodes (the service provider interface behind {@link Rooms}). A
 * broker keeps one log per room: it places each broadcast and each presence change at the end of
 * the log, and delivers the log, in its order, to every node subscribed to the room, this one
 * included. {@link LocalBroker} does this inside one JVM; {@code io.socketlet.rooms.redis.RedisBroker}
 * over a Redis stream, for several nodes.
 *
 * <p>No method blocks for the network: {@link #publish} and {@link #presence} return at once, and
 * a broker that cannot reach its server delivers what it could not place on this node only, and
 * counts it (see {@code docs/cluster.md} for what each broker guarantees).
 */
public interface Broker extends AutoCloseable {

    /**
     * This node's number among the nodes sharing the broker, from 0 to 2^20 - 1: member ids are
     * built from it, so they are unique across the nodes (and stay exact in JavaScript).
     *
     * @return the node number, from 0 to 2^20 - 1
     */
    long nodeId();

    /**
     * Places a broadcast at the end of the room's log; every subscriber gets it.
     *
     * @param room the room's name
     * @param message the broadcast, not yet placed (its offset is null)
     */
    void publish(String room, RoomMessage message);

    /**
     * Applies a presence request in the room's order; the resulting change, if any, goes to every subscriber.
     *
     * @param room the room's name
     * @param request a join, a name or a leave
     */
    void presence(String room, PresenceRequest request);

    /**
     * Starts delivering the room's log to this node. {@link Subscriber#start} comes first (it may
     * come before this method returns), then every entry after it, in order, one at a time.
     *
     * @param history how many of the latest entries {@code start} should bring, at most
     * @return closes the subscription
     * @param room the room's name
     * @param subscriber this node's receiver of the room's log
     */
    AutoCloseable subscribe(String room, int history, Subscriber subscriber);

    /** Stops; subscriptions end. */
    @Override
    void close();

    /**
     * A node's end of a room's log. Calls may come from the broker's threads and, for what it
     * delivers on this node only, from the caller's: the room puts them in its own order.
     */
    interface Subscriber {

        /**
         * Where delivery starts: who is in the room, and the latest entries, oldest first. May be
         * called again after the broker lost its server and came back: the members replace the
         * earlier list, and entries already delivered come again (the room skips them by offset).
         *
         * @param members everyone in the room on every node, in joining order
         * @param recent at most {@code history} latest entries, oldest first; possibly empty
         */
        void start(List<Member> members, List<RoomEntry> recent);

        /**
         * The next entry of the log.
         *
         * @param entry a message or a presence change, after every entry delivered before
         */
        void deliver(RoomEntry entry);
    }
}
