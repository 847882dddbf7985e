package io.socketlet.rooms.redis;

/**
 * A node's link to Redis as JMX shows it: object name {@code io.socketlet:type=RedisBroker,node=<node id>},
 * registered by {@link RedisBroker#connect} and unregistered by {@link RedisBroker#close}. The loss
 * window (what this node delivered to its own members only, because Redis could not be reached)
 * and whether it is open now; see {@code docs/cluster.md}.
 */
public interface RedisBrokerMXBean {

    /**
     * This node's number among the nodes sharing the Redis server.
     *
     * @return the node id, from 1 to 2^20 - 1
     */
    long getNodeId();

    /**
     * The Redis server, as {@code host:port}.
     *
     * @return where the broker connects
     */
    String getRedis();

    /**
     * Whether the node reaches Redis now.
     *
     * @return true while the last command or read reached Redis
     */
    boolean isConnected();

    /**
     * How long Redis has been unreachable, in the outage under way.
     *
     * @return milliseconds since the outage began; 0 while connected
     */
    long getCurrentOutageMillis();

    /**
     * How long the last outage that ended lasted: the loss window it opened.
     *
     * @return milliseconds; 0 before the first outage ended
     */
    long getLastOutageMillis();

    /**
     * Broadcasts and presence changes delivered on this node only during the last outage that ended.
     *
     * @return the count; 0 before the first outage ended
     */
    long getLastOutageUnreplicated();

    /**
     * Times Redis became unreachable.
     *
     * @return the count since the broker started
     */
    long getOutages();

    /**
     * Broadcasts and presence changes delivered on this node only because Redis could not be
     * reached: the other nodes never get them.
     *
     * @return the total since the broker started
     */
    long getUnreplicated();

    /**
     * Rooms this node reads from Redis.
     *
     * @return the count, zero or more
     */
    int getRooms();

    /**
     * Log entries read from Redis (or delivered here only) that the rooms' listeners have not
     * taken yet: grows while a listener takes its time.
     *
     * @return the count over every room, zero when all have caught up
     */
    long getDeliveriesWaiting();
}
