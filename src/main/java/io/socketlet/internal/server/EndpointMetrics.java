package io.socketlet.internal.server;

import jakarta.servlet.ServletContext;

import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import javax.management.InstanceAlreadyExistsException;
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
            counter = counter(handshakesRefused, "refused", key);
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
        String key = Integer.toString(code);
        LongAdder counter = closes.get(key);
        (counter != null ? counter : counter(closes, "closes", key)).increment();
    }

    /** The counter under this key, made if new; a new one is announced to metrics exporters ({@link LiveEndpoints}). */
    private LongAdder counter(Map<String, LongAdder> family, String familyName, String key) {
        LongAdder created = new LongAdder();
        LongAdder existing = family.putIfAbsent(key, created);
        if (existing != null) {
            return existing;
        }
        LiveEndpoints.counterAdded(this, familyName, key, created);
        return created;
    }

    /** The live refusal counters by {@code "<status> <reason kind>"}, for exporters. */
    Map<String, LongAdder> refusalCounters() {
        return Collections.unmodifiableMap(handshakesRefused);
    }

    /** The live close counters by close code, for exporters. */
    Map<String, LongAdder> closeCounters() {
        return Collections.unmodifiableMap(closes);
    }

    /**
     * Registers under {@link #objectName}; a failure is logged, never fatal. Another endpoint's
     * MBean is never replaced: should the name be taken (the same context twice on one host, in
     * a container that gives them nothing to tell them apart), an {@code instance=N} key is added.
     */
    void register(ServletContext context, String servletName) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            String base = objectName(context, servletName);
            for (int instance = 1; instance <= MAX_INSTANCES; instance++) {
                ObjectName name = new ObjectName(instance == 1 ? base : base + ",instance=" + instance);
                try {
                    server.registerMBean(this, name);
                    registeredAs = name;
                    return;
                } catch (InstanceAlreadyExistsException taken) {
                    // a live endpoint of another deployment: try the next instance number
                }
            }
            LOG.log(System.Logger.Level.WARNING, "WebSocket metrics MBean not registered: " + MAX_INSTANCES
                    + " endpoints already use the name " + base);
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Could not register WebSocket metrics MBean for " + servletName, e);
        }
    }

    private static final int MAX_INSTANCES = 100;

    /**
     * {@code io.socketlet:type=Endpoint,host="Catalina/localhost",context="/app##2",name="chat"}:
     * the virtual host where the container names one ({@link ServletContext#getVirtualServerName}),
     * the context path with Tomcat's parallel-deployment version, and the servlet name, so that
     * one path on two hosts, or two versions of one application, each get a name of their own.
     */
    static String objectName(ServletContext context, String servletName) {
        StringBuilder name = new StringBuilder("io.socketlet:type=Endpoint");
        String host = context.getVirtualServerName();
        if (host != null && !host.isEmpty()) {
            name.append(",host=").append(ObjectName.quote(host));
        }
        String path = context.getContextPath().isEmpty() ? "/" : context.getContextPath();
        if (context.getAttribute(TOMCAT_WEBAPP_VERSION) instanceof String version && !version.isEmpty()) {
            path += "##" + version;
        }
        return name.append(",context=").append(ObjectName.quote(path))
                .append(",name=").append(ObjectName.quote(servletName)).toString();
    }

    /** The context attribute where Tomcat puts a parallel deployment's version ({@code app##2} is "2"). */
    private static final String TOMCAT_WEBAPP_VERSION = "org.apache.catalina.webappVersion";

    /** Unregisters exactly the MBean {@link #register} registered, never another endpoint's. */
    void unregister() {
        ObjectName name = registeredAs;
        if (name == null) {
            return;
        }
        registeredAs = null;
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "MBean already gone: " + name, e);
        }
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
