package io.socketlet.server;

import jakarta.servlet.ServletContext;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One timer thread for every WebSocket endpoint of a web application: connections are swept
 * periodically rather than each owning a timer. Reference-counted in the {@link ServletContext},
 * so the thread stops when the last endpoint is destroyed and a redeployed WAR leaves no thread
 * behind.
 */
final class SharedScheduler {

    private static final String ATTRIBUTE = SharedScheduler.class.getName();

    private final ScheduledThreadPoolExecutor executor;
    private int users;

    private SharedScheduler(String name) {
        executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "socketlet-timer" + name);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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

    /** Drops one reference; the last one stops the thread and forgets the context attribute. */
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
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
