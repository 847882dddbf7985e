package io.socketlet.rooms;

import java.util.ArrayDeque;

/**
 * Runs tasks one at a time, in the order they were submitted, on the threads that submit them,
 * without ever making a submitter wait for another.
 *
 * <p>Callbacks of different connections run concurrently on container threads, but a room must
 * change its state and broadcast in one order, so that every member sees the same story (a
 * newcomer's history and the strokes after it, with no gap and no duplicate). A lock held while
 * sending would do that too, but the engine may call {@code onClose} from inside a send (a
 * connection that fails while we write to it), and a container thread that holds its own socket
 * lock while it waits for ours is how deadlocks start. Here a submitter either finds the queue
 * idle and runs the tasks itself, or adds its task for the running thread and returns at once:
 * nothing blocks, and a task submitted from inside a task simply runs after it. A task that
 * throws anything is logged and the queue goes on with the next one.
 */
final class SerialQueue {

    private static final System.Logger LOG = System.getLogger(SerialQueue.class.getName());

    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialQueue() {
        this(false);
    }

    /**
     * @param held whether tasks wait until {@link #release()}: for a room made inside
     *             {@code ConcurrentHashMap.computeIfAbsent}, whose tasks must not run there
     */
    SerialQueue(boolean held) {
        this.running = held;
    }

    /** Runs the tasks submitted while the queue was held, and those after them, on this thread. Once. */
    void release() {
        drain();
    }

    /** Runs the task now, or after the tasks before it if another thread is running them. */
    void submit(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        drain();
    }

    /** Runs tasks until there are none; the caller set running. */
    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (Throwable t) {
                // Whatever a task throws (an Error too: a StackOverflowError, an AssertionError),
                // the queue goes on: leaving running = true would silence the room for good, since
                // every later submitter would only queue its task for a runner that is gone.
                LOG.log(System.Logger.Level.ERROR, "A room task failed; the room goes on with the next task", t);
            }
        }
    }
}
