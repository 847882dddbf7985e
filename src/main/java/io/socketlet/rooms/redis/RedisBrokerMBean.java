package io.socketlet.rooms.redis;

import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The {@link RedisBrokerMXBean} of one broker in the platform MBean server, beside the endpoints'
 * ({@code io.socketlet:type=Endpoint,...}). It holds the broker, and so the application's class
 * loader: {@link RedisBroker#close} unregisters it, so a redeployed application leaves nothing behind.
 */
final class RedisBrokerMBean implements RedisBrokerMXBean {

    private static final System.Logger LOG = System.getLogger(RedisBrokerMBean.class.getName());

    private final RedisBroker broker;
    private final String redis;
    private volatile ObjectName registeredAs;

    RedisBrokerMBean(RedisBroker broker, String redis) {
        this.broker = broker;
        this.redis = redis;
    }

    /** {@code io.socketlet:type=RedisBroker,node=N}: node ids are drawn at random, so two brokers of a JVM differ. */
    static ObjectName objectName(long nodeId) {
        try {
            return new ObjectName("io.socketlet:type=RedisBroker,node=" + nodeId);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers; a failure is logged, never fatal (the broker works without JMX). */
    void register() {
        ObjectName name = objectName(broker.nodeId());
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, name);
            registeredAs = name;
        } catch (InstanceAlreadyExistsException taken) {
            LOG.log(System.Logger.Level.WARNING, "Redis broker MBean not registered: " + name + " is taken");
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Could not register the Redis broker MBean " + name, e);
        }
    }

    /** Unregisters what {@link #register} registered; idempotent. */
    void unregister() {
        ObjectName name = registeredAs;
        if (name == null) {
            return;
        }
        registeredAs = null;
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.unregisterMBean(name);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "MBean already gone: " + name, e);
        }
    }

    @Override
    public long getNodeId() {
        return broker.nodeId();
    }

    @Override
    public String getRedis() {
        return redis;
    }

    @Override
    public boolean isConnected() {
        return broker.isConnected();
    }

    @Override
    public long getCurrentOutageMillis() {
        return broker.currentOutage().toMillis();
    }

    @Override
    public long getLastOutageMillis() {
        return broker.lastOutage().toMillis();
    }

    @Override
    public long getLastOutageUnreplicated() {
        return broker.lastOutageUnreplicated();
    }

    @Override
    public long getOutages() {
        return broker.outages();
    }

    @Override
    public long getUnreplicated() {
        return broker.unreplicated();
    }

    @Override
    public int getRooms() {
        return broker.rooms();
    }

    @Override
    public long getDeliveriesWaiting() {
        return broker.deliveriesWaiting();
    }
}
