package io.socketlet.internal.server;

import jakarta.servlet.ServletContext;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One timer thread for every WebSocket endpoint of a web application: connections are swept
 * periodically rather than each owning a timer. Reference-counted in the {@link ServletContext},
 * so the thread stops when the last endpoint is destroyed.
 *
 * <p>The timer thread only decides: what a due timer does (a ping, a close, ending a connection
 * and telling the application) runs on a small pool of event threads beside it, so a handler
 * that takes its time never delays the timers of other connections.
 *
 * <p>The last {@link #release} returns only once these threads have ended (or after
 * {@link #STOP_WAIT}, with a warning naming what it is stuck in): a container checks for threads
 * its web application left running as soon as the servlets are destroyed, and a thread still
 * alive then, however briefly, is reported as a memory leak and keeps the application's class
 * loader reachable (through its context class loader) while it lives.
 */
final class SharedScheduler {

    private static final System.Logger LOG = System.getLogger(SharedScheduler.class.getName());
    private static final String ATTRIBUTE = SharedScheduler.class.getName();
    /** How long the last release waits for the timer thread to end. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** Event threads: as many as handlers may take their time at once before timer actions queue up. */
    private static final int EVENT_THREADS = 8;

    private final ScheduledThreadPoolExecutor executor;
    private final ThreadPoolExecutor events;
    /** Every thread the executors made, to be joined on release. */
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private int users;

    private SharedScheduler(String name) {
        executor = new ScheduledThreadPoolExecutor(1, threads("socketlet-timer" + name));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        events = new ThreadPoolExecutor(EVENT_THREADS, EVENT_THREADS, 2, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads("socketlet-events" + name));
        events.allowCoreThreadTimeOut(true); // an idle application keeps no event thread
    }

    private ThreadFactory threads(String name) {
        // Called from a servlet's init, where the container has set the web application's loader
        // as the context loader: application callbacks that run on these threads (onClose after a
        // timeout) see it too, whichever thread starts them, even when the engine's jar sits in a
        // loader shared by several applications.
        ClassLoader webapp = Thread.currentThread().getContextClassLoader();
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            thread.setContextClassLoader(webapp);
            threads.removeIf(t -> !t.isAlive());
            threads.add(thread);
            return thread;
        };
    }

    /** The context's scheduler, created on first use; every acquire needs its {@link #release}. */
    static SharedScheduler acquire(ServletContext context) {
        synchronized (SharedScheduler.class) {
            SharedScheduler shared = context == null ? null : (SharedScheduler) context.getAttribute(ATTRIBUTE);
            if (shared == null) {
                String name = context == null ? "" : " " + (context.getContextPath().isEmpty() ? "/" : context.getContextPath());
                shared = new SharedScheduler(name);
                if (context != null) {
                    context.setAttribute(ATTRIBUTE, shared);
                }
            }
            shared.users++;
            return shared;
        }
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    /** Where timer actions and the callbacks they cause run: never the timer thread itself. */
    Executor events() {
        return events;
    }

    /**
     * Drops one reference; the last one forgets the context attribute, stops the thread and
     * waits for it to end (up to {@link #STOP_WAIT}).
     */
    void release(ServletContext context) {
        synchronized (SharedScheduler.class) {
            if (--users > 0) {
                return;
            }
            if (context != null && context.getAttribute(ATTRIBUTE) == this) {
                context.removeAttribute(ATTRIBUTE);
            }
        }
        executor.shutdownNow();
        events.shutdown(); // actions already handed over (the last closes) still run
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        boolean interrupted = false;
        for (Thread thread : threads) {
            if (thread == Thread.currentThread()) {
                continue; // released from a timer or event task itself: nothing to wait for
            }
            while (thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    warnStuck(thread);
                    break;
                }
                try {
                    // awaitTermination would not do: the executor counts as terminated a moment
                    // before its thread has actually ended.
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true; // finish waiting: the container is undeploying
                }
            }
        }
        threads.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void warnStuck(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        LOG.log(System.Logger.Level.WARNING, "WebSocket timer thread [" + thread.getName() + "] did not end within "
                + STOP_WAIT.toSeconds() + " s of the application stopping; it is in "
                + (stack.length == 0 ? "(no stack)" : stack[0] + (stack.length > 1 ? " from " + stack[1] : ""))
                + ". An application callback that blocks on the timer thread keeps it alive.");
    }
}
