package io.socketlet.rooms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.CloseCodes;
import io.socketlet.PreparedMessage;
import io.socketlet.demo.FakeSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The rooms API on the in-JVM broker, with in-memory sockets. */
class RoomTest {

    private final Rooms rooms = Rooms.inMemory();
    private final List<RoomEntry> log = new CopyOnWriteArrayList<>();

    /** Records the log as the listener sees it, and delivers messages as they are. */
    private final RoomListener recording = new RoomListener() {
        @Override
        public PreparedMessage onMessage(Room room, RoomMessage message) {
            log.add(message);
            return message.prepared();
        }

        @Override
        public PreparedMessage onPresence(Room room, PresenceChange change) {
            log.add(change);
            return null;
        }
    };

    private Room room(RoomOptions options) {
        return rooms.room("r", options, recording);
    }

    private static FakeSocket join(Room room, String name) throws RoomFullException {
        FakeSocket socket = new FakeSocket(name);
        room.join(socket, null);
        return socket;
    }

    @Test
    void aBroadcastIsEncodedOnceAndReachesEveryMemberButTheOneLeftOut() throws Exception {
        Room room = room(RoomOptions.defaults());
        FakeSocket a = join(room, "a");
        FakeSocket b = join(room, "b");
        FakeSocket c = join(room, "c");
        room.broadcast("to all");
        room.broadcast("not to a", a);

        assertEquals(List.of("to all"), a.sent());
        assertEquals(List.of("to all", "not to a"), b.sent());
        assertEquals(List.of("to all", "not to a"), c.sent());
        assertSame(b.prepared().get(0), c.prepared().get(0), "one PreparedMessage for every member");
        assertSame(a.prepared().get(0), b.prepared().get(0));
        assertSame(b.prepared().get(1), c.prepared().get(1));
    }

    @Test
    void theLogGivesEveryEntryAnOffsetInOrder() throws Exception {
        Room room = room(RoomOptions.defaults());
        join(room, "a");
        room.broadcast("one");
        room.broadcast("two");
        List<Offset> offsets = log.stream().map(RoomEntry::offset).toList();
        assertEquals(3, offsets.size(), "a join and two messages: " + log);
        assertTrue(log.get(0) instanceof PresenceChange p && p.joined());
        for (int i = 1; i < offsets.size(); i++) {
            assertTrue(offsets.get(i).isAfter(offsets.get(i - 1)), offsets.toString());
        }
        assertEquals(offsets.get(2), room.lastOffset());
    }

    @Test
    void aSlowMemberIsClosedWith1008AndLeavesTheRoomSayingWhy() throws Exception {
        Room room = room(RoomOptions.defaults().maxQueuedBytes(1_000));
        FakeSocket stalled = join(room, "stalled").mode(FakeSocket.Mode.STALLED);
        FakeSocket healthy = join(room, "healthy");
        for (int i = 0; i < 100; i++) {
            room.broadcast("x".repeat(100));
        }
        assertEquals(CloseCodes.POLICY_VIOLATION, stalled.closeCode());
        assertTrue(stalled.closeReason().startsWith("Too slow: "), stalled.closeReason());
        assertEquals(100, healthy.sent().size());
        assertEquals(1, room.localCount());
        PresenceChange left = (PresenceChange) log.stream().filter(e -> e instanceof PresenceChange p && p.left()).findFirst().orElseThrow();
        assertEquals("too slow", left.reason());
        assertEquals(1, room.memberCount());
    }

    @Test
    void underDropMessagesASlowMemberStaysAndMissesMessagesThatAreCounted() throws Exception {
        Room room = room(RoomOptions.defaults().maxQueuedBytes(1_000).slowMembers(SlowMemberPolicy.DROP_MESSAGES));
        FakeSocket stalled = join(room, "stalled").mode(FakeSocket.Mode.STALLED);
        FakeSocket healthy = join(room, "healthy");
        for (int i = 0; i < 100; i++) {
            room.broadcast("x".repeat(100));
        }
        assertTrue(stalled.isOpen());
        assertEquals(11, stalled.sent().size(), "until past 1,000 bytes waiting");
        assertEquals(89, room.droppedMessages());
        assertEquals(100, healthy.sent().size());
        assertEquals(2, room.localCount());
    }

