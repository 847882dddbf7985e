package io.socketlet.rooms.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.EventExecutor;
import io.socketlet.rooms.Broker;
import io.socketlet.rooms.Member;
import io.socketlet.rooms.Offset;
import io.socketlet.rooms.PresenceBook;
import io.socketlet.rooms.PresenceChange;
import io.socketlet.rooms.PresenceRequest;
import io.socketlet.rooms.RoomEntry;
import io.socketlet.rooms.RoomMessage;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rooms across nodes over one Redis server (7.0 or later), with Lettuce as the client. Each
 * room's log is a Redis stream ({@code XADD MAXLEN ~}); every node reads the streams of its rooms
 * with one {@code XREAD BLOCK} loop and delivers the entries in stream order, so every member on
 * every node sees the same order, each entry at its stream id ({@link Offset}). Presence changes
 * are Lua scripts ({@link RedisScripts}) that update the room's member and name hashes and append
 * the change to the same stream, atomically. See {@code docs/cluster.md} for the guarantees.
 *
 * <p><b>Faults.</b> Nothing here blocks a caller or keeps a thread per retry: Lettuce reconnects
 * on its event loop with exponential backoff, and this broker's own retries (the first connection,
 * the read loop) are tasks on Lettuce's scheduler. While Redis is unreachable, a broadcast or a
 * presence change is delivered on this node only (so local rooms keep working), logged once per
 * outage and counted ({@link #unreplicated()}): that is the loss window for the other nodes. When
 * Redis is back, the node reads on from where it was in each stream (nothing read twice: the room
 * skips offsets it delivered, and a message delivered locally because its {@code XADD} timed out
 * is recognised by its unique id if the stream has it after all), and states its members again if
 * Redis lost them. Redis unreachable at start: the node starts, says so at ERROR, serves its own
 * members, and joins the others as soon as Redis answers. Each node refreshes a liveness key every
 * heartbeat (2 s by default), valid for three; members of a node whose key expired (a killed node)
 * leave its rooms with reason "node gone", whichever live node notices first.
 *
 * <p><b>Threads.</b> Rooms hear their logs on a few delivery threads of the broker's own
 * ({@link RoomDelivery}), one room at a time in order, never on Lettuce's event loop: a room
 * listener that takes its time holds up its own room only, not Redis I/O for the others. And the
 * application's threads never run Lettuce: their commands go to one Lettuce thread, in order
 * (see {@code redisThread}), and {@link #close} returns once Lettuce's threads have ended.
 */
public final class RedisBroker implements Broker {

    private static final System.Logger LOG = System.getLogger(RedisBroker.class.getName());
    private static final String PREFIX = "socketlet:";
    private static final String NODE_PREFIX = PREFIX + "node:";
    /** How often a node says it is alive, by default; a node silent for three of them is gone. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(2);
    private static final long BLOCK_MILLIS = 1000;

    private final RedisURI uri;
    private final long heartbeatMillis;
    private final long livenessMillis;
    private final ClientResources resources;
    private final RedisClient client;
    /**
     * The one thread (of Lettuce's) that calls Lettuce for the application's threads, in the
     * order they asked. Netty keeps per-thread state (its thread-local map: recyclers, buffer
     * caches) on any thread that writes to a channel; on a container thread, that state's classes
     * are the web application's (Lettuce and Netty sit in its WEB-INF/lib) and would hold its
     * class loader after an undeploy for as long as the container's thread lives.
     */
    private final EventExecutor redisThread;
    private final long nodeId = 1 + new SecureRandom().nextInt((1 << 20) - 1);
    private final String nodeKey = NODE_PREFIX + nodeId;
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    /** Where rooms hear their logs: never Lettuce's event loop (a slow listener would hold up all of Redis I/O). */
    private final RoomDelivery delivery = new RoomDelivery("socketlet-rooms node " + nodeId);
    private final RedisBrokerMBean mbean;
    /** Closed with the broker: meter binders, so their meters go with it. */
    private final List<AutoCloseable> closeWith = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong publishCounter = new AtomicLong();
    private final AtomicLong unreplicated = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();
    private volatile StatefulRedisConnection<String, byte[]> commands;
    private volatile StatefulRedisConnection<String, byte[]> reader;
    private volatile boolean closed;
    /** See {@link #emptyRoomExpiry(Duration)}. */
    private volatile Duration emptyRoomExpiry = Duration.ofHours(1);
    /** Whether the last command or read failed for want of Redis; guarded by this. */
    private boolean down;
    private long downSinceNanos;
    private long unreplicatedAtDown;
    /** The outage that ended last: how long, and what it delivered here only; guarded by this. */
    private long lastOutageMillis;
    private long lastOutageUnreplicated;
    /** Read-loop failures in a row, for the backoff. */
    private int readFailures;
    /** Heartbeats since the last reconnect: members of others are cleaned up only once every node had time to beat. */
    private int beatsSinceUp;

    /** A room this node reads: its subscriber, where it is in the stream, and the presence Redis last told. */
    private static final class Subscription {
        final String room;
        final String membersKey;
        final String namesKey;
        final String logKey;
        final int history;
        final Subscriber subscriber;
        final PresenceBook mirror = new PresenceBook();
        /** The id of the last entry read; null until the first snapshot. */
        volatile String cursor;
        /** Snapshots of the room on their way. */
        final java.util.concurrent.atomic.AtomicInteger looking = new java.util.concurrent.atomic.AtomicInteger();
        /** What this node delivers to its members of the room, in which order (its own broadcasts wait there until settled). */
        final RoomOutbox outbox;

        Subscription(String room, int history, Subscriber subscriber) {
            this.room = room;
            String base = PREFIX + "room:" + room + ":";
            this.membersKey = base + "members";
            this.namesKey = base + "names";
            this.logKey = base + "log";
            this.history = history;
            this.subscriber = subscriber;
            this.outbox = new RoomOutbox(subscriber::deliver);
        }

        long maxLength() {
            return Math.max(100, history);
        }
    }

    private RedisBroker(RedisURI uri, Duration heartbeat) {
        if (heartbeat.toMillis() < 50) {
            throw new IllegalArgumentException("heartbeat must be at least 50 ms");
        }
        this.uri = uri;
        this.heartbeatMillis = heartbeat.toMillis();
        this.livenessMillis = 3 * heartbeatMillis + 100;
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(5), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        this.redisThread = resources.eventExecutorGroup().next();
        this.mbean = new RedisBrokerMBean(this, redisAddress());
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // While disconnected, fail at once: the room delivers locally instead of waiting.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // Never send a command again after a reconnect (Lettuce would, by default): an XADD
                // that may have been applied must not be applied twice, nor after later ones.
                .replayFilter(command -> true)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(3)))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).build())
                .build());
    }

    /**
     * A broker for {@code redis://host:port} (or {@code rediss://}, with a password as
     * {@code redis://:password@host:port}). Returns at once: the connection is made in the
     * background, and until it is, rooms work on this node only (said at ERROR if the first try
     * fails).
     *
     * @param redisUri the server, {@code redis://} or {@code rediss://}
     * @return the broker, possibly not connected yet
     */
    public static RedisBroker connect(String redisUri) {
        return connect(redisUri, DEFAULT_HEARTBEAT);
    }

    /**
     * Like {@link #connect(String)}, with how often this node says it is alive (every node should use the same).
     *
     * @param redisUri the server, {@code redis://} or {@code rediss://}
     * @param heartbeat how often, the same on every node ({@link #DEFAULT_HEARTBEAT} when not given)
     * @return the broker, possibly not connected yet
     */
    public static RedisBroker connect(String redisUri, Duration heartbeat) {
        // Built on a thread of its own that ends at once: making Lettuce's client leaves Netty's
        // per-thread state on the thread that does it, and on a container's thread that state
        // would keep the web application's class loader after an undeploy (see redisThread).
        java.util.concurrent.FutureTask<RedisBroker> build = new java.util.concurrent.FutureTask<>(
                () -> new RedisBroker(RedisURI.create(redisUri), heartbeat));
        Thread builder = new Thread(build, "socketlet-redis-connect");
        builder.setDaemon(true);
        builder.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        builder.start();
        RedisBroker broker;
        try {
            broker = build.get();
            builder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the Redis client", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // a malformed URI, a heartbeat too short
            }
            throw new IllegalStateException(e.getCause());
        }
        broker.mbean.register(); // io.socketlet:type=RedisBroker,node=N until close()
        broker.onRedisThread(() -> broker.connectNow(0));
        return broker;
    }

    @Override
    public long nodeId() {
        return nodeId;
    }

    /**
     * Broadcasts and presence changes delivered on this node only because Redis could not be reached.
     *
     * @return the total since the broker started
     */
    public long unreplicated() {
        return unreplicated.get();
    }

    /**
     * Times Redis became unreachable.
     *
     * @return the count since the broker started
     */
    public long outages() {
        return outages.get();
    }

    /**
     * Whether the node is connected to Redis now.
     *
     * @return true while the last command or read reached Redis
     */
    public boolean isConnected() {
        StatefulRedisConnection<String, byte[]> c = commands;
        StatefulRedisConnection<String, byte[]> r = reader;
        synchronized (this) {
            return c != null && c.isOpen() && r != null && r.isOpen() && !down;
        }
    }

    /**
     * How long Redis has been unreachable, in the outage under way: the loss window open now.
     *
     * @return the time since the outage began; zero while connected
     */
    public Duration currentOutage() {
        synchronized (this) {
            return down ? Duration.ofNanos(System.nanoTime() - downSinceNanos) : Duration.ZERO;
        }
    }

    /**
     * How long the last outage that ended lasted: the loss window it opened.
     *
     * @return its duration; zero before the first outage ended
     */
    public Duration lastOutage() {
        synchronized (this) {
            return Duration.ofMillis(lastOutageMillis);
        }
    }

    /**
     * Broadcasts and presence changes delivered on this node only during the last outage that ended.
     *
     * @return the count; zero before the first outage ended
     */
    public long lastOutageUnreplicated() {
        synchronized (this) {
            return lastOutageUnreplicated;
        }
    }

    /** Rooms this node reads. */
    int rooms() {
        return subscriptions.size();
    }

    /** Entries handed to the rooms that their listeners have not taken yet. */
    long deliveriesWaiting() {
        return delivery.waiting();
    }

    /** {@code host:port} of the Redis server. */
    String redisAddress() {
        return uri.getHost() + ":" + uri.getPort();
    }

    /** Closes this too when the broker closes (a meter binder, whose meters go with the broker). */
    void whenClosed(AutoCloseable closeable) {
        closeWith.add(closeable);
        if (closed) {
            closeAttached();
        }
    }

    private void closeAttached() {
        mbean.unregister();
        for (AutoCloseable c : closeWith) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing " + c, e);
            }
        }
        closeWith.clear();
    }

    // ---- connecting ----

    private void connectNow(int attempt) {
        if (closed) {
            return;
        }
        RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
        // Named, so that an operator's CLIENT LIST says which node and which role each connection is.
        // Both or neither: a commands connection kept while the reader failed would be made
        // again by the next try and stay open (reconnecting by itself) for good.
        client.connectAsync(codec, named("commands")).thenCompose(c -> client.connectAsync(codec, named("reader"))
                .whenComplete((r, error) -> {
                    if (error != null) {
                        c.closeAsync();
                    } else {
                        commands = c;
                    }
                })).whenComplete((r, error) -> {
            if (error != null) {
                if (attempt == 0) {
                    LOG.log(System.Logger.Level.ERROR, "Redis at " + uri.getHost() + ":" + uri.getPort()
                            + " is unreachable (" + error.getMessage() + "): rooms work on this node only until it answers;"
                            + " trying again in the background");
                }
                markDown(error);
                long delay = Math.min(5000, 250L << Math.min(attempt, 5));
                schedule(() -> connectNow(attempt + 1), delay);
                return;
            }
            reader = r;
            LOG.log(System.Logger.Level.INFO, "Redis at " + uri.getHost() + ":" + uri.getPort() + ": connected as node " + nodeId);
            heartbeat();
            markUp();
            for (Subscription s : subscriptions.values()) {
                snapshot(s, true);
            }
            readLoop();
        });
    }

    /**
     * Runs a call to Lettuce on the broker's Redis thread, after those asked for before it (so
     * one room's broadcasts and presence changes reach Redis in the order they were made). For
     * calls from the application's threads; Lettuce's own callbacks call it directly.
     */
    private void onRedisThread(Runnable call) {
        try {
            redisThread.execute(call);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closed meanwhile: nothing more to send
        }
    }

    private RedisURI named(String role) {
        return RedisURI.builder(uri).withClientName("socketlet-node-" + nodeId + "-" + role).build();
    }

    private void schedule(Runnable task, long millis) {
        if (closed) {
            return;
        }
        try {
            resources.eventExecutorGroup().schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // closed meanwhile: nothing more to do
        }
    }

    private void heartbeat() {
        StatefulRedisConnection<String, byte[]> c = commands;
        if (closed || c == null) {
            return;
        }
        c.async().set(nodeKey, LogEntries.bytes("1"), SetArgs.Builder.px(livenessMillis)).whenComplete((ok, error) -> {
            if (error == null) {
                boolean cleanUp;
                synchronized (this) {
                    // Only once every live node had time to beat since Redis came back (a Redis
                    // that restarted empty has nobody's liveness key at first).
                    cleanUp = ++beatsSinceUp > 4;
                }
                if (cleanUp) {
                    subscriptions.values().forEach(this::cleanUp);
                }
                // A room whose first look failed (Redis went away or was slow just then) is not
                // read yet, so no read can bring it back: Redis answers again, it looks again.
                for (Subscription s : subscriptions.values()) {
                    if (s.cursor == null && s.looking.get() == 0) {
                        snapshot(s, true);
                    }
                }
            }
            schedule(this::heartbeat, heartbeatMillis);
        });
    }

    private void cleanUp(Subscription s) {
        StatefulRedisConnection<String, byte[]> c = commands;
        if (c == null) {
            return;
        }
        c.async().<Long>eval(RedisScripts.CLEANUP, ScriptOutputType.INTEGER,
                new String[] {s.membersKey, s.namesKey, s.logKey},
                LogEntries.bytes(Long.toString(s.maxLength())), LogEntries.bytes(NODE_PREFIX)).whenComplete((gone, error) -> {
                    if (error == null && gone != null && gone > 0) {
                        LOG.log(System.Logger.Level.INFO, "Room " + s.room + ": " + gone + " members of nodes that stopped answering left");
                    }
                });
    }

    private void markDown(Throwable cause) {
        if (closed) {
            return; // our own close ended the connections
        }
        boolean first;
        synchronized (this) {
            first = !down;
            if (first) {
                down = true;
                beatsSinceUp = 0;
                downSinceNanos = System.nanoTime();
                unreplicatedAtDown = unreplicated.get();
                outages.incrementAndGet();
            }
        }
        if (first) {
            LOG.log(System.Logger.Level.WARNING, "Redis unreachable (" + cause + "): rooms deliver on this node only until it is back");
        }
    }

    private void markUp() {
        long millis;
        long lost;
        synchronized (this) {
            if (!down) {
                return;
            }
            down = false;
            millis = (System.nanoTime() - downSinceNanos) / 1_000_000;
            lost = unreplicated.get() - unreplicatedAtDown;
            lastOutageMillis = millis;
            lastOutageUnreplicated = lost;
        }
        LOG.log(System.Logger.Level.WARNING, "Redis is back after " + millis + " ms: " + lost
                + " broadcasts and presence changes of this node were delivered here only, not on other nodes"
                + " (unreplicated total " + unreplicated.get() + ")");
    }

    // ---- publishing ----

    @Override
    public void publish(String room, RoomMessage message) {
        Subscription s = subscription(room);
        if (s == null) {
            return; // nobody here reads the room: nothing to order (a room always subscribes first)
        }
        String unique = nodeId + ":" + publishCounter.incrementAndGet();
        s.outbox.published(unique, message);
        StatefulRedisConnection<String, byte[]> c = commands;
        if (c == null) {
            refused(s, unique);
            return;
        }
        onRedisThread(() -> c.async().xadd(s.logKey, XAddArgs.Builder.maxlen(s.maxLength()).approximateTrimming(),
                        LogEntries.fields(message, unique))
                .whenComplete((id, error) -> {
                    if (error != null) {
                        markDown(error);
                        refused(s, unique);
                    } else {
                        s.outbox.placed(unique, Offset.parse(id));
                    }
                }));
    }

    /** A broadcast Redis did not take (or whose answer is lost): delivered on this node only, and counted. */
    private void refused(Subscription s, String unique) {
        if (s.outbox.refused(unique)) {
            unreplicated.incrementAndGet();
        }
    }

    @Override
    public void presence(String room, PresenceRequest request) {
        Subscription s = subscription(room);
        StatefulRedisConnection<String, byte[]> c = commands;
        if (c == null) {
            presenceLocally(s, request);
            return;
        }
        List<byte[]> args = new ArrayList<>(13);
        args.add(LogEntries.bytes(request.kind().name()));
        args.add(LogEntries.bytes(Long.toString(request.memberId())));
        args.add(LogEntries.bytes(Long.toString(nodeId)));
        args.add(LogEntries.bytes(Long.toString(s == null ? 100 : s.maxLength())));
        args.add(LogEntries.bytes(request.reason() == null ? "" : request.reason()));
        if (request.kind() == PresenceRequest.Kind.NAME) {
            for (String candidate : PresenceBook.nameCandidates(request.name(), request.maxNameLength())) {
                args.add(LogEntries.bytes(candidate));
            }
        }
        String[] keys = s == null ? new String[] {PREFIX + "room:" + room + ":members", PREFIX + "room:" + room + ":names",
                PREFIX + "room:" + room + ":log"} : new String[] {s.membersKey, s.namesKey, s.logKey};
        onRedisThread(() -> c.async().<Object>eval(RedisScripts.PRESENCE, ScriptOutputType.VALUE, keys, args.toArray(new byte[0][]))
                .whenComplete((id, error) -> {
                    if (error != null) {
                        markDown(error);
                        presenceLocally(s, request);
                    }
                }));
    }

    private void presenceLocally(Subscription s, PresenceRequest request) {
        if (s == null) {
            return;
        }
        PresenceChange change;
        synchronized (s.mirror) {
            change = s.mirror.apply(request, null);
        }
        if (change != null) {
            unreplicated.incrementAndGet();
            s.outbox.hereOnly(change);
        }
    }

    // ---- subscribing and reading ----

    private Subscription subscription(String room) {
        return subscriptions.get(room);
    }

    @Override
    public AutoCloseable subscribe(String room, int history, Subscriber subscriber) {
        Subscription s = new Subscription(room, history, delivery.lane(subscriber));
        if (subscriptions.putIfAbsent(room, s) != null) {
            throw new IllegalStateException("room " + room + " is subscribed already on this node");
        }
        if (commands == null) {
            s.subscriber.start(List.of(), List.of()); // alone until Redis answers
        } else {
            onRedisThread(() -> snapshot(s, false));
        }
        return () -> unsubscribe(s);
    }

    /**
     * The room closed on this node: the read loop leaves its stream out from its next XREAD, and
     * when nobody is in the room on any node its log expires after {@link #emptyRoomExpiry} (the
     * leaves the room sent before this come first: the same Redis thread, in order).
     */
    private void unsubscribe(Subscription s) {
        if (!subscriptions.remove(s.room, s)) {
            return;
        }
        StatefulRedisConnection<String, byte[]> c = commands;
        if (c == null || closed) {
            return;
        }
        long millis = emptyRoomExpiry.toMillis();
        onRedisThread(() -> c.async().<Long>eval(RedisScripts.EXPIRE_IF_EMPTY, ScriptOutputType.INTEGER,
                new String[] {s.membersKey, s.logKey}, LogEntries.bytes(Long.toString(millis)))
                .whenComplete((set, error) -> {
                    if (error != null) {
                        LOG.log(System.Logger.Level.DEBUG, "Room " + s.room + ": could not set its log to expire", error);
                    }
                }));
    }

    /**
     * How long a room's log stays in Redis once a node stopped serving the room and nobody is in
     * it on any node (default one hour): a room opened again within it (on any node) gets its
     * history back; after it, the room starts afresh. So rooms made per match or per conversation
     * leave nothing behind in Redis.
     *
     * @param expiry at least one millisecond
     * @return this broker
     */
    public RedisBroker emptyRoomExpiry(Duration expiry) {
        if (expiry.toMillis() < 1) {
            throw new IllegalArgumentException("emptyRoomExpiry must be at least 1 ms, was " + expiry);
        }
        this.emptyRoomExpiry = expiry;
        return this;
    }

    /**
     * Who is in the room and the newest entries, in one atomic look; then the room starts (or,
     * after Redis came back, starts again with the members only: the read loop brings the rest
     * from the room's cursor, and the room skips what it had).
     */
    private void snapshot(Subscription s, boolean again) {
        StatefulRedisConnection<String, byte[]> c = commands;
        if (c == null) {
            return; // not connected yet: connecting looks at every room
        }
        s.looking.incrementAndGet();
        c.async().<List<Object>>eval(RedisScripts.SNAPSHOT, ScriptOutputType.MULTI, new String[] {s.membersKey, s.logKey},
                LogEntries.bytes(Integer.toString(Math.max(1, s.history)))).whenComplete((result, error) -> {
                    s.looking.decrementAndGet();
                    if (error != null) {
                        markDown(error);
                        if (!again) {
                            s.subscriber.start(List.of(), List.of()); // alone for now; the next successful read starts it again
                        }
                        return;
                    }
                    Map<Member, Offset> joinedAt = new java.util.HashMap<>();
                    List<?> hash = (List<?>) result.get(0);
                    for (int i = 0; i + 1 < hash.size(); i += 2) {
                        String value = LogEntries.string((byte[]) hash.get(i + 1));
                        joinedAt.put(LogEntries.member(LogEntries.string((byte[]) hash.get(i)), value), LogEntries.joined(value));
                    }
                    List<Member> members = new ArrayList<>(joinedAt.keySet());
                    members.sort((a, b) -> joinedAt.get(a).compareTo(joinedAt.get(b))); // as they came
                    List<RoomEntry> recent = new ArrayList<>();
                    String newest = null;
                    List<?> entries = (List<?>) result.get(1);
                    for (Object e : entries) {
                        List<?> entry = (List<?>) e;
                        String id = LogEntries.string((byte[]) entry.get(0));
                        newest = newest == null ? id : newest;
                        RoomEntry decoded = LogEntries.entry(id, fieldsOf((List<?>) entry.get(1)));
                        if (decoded != null) {
                            recent.add(0, decoded);
                        }
                    }
                    if (s.history == 0) {
                        recent.clear();
                    }
                    synchronized (s.mirror) {
                        s.mirror.reset(members);
                    }
                    boolean first = s.cursor == null;
                    if (first) {
                        s.cursor = newest == null ? "0-0" : newest;
                    }
                    s.subscriber.start(members, first ? recent : List.of());
                    if (first) {
                        Offset startsAfter = Offset.parse(s.cursor);
                        s.outbox.startsAfter(startsAfter == null ? Offset.ZERO : startsAfter);
                    }
                });
    }

    private static Map<String, byte[]> fieldsOf(List<?> flat) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(LogEntries.string((byte[]) flat.get(i)), (byte[]) flat.get(i + 1));
        }
        return fields;
    }

    /** One XREAD BLOCK over every room's stream at a time, forever, each completion starting the next. */
    private void readLoop() {
        StatefulRedisConnection<String, byte[]> r = reader;
        if (closed || r == null) {
            return;
        }
        List<Subscription> reading = new ArrayList<>();
        for (Subscription s : subscriptions.values()) {
            if (s.cursor != null) {
                reading.add(s);
            }
        }
        if (reading.isEmpty()) {
            schedule(this::readLoop, 100);
            return;
        }
        @SuppressWarnings("unchecked")
        XReadArgs.StreamOffset<String>[] offsets = new XReadArgs.StreamOffset[reading.size()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = XReadArgs.StreamOffset.from(reading.get(i).logKey, reading.get(i).cursor);
        }
        r.async().xread(XReadArgs.Builder.block(BLOCK_MILLIS).count(1000), offsets).whenComplete((messages, error) -> {
            if (error != null) {
                markDown(error);
                int failures;
                synchronized (this) {
                    failures = ++readFailures;
                }
                schedule(this::readLoop, Math.min(5000, 100L << Math.min(failures, 6)));
                return;
            }
            boolean recovered;
            synchronized (this) {
                recovered = readFailures > 0 || down;
                readFailures = 0;
            }
            if (recovered) {
                markUp();
                // Redis may have restarted without its data: the rooms learn its presence again
                // (and state their own members); entries are read on from each cursor.
                subscriptions.values().forEach(s -> snapshot(s, true));
            }
            Map<String, Subscription> byKey = new java.util.HashMap<>();
            reading.forEach(s -> byKey.put(s.logKey, s));
            for (StreamMessage<String, byte[]> m : messages) {
                Subscription s = byKey.get(m.getStream());
                if (s == null) {
                    continue;
                }
                s.cursor = m.getId();
                RoomEntry entry = LogEntries.entry(m.getId(), m.getBody());
                if (entry == null) {
                    continue;
                }
                if (entry instanceof PresenceChange change) {
                    synchronized (s.mirror) {
                        s.mirror.follow(change);
                    }
                }
                String unique = LogEntries.uniqueId(m.getBody());
                s.outbox.read(entry, unique != null && unique.startsWith(nodeId + ":") ? unique : null);
            }
            readLoop();
        });
    }

    /**
     * Stops as a killed process would: no more reads, heartbeats or deletes, nothing said to
     * Redis; the other nodes find out when the liveness key expires. For tests of node failure.
     */
    void kill() {
        shutdown(false);
    }

    /**
     * Says goodbye to Redis (this node's liveness key goes, so its members leave the other
     * nodes' rooms at once), closes the connections, and returns once Lettuce's threads and the
     * room delivery threads have ended (a few seconds at most): an undeployed application leaves
     * none of them running.
     */
    @Override
    public void close() {
        shutdown(true);
    }

    private void shutdown(boolean goodbye) {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.clear();
        java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();
        try {
            // On the Redis thread too: nothing of Netty runs on the caller's thread.
            redisThread.execute(() -> {
                StatefulRedisConnection<String, byte[]> c = commands;
                java.util.concurrent.CompletionStage<?> said = goodbye && c != null
                        ? c.async().del(nodeKey).exceptionally(ignored -> 0L)
                        : java.util.concurrent.CompletableFuture.completedFuture(null);
                said.thenCompose(ignored -> client.shutdownAsync(0, 2, TimeUnit.SECONDS))
                        .whenComplete((ignored, error) -> resources.shutdown(0, 2, TimeUnit.SECONDS)
                                .addListener(done -> stopped.complete(null)));
            });
            stopped.get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "The Redis client did not stop within " + STOP_WAIT.toSeconds() + " s", e);
        }
        delivery.close();
        closeAttached();
    }

    /** How long closing waits for Lettuce to stop. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    @Override
    public String toString() {
        return "RedisBroker[" + uri.getHost() + ":" + uri.getPort() + ", node " + nodeId + "]";
    }
}
