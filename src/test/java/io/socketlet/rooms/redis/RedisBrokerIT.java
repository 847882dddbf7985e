package io.socketlet.rooms.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.socketlet.PreparedMessage;
import io.socketlet.cluster.RedisServer;
import io.socketlet.demo.FakeSocket;
import io.socketlet.rooms.Member;
import io.socketlet.rooms.PresenceChange;
import io.socketlet.rooms.Room;
import io.socketlet.rooms.RoomFullException;
import io.socketlet.rooms.RoomListener;
import io.socketlet.rooms.RoomMessage;
import io.socketlet.rooms.RoomOptions;
import io.socketlet.rooms.Rooms;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rooms over a real redis-server (started here on a free port) with two or three nodes in this
 * JVM, each its own {@link RedisBroker}: what crosses, in which order, and what happens when
 * Redis restarts, is missing at start, or a node dies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisBrokerIT {

    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(15);

    private RedisServer redis;
    private final List<Rooms> nodes = new ArrayList<>();
    /** Per node, the log as its listener saw it. */
    private final List<List<String>> logs = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        nodes.forEach(Rooms::close);
        if (redis != null) {
            redis.close();
        }
    }

    private Rooms node(String uri) {
        Rooms rooms = new Rooms(RedisBroker.connect(uri, HEARTBEAT));
        nodes.add(rooms);
        logs.add(new CopyOnWriteArrayList<>());
        return rooms;
    }

    private Room room(Rooms node, String name) {
        List<String> log = logs.get(nodes.indexOf(node));
        return node.room(name, RoomOptions.defaults().history(50), new RoomListener() {
            @Override
            public PreparedMessage onMessage(Room room, RoomMessage message) {
                log.add(message.offset() + " " + message.asText());
                return message.prepared();
            }

            @Override
            public PreparedMessage onPresence(Room room, PresenceChange change) {
                log.add(change.offset() + " " + change.before() + " -> " + change.after() + " " + change.reason());
                return null;
            }
        });
    }

    private static RedisBroker broker(Rooms rooms) {
        return (RedisBroker) rooms.broker();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    private static <T> void awaitEquals(T expected, Supplier<T> actual, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!expected.equals(actual.get())) {
            if (System.nanoTime() > deadline) {
                assertEquals(expected, actual.get(), what);
            }
            Thread.sleep(20);
        }
    }

    private static FakeSocket join(Room room, String name) throws Exception {
        FakeSocket socket = new FakeSocket(name);
        room.join(socket, null);
        return socket;
    }

    private void connected(Rooms... of) throws InterruptedException {
        for (Rooms r : of) {
            await("node " + r.broker().nodeId() + " connected", () -> broker(r).isConnected());
        }
    }

    @Test
    void aBroadcastReachesEveryMemberOnEveryNodeInOneOrderWithTheSameOffsets() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = room(a, "lobby");
        Room onB = room(b, "lobby");
        FakeSocket ada = join(onA, "ada");
        FakeSocket bob = join(onB, "bob");
        FakeSocket carl = join(onB, "carl");
        awaitEquals(3, onA::memberCount, "A sees the three members");
        awaitEquals(3, onB::memberCount, "B sees the three members");

        for (int i = 0; i < 20; i++) {
            onA.broadcast("a" + i);
            onB.broadcast("b" + i, bob);
        }
        await("every message at carl", () -> carl.sent().size() == 40);
        await("every message at ada", () -> ada.sent().size() == 40);
        await("a's own at bob", () -> bob.sent().size() == 20);
        assertEquals(ada.sent(), carl.sent(), "one order on both nodes");
        List<String> aOnly = ada.sent().stream().filter(m -> m.startsWith("a")).toList();
        assertEquals(aOnly, bob.sent(), "bob got a's messages, in order, and not his own");
        for (int i = 0; i < 20; i++) {
            assertEquals("a" + i, aOnly.get(i));
        }
        await("both logs complete", () -> logs.get(0).size() == logs.get(1).size());
        assertEquals(logs.get(0), logs.get(1), "the same entries at the same offsets on both nodes");
    }

    @Test
    void namesAreUniqueAcrossNodesAndALateNodeLearnsWhoIsHereAndTheRecentMessages() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = room(a, "names");
        Room onB = room(b, "names");
        FakeSocket ada = join(onA, "ada");
        awaitEquals(1, onB::memberCount, "B hears ada came"); // so ada is first in the room's order
        FakeSocket other = join(onB, "other");
        onA.name(ada, "Ada");
        awaitEquals(1, onB::namedCount, "B hears Ada's name");
        onB.name(other, "ADA");
        awaitEquals(List.of("Ada", "ADA 2"), () -> onA.membersLater().join().stream().map(Member::name).toList(),
                "unique ignoring case, across nodes");
        for (int i = 0; i < 5; i++) {
            onA.broadcast("m" + i);
        }
        await("B got the messages", () -> other.sent().size() == 5);

        Rooms c = node(redis.uri());
        connected(c);
        Room onC = room(c, "names");
        awaitEquals(List.of("Ada", "ADA 2"), () -> onC.membersLater().join().stream().map(Member::name).toList(),
                "a node that starts later learns who is in the room");
        FakeSocket late = new FakeSocket("late");
        onC.join(late, m -> m.replayLatest(3));
        await("the late joiner got the recent messages", () -> late.sent().equals(List.of("m2", "m3", "m4")));
    }

    @Test
    void membersOfAKilledNodeLeaveTheirRoomsWithReasonNodeGone() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = room(a, "kill");
        Room onB = room(b, "kill");
        join(onA, "stays");
        FakeSocket doomed = join(onB, "doomed");
        onB.name(doomed, "Doomed");
        awaitEquals(2, onA::memberCount, "A sees both");
        broker(b).kill();
        awaitEquals(1, onA::memberCount, "the killed node's member left");
        assertTrue(logs.get(0).stream().anyMatch(l -> l.contains("Doomed") && l.endsWith("node gone")), logs.get(0).toString());
    }

    @Test
    void whileRedisRestartsLocalRoomsKeepWorkingTheLossIsCountedAndThenEverythingCrossesAgainOnce() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = room(a, "restart");
        Room onB = room(b, "restart");
        FakeSocket ada = join(onA, "ada");
        FakeSocket bob = join(onB, "bob");
        awaitEquals(2, onB::memberCount, "both in the room");
        onA.broadcast("before");
        await("before crossed", () -> bob.sent().equals(List.of("before")) && ada.sent().equals(List.of("before")));

        redis.stop();
        onA.broadcast("during"); // Redis is gone: this node only
        await("ada got it locally", () -> ada.sent().contains("during"));
        await("counted as not replicated", () -> broker(a).unreplicated() >= 1);
        assertEquals(1, broker(a).outages());

        redis.startAgain(); // empty: it lost the stream and the presence
        connected(a, b);
        awaitEquals(2, onA::memberCount, "the nodes stated their members again");
        onA.broadcast("after");
        await("after crossed", () -> bob.sent().contains("after"));
        onB.broadcast("back");
        await("and the other way", () -> ada.sent().contains("back"));
        Thread.sleep(3 * HEARTBEAT.toMillis()); // anything duplicated would have arrived by now
        assertEquals(List.of("before", "after", "back"), bob.sent(), "nothing twice, nothing from the outage");
        assertEquals(List.of("before", "during", "after", "back"), ada.sent());
    }

    /**
     * Redis places a broadcast and dies before its node reads it back (here: the node's reader
     * connection is cut a moment before, as a network failure would); the node's next broadcast
     * is refused and delivered on the node only. Its members must still get the two in the order
     * they were made, each once, also after Redis comes back with the first one in its log.
     * (ClusterPropertyIT once saw stroke 50 arrive after 51..101.)
     */
    @Test
    void aBroadcastRedisPlacedButTheNodeHadNotReadBackStaysBeforeTheOnesRefusedAfterIt() throws Exception {
        redis.close();
        redis = RedisServer.start(true); // keeps what it answered across the restart
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = room(a, "placed-unread");
        Room onB = room(b, "placed-unread");
        FakeSocket ada = join(onA, "ada");
        FakeSocket bob = join(onB, "bob");
        awaitEquals(2, onB::memberCount, "both in the room");
        onA.broadcast("before");
        await("before crossed", () -> bob.sent().equals(List.of("before")) && ada.sent().equals(List.of("before")));

        redis.killClientNamed("socketlet-node-" + a.broker().nodeId() + "-reader");
        await("A noticed its reader is gone", () -> !broker(a).isConnected());
        // A reads again only after a backoff (and Lettuce reconnects only after its own): within
        // that moment, Redis places this one and dies.
        onA.broadcast("placed");
        await("B read it", () -> bob.sent().contains("placed"));
        redis.stop();
        onA.broadcast("refused"); // Redis is gone: this node only
        await("ada got both", () -> ada.sent().contains("refused"));
        assertEquals(List.of("before", "placed", "refused"), ada.sent(), "in the order they were made");
        assertTrue(logs.get(0).contains("null placed"),
                "the scenario happened: A delivered 'placed' itself, not from the stream: " + logs.get(0));

        redis.startAgain(); // with 'placed' in the room's log
        connected(a, b);
        onB.broadcast("after");
        await("after crossed", () -> ada.sent().contains("after"));
        Thread.sleep(3 * HEARTBEAT.toMillis()); // anything duplicated would have arrived by now
        assertEquals(List.of("before", "placed", "refused", "after"), ada.sent(), "nothing twice");
        assertEquals(List.of("before", "placed", "after"), bob.sent());
    }

    /**
     * A node's only room is opened while Redis is away: its first look at the room fails, so
     * nothing reads the room's log, and no read can succeed to bring it back. When Redis answers
     * again, the room must still join the others (the old code left it alone for good).
     */
    @Test
    void aRoomFirstOpenedWhileRedisIsAwayJoinsTheOthersWhenRedisIsBack() throws Exception {
        Rooms a = node(redis.uri());
        connected(a);
        redis.stop();
        await("A noticed Redis is gone", () -> !broker(a).isConnected());
        Thread.sleep(3 * HEARTBEAT.toMillis()); // a heartbeat failed too: A's commands are refused at once now
        Room onA = room(a, "first-look");
        FakeSocket ada = join(onA, "ada");
        onA.broadcast("alone");
        await("the room works on its own meanwhile", () -> ada.sent().contains("alone"));

        redis.startAgain();
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onB = room(b, "first-look");
        FakeSocket bob = join(onB, "bob");
        awaitEquals(2, onB::memberCount, "B learns that ada is here");
        onB.broadcast("hello");
        await("crossed to A", () -> ada.sent().contains("hello"));
        awaitEquals(2, onA::memberCount, "A learns that bob is here");
    }

    /**
     * Another node takes this one for dead (its liveness key lapsed: a long GC pause, or its
     * heartbeat queued behind a burst of commands) and removes its members, as its heartbeat's
     * clean-up does. They are still connected here: this node must state them again, or they
     * stay absent for every other node until the next Redis outage.
     */
    @Test
    void membersRemovedByAnotherNodeThatTookThisOneForDeadAreStatedAgain() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = room(a, "lapse");
        Room onB = room(b, "lapse");
        join(onA, "ada");
        join(onB, "bob");
        awaitEquals(2, onB::memberCount, "both in the room");

        // What B's clean-up does when A's key is gone, with A's key gone for just that moment.
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
        try (var connection = client.connect()) {
            var redisCommands = connection.sync();
            redisCommands.multi();
            redisCommands.del("socketlet:node:" + a.broker().nodeId());
            redisCommands.eval(RedisScripts.CLEANUP, io.lettuce.core.ScriptOutputType.INTEGER,
                    new String[] {"socketlet:room:lapse:members", "socketlet:room:lapse:names", "socketlet:room:lapse:log"},
                    "100", "socketlet:node:");
            redisCommands.exec();
        } finally {
            client.shutdown();
        }
        await("B saw ada leave as gone", () -> logs.get(1).stream().anyMatch(l -> l.endsWith("node gone")));
        awaitEquals(2, onB::memberCount, "A stated ada again");
        awaitEquals(2, onA::memberCount, "and A counts her too");
    }

    @Test
    void aNodeStartsWithoutRedisServesItsOwnMembersAndJoinsWhenRedisAnswers() throws Exception {
        int port = redis.port();
        redis.stop();
        Rooms a = node("redis://127.0.0.1:" + port);
        Room onA = room(a, "late-redis");
        FakeSocket ada = join(onA, "ada");
        FakeSocket alan = join(onA, "alan");
        onA.broadcast("alone");
        await("local delivery without Redis", () -> alan.sent().contains("alone") && ada.sent().contains("alone"));
        assertTrue(!broker(a).isConnected());

        redis.startAgain();
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onB = room(b, "late-redis");
        FakeSocket bob = join(onB, "bob");
        awaitEquals(3, onB::memberCount, "B learns A's members once A reached Redis");
        onB.broadcast("hello");
        // Each node reads the stream on its own: B's member may get it after A's.
        await("crossed", () -> ada.sent().contains("hello") && alan.sent().contains("hello") && bob.sent().contains("hello"));
        assertEquals(List.of("hello"), bob.sent());
    }

    @Test
    void aListenerThatTakesItsTimeHoldsUpNeitherOtherRoomsNorTheNodesPresence() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        CountDownLatch asleep = new CountDownLatch(1);
        List<String> listenerThreads = new CopyOnWriteArrayList<>();
        Room slowOnA = a.room("slow", RoomOptions.defaults(), new RoomListener() {
            @Override
            public PreparedMessage onMessage(Room room, RoomMessage message) {
                listenerThreads.add(Thread.currentThread().getName());
                asleep.countDown();
                try {
                    Thread.sleep(5000); // application code that blocks: far past the liveness window (700 ms)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return message.prepared();
            }
        });
        Room slowOnB = room(b, "slow");
        Room fastOnA = room(a, "fast");
        Room fastOnB = room(b, "fast");
        FakeSocket ada = join(fastOnA, "ada");
        FakeSocket sleeper = join(slowOnA, "sleeper");
        awaitEquals(1, fastOnB::memberCount, "B sees ada");
        awaitEquals(1, slowOnB::memberCount, "B sees the sleeper");

        slowOnB.broadcast("take your time");
        assertTrue(asleep.await(10, TimeUnit.SECONDS), "A's slow listener got the message");
        long sent = System.nanoTime();
        fastOnB.broadcast("meanwhile");
        long deadline = sent + TimeUnit.SECONDS.toNanos(2);
        while (!ada.sent().contains("meanwhile") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        assertTrue(ada.sent().contains("meanwhile"),
                "another room of the node heard B within 2 s while a listener slept 5 s (waited " + millis + " ms)");
        Thread.sleep(2000); // three liveness windows: had the node stopped beating, B would have let its members go
        assertEquals(1, fastOnB.memberCount(), "A's members are still present on B: " + logs.get(1));
        assertEquals(1, slowOnB.memberCount(), "A's members are still present on B: " + logs.get(1));
        await("the slow room delivered too", () -> sleeper.sent().contains("take your time"));
        assertTrue(listenerThreads.stream().allMatch(n -> n.startsWith("socketlet-rooms node ")),
                "listeners run on the broker's delivery threads, not Lettuce's: " + listenerThreads);
    }

    @Test
    void theLossWindowAndRedisHealthShowOnJmxAndMicrometerThroughARedisOutage() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = room(a, "watched");
        Room onB = room(b, "watched");
        FakeSocket ada = join(onA, "ada");
        awaitEquals(1, onB::memberCount, "B sees ada");
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.socketlet:type=RedisBroker,node=" + a.broker().nodeId());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new RedisBrokerMeterBinder(broker(a)).bindTo(registry);
        Tags node = Tags.of("node", Long.toString(a.broker().nodeId()));
        assertEquals(true, jmx.getAttribute(name, "Connected"));
        assertEquals(0L, jmx.getAttribute(name, "Outages"));
        assertEquals(0L, jmx.getAttribute(name, "Unreplicated"));
        assertEquals(0L, jmx.getAttribute(name, "CurrentOutageMillis"));
        assertEquals(0L, jmx.getAttribute(name, "LastOutageMillis"));
        assertEquals(1, jmx.getAttribute(name, "Rooms"));
        assertEquals("127.0.0.1:" + redis.port(), jmx.getAttribute(name, "Redis"));
        assertEquals(1.0, registry.get("socketlet.redis.connected").tags(node).gauge().value());

        redis.stop();
        for (int i = 0; i < 3; i++) {
            onA.broadcast("during " + i);
        }
        await("ada got them here", () -> ada.sent().size() == 3);
        await("JMX says Redis is unreachable", () -> !(Boolean) attribute(jmx, name, "Connected"));
        Thread.sleep(300);
        assertEquals(1L, jmx.getAttribute(name, "Outages"));
        assertTrue((Long) jmx.getAttribute(name, "Unreplicated") >= 3, "the three broadcasts, at least");
        assertTrue((Long) jmx.getAttribute(name, "CurrentOutageMillis") >= 300, "the outage under way, as it lasts");
        assertEquals(0.0, registry.get("socketlet.redis.connected").tags(node).gauge().value());
        assertEquals(1.0, registry.get("socketlet.redis.outages").tags(node).functionCounter().count());
        assertTrue(registry.get("socketlet.redis.unreplicated").tags(node).functionCounter().count() >= 3);
        assertTrue(registry.get("socketlet.redis.outage.duration").tags(node).gauge().value() >= 0.3);

        redis.startAgain();
        await("JMX says Redis is back", () -> (Boolean) attribute(jmx, name, "Connected"));
        assertEquals(0L, jmx.getAttribute(name, "CurrentOutageMillis"));
        assertEquals(1L, jmx.getAttribute(name, "Outages"), "one outage, counted once");
        assertTrue((Long) jmx.getAttribute(name, "LastOutageMillis") >= 300, "the loss window it opened, after the fact");
        assertTrue((Long) jmx.getAttribute(name, "LastOutageUnreplicated") >= 3, "and what it kept here");
        assertTrue(registry.get("socketlet.redis.outage.last.duration").tags(node).gauge().value() >= 0.3);
        assertEquals(1.0, registry.get("socketlet.redis.connected").tags(node).gauge().value());
        assertEquals(0.0, registry.get("socketlet.redis.outage.duration").tags(node).gauge().value());

        a.close();
        assertFalse(jmx.isRegistered(name), "closing the broker unregisters its MBean");
        assertTrue(registry.find("socketlet.redis.connected").tags(node).meters().isEmpty(), "and removes its meters");
    }

    private static Object attribute(MBeanServer jmx, ObjectName name, String attribute) {
        try {
            return jmx.getAttribute(name, attribute);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aNodeThatOpenedAndDroppedAThousandRoomsReadsOnlyTheLiveOnesTheirLogsExpireAndAReopenedRoomHasItsHistory() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        broker(a).emptyRoomExpiry(Duration.ofMinutes(5));
        Room lobbyA = room(a, "lobby");
        Room lobbyB = room(b, "lobby");
        FakeSocket stays = join(lobbyA, "stays");
        RoomOptions perMatch = RoomOptions.defaults().history(10).dropWhenEmpty(Duration.ofMillis(100));
        for (int i = 0; i < 1000; i++) {
            Room match = a.room("match-" + i, perMatch, null);
            FakeSocket player = join(match, "player " + i);
            match.broadcast("go " + i);
            match.leave(player, "closed"); // the last one here: the room goes 100 ms later
        }
        awaitEquals(java.util.Set.of("lobby"), a::names, "the matches were dropped");
        awaitEquals(1, () -> broker(a).rooms(), "the broker reads the lobby only");
        awaitEquals(-1L, () -> ttl("socketlet:room:match-999:log") > 0 ? -1L : 0L, "the last match's log expires");

        // What both nodes ask Redis now: one stream, the lobby's (each XREAD blocks 1 s, so 2.5 s sees each twice).
        List<List<String>> reads = redis.callsOf("XREAD", Duration.ofMillis(2500));
        assertTrue(reads.size() >= 4, "two nodes, two XREADs each at least: " + reads);
        for (List<String> read : reads) {
            List<String> streams = read.subList(read.indexOf("STREAMS") + 1, read.size());
            assertEquals(List.of("socketlet:room:lobby:log"), streams.subList(0, streams.size() / 2), read.toString());
        }
        long ttl = ttl("socketlet:room:match-7:log");
        assertTrue(ttl > 0 && ttl <= 300_000, "an empty match's log expires within emptyRoomExpiry: " + ttl);
        assertEquals(":0", redis.command("EXISTS socketlet:room:match-7:members"), "nobody is left in it");
        assertEquals(-1, ttl("socketlet:room:lobby:log"), "a room in use does not expire");

        // Opened again, on the other node: its history comes from the stream, and it no longer expires.
        Room again = b.room("match-7", perMatch, null);
        FakeSocket back = new FakeSocket("back");
        again.join(back, m -> m.replayLatest(5));
        await("the reopened room replays the stream's history", () -> back.sent().equals(List.of("go 7")));
        awaitEquals(-1L, () -> ttl("socketlet:room:match-7:log"), "a join keeps the log again");

        lobbyB.broadcast("the lobby goes on");
        await("the lobby still crosses", () -> stays.sent().contains("the lobby goes on"));
    }

    private long ttl(String key) {
        try {
            return Long.parseLong(redis.command("PTTL " + key).substring(1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theMemberCapIsPerNodeAndRefusesTheNextJoinOnAFullNodeOnly() throws Exception {
        Rooms a = node(redis.uri());
        Rooms b = node(redis.uri());
        connected(a, b);
        Room onA = a.room("capped", RoomOptions.defaults().maxMembers(2), null);
        Room onB = b.room("capped", RoomOptions.defaults().maxMembers(2), null);
        FakeSocket first = join(onA, "a1");
        join(onA, "a2");
        join(onB, "b1");
        join(onB, "b2");
        awaitEquals(4, onA::memberCount, "two on each node: four in the room");
        RoomFullException full = assertThrows(RoomFullException.class, () -> join(onA, "a3"));
        assertEquals("The room capped is full on this node: 2 members here, the most it takes", full.getMessage());
        assertThrows(RoomFullException.class, () -> join(onB, "b3"));
        onA.leave(first, "closed");
        join(onA, "a3"); // a place freed on A
        awaitEquals(4, onB::memberCount, "B sees the one who left and the one who came");
        assertEquals(2, onA.localCount());
    }
}