    @Test
    void aMemberWhoseSendFailsLeaves() throws Exception {
        Room room = room(RoomOptions.defaults());
        FakeSocket failing = join(room, "failing").mode(FakeSocket.Mode.FAILING);
        FakeSocket throwing = join(room, "throwing").mode(FakeSocket.Mode.THROWING);
        FakeSocket ok = join(room, "ok");
        room.broadcast("hello");
        room.broadcast("again");
        assertEquals(List.of("hello", "again"), ok.sent());
        assertEquals(1, room.localCount());
        assertEquals(1, room.memberCount());
        assertEquals(1, failing.sent().size());
        assertEquals(1, throwing.sent().size(), "recorded, then the send threw");
    }

    @Test
    void aFullRoomRefusesWithTheReasonAndALeaveFreesAPlace() throws Exception {
        Room room = room(RoomOptions.defaults().maxMembers(2));
        FakeSocket a = join(room, "a");
        join(room, "b");
        RoomFullException full = assertThrows(RoomFullException.class, () -> join(room, "c"));
        assertEquals("The room r is full on this node: 2 members here, the most it takes", full.getMessage());
        assertEquals(2, full.maxMembers());
        room.leave(a, "closed");
        assertNotNull(join(room, "d"));
        assertEquals(2, room.memberCount());
    }

    @Test
    void namesAreUniqueIgnoringCaseCutToFitAndFreedOnLeave() throws Exception {
        Room room = room(RoomOptions.defaults().maxNameLength(10));
        FakeSocket a = join(room, "a");
        FakeSocket b = join(room, "b");
        FakeSocket c = join(room, "c");
        room.name(a, "Ada");
        room.name(b, "ADA");
        room.name(c, "abcdefghijkl");
        assertEquals(List.of("Ada", "ADA 2", "abcdefghij"), room.membersLater().join().stream().map(Member::name).toList());
        room.name(c, "ada");
        assertEquals("ada 3", room.membersLater().join().get(2).name());
        room.leave(a, "closed");
        room.name(c, "ada");
        assertEquals(List.of("ADA 2", "ada"), room.membersLater().join().stream().map(Member::name).toList(),
                "Ada's name is free again; c keeps its place in the list");
        PresenceChange renamed = (PresenceChange) log.get(log.size() - 1);
        assertEquals("ada 3", renamed.before().name());
        assertEquals("ada", renamed.after().name());
        assertEquals(2, room.namedCount());
    }

    @Test
    void aResumingMemberGetsExactlyWhatCameAfterItsOffsetAndNotItsOwn() throws Exception {
        Room room = room(RoomOptions.defaults().history(5));
        FakeSocket author = join(room, "author");
        room.broadcast("m1");
        Offset seen = room.lastOffset();
        room.broadcast("m2");
        room.broadcast("mine", author);
        room.broadcast("m3");

        FakeSocket back = new FakeSocket("back");
        List<Boolean> covered = new ArrayList<>();
        room.join(back, m -> covered.add(m.replayAfter(seen)));
        assertEquals(List.of(true), covered);
        assertEquals(List.of("m2", "mine", "m3"), back.sent());

        FakeSocket authorBack = new FakeSocket("authorBack");
        room.join(authorBack, m -> m.replayAfter(seen)); // another member: "mine" was not its own
        assertEquals(3, authorBack.sent().size());

        for (int i = 4; i <= 10; i++) {
            room.broadcast("m" + i);
        }
        FakeSocket late = new FakeSocket("late");
        room.join(late, m -> {
            covered.add(m.canReplayAfter(seen));
            covered.add(m.replayAfter(seen));
            m.replayLatest(2);
        });
        assertEquals(List.of(true, false, false), covered, "five entries kept: m1 is long gone");
        assertEquals(List.of("m9", "m10"), late.sent());
    }

