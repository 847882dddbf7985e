package io.socketlet.rooms.redis;

import io.socketlet.rooms.Broker;
import io.socketlet.rooms.Member;
import io.socketlet.rooms.RoomEntry;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads a node's rooms hear their logs on: a few of the broker's own, never Lettuce's event
 * loop. What a room does with an entry is application code (its listener); on the event loop, a
 * listener that takes its time would hold up every Redis reply of the node: the read loop of all
 * its rooms and the heartbeats that keep its members present on the other nodes.
 *
 * <p>Each room is a {@link Lane}: its entries run one at a time, in the order the broker handed
 * them over; different rooms run side by side, up to {@link #THREADS} at once. A busy room hands
 * its thread back after {@link #BATCH} entries, so rooms take turns.
 *
 * <p>The threads are daemons named after the node, carry the class loader that was the context
 * loader when the broker was made (the web application's, in a servlet's init), end after two idle
 * seconds, and are joined by {@link #close}: a container that checks for threads its web
 * application left running finds none, and a redeploy keeps no class loader alive through them.
 */
final class RoomDelivery {

    private static final System.Logger LOG = System.getLogger(RoomDelivery.class.getName());
    /** Rooms whose listeners may take their time at once before the other rooms wait. */
    static final int THREADS = 4;
    /** Entries a room delivers before it lets the other rooms have the thread. */
    private static final int BATCH = 64;
    /** How long {@link #close} waits for a listener still running. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final ThreadPoolExecutor executor;
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicLong waiting = new AtomicLong();
    private volatile boolean closed;

    RoomDelivery(String name) {
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 2, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.setContextClassLoader(application);
            threads.removeIf(t -> !t.isAlive());
            threads.add(thread);
            return thread;
        });
        executor.allowCoreThreadTimeOut(true); // a quiet node keeps no delivery thread
    }

    /** The lane of one room: what the broker hands to the subscriber is run on these threads, in order. */
    Broker.Subscriber lane(Broker.Subscriber subscriber) {
        return new Lane(subscriber);
    }

    /**
     * Entries handed over and not yet delivered, over every room.
     *
     * @return zero when every room has caught up
     */
    long waiting() {
        return waiting.get();
    }

    /**
     * Drops what is still waiting, lets a listener that is running finish, and waits (up to
     * {@link #STOP_WAIT}) for every thread to end. Called from a delivery thread itself (a
     * listener that closes the rooms), it does not wait for that one.
     */
    void close() {
        closed = true;
        executor.shutdown();
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread != Thread.currentThread() && thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    StackTraceElement[] stack = thread.getStackTrace();
                    LOG.log(System.Logger.Level.WARNING, "Room delivery thread [" + thread.getName() + "] did not end within "
                            + STOP_WAIT.toSeconds() + " s of the rooms closing; a room listener is still in "
                            + (stack.length == 0 ? "(no stack)" : stack[0].toString()));
                    break;
                }
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true; // finish waiting: the application is stopping
                }
            }
        }
        threads.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One room's queue: at most one thread drains it at a time. */
    private final class Lane implements Broker.Subscriber, Runnable {
        private final Broker.Subscriber subscriber;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        /** Whether a drain is queued or running; guarded by this. */
        private boolean scheduled;

        Lane(Broker.Subscriber subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void start(List<Member> members, List<RoomEntry> recent) {
            submit(() -> subscriber.start(members, recent));
        }

        @Override
        public void deliver(RoomEntry entry) {
            submit(() -> subscriber.deliver(entry));
        }

        private void submit(Runnable task) {
            if (closed) {
                return;
            }
            synchronized (this) {
                tasks.addLast(task);
                waiting.incrementAndGet();
                if (scheduled) {
                    return;
                }
                scheduled = true;
            }
            handOver();
        }

        private void handOver() {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException stopping) {
                synchronized (this) {
                    waiting.addAndGet(-tasks.size());
                    tasks.clear();
                    scheduled = false;
                }
            }
        }

        /** Drains up to a batch, then queues itself again behind the other rooms if more is waiting. */
        @Override
        public void run() {
            for (int i = 0; i < BATCH; i++) {
                Runnable next;
                synchronized (this) {
                    next = closed ? null : tasks.pollFirst();
                    if (next == null) {
                        waiting.addAndGet(-tasks.size());
                        tasks.clear();
                        scheduled = false;
                        return;
                    }
                }
                waiting.decrementAndGet();
                try {
                    next.run();
                } catch (Throwable t) {
                    // The room's own queue logs what its tasks throw; this is a last guard, so one
                    // failure cannot leave the lane marked scheduled with nobody draining it.
                    LOG.log(System.Logger.Level.ERROR, "A room delivery failed; the room goes on", t);
                }
            }
            handOver();
        }
    }
}
