package io.socketlet.internal.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * The endpoints of this web application that are running now, for a metrics exporter
 * ({@link io.socketlet.server.WebSocketMeterBinder}) to follow: it learns of each endpoint that starts or stops, and of
 * each counter an endpoint adds (a new refusal reason, a new close code). Static, so one per copy
 * of the engine: per web application when the jar is in its {@code WEB-INF/lib}. Nothing here runs
 * unless an exporter watches.
 */
final class LiveEndpoints {

    /** What an exporter is told; calls come from container threads, never under an engine lock. */
    interface Listener {
        void started(Entry endpoint);

        void stopped(Entry endpoint);

        /** A keyed counter appeared: {@code family} is {@code "refused"} or {@code "closes"}. */
        void counterAdded(Entry endpoint, String family, String key, LongAdder counter);
    }

    /** A running endpoint: its counters, the context path of its application and its servlet name. */
    record Entry(EndpointMetrics metrics, String context, String name) {
    }

    private static final Map<EndpointMetrics, Entry> RUNNING = new ConcurrentHashMap<>();
    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();
    /** Orders start, stop and watch, so a listener sees every endpoint started exactly once. */
    private static final Object LOCK = new Object();

    private LiveEndpoints() {
    }

    static void started(EndpointMetrics metrics, String context, String name) {
        Entry entry = new Entry(metrics, context.isEmpty() ? "/" : context, name);
        synchronized (LOCK) {
            RUNNING.put(metrics, entry);
            LISTENERS.forEach(l -> l.started(entry));
        }
    }

    static void stopped(EndpointMetrics metrics) {
        synchronized (LOCK) {
            Entry entry = RUNNING.remove(metrics);
            if (entry != null) {
                LISTENERS.forEach(l -> l.stopped(entry));
            }
        }
    }

    static void counterAdded(EndpointMetrics metrics, String family, String key, LongAdder counter) {
        Entry entry = RUNNING.get(metrics);
        if (entry != null) {
            LISTENERS.forEach(l -> l.counterAdded(entry, family, key, counter));
        }
    }

    /** Adds a listener and tells it of every endpoint running now. */
    static void watch(Listener listener) {
        synchronized (LOCK) {
            LISTENERS.add(listener);
            RUNNING.values().forEach(listener::started);
        }
    }

    static void unwatch(Listener listener) {
        synchronized (LOCK) {
            LISTENERS.remove(listener);
        }
    }
}
