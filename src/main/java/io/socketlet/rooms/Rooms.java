package io.socketlet.rooms;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rooms of an application, over one {@link Broker}: in-JVM by default
 * ({@link #inMemory()}), or Redis for rooms that span nodes
 * ({@code new Rooms(RedisBroker.connect(...))}). Create one per application, share it between
 * endpoints, close it when the application stops. A room stays open until {@link #remove} (or
 * {@link Room#close()}, or {@link RoomOptions#dropWhenEmpty}); {@link #room} opens the name again.
 */
public final class Rooms implements AutoCloseable {

    /** Member ids: the node's number in the high bits, a counter below (2^32 members per node start). */
    private static final int NODE_SHIFT = 32;

    private final Broker broker;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicLong memberIds = new AtomicLong();
    /** Drops rooms left empty ({@link RoomOptions#dropWhenEmpty}); made on first use, ended by {@link #close()}. */
    private ScheduledThreadPoolExecutor timer;
    private boolean closed;

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
        Room[] made = new Room[1];
        Room room = rooms.computeIfAbsent(name, n -> made[0] = new Room(this, n, options, listener));
        if (made[0] != null) {
            // Outside computeIfAbsent: the room's tasks may close it, which takes the map's
            // slot for that name again. Meanwhile another thread's work on it waits in its order.
            made[0].open();
        }
        return room;
    }

    /**
     * Closes the room of that name on this node, as {@link Room#close()} does (its members here
     * leave; the node stops hearing its log); {@link #room} opens the name again later.
     *
     * @param name the room's name
     * @return whether such a room was open here
     */
    public boolean remove(String name) {
        Room room = rooms.get(name);
        if (room == null) {
            return false;
        }
        room.close();
        return true;
    }

    /**
     * The names of the rooms open on this node.
     *
     * @return a snapshot, in no particular order
     */
    public java.util.Set<String> names() {
        return java.util.Set.copyOf(rooms.keySet());
    }

    /** The open room of that name, or null. */
    Room current(String name) {
        return rooms.get(name);
    }

    /**
     * Takes a closing room out, ending its subscription while its name is held: a
     * {@link #room} call for that name waits for it, so the new room never subscribes
     * before the old one stopped (a broker takes one subscription per room and node).
     */
    void forget(Room room, Runnable unsubscribe) {
        rooms.compute(room.name(), (name, current) -> {
            unsubscribe.run();
            return current == room ? null : current;
        });
    }

    /** Runs the task after the delay, on the rooms' timer thread (it only hands work to a room's order). */
    void later(java.time.Duration delay, Runnable task) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (timer == null) {
                timer = new ScheduledThreadPoolExecutor(1, runnable -> {
                    Thread thread = new Thread(runnable, "socketlet-rooms timer");
                    thread.setDaemon(true);
                    return thread;
                });
                timer.setRemoveOnCancelPolicy(true);
            }
            timer.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    boolean isOfThisNode(long memberId) {
        return memberId >>> NODE_SHIFT == broker.nodeId();
    }

    long nextMemberId() {
        return (broker.nodeId() << NODE_SHIFT) | (memberIds.incrementAndGet() & 0xffff_ffffL);
    }

    /** Stops every room's subscription, the timer and the broker; connections stay open. */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor stopping;
        synchronized (this) {
            closed = true;
            stopping = timer;
        }
        if (stopping != null) {
            stopping.shutdownNow();
            try {
                stopping.awaitTermination(5, TimeUnit.SECONDS); // a redeploy leaves no thread behind
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        rooms.values().forEach(Room::stopHearing);
        rooms.clear();
        broker.close();
    }
}
