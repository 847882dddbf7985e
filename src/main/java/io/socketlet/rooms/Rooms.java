package io.socketlet.rooms;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rooms of an application, over one {@link Broker}: in-JVM by default
 * ({@link #inMemory()}), or Redis for rooms that span nodes
 * ({@code new Rooms(RedisBroker.connect(...))}). Create one per application, share it between
 * endpoints, close it when the application stops.
 */
public final class Rooms implements AutoCloseable {

    /** Member ids: the node's number in the high bits, a counter below (2^32 members per node start). */
    private static final int NODE_SHIFT = 32;

    private final Broker broker;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicLong memberIds = new AtomicLong();

    /**
     * Rooms whose messages and presence go through this broker (LocalBroker for one node, RedisBroker for several).
     *
     * @param broker the broker, owned by these rooms from now on: {@link #close()} closes it
     */
    public Rooms(Broker broker) {
        if (broker == null) {
            throw new IllegalArgumentException("a broker is required (LocalBroker for one node)");
        }
        this.broker = broker;
    }

    /**
     * Rooms on this node only.
     *
     * @return rooms over a new {@link LocalBroker}
     */
    public static Rooms inMemory() {
        return new Rooms(new LocalBroker());
    }

    /**
     * The broker the rooms share.
     *
     * @return the broker given at construction
     */
    public Broker broker() {
        return broker;
    }

    /**
     * The room of that name, created on first use with these options and listener (later calls
     * get the same room, whatever they pass).
     *
     * @param name the room's name, the same on every node
     * @param options used only when the room is created
     * @param listener used only when the room is created
     * @return the room, the same object for the same name
     */
    public Room room(String name, RoomOptions options, RoomListener listener) {
        if (name == null || name.isEmpty() || name.length() > 200) {
            throw new IllegalArgumentException("a room name is 1 to 200 characters");
        }
        return rooms.computeIfAbsent(name, n -> new Room(this, n, options, listener));
    }

    boolean isOfThisNode(long memberId) {
        return memberId >>> NODE_SHIFT == broker.nodeId();
    }

    long nextMemberId() {
        return (broker.nodeId() << NODE_SHIFT) | (memberIds.incrementAndGet() & 0xffff_ffffL);
    }

    /** Stops every room's subscription and the broker; connections stay open. */
    @Override
    public void close() {
        rooms.values().forEach(Room::close);
        rooms.clear();
        broker.close();
    }
}
