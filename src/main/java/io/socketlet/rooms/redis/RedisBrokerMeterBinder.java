package io.socketlet.rooms.redis;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node's link to Redis as Micrometer meters, the same numbers as its JMX MXBean
 * ({@link RedisBrokerMXBean}). Micrometer is an optional dependency: nothing of it is loaded unless
 * the application creates this binder. In Spring Boot, declare it as a bean; elsewhere
 * {@code new RedisBrokerMeterBinder(broker).bindTo(registry)}. The meters go when the binder or
 * the broker is closed. Each is tagged {@code node} (the node id) and {@code redis} ({@code host:port}):
 *
 * <ul>
 *   <li>{@code socketlet.redis.connected} (gauge): 1 while the node reaches Redis, else 0;</li>
 *   <li>{@code socketlet.redis.outage.duration} (gauge, seconds): how long the outage under way has lasted, 0 while connected;</li>
 *   <li>{@code socketlet.redis.outage.last.duration} (gauge, seconds): how long the last outage that ended lasted;</li>
 *   <li>{@code socketlet.redis.outages} (counter): times Redis became unreachable;</li>
 *   <li>{@code socketlet.redis.unreplicated} (counter): broadcasts and presence changes delivered
 *       on this node only, never on the others (the loss window);</li>
 *   <li>{@code socketlet.redis.rooms} (gauge): rooms the node reads from Redis;</li>
 *   <li>{@code socketlet.redis.deliveries.waiting} (gauge): entries the rooms' listeners have not taken yet.</li>
 * </ul>
 */
public final class RedisBrokerMeterBinder implements MeterBinder, AutoCloseable {

    private final RedisBroker broker;
    // Guarded by this.
    private final Map<MeterRegistry, List<Meter>> bound = new java.util.IdentityHashMap<>();

    /**
     * A binder for this broker's meters.
     *
     * @param broker the node's broker; when it closes, the meters are removed
     */
    public RedisBrokerMeterBinder(RedisBroker broker) {
        if (broker == null) {
            throw new IllegalArgumentException("a broker is required");
        }
        this.broker = broker;
        broker.whenClosed(this);
    }

    /** Registers the broker's meters in this registry. */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (bound.containsKey(registry)) {
            return;
        }
        Tags tags = Tags.of("node", Long.toString(broker.nodeId()), "redis", broker.redisAddress());
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("socketlet.redis.connected", broker, b -> b.isConnected() ? 1 : 0)
                .description("1 while this node reaches Redis, else 0").tags(tags).register(registry));
        meters.add(Gauge.builder("socketlet.redis.outage.duration", broker,
                        b -> b.currentOutage().toNanos() / (double) TimeUnit.SECONDS.toNanos(1))
                .description("How long Redis has been unreachable, in the outage under way; 0 while connected")
                .baseUnit("seconds").tags(tags).register(registry));
        meters.add(Gauge.builder("socketlet.redis.outage.last.duration", broker, b -> b.lastOutage().toMillis() / 1000.0)
                .description("How long the last outage that ended lasted").baseUnit("seconds").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("socketlet.redis.outages", broker, RedisBroker::outages)
                .description("Times Redis became unreachable").tags(tags).register(registry));
        meters.add(FunctionCounter.builder("socketlet.redis.unreplicated", broker, RedisBroker::unreplicated)
                .description("Broadcasts and presence changes delivered on this node only, for want of Redis")
                .tags(tags).register(registry));
        meters.add(Gauge.builder("socketlet.redis.rooms", broker, RedisBroker::rooms)
                .description("Rooms this node reads from Redis").tags(tags).register(registry));
        meters.add(Gauge.builder("socketlet.redis.deliveries.waiting", broker, RedisBroker::deliveriesWaiting)
                .description("Log entries the rooms' listeners have not taken yet").tags(tags).register(registry));
        bound.put(registry, meters);
    }

    /** Removes every meter this binder registered. */
    @Override
    public synchronized void close() {
        bound.forEach((registry, meters) -> meters.forEach(registry::remove));
        bound.clear();
    }
}
