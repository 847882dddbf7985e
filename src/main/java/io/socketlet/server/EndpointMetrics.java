package io.socketlet.server;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Counters of one endpoint, cheap to update from many threads ({@link LongAdder}), registered as
 * a JMX MXBean while the endpoint lives and unregistered when it stops, so a redeployed WAR
 * leaves no MBean (and no class loader) behind.
 */
final class EndpointMetrics implements EndpointMetricsMXBean {

    private static final System.Logger LOG = System.getLogger(EndpointMetrics.class.getName());

    private final IntSupplier openConnections;
    private final LongAdder handshakesAccepted = new LongAdder();
    private final Map<String, LongAdder> handshakesRefused = new ConcurrentHashMap<>();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    private ObjectName registeredAs;

    EndpointMetrics(IntSupplier openConnections) {
        this.openConnections = openConnections;
    }

    void handshakeAccepted() {
        handshakesAccepted.increment();
    }

    /** Distinct refusal keys kept; past it, refusals count under "other" (keys never grow without bound). */
    private static final int MAX_REFUSAL_KEYS = 64;

    void handshakeRefused(int status, String reason) {
        String key = status + " " + reasonKind(reason);
        LongAdder counter = handshakesRefused.get(key);
        if (counter == null) {
            key = handshakesRefused.size() < MAX_REFUSAL_KEYS ? key : status + " other";
            counter = handshakesRefused.computeIfAbsent(key, k -> new LongAdder());
        }
        counter.increment();
    }

    void messageIn() {
        messagesIn.increment();
    }

    void bytesIn(long n) {
        bytesIn.add(n);
    }

    void written(int frames, long bytes) {
        messagesOut.add(frames);
        bytesOut.add(bytes);
    }

    void closed(int code) {
        closes.computeIfAbsent(Integer.toString(code), k -> new LongAdder()).increment();
    }

    /** Registers under io.socketlet:type=Endpoint,context=..,name=..; a failure is logged, never fatal. */
    void register(String context, String name) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName objectName = new ObjectName("io.socketlet:type=Endpoint,context=" + ObjectName.quote(context.isEmpty() ? "/" : context)
                    + ",name=" + ObjectName.quote(name));
            if (server.isRegistered(objectName)) {
                server.unregisterMBean(objectName); // a previous deployment that did not stop cleanly
            }
            server.registerMBean(this, objectName);
            registeredAs = objectName;
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Could not register WebSocket metrics MBean for " + name, e);
        }
    }

    void unregister() {
        if (registeredAs == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(registeredAs);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "MBean already gone: " + registeredAs, e);
        }
        registeredAs = null;
    }

    /**
     * The first two words of a refusal reason, which are fixed text in every reason this server
     * gives (anything the client sent comes later), so counters group by kind.
     */
    private static String reasonKind(String reason) {
        String r = reason == null ? "" : reason;
        int cut = 0;
        int words = 0;
        while (cut < r.length() && words < 2) {
            if (r.charAt(cut) == ' ') {
                words++;
                if (words == 2) {
                    break;
                }
            }
            cut++;
        }
        return r.substring(0, cut);
    }

    @Override
    public int getOpenConnections() {
        return openConnections.getAsInt();
    }

    @Override
    public long getHandshakesAccepted() {
        return handshakesAccepted.sum();
    }

    @Override
    public Map<String, Long> getHandshakesRefused() {
        return snapshot(handshakesRefused);
    }

    @Override
    public long getMessagesIn() {
        return messagesIn.sum();
    }

    @Override
    public long getMessagesOut() {
        return messagesOut.sum();
    }

    @Override
    public long getBytesIn() {
        return bytesIn.sum();
    }

    @Override
    public long getBytesOut() {
        return bytesOut.sum();
    }

    @Override
    public Map<String, Long> getCloses() {
        return snapshot(closes);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
