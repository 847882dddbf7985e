package io.socketlet.rooms.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.rooms.Member;
import io.socketlet.rooms.Offset;
import io.socketlet.rooms.PresenceChange;
import io.socketlet.rooms.RoomEntry;
import io.socketlet.rooms.RoomMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The order in which a node delivers its own broadcasts, the stream's entries and what it
 * delivers alone while Redis is unreachable: every sequence of answers a real Redis and Lettuce
 * can produce, one call at a time.
 */
class RoomOutboxTest {

    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final RoomOutbox outbox = new RoomOutbox(entry -> delivered.add(describe(entry)));

    private static String describe(RoomEntry entry) {
        String what = entry instanceof RoomMessage m ? m.asText() : "presence";
        return entry.offset() == null ? what : what + "@" + entry.offset();
    }

    private static RoomMessage message(String text) {
        return RoomMessage.text(text, 0);
    }

    private static Offset at(String offset) {
        return Offset.parse(offset);
    }

    /** Publishes a broadcast of ours; returns its unique id. */
    private String publish(String text) {
        outbox.published(text, message(text));
        return text;
    }

    private void readOurs(String unique, String offset) {
        outbox.read(message(unique).at(at(offset)), unique);
    }

    private void readTheirs(String text, String offset) {
        outbox.read(message(text).at(at(offset)), null);
    }

    @Test
    void inNormalOperationEverythingComesFromTheStreamInItsOrder() {
        publish("a");
        outbox.placed("a", at("1-0"));
        assertEquals(List.of(), delivered, "placed is not delivered: the stream brings it");
        readTheirs("x", "1-1");
        readOurs("a", "1-2");
        outbox.placed("b", at("9-9")); // an answer for something unknown changes nothing
        assertEquals(List.of("x@1-1", "a@1-2"), delivered);
    }

    @Test
    void anAnswerThatComesAfterTheStreamBroughtTheBroadcastChangesNothing() {
        publish("a");
        readOurs("a", "1-0");
        outbox.placed("a", at("1-0"));
        assertFalse(outbox.refused("a"), "a lost answer reported after the stream brought it");
        assertEquals(List.of("a@1-0"), delivered);
    }

    /**
     * The order ClusterPropertyIT saw broken: Redis placed stroke 50 and went away before the
     * node read it back; strokes 51.. were refused and delivered here at once; stroke 50 came
     * back from the stream after Redis returned, after them.
     */
    @Test
    void aPlacedBroadcastNotYetReadBackIsDeliveredBeforeTheRefusedOnesAfterItAndItsStreamCopySkipped() {
        publish("50");
        outbox.placed("50", at("5-0"));
        publish("51");
        assertTrue(outbox.refused("51"));
        publish("52");
        assertTrue(outbox.refused("52"));
        assertEquals(List.of("50", "51", "52"), delivered, "in publish order, here only");

        // Redis is back (with its append-only file): the stream still has 50.
        readTheirs("x", "4-9");
        readOurs("50", "5-0");
        readTheirs("y", "5-1");
        assertEquals(List.of("50", "51", "52", "x@4-9", "y@5-1"), delivered, "50 not twice");
    }

    @Test
    void aRefusedBroadcastWaitsForTheAnswersOfTheOnesBeforeIt() {
        publish("a");
        publish("b");
        assertTrue(outbox.refused("b"));
        assertEquals(List.of(), delivered, "b waits for a's answer");
        outbox.placed("a", at("1-0"));
        assertEquals(List.of("a", "b"), delivered, "a cannot wait for the stream once b was refused");
        readOurs("a", "1-0");
        assertEquals(List.of("a", "b"), delivered);
    }

    @Test
    void aRefusedBroadcastBehindOneThatIsReadBackAfterAllIsDeliveredAfterIt() {
        publish("a");
        publish("b");
        assertTrue(outbox.refused("b"));
        readOurs("a", "1-0"); // a's answer is still on its way, the stream was faster
        assertEquals(List.of("a@1-0", "b"), delivered);
        assertFalse(outbox.refused("a"));
        assertEquals(List.of("a@1-0", "b"), delivered);
    }

