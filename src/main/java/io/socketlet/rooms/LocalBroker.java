package io.socketlet.rooms;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker of one JVM, and the default: each room's log is a counter (offsets
 * {@code <start millis>-1}, {@code -2}...)
 * and a {@link PresenceBook}, and delivery is a method call, in the log's order (one
 * {@link SerialQueue} per room, so no lock is held while subscribers run). Nothing is lost and
 * nothing crosses to another node.
 */
public final class LocalBroker implements Broker {

    private final Map<String, Log> logs = new ConcurrentHashMap<>();
    /**
     * The major part of every offset: when this broker started. A page that kept an offset from
     * before a restart holds a smaller one than any of the new log, so it is never mistaken for
     * a place in it.
     */
    private final long epoch = System.currentTimeMillis();
    /** The major part of the newest log's offsets: a room opened again gets a log after every earlier one. */
    private final AtomicLong lastEpoch = new AtomicLong();

    private final class Log {
        final long epoch = lastEpoch.accumulateAndGet(LocalBroker.this.epoch, (last, start) -> Math.max(last + 1, Math.max(start, System.currentTimeMillis())));
        final SerialQueue order = new SerialQueue();
        final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
        final PresenceBook book = new PresenceBook();
        /** order: the last offset given. */
        long sequence;

        void deliver(RoomEntry entry) {
            for (Subscriber s : subscribers) {
                s.deliver(entry);
            }
        }
    }

    private Log log(String room) {
        return logs.computeIfAbsent(room, r -> new Log());
    }

    @Override
    public long nodeId() {
        return 0;
    }

    @Override
    public void publish(String room, RoomMessage message) {
        Log log = log(room);
        log.order.submit(() -> log.deliver(message.at(new Offset(log.epoch, ++log.sequence))));
    }

    @Override
    public void presence(String room, PresenceRequest request) {
        Log log = log(room);
        log.order.submit(() -> {
            PresenceChange change = log.book.apply(request, new Offset(log.epoch, log.sequence + 1));
            if (change != null) {
                log.sequence++;
                log.deliver(change);
            }
        });
    }

    @Override
    public AutoCloseable subscribe(String room, int history, Subscriber subscriber) {
        Log log = log(room);
        // One JVM: the room itself keeps the history; a new subscriber starts from now.
        log.order.submit(() -> {
            subscriber.start(log.book.members(), List.of());
            log.subscribers.add(subscriber);
        });
        // The log lives while a room on this node hears it: in one JVM nobody else could.
        return () -> logs.computeIfPresent(room, (r, current) -> {
            current.subscribers.remove(subscriber);
            return current == log && current.subscribers.isEmpty() ? null : current;
        });
    }

    /** Rooms whose logs this broker keeps. */
    int logs() {
        return logs.size();
    }

    @Override
    public void close() {
        logs.values().forEach(l -> l.subscribers.clear());
    }
}
