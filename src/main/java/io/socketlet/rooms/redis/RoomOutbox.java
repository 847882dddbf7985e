package io.socketlet.rooms.redis;

import io.socketlet.rooms.Offset;
import io.socketlet.rooms.RoomEntry;
import io.socketlet.rooms.RoomMessage;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What one node delivers to its members of one room, and in which order: the entries it reads
 * from the room's stream, its own broadcasts, and what it delivers here only while Redis is
 * unreachable.
 *
 * <p>A node's own broadcast normally comes back through the stream, like everyone else's, so every
 * node delivers the same order. While Redis is unreachable, a broadcast is refused and delivered
 * here only. The two roads must not swap a publisher's messages: a broadcast Redis placed, but
 * that this node had not read back yet when Redis went away (it reads a moment later, and
 * "later" may now be after the outage), would otherwise reach the members here after the
 * broadcasts refused during the outage. So the node's broadcasts wait here, in publish order,
 * until each is settled: read back from the stream, or refused. Once one is refused, the placed
 * ones before it that have not come back are delivered here at once (without an offset, like the
 * refused one: its place in the log is known, but the entries before it from other nodes are not
 * read yet), and their copies in the stream are skipped when they come.
 *
 * <p>Every decision is made, and its entries handed to the subscriber, under this object's lock,
 * so two threads cannot swap two entries. The subscriber only hands them over (the broker's
 * {@link RoomDelivery} lane, which runs the room's listener on its own threads, in this order):
 * no application code runs under this lock, and nothing calls back into it.
 */
final class RoomOutbox {

    private static final System.Logger LOG = System.getLogger(RoomOutbox.class.getName());

    /** How many broadcasts delivered here only are remembered, to skip their copies should the stream have them after all. */
    private static final int REMEMBERED = 10_000;

    private enum State {
        /** The XADD has not answered. */
        UNANSWERED,
        /** Redis has it at {@link Broadcast#placedAt}; the stream brings it. */
        PLACED,
        /** Read back from the stream ({@link Broadcast#read}). */
        READ,
        /** Refused: delivered here only. */
        REFUSED,
        /** Came with the room's first snapshot: nothing to deliver. */
        COVERED
    }

    /** One of this node's broadcasts, from publish until it is delivered here. */
    private static final class Broadcast {
        final String unique;
        final RoomMessage message;
        State state = State.UNANSWERED;
        Offset placedAt;
        RoomEntry read;

        Broadcast(String unique, RoomMessage message) {
            this.unique = unique;
            this.message = message;
        }
    }

    private final Consumer<RoomEntry> subscriber;
    /** This node's broadcasts not yet delivered here, in publish order. */
    private final ArrayDeque<Broadcast> ours = new ArrayDeque<>();
    private final Map<String, Broadcast> oursByUnique = new HashMap<>();
    private int refusedWaiting;
    /** Broadcasts of ours delivered here only: their copies in the stream, if any, are skipped. */
    private final Map<String, Boolean> deliveredHereOnly = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** Where the room's first snapshot started reading the stream: our broadcasts placed up to it came with the snapshot. */
    private Offset snapshotUpTo = Offset.ZERO;

    /**
     * @param subscriber the room's end of the log, called in order under this outbox's lock: it must
     *     only hand the entry over (a {@link RoomDelivery} lane), never run application code or call back
     */
    RoomOutbox(Consumer<RoomEntry> subscriber) {
        this.subscriber = subscriber;
    }

    /** This node is about to send one of its broadcasts to Redis. */
    void published(String unique, RoomMessage message) {
        synchronized (this) {
            Broadcast b = new Broadcast(unique, message);
            ours.addLast(b);
            oursByUnique.put(unique, b);
        }
    }

    /** Redis placed it at this offset. */
    void placed(String unique, Offset at) {
        synchronized (this) {
            Broadcast b = oursByUnique.get(unique);
            if (b == null || b.state != State.UNANSWERED) {
                return; // read back (or covered) before its answer came
            }
            b.placedAt = at;
            // At or before where the room started reading: the room's first snapshot brought it.
            b.state = at != null && !at.isAfter(snapshotUpTo) ? State.COVERED : State.PLACED;
            settle();
        }
    }

    /**
     * Redis refused it, or its answer is lost: it is delivered here only.
     *
     * @return whether it is delivered here only (false: the stream brought it already)
     */
    boolean refused(String unique) {
        boolean hereOnly = false;
        synchronized (this) {
            Broadcast b = oursByUnique.get(unique);
            if (b != null && b.state == State.UNANSWERED) {
                b.state = State.REFUSED;
                refusedWaiting++;
                hereOnly = true;
                settle();
            }
        }
        return hereOnly;
    }

    /**
     * The next entry of the room's stream.
     *
     * @param ourUnique the unique id of this node's broadcast that it is, or null for anyone else's entry
     */
    void read(RoomEntry entry, String ourUnique) {
        synchronized (this) {
            if (ourUnique == null) {
                handOver(entry);
            } else if (deliveredHereOnly.remove(ourUnique) == null) {
                Broadcast b = oursByUnique.get(ourUnique);
                if (b == null) {
                    handOver(entry); // not one this outbox knows (published before a resubscription): the log has it
                } else {
                    if (b.state == State.REFUSED) {
                        refusedWaiting--; // its answer was lost, but it is in the stream: delivered from there
                    }
                    b.state = State.READ;
                    b.read = entry;
                    settle();
                }
            }
        }
    }

    /** A presence change delivered here only (Redis unreachable). */
    void hereOnly(RoomEntry change) {
        synchronized (this) {
            handOver(change);
        }
    }

    /** The room's first snapshot starts the stream after this offset: our broadcasts placed up to it came with the snapshot. */
    void startsAfter(Offset offset) {
        synchronized (this) {
            if (offset.isAfter(snapshotUpTo)) {
                snapshotUpTo = offset;
            }
            for (Broadcast b : ours) {
                if (b.state == State.PLACED && b.placedAt != null && !b.placedAt.isAfter(snapshotUpTo)) {
                    b.state = State.COVERED;
                }
            }
            settle();
        }
    }

    /** Moves the broadcasts at the head that are settled to the decided ones; called under the lock. */
    private void settle() {
        while (!ours.isEmpty()) {
            Broadcast head = ours.peekFirst();
            switch (head.state) {
                case READ -> handOver(head.read);
                case COVERED -> {
                    // delivered by the room's snapshot
                }
                case REFUSED -> {
                    refusedWaiting--;
                    deliverHereOnly(head);
                }
                case PLACED -> {
                    if (refusedWaiting == 0) {
                        return; // the stream brings it
                    }
                    deliverHereOnly(head); // a later one was refused: this one cannot wait for the stream
                }
                case UNANSWERED -> {
                    return;
                }
            }
            ours.pollFirst();
            oursByUnique.remove(head.unique);
        }
    }

    private void deliverHereOnly(Broadcast b) {
        deliveredHereOnly.put(b.unique, Boolean.TRUE);
        handOver(b.message); // no offset: its place in the log is not where this node reads now
    }

    /** Gives the subscriber the next entry; called under the lock. */
    private void handOver(RoomEntry entry) {
        try {
            subscriber.accept(entry);
        } catch (Throwable t) {
            // Anything a subscriber throws must not stop this node's delivery of the room for good.
            LOG.log(System.Logger.Level.ERROR, "delivering " + entry + " failed; delivery goes on", t);
        }
    }
}