    @Test
    void aBroadcastRefusedButAppliedAfterAll_itsAnswerLost_isDeliveredOnce() {
        publish("a");
        assertTrue(outbox.refused("a"));
        assertEquals(List.of("a"), delivered);
        readOurs("a", "1-0"); // Redis had it: the copy is skipped
        assertEquals(List.of("a"), delivered);
    }

    @Test
    void aRefusedBroadcastTheStreamBringsWhileItWaitsComesFromTheStream() {
        publish("a");
        publish("b");
        assertTrue(outbox.refused("b")); // waits for a
        readOurs("b", "1-1"); // its answer was lost: Redis had it after all (and not a)
        assertEquals(List.of(), delivered, "still behind a");
        assertTrue(outbox.refused("a"));
        assertEquals(List.of("a", "b@1-1"), delivered);
    }

    @Test
    void broadcastsTheFirstSnapshotBroughtAreNotDeliveredAgain() {
        publish("a");
        outbox.placed("a", at("3-0"));
        outbox.startsAfter(at("5-0")); // the snapshot's recent entries had a
        publish("b");
        outbox.placed("b", at("2-0")); // an answer that comes after the snapshot covered it
        publish("c");
        assertTrue(outbox.refused("c"));
        assertEquals(List.of("c"), delivered);
    }

    @Test
    void anEntryOfOursThisOutboxNeverSawIsDeliveredAsTheLogHasIt() {
        readOurs("from-an-earlier-subscription", "1-0");
        assertEquals(List.of("from-an-earlier-subscription@1-0"), delivered);
    }

    @Test
    void presenceDeliveredHereOnlyTakesItsTurn() {
        outbox.hereOnly(new PresenceChange(null, null, new Member(1, null), ""));
        readTheirs("x", "1-0");
        assertEquals(List.of("presence", "x@1-0"), delivered);
    }

    @Test
    void aSubscriberThatThrowsDoesNotStopDelivery() {
        List<String> seen = new ArrayList<>();
        RoomOutbox failing = new RoomOutbox(entry -> {
            seen.add(describe(entry));
            throw new StackOverflowError("listener");
        });
        failing.read(message("x").at(at("1-0")), null);
        failing.read(message("y").at(at("1-1")), null);
        assertEquals(List.of("x@1-0", "y@1-1"), seen);
    }

    /**
     * As the broker composes it: the outbox hands entries to the room's delivery lane, whose
     * thread runs the listener; a listener that broadcasts from inside gets its message after the
     * one it is handling, and never runs under the outbox's lock.
     */
    @Test
    void aListenerThatPublishesFromInsideDeliveryGetsItsOwnTurnAfter() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        RoomOutbox[] box = new RoomOutbox[1];
        RoomDelivery delivery = new RoomDelivery("test");
        try {
            io.socketlet.rooms.Broker.Subscriber lane = delivery.lane(new io.socketlet.rooms.Broker.Subscriber() {
                @Override
                public void start(List<Member> members, List<RoomEntry> recent) {
                }

                @Override
                public void deliver(RoomEntry entry) {
                    seen.add(describe(entry));
                    if (entry.offset() != null && entry.offset().equals(at("1-0"))) {
                        assertFalse(Thread.holdsLock(box[0]), "the listener runs outside the outbox's lock");
                        box[0].published("reply", message("reply"));
                        box[0].refused("reply"); // delivered after this one, not inside it
                        seen.add("end of x");
                    }
                }
            });
            box[0] = new RoomOutbox(lane::deliver);
            box[0].read(message("x").at(at("1-0")), null);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(List.of("x@1-0", "end of x", "reply"), seen);
        } finally {
            delivery.close();
        }
    }
}