    @Test
    void aMemberThatSaysWhoItWasBeforeItReconnectedIsLeftOutOfItsOwnMessagesInTheReplayAgain() throws Exception {
        Room room = room(RoomOptions.defaults());
        FakeSocket author = join(room, "author");
        List<Long> ids = new ArrayList<>();
        room.execute(() -> ids.add(room.membership(author).id()));
        room.broadcast("before");
        Offset seen = room.lastOffset();
        room.broadcast("mine 1", author);
        room.broadcast("to all");
        room.broadcast("mine 2", author);
        room.leave(author, "closed");

        FakeSocket back = new FakeSocket("back");
        room.join(back, m -> m.replayAfter(seen, ids.get(0)));
        assertEquals(List.of("to all"), back.sent());
    }

    @Test
    void anOffsetTheLogNeverReachedIsNotResumable() throws Exception {
        Room room = room(RoomOptions.defaults());
        join(room, "a");
        Offset future = new Offset(room.lastOffset().major(), room.lastOffset().minor() + 10);
        List<Boolean> covered = new ArrayList<>();
        room.join(new FakeSocket("b"), m -> {
            covered.add(m.canReplayAfter(future));
            covered.add(m.canReplayAfter(new Offset(1, 1))); // a log of an earlier start: everything since is here
            covered.add(m.canReplayAfter(null));
        });
        assertEquals(List.of(false, true, false), covered);
    }

    @Test
    void aListenerThatThrowsCostsOneEntryNotTheRoom() throws Exception {
        Room room = rooms.room("throwing", RoomOptions.defaults(), new RoomListener() {
            @Override
            public PreparedMessage onMessage(Room r, RoomMessage message) {
                if (message.asText().equals("boom")) {
                    throw new StackOverflowError("expected by the test");
                }
                return message.prepared();
            }
        });
        FakeSocket a = join(room, "a");
        Logger logger = Logger.getLogger(Room.class.getName());
        Level level = logger.getLevel();
        logger.setLevel(Level.OFF);
        try {
            room.broadcast("before");
            room.broadcast("boom");
            room.broadcast("after");
        } finally {
            logger.setLevel(level);
        }
        assertEquals(List.of("before", "after"), a.sent());
    }

    @Test
    void everyMemberSeesTheSameOrderAndEachPublishersOwnOrder() throws Exception {
        CountDownLatch endDelivered = new CountDownLatch(1);
        Room room = rooms.room("busy", RoomOptions.defaults().history(0), new RoomListener() {
            @Override
            public PreparedMessage onMessage(Room r, RoomMessage message) {
                if (message.asText().equals("end")) {
                    // Runs before the members get it; the room's next task runs after they did.
                    r.execute(endDelivered::countDown);
                }
                return message.prepared();
            }
        });
        List<FakeSocket> members = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            members.add(join(room, "m" + i));
        }
        int threads = 4;
        int each = 500;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int publisher = t;
            new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    room.broadcast(publisher + ":" + i);
                }
                done.countDown();
            }).start();
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        room.broadcast("end");
        assertTrue(endDelivered.await(30, TimeUnit.SECONDS));
        List<String> first = members.get(0).sent();
        assertEquals(threads * each + 1, first.size());
        int[] next = new int[threads];
        for (String m : first.subList(0, first.size() - 1)) {
            String[] parts = m.split(":");
            int publisher = Integer.parseInt(parts[0]);
            assertEquals(next[publisher]++, Integer.parseInt(parts[1]), "publisher " + publisher + "'s order");
        }
        for (FakeSocket member : members) {
            assertEquals(first, member.sent(), member.name + " saw the same order");
        }
    }
}
