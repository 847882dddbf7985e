package io.socketlet.rooms;

import io.socketlet.CloseCodes;
import io.socketlet.PreparedMessage;
import io.socketlet.WebSocket;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A named group of connections that hear the same messages, on one node or across several
 * (through the {@link Broker} of its {@link Rooms}).
 *
 * <pre>{@code
 * Room chat = rooms.room("lobby", RoomOptions.defaults(), listener);
 * // in onOpen:   chat.join(socket, membership -> membership.send(welcome));   // may throw RoomFullException
 * // in onText:   chat.broadcast(text);
 * // in onClose:  chat.leave(socket, "closed");
 * }</pre>
 *
 * <p><b>Order.</b> Every broadcast and every presence change goes through the room's log, and
 * every member on every node receives the log in the same order (so each publisher's messages
 * in the order it sent them). The room's state and the listener's calls run in one serial order
 * per room, on the threads that submit work, never under a lock and never concurrently
 * ({@link #execute} runs a task in it).
 *
 * <p><b>Encoding.</b> A broadcast is encoded once per node ({@link PreparedMessage}) and the
 * same frame goes to every local member.
 *
 * <p><b>Slow members.</b> Before each message to a member the room looks at its
 * {@link WebSocket#bufferedAmount()}; past {@link RoomOptions#maxQueuedBytes()} the
 * {@link RoomOptions#slowMembers()} policy applies: close with 1008, or drop messages. A member
 * whose send fails (its connection ended) leaves the room.
 *
 * <p><b>Life cycle.</b> A room is open from {@link Rooms#room} until {@link #close()} (or
 * {@link Rooms#remove}, or, with {@link RoomOptions#dropWhenEmpty}, a grace period after its last
 * local member left). Closing is one task in the room's order: the members here leave (reason
 * {@value #CLOSED_REASON}: the log tells the other nodes), the room stops hearing its log, and
 * the listener hears {@link RoomListener#onClosed} (not those leaves). A join that comes after it (the join of a page that found the
 * room a moment before) goes to the room of the same name, opened again, with the same options
 * and listener, so it never ends in a dead room; so do a broadcast, and a name, leave or send for
 * a member of that new room.
 *
 * <p>All methods are thread-safe and non-blocking.
 */
public final class Room {

    private static final System.Logger LOG = System.getLogger(Room.class.getName());
    /** Why the members here leave a room that closes, as {@link PresenceChange#reason()} says. */
    public static final String CLOSED_REASON = "room closed";

    private final Rooms rooms;
    private final String name;
    private final RoomOptions options;
    private final RoomListener listener;
    /** Held until {@link #open()}: made inside the map's computeIfAbsent, the room runs nothing there. */
    private final SerialQueue serial = new SerialQueue(true);
    /** Places taken under maxMembers, counted before the serial join so two joins cannot both take the last. */
    private final AtomicInteger places = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    /** Set by the room's first task; null once closed before it. */
    private volatile AutoCloseable subscription;

    // ---- serial state ----
    private final Map<WebSocket, Membership> locals = new LinkedHashMap<>();
    private final Map<Long, Membership> localsById = new HashMap<>();
    /** Everyone in the room, on every node, in joining order: the log's presence, applied. */
    private final LinkedHashMap<Long, Member> everyone = new LinkedHashMap<>();
    /** The latest delivered entries and what local members got for each (null: nothing). */
    private final ArrayDeque<Delivered> kept = new ArrayDeque<>();
    /** Everything after this offset is in {@link #kept}. */
    private Offset keptAfter = Offset.ZERO;
    /** The last offset delivered: entries at or before it (a broker resending after a reconnect) are skipped. */
    private Offset last = Offset.ZERO;
    private volatile int memberCount;
    private volatile int namedCount;
    /** Set in the room's order, by the task that closes it: every task after it sees it. */
    private volatile boolean closed;
    /** Which emptying a pending drop belongs to: a later emptying makes an earlier timer moot. */
    private int emptyTurn;
    /** Once closed: the room that takes what still comes here (see {@link #successor()}). */
    private volatile Room next;

    private record Delivered(RoomEntry entry, PreparedMessage sent) {
    }

    Room(Rooms rooms, String name, RoomOptions options, RoomListener listener) {
        this.rooms = rooms;
        this.name = name;
        this.options = options;
        this.listener = listener == null ? new RoomListener() { } : listener;
        serial.submit(() -> {
            if (!closed) {
                subscription = rooms.broker().subscribe(name, options.history(), new Broker.Subscriber() {
                    @Override
                    public void start(List<Member> members, List<RoomEntry> recent) {
                        serial.submit(() -> started(members, recent));
                    }

                    @Override
                    public void deliver(RoomEntry entry) {
                        serial.submit(() -> delivered(entry));
                    }
                });
            }
        });
        serial.submit(this::emptied); // a room nobody joins is dropped too, if its options say so
    }

    /** Runs the room's first tasks (its subscription first), once it is in its {@link Rooms}' map; by the thread that made it. */
    void open() {
        serial.release();
    }

    /**
     * The room's name, unique on its {@link Rooms}.
     *
     * @return the name given to {@link Rooms#room}
     */
    public String name() {
        return name;
    }

    /**
     * How the room behaves.
     *
     * @return the options the room was created with
     */
    public RoomOptions options() {
        return options;
    }

    /**
     * Adds a connection to the room on this node. {@code onJoined} runs in the room's order
     * before anything else the room sends it: the place for a welcome and a replay. The room's
     * log then says the member came ({@link PresenceChange#joined()}), without a name.
     *
     * @param socket an open connection; joining it again while a member here does nothing
     * @param onJoined runs once with the new membership, in the room's order
     * @throws RoomFullException when the room holds {@link RoomOptions#maxMembers()} connections on this node
     */
    public void join(WebSocket socket, Consumer<Membership> onJoined) throws RoomFullException {
        if (closed) {
            successor().join(socket, onJoined);
            return;
        }
        if (places.incrementAndGet() > options.maxMembers()) {
            places.decrementAndGet();
            throw new RoomFullException(name, options.maxMembers());
        }
        long id = rooms.nextMemberId();
        serial.submit(() -> {
            if (closed) { // closed after this join was asked for: the room of that name, opened again, takes it
                places.decrementAndGet();
                joinSuccessor(socket, onJoined);
                return;
            }
            if (locals.containsKey(socket)) {
                places.decrementAndGet(); // joined twice: once is enough
                return;
            }
            Membership membership = new Membership(this, socket, new Member(id, null));
            locals.put(socket, membership);
            localsById.put(id, membership);
            if (onJoined != null) {
                try {
                    onJoined.accept(membership);
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.ERROR, "Room " + name + ": the join callback failed", t);
                }
            }
            rooms.broker().presence(name, PresenceRequest.join(id));
        });
    }

    /**
     * Gives the member a name, or a new one: the broker makes it unique in the room ignoring
     * case ({@code Ada}, {@code Ada 2}) and cuts it to {@link RoomOptions#maxNameLength()}; the
     * log then carries the change. Does nothing for a connection that is not a member here.
     *
     * @param socket a member's connection on this node
     * @param wanted the name asked for; the one given may differ
     */
    public void name(WebSocket socket, String wanted) {
        serial.submit(() -> {
            Membership m = locals.get(socket);
            if (m != null) {
                rooms.broker().presence(name, PresenceRequest.name(m.id(), wanted, options.maxNameLength()));
            } else if (closed) {
                whenReplaced(room -> room.name(socket, wanted));
            }
        });
    }

    /**
     * Takes the connection out of the room; idempotent. The log says it left, with the reason.
     *
     * @param socket the connection; one that is not a member is ignored
     * @param reason why it left, as others see it in {@link PresenceChange#reason()}
     */
    public void leave(WebSocket socket, String reason) {
        serial.submit(() -> {
            if (closed) {
                whenReplaced(room -> room.leave(socket, reason));
            } else {
                remove(socket, reason);
            }
        });
    }

    /**
     * Broadcasts text to every member on every node.
     *
     * @param text the message
     */
    public void broadcast(String text) {
        broadcast(text, null);
    }

    /**
     * Broadcasts text to every member on every node but {@code except} (its author, say; may be null).
     *
     * @param text the message
     * @param except the connection that does not receive it, or null for none
     */
    public void broadcast(String text, WebSocket except) {
        serial.submit(() -> publish(RoomMessage.text(text, idOf(except)), except));
    }

    /**
     * Broadcasts a binary message (copied now) to every member on every node but {@code except}.
     *
     * @param data the bytes from position to limit; the position is not moved
     * @param except the connection that does not receive it, or null for none
     */
    public void broadcast(ByteBuffer data, WebSocket except) {
        RoomMessage message = RoomMessage.binary(data, 0);
        serial.submit(() -> publish(new RoomMessage(null, idOf(except), false, message.payload()), except));
    }

    /**
     * Sends text to one connection, in order with what the room sends it (after the broadcasts
     * submitted before); a member is subject to the slow-member policy, another connection
     * simply gets it.
     *
     * @param socket the receiver, a member or not
     * @param text the message
     */
    public void send(WebSocket socket, String text) {
        serial.submit(() -> {
            Membership m = locals.get(socket);
            if (m != null) {
                sendTo(m, PreparedMessage.text(text));
            } else if (closed) {
                whenReplaced(room -> room.send(socket, text));
            } else {
                socket.sendText(text).exceptionally(ignored -> null);
            }
        });
    }

    /**
     * Runs the task in the room's order (after the work submitted before it), never concurrently with the room.
     *
     * @param task the work; an exception it throws is logged and the room goes on
     */
    public void execute(Runnable task) {
        serial.submit(task);
    }

    /**
     * This node's member for the connection, in the room's order only (else null may be stale).
     *
     * @param socket the connection
     * @return its membership here, or null when it is not a member on this node
     */
    public Membership membership(WebSocket socket) {
        return locals.get(socket);
    }

    /**
     * Everyone in the room on every node, in joining order, as the log has said so far. In the room's order only.
     *
     * @return a snapshot copy, possibly empty
     */
    public List<Member> members() {
        return new ArrayList<>(everyone.values());
    }

    /**
     * The member with that id, on any node, in the room's order only; null if not in the room.
     *
     * @param id a member id, as in {@link Member#id()}
     * @return the member, or null
     */
    public Member member(long id) {
        return everyone.get(id);
    }

    /**
     * The offset of the last entry delivered here ({@link Offset#ZERO} before the first), in the room's order only.
     *
     * @return the offset, never null
     */
    public Offset lastOffset() {
        return last;
    }

    /**
     * Sends to every member on this node, in the room's order, without going through the log
     * (other nodes do not see it): for what each node derives from the log itself, such as a
     * notice that its copy of a picture was trimmed.
     *
     * @param message what every local member receives
     */
    public void sendLocally(PreparedMessage message) {
        serial.submit(() -> {
            for (Membership m : new ArrayList<>(locals.values())) {
                sendTo(m, message);
            }
        });
    }

    /**
     * Everyone in the room on every node, as the room's next task sees them.
     *
     * @return completes, in the room's order, with a snapshot of the members in joining order
     */
    public CompletableFuture<List<Member>> membersLater() {
        CompletableFuture<List<Member>> result = new CompletableFuture<>();
        serial.submit(() -> result.complete(List.copyOf(everyone.values())));
        return result;
    }

    /**
     * How many are in the room on every node (as the log has said so far).
     *
     * @return the count, zero or more
     */
    public int memberCount() {
        return memberCount;
    }

    /**
     * How many of them have a name.
     *
     * @return the count, zero or more
     */
    public int namedCount() {
        return namedCount;
    }

    /**
     * Connections in the room on this node.
     *
     * @return the count, zero or more
     */
    public int localCount() {
        return places.get();
    }

    /**
     * Messages skipped for members over {@link RoomOptions#maxQueuedBytes()} under {@link SlowMemberPolicy#DROP_MESSAGES}.
     *
     * @return the total since the room was created
     */
    public long droppedMessages() {
        return dropped.get();
    }

    /**
     * Closes the room on this node, in its order (after the work submitted before): the members
     * here leave with reason {@value #CLOSED_REASON} (their connections stay open), the room stops
     * hearing its log (over Redis: this node no longer reads its stream), and the listener hears
     * {@link RoomListener#onClosed}. Other nodes' rooms of that name go on. {@link Rooms#room}
     * opens the name again later, as a new room that starts from what the broker keeps.
     * Idempotent.
     */
    public void close() {
        serial.submit(() -> closeNow());
    }

    /**
     * Whether the room has closed ({@link #close()}, {@link Rooms#remove}, or dropped when empty).
     *
     * @return true once the task that closed it has run
     */
    public boolean isClosed() {
        return closed;
    }

    /** Stops hearing the log, when the whole {@link Rooms} closes; members stay connected. */
    void stopHearing() {
        AutoCloseable s = subscription;
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing room " + name, e);
        }
    }

    // ---- life cycle (serial) ----

    private void closeNow() {
        if (closed) {
            return;
        }
        // The leaves go to the log while the room still hears it (a broker may keep a room's
        // log only while someone subscribes); then the name is free, and the next Rooms.room
        // subscribes anew only after this subscription ended (Rooms.forget holds the name meanwhile).
        for (Membership m : new ArrayList<>(locals.values())) {
            remove(m.socket(), CLOSED_REASON);
        }
        rooms.forget(this, this::stopHearing);
        closed = true;
        try {
            listener.onClosed(this);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "Room " + name + ": the listener failed on close", t);
        }
        locals.clear();
        localsById.clear();
        everyone.clear();
        kept.clear();
        memberCount = 0;
        namedCount = 0;
    }

    /** The last member here left (or nobody came): with {@link RoomOptions#dropWhenEmpty}, the room closes after the grace. */
    private void emptied() {
        if (options.dropWhenEmpty() == null || closed || places.get() > 0) {
            return;
        }
        int turn = ++emptyTurn;
        rooms.later(options.dropWhenEmpty(), () -> serial.submit(() -> {
            // Still empty since that emptying (no join under way: places counts joins not yet run).
            if (turn == emptyTurn && places.get() == 0) {
                closeNow();
            }
        }));
    }

    /**
     * Where this room, closed, sends a join or a broadcast that still comes to it: the open room
     * of its name (opened again if need be), fixed once chosen. One fixed successor keeps each
     * member's requests in order: its leave follows its join through the same rooms, so a leave
     * never overtakes its join into a room that opened meanwhile.
     */
    private Room successor() {
        Room chosen = next;
        if (chosen != null) {
            return chosen;
        }
        Room candidate = rooms.room(name, options, listener); // outside the lock: opening a room runs its first tasks
        synchronized (this) {
            if (next == null) {
                next = candidate;
            }
            return next;
        }
    }

    private void joinSuccessor(WebSocket socket, Consumer<Membership> onJoined) {
        try {
            successor().join(socket, onJoined);
        } catch (RoomFullException full) {
            socket.close(CloseCodes.TRY_AGAIN_LATER, full.getMessage()).exceptionally(ignored -> null);
        }
    }

    /**
     * Passes a member's request on to this room's successor, or, if it forwarded nothing yet, to
     * the open room of its name, if any (a leave never opens a room again).
     */
    private void whenReplaced(Consumer<Room> action) {
        Room target = next;
        if (target == null) {
            target = rooms.current(name);
        }
        if (target != null && target != this) {
            action.accept(target);
        }
    }

    private void publish(RoomMessage message, WebSocket except) {
        if (closed) {
            successor().broadcastPrepared(message, except);
        } else {
            rooms.broker().publish(name, message);
        }
    }

    /** A broadcast handed on from the closed room this one replaced: its author's id is this room's. */
    private void broadcastPrepared(RoomMessage message, WebSocket except) {
        serial.submit(() -> publish(new RoomMessage(null, idOf(except), message.text(), message.payload()), except));
    }

    // ---- serial ----

    private long idOf(WebSocket socket) {
        Membership m = socket == null ? null : locals.get(socket);
        return m == null ? 0 : m.id();
    }

    private void started(List<Member> members, List<RoomEntry> recent) {
        if (closed) {
            return;
        }
        if (!recent.isEmpty() && recent.get(0).offset() != null && recent.get(0).offset().isAfter(keptAfter)
                && kept.isEmpty()) {
            keptAfter = recent.get(0).offset(); // what came before the first of these is not here
        }
        everyone.clear();
        for (Member m : members) {
            everyone.put(m.id(), m);
        }
        // The broker's server is the truth about other nodes; about this one, the room is. Members
        // it lost (a restart without its data) are stated again; members it still has that left
        // while it was unreachable leave now.
        for (Member m : members) {
            if (rooms.isOfThisNode(m.id()) && !localsById.containsKey(m.id())) {
                rooms.broker().presence(name, PresenceRequest.leave(m.id(), "left while the broker was unreachable"));
            }
        }
        for (Membership m : locals.values()) {
            if (!everyone.containsKey(m.id())) {
                rooms.broker().presence(name, PresenceRequest.join(m.id()));
                if (m.member().isNamed()) {
                    rooms.broker().presence(name, PresenceRequest.name(m.id(), m.member().name(), options.maxNameLength()));
                }
            }
        }
        counts();
        for (RoomEntry entry : recent) {
            delivered(entry);
        }
    }

    private void delivered(RoomEntry entry) {
        if (closed) {
            return; // read before the subscription ended
        }
        Offset offset = entry.offset();
        if (offset != null && !offset.isAfter(last)) {
            return; // delivered already (a broker that reconnected sends its recent entries again)
        }
        PreparedMessage out;
        long except = 0;
        try {
            if (entry instanceof RoomMessage message) {
                except = message.except();
                out = listener.onMessage(this, message);
            } else {
                PresenceChange change = (PresenceChange) entry;
                applyPresence(change);
                out = listener.onPresence(this, change);
                stateAgainIfStillHere(change);
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "Room " + name + ": the listener failed on " + entry + "; the room goes on", t);
            out = null;
        }
        if (offset != null) {
            last = offset;
            keep(new Delivered(entry, out));
        }
        if (out != null) {
            for (Membership m : new ArrayList<>(locals.values())) {
                if (m.id() != except) {
                    sendTo(m, out);
                }
            }
        }
    }

    /**
     * A member of this node removed while it is still here: another node took this one for dead
     * (its liveness key lapsed during a long pause, or behind a slow Redis) and cleaned up after
     * it. The room knows better about its own members: it states this one again. (A member that
     * really left was taken out of the locals before its leave was asked for.)
     */
    private void stateAgainIfStillHere(PresenceChange change) {
        if (change.after() != null || change.before() == null) {
            return;
        }
        Membership here = localsById.get(change.before().id());
        if (here == null || closed) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "Room " + name + ": member " + here.id() + " of this node was removed ("
                + change.reason() + ") while still connected here; stating it again");
        rooms.broker().presence(name, PresenceRequest.join(here.id()));
        if (here.member().isNamed()) {
            rooms.broker().presence(name, PresenceRequest.name(here.id(), here.member().name(), options.maxNameLength()));
        }
    }

    /** Applies a change to the list of everyone; the counts follow in constant time, whatever the room's size. */
    private void applyPresence(PresenceChange change) {
        Member was = change.before() == null ? null : everyone.get(change.before().id());
        if (change.after() == null) {
            if (change.before() != null) {
                everyone.remove(change.before().id());
            }
        } else {
            was = everyone.put(change.after().id(), change.after());
            Membership local = localsById.get(change.after().id());
            if (local != null) {
                local.member(change.after());
            }
        }
        memberCount = everyone.size();
        int named = namedCount - (was != null && was.isNamed() ? 1 : 0)
                + (change.after() != null && change.after().isNamed() ? 1 : 0);
        namedCount = named;
    }

    /** Counts everyone again: after the whole list was replaced. */
    private void counts() {
        memberCount = everyone.size();
        int named = 0;
        for (Member m : everyone.values()) {
            if (m.isNamed()) {
                named++;
            }
        }
        namedCount = named;
    }

    private void keep(Delivered delivered) {
        if (options.history() == 0) {
            keptAfter = delivered.entry().offset();
            return;
        }
        kept.addLast(delivered);
        while (kept.size() > options.history()) {
            keptAfter = kept.removeFirst().entry().offset();
        }
    }

    /** Whether the room keeps every entry after the offset, and the offset is one this log reached. */
    boolean canReplayAfter(Offset offset) {
        return offset != null && offset.compareTo(keptAfter) >= 0 && offset.compareTo(last) <= 0;
    }

    boolean replayAfter(Membership member, Offset offset, long formerId) {
        if (!canReplayAfter(offset)) {
            return false;
        }
        for (Delivered d : kept) {
            if (d.entry().offset().isAfter(offset) && d.sent() != null && !isExcepted(d.entry(), member.id())
                    && (formerId == 0 || !isExcepted(d.entry(), formerId))) {
                sendTo(member, d.sent());
            }
        }
        return true;
    }

    void replayLatest(Membership member, int count) {
        List<Delivered> latest = new ArrayList<>();
        Iterator<Delivered> newestFirst = kept.descendingIterator();
        while (newestFirst.hasNext() && latest.size() < count) {
            Delivered d = newestFirst.next();
            if (d.sent() != null && d.entry() instanceof RoomMessage) {
                latest.add(0, d);
            }
        }
        for (Delivered d : latest) {
            sendTo(member, d.sent());
        }
    }

    private static boolean isExcepted(RoomEntry entry, long memberId) {
        return entry instanceof RoomMessage m && m.except() == memberId;
    }

    /** Sends to one member under the slow-member policy; serial. */
    void sendTo(Membership member, PreparedMessage message) {
        WebSocket socket = member.socket();
        if (locals.get(socket) != member) {
            return; // gone meanwhile
        }
        long queued = socket.bufferedAmount();
        if (queued > options.maxQueuedBytes()) {
            if (options.slowMembers() == SlowMemberPolicy.DROP_MESSAGES) {
                dropped.incrementAndGet();
                return;
            }
            remove(socket, "too slow");
            socket.close(CloseCodes.POLICY_VIOLATION, "Too slow: " + queued + " bytes waiting to be sent")
                    .exceptionally(ignored -> null);
            return;
        }
        CompletableFuture<Void> sent;
        try {
            sent = socket.send(message);
        } catch (RuntimeException e) {
            // The API promises a failed future, never a throw; one member's failure must not stop the others.
            LOG.log(System.Logger.Level.DEBUG, "send threw; " + socket + " leaves " + name, e);
            remove(socket, "send failed");
            return;
        }
        // Never wait on the future: for a peer that stopped reading it completes late or never.
        sent.whenComplete((ok, error) -> {
            if (error != null) {
                leave(socket, "connection closed");
            }
        });
    }

    private void remove(WebSocket socket, String reason) {
        Membership m = locals.remove(socket);
        if (m == null) {
            return;
        }
        localsById.remove(m.id());
        places.decrementAndGet();
        rooms.broker().presence(name, PresenceRequest.leave(m.id(), reason));
        emptied();
    }

    @Override
    public String toString() {
        return "Room[" + name + ", " + memberCount + " members, " + places.get() + " here]";
    }
}
