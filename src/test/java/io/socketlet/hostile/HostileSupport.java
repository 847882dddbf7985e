package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.fail;

import io.socketlet.internal.server.EndpointMetricsMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/** Small helpers of the hostile-client suite: the endpoint MBean, waiting, threads. */
final class HostileSupport {

    private HostileSupport() {
    }

    /**
     * The name the engine registered for this servlet of this context path, such as
     * {@code io.socketlet:type=Endpoint,host="Catalina/localhost",context="/x",name="y"} (the host
     * key where the container names one); null if none is registered.
     */
    static ObjectName metricsName(String contextPath, String servletName) {
        Set<ObjectName> names = ManagementFactory.getPlatformMBeanServer().queryNames(quietName("io.socketlet:type=Endpoint,context="
                + ObjectName.quote(contextPath.isEmpty() ? "/" : contextPath) + ",name=" + ObjectName.quote(servletName) + ",*"), null);
        if (names.size() > 1) {
            fail("more than one MBean for " + contextPath + " " + servletName + ": " + names);
        }
        return names.isEmpty() ? null : names.iterator().next();
    }

    /** A proxy of the endpoint's MXBean, failing the test if it is not registered. */
    static EndpointMetricsMXBean metrics(String contextPath, String servletName) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = metricsName(contextPath, servletName);
        if (name == null) {
            fail("no MBean for " + contextPath + " " + servletName + "; registered socketlet MBeans: " + server.queryNames(
                    quietName("io.socketlet:*"), null));
        }
        return JMX.newMXBeanProxy(server, name, EndpointMetricsMXBean.class);
    }

    static boolean isRegistered(String contextPath, String servletName) {
        return metricsName(contextPath, servletName) != null;
    }

    private static ObjectName quietName(String pattern) {
        try {
            return new ObjectName(pattern);
        } catch (MalformedObjectNameException e) {
            throw new AssertionError(e);
        }
    }

    /** A snapshot of the counters, for messages. */
    static String describe(EndpointMetricsMXBean m) {
        return "open=" + m.getOpenConnections() + " accepted=" + m.getHandshakesAccepted() + " refused="
                + m.getHandshakesRefused() + " msgIn=" + m.getMessagesIn() + " msgOut=" + m.getMessagesOut()
                + " bytesIn=" + m.getBytesIn() + " bytesOut=" + m.getBytesOut() + " closes=" + m.getCloses();
    }

    /** The sum of the "closes by code" counters. */
    static long totalCloses(EndpointMetricsMXBean m) {
        return m.getCloses().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Per-code difference of two "closes by code" snapshots. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> {
            long diff = v - before.getOrDefault(k, 0L);
            if (diff != 0) {
                d.put(k, diff);
            }
        });
        return d;
    }

    /** Polls until the condition holds; false if it still does not after the timeout. */
    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Like {@link #await}, failing with the message (computed after the wait) if the condition never held. */
    static void awaitOrFail(Duration timeout, BooleanSupplier condition, Supplier<String> message) {
        if (!await(timeout, condition)) {
            fail(message.get());
        }
    }

    /** Names of the live threads whose name starts with the prefix. */
    static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .sorted()
                .collect(Collectors.toList());
    }

    /**
     * Live threads that are not a container's worker pool (Jetty's {@code qtp...}, Tomcat's
     * {@code http-nio-...-exec-N}), whose size the containers grow and shrink on their own clock:
     * what is left is what a leak per connection would show in.
     */
    static List<String> nonPoolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> !n.startsWith("qtp") && !n.contains("-exec-") && !n.startsWith("ForkJoinPool")
                        && !n.startsWith("hostile-"))
                .sorted()
                .collect(Collectors.toList());
    }

    /** Heap in use after a full GC, in bytes (best effort: System.gc() twice). */
    static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 2; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    static long elapsedMs(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
