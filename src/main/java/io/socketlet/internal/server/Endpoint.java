package io.socketlet.internal.server;

import io.socketlet.WebSocketSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one WebSocket servlet: its settings, its open connections, the periodic
 * sweep that runs their timers (idle timeout, pings, close timeout) on the shared scheduler,
 * and its orderly shutdown.
 */
final class Endpoint {

    private static final System.Logger LOG = System.getLogger(Endpoint.class.getName());

    private final String name;
    private final WebSocketSettings settings;
    private final Set<WebSocketConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> sweeper;
    /** Where due timer actions run (see {@link #sweep}). */
    private final Executor events;
    private volatile boolean stopping;
    private final EndpointMetrics metrics = new EndpointMetrics(connections::size);
    /** Places held for handshakes not yet open, with the time each was taken. */
    private final Map<Object, Long> reservations = new HashMap<>();
    /** An unopened reservation is dropped after this long: the upgrade never reached the engine. */
    private static final long RESERVATION_EXPIRY_NANOS = TimeUnit.SECONDS.toNanos(30);

    Endpoint(String name, WebSocketSettings settings, SharedScheduler scheduler) {
        this.name = name;
        this.settings = settings;
        this.events = scheduler.events();
        long period = sweepPeriodMillis(settings);
        this.sweeper = scheduler.executor().scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Holds a place under {@code maxConnections} for a handshake in progress, so concurrent
     * handshakes cannot all pass the check before any of them opens. Returns the reservation, or
     * null when full. The place passes to the connection when it opens ({@link #release} then);
     * a reservation whose connection never opened (the client vanished after the 101) expires.
     */
    Object reserve() {
        synchronized (reservations) {
            if (connections.size() + reservations.size() >= settings.maxConnections()) {
                return null;
            }
            Object reservation = new Object();
            reservations.put(reservation, System.nanoTime());
            return reservation;
        }
    }

    /** Gives a reservation back: its connection opened (and is counted itself) or was refused. */
    void release(Object reservation) {
        synchronized (reservations) {
            reservations.remove(reservation);
        }
    }

    /** A quarter of the shortest timer, between 20 ms and 1 s: timers fire within 25% of their setting. */
    static long sweepPeriodMillis(WebSocketSettings settings) {
        long shortest = settings.closeTimeout().toMillis();
        for (Duration d : List.of(settings.idleTimeout(), settings.pingInterval(), settings.pongTimeout(), settings.handshakeTimeout(), settings.writeTimeout())) {
            if (!d.isZero()) {
                shortest = Math.min(shortest, d.toMillis());
            }
        }
        return Math.max(20, Math.min(1000, shortest / 4));
    }

    /** Where actions that may call the application run when no container thread is at hand. */
    Executor events() {
        return events;
    }

    EndpointMetrics metrics() {
        return metrics;
    }

    WebSocketSettings settings() {
        return settings;
    }

    boolean isStopping() {
        return stopping;
    }

    /**
     * Counts an opening connection, and gives back the reservation it held, in one step.
     *
     * @return false if the endpoint has begun to stop: the connection must not open (no close
     *         timer would ever end it), and it is not counted
     */
    boolean register(WebSocketConnection connection, Object reservation) {
        synchronized (reservations) {
            connections.add(connection);
            if (reservation != null) {
                reservations.remove(reservation);
            }
        }
        if (stopping) {
            connections.remove(connection);
            return false;
        }
        return true;
    }

    void unregister(WebSocketConnection connection) {
        connections.remove(connection);
    }

    /**
     * The timer: decides on this thread, acts on an event thread (see {@link SharedScheduler}),
     * so no handler a due action calls can hold up the timers of other connections. Nothing a
     * connection throws, not even an {@link Error}, may end the sweep: a periodic task that
     * throws is never run again, and every timer of the endpoint would die with it.
     */
    private void sweep() {
        try {
            long now = System.nanoTime();
            synchronized (reservations) {
                reservations.values().removeIf(taken -> now - taken > RESERVATION_EXPIRY_NANOS);
            }
            for (WebSocketConnection connection : connections) {
                try {
                    Runnable due = connection.due(now);
                    if (due != null) {
                        events.execute(due);
                    }
                } catch (Throwable t) {
                    LOG.log(System.Logger.Level.ERROR, "Timer check failed on endpoint " + name + " for " + connection, t);
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "Timer sweep failed on endpoint " + name + "; it runs again next period", t);
        }
    }

    /**
     * Closes every connection with 1001, lets queued messages and the close handshakes finish for
     * up to {@code grace}, then drops whatever is left, so a stop completes in bounded time even
     * when peers are dead.
     */
    void shutdown(Duration grace) {
        stopping = true;
        sweeper.cancel(false);
        for (WebSocketConnection connection : new ArrayList<>(connections)) {
            connection.shutdown("Server is shutting down");
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (WebSocketConnection connection : new ArrayList<>(connections)) {
            connection.abort("Server stopped before the closing handshake completed");
        }
        connections.clear();
        metrics.unregister();
    }
}
