package io.socketlet.internal.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The workings of {@link io.socketlet.server.WebSocketMeterBinder}, beside the engine's
 * package-private metrics so that none of them has to be public.
 */
public abstract class EndpointMeterBinder implements MeterBinder, AutoCloseable {

    /** A running endpoint this binder follows, and the meters made for it in every registry. */
    private record Bound(LiveEndpoints.Entry endpoint, List<Meter> meters) {
    }

    // Guarded by this binder's monitor, which is never held while calling into the engine.
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final Map<EndpointMetrics, Bound> bound = new HashMap<>();

    private final LiveEndpoints.Listener listener = new LiveEndpoints.Listener() {
        @Override
        public void started(LiveEndpoints.Entry endpoint) {
            synchronized (EndpointMeterBinder.this) {
                Bound b = new Bound(endpoint, new ArrayList<>());
                bound.put(endpoint.metrics(), b);
                registries.forEach(registry -> bindEndpoint(b, registry));
            }
        }

        @Override
        public void stopped(LiveEndpoints.Entry endpoint) {
            synchronized (EndpointMeterBinder.this) {
                Bound b = bound.remove(endpoint.metrics());
                if (b != null) {
                    remove(b);
                }
            }
        }

        @Override
        public void counterAdded(LiveEndpoints.Entry endpoint, String family, String key, LongAdder counter) {
            synchronized (EndpointMeterBinder.this) {
                Bound b = bound.get(endpoint.metrics());
                if (b != null) {
                    registries.forEach(registry -> bindCounter(b, family, key, counter, registry));
                }
            }
        }
    };

    /** A binder that follows every WebSocket endpoint of this application once bound. */
    protected EndpointMeterBinder() {
    }

    /** Registers the meters of the running endpoints in this registry, and of endpoints that start later. */
    @Override
    public void bindTo(MeterRegistry registry) {
        boolean first;
        synchronized (this) {
            first = registries.isEmpty();
            registries.add(registry);
            bound.values().forEach(b -> bindEndpoint(b, registry));
        }
        if (first) {
            LiveEndpoints.watch(listener); // tells the listener of every endpoint running now
        }
    }

    /** Stops following the endpoints and removes every meter this binder registered. */
    @Override
    public void close() {
        LiveEndpoints.unwatch(listener);
        synchronized (this) {
            bound.values().forEach(this::remove);
            bound.clear();
            registries.clear();
        }
    }

    private void remove(Bound b) {
        for (Meter meter : b.meters()) {
            registries.forEach(registry -> registry.remove(meter));
        }
    }

    private void bindEndpoint(Bound b, MeterRegistry registry) {
        EndpointMetrics m = b.endpoint().metrics();
        Tags tags = tags(b.endpoint());
        List<Meter> list = b.meters();
        list.add(Gauge.builder("socketlet.connections.open", m, EndpointMetrics::getOpenConnections)
                .description("WebSocket connections open now").tags(tags).register(registry));
        list.add(counter("socketlet.handshakes.accepted", "WebSocket handshakes accepted", m,
                EndpointMetrics::getHandshakesAccepted, null, tags, registry));
        list.add(counter("socketlet.messages.in", "WebSocket messages received", m,
                EndpointMetrics::getMessagesIn, null, tags, registry));
        list.add(counter("socketlet.messages.out", "WebSocket messages sent", m,
                EndpointMetrics::getMessagesOut, null, tags, registry));
        list.add(counter("socketlet.bytes.in", "WebSocket bytes read from peers", m,
                EndpointMetrics::getBytesIn, "bytes", tags, registry));
        list.add(counter("socketlet.bytes.out", "WebSocket bytes written to peers", m,
                EndpointMetrics::getBytesOut, "bytes", tags, registry));
        m.refusalCounters().forEach((key, counter) -> bindCounter(b, "refused", key, counter, registry));
        m.closeCounters().forEach((key, counter) -> bindCounter(b, "closes", key, counter, registry));
    }

    /** A keyed counter: a refusal kind ({@code "<status> <reason>"}) or a close code. */
    private static void bindCounter(Bound b, String family, String key, LongAdder counter, MeterRegistry registry) {
        Tags tags = tags(b.endpoint());
        if (family.equals("refused")) {
            int space = key.indexOf(' ');
            String status = space < 0 ? key : key.substring(0, space);
            String reason = space < 0 ? "" : key.substring(space + 1);
            b.meters().add(counter("socketlet.handshakes.refused", "WebSocket handshakes refused", counter, LongAdder::sum,
                    null, tags.and("status", status, "reason", reason), registry));
        } else {
            b.meters().add(counter("socketlet.closes", "WebSocket connections closed, by close code", counter, LongAdder::sum,
                    null, tags.and("code", key), registry));
        }
    }

    private static Tags tags(LiveEndpoints.Entry endpoint) {
        return Tags.of("context", endpoint.context(), "endpoint", endpoint.name());
    }

    private static <T> FunctionCounter counter(String name, String description, T source, ToDoubleFunction<T> count,
                                               String unit, Tags tags, MeterRegistry registry) {
        return FunctionCounter.builder(name, source, count).description(description).baseUnit(unit).tags(tags)
                .register(registry);
    }
}
