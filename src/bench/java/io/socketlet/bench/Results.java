package io.socketlet.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Every figure of a run, per round, and the medians and ratios made from them. */
public final class Results {

    /** What a figure measures and which way is better. */
    public record Metric(String id, String label, String unit, boolean higherIsBetter, boolean compared) {
        Metric(String id, String label, String unit, boolean higherIsBetter) {
            this(id, label, unit, higherIsBetter, true);
        }
    }

    public record Sample(int round, Metric metric, ServerKind server, double value) {
    }

    public static final Metric SMALL = new Metric("small.rate", "Small echo: 32 B text, 64 conns x 8 in flight", "msg/s", true);
    public static final Metric SMALL_CPU = new Metric("small.cpu", "Small echo: server CPU per message", "us", false);
    public static final Metric SMALL_SYSCALLS = new Metric("small.syscalls", "Small echo: server read+write system calls per message", "calls", false);
    public static final Metric SMALL_SYSTEM = new Metric("small.kernelShare", "Small echo: share of server CPU spent in the kernel (system calls)", "%", false, false);
    /** Kernel share in the other echo scenarios (CSV only). */
    public static final Metric OTHER_SYSTEM = new Metric("echo.kernelShare", "Other echo scenarios: share of server CPU in the kernel", "%", false);
    public static final Metric DEFLATE = new Metric("deflate.rate", "Small echo with permessage-deflate", "msg/s", true);
    public static final Metric DEFLATE_CPU = new Metric("deflate.cpu", "Deflate echo: server CPU per message", "us", false);
    public static final Metric LARGE64K = new Metric("large64k.rate", "64 KiB binary echo, 16 conns x 4 in flight", "MiB/s", true);
    public static final Metric LARGE64K_CPU = new Metric("large64k.cpu", "64 KiB echo: server CPU per message", "us", false);
    public static final Metric LARGE1M = new Metric("large1m.rate", "1 MiB binary echo, 4 conns x 2 in flight", "MiB/s", true);
    public static final Metric LARGE1M_CPU = new Metric("large1m.cpu", "1 MiB echo: server CPU per message", "us", false);
    public static final Metric IDLE_COUNT = new Metric("idle.count", "Idle connections held (or reached when the server failed)", "conns", true, false);
    public static final Metric IDLE_HEAP = new Metric("idle.heap", "Idle: heap per connection (after full GC)", "KiB", false);
    public static final Metric IDLE_RSS = new Metric("idle.rss", "Idle: RSS per connection", "KiB", false);
    public static final Metric IDLE_THREADS = new Metric("idle.threads", "Idle: OS threads added by the connections", "threads", false, false);
    public static final Metric IDLE_THREADS_TOTAL = new Metric("idle.threadsTotal", "Idle: OS threads of the server", "threads", false);
    public static final Metric CONNECT_RATE = new Metric("idle.connectRate", "Handshakes per second (opening the idle connections)", "conn/s", true);
    public static final Metric BCAST_P50 = new Metric("broadcast.p50", "Broadcast fan-out: delivery p50 (socketlet: PreparedMessage)", "ms", false);
    public static final Metric BCAST_P99 = new Metric("broadcast.p99", "Broadcast fan-out: delivery p99", "ms", false);
    public static final Metric BCAST_RATE = new Metric("broadcast.rate", "Broadcast fan-out: deliveries per second (N / time to the last copy)", "msg/s", true);
    public static final Metric BCAST_CPU = new Metric("broadcast.cpu", "Broadcast fan-out: server CPU per delivery", "us", false);
    /** socketlet's /broadcast with sendText per connection (encoded per connection, as the natives do). */
    public static final Metric BCAST_EACH_P50 = new Metric("broadcastEach.p50", "Broadcast, socketlet with sendText per connection: delivery p50", "ms", false);
    public static final Metric BCAST_EACH_P99 = new Metric("broadcastEach.p99", "Broadcast, socketlet with sendText per connection: delivery p99", "ms", false);
    public static final Metric BCAST_EACH_RATE = new Metric("broadcastEach.rate", "Broadcast, socketlet with sendText per connection: deliveries per second", "msg/s", true);
    public static final Metric BCAST_EACH_CPU = new Metric("broadcastEach.cpu", "Broadcast, socketlet with sendText per connection: server CPU per delivery", "us", false);

    public static final Metric BCAST_DEFLATE_P50 = new Metric("broadcastDeflate.p50", "Broadcast with permessage-deflate: delivery p50 (socketlet: PreparedMessage)", "ms", false);
    public static final Metric BCAST_DEFLATE_P99 = new Metric("broadcastDeflate.p99", "Broadcast with permessage-deflate: delivery p99", "ms", false);
    public static final Metric BCAST_DEFLATE_RATE = new Metric("broadcastDeflate.rate", "Broadcast with permessage-deflate: deliveries per second", "msg/s", true);
    public static final Metric BCAST_DEFLATE_CPU = new Metric("broadcastDeflate.cpu", "Broadcast with permessage-deflate: server CPU per delivery", "us", false);

    /** One configuration of the cluster scenario (issue 13): its four figures. */
    public record BroadcastMetrics(String id, String label, Metric p50, Metric p99, Metric rate, Metric cpu) {
        static BroadcastMetrics of(String id, String label) {
            return new BroadcastMetrics(id, label, new Metric(id + ".p50", label + ": delivery p50", "ms", false),
                    new Metric(id + ".p99", label + ": delivery p99", "ms", false),
                    new Metric(id + ".rate", label + ": deliveries per second", "msg/s", true),
                    new Metric(id + ".cpu", label + ": CPU per delivery (servers and Redis)", "us", false));
        }

        public List<Metric> all() {
            return List.of(p50, p99, rate, cpu);
        }
    }

    /** The fan-out scenario's figures as one configuration (socketlet: PreparedMessage; natives: their loop). */
    public static final BroadcastMetrics FANOUT = new BroadcastMetrics("broadcast", "fan-out", BCAST_P50, BCAST_P99, BCAST_RATE, BCAST_CPU);
    /** socketlet's fan-out with sendText per connection. */
    public static final BroadcastMetrics FANOUT_EACH = new BroadcastMetrics("broadcastEach", "fan-out, sendText each",
            BCAST_EACH_P50, BCAST_EACH_P99, BCAST_EACH_RATE, BCAST_EACH_CPU);

    /** Fan-out with permessage-deflate (socketlet: PreparedMessage, compressed once). */
    public static final BroadcastMetrics FANOUT_DEFLATE = new BroadcastMetrics("broadcastDeflate", "fan-out, deflate", BCAST_DEFLATE_P50,
            BCAST_DEFLATE_P99, BCAST_DEFLATE_RATE, BCAST_DEFLATE_CPU);
    /** socketlet's fan-out with permessage-deflate and sendText per connection (compressed per connection). */
    public static final BroadcastMetrics FANOUT_DEFLATE_EACH = BroadcastMetrics.of("broadcastDeflateEach", "fan-out, deflate, sendText each");

    /** Native servers looping over their sessions, one node (server kind: jetty, tomcat). */
    public static final BroadcastMetrics CLUSTER_LOOP = BroadcastMetrics.of("cluster.loop", "one node, a loop over the sessions");
    /** socketlet rooms on one node with the in-JVM broker (server kind: socketlet-jetty). */
    public static final BroadcastMetrics CLUSTER_LOCAL = BroadcastMetrics.of("cluster.local", "one node, Rooms.inMemory()");
    /** socketlet rooms on one node over Redis. */
    public static final BroadcastMetrics CLUSTER_REDIS1 = BroadcastMetrics.of("cluster.redis1", "one node, RedisBroker");
    /** socketlet rooms on two nodes sharing one Redis, subscribers split evenly. */
    public static final BroadcastMetrics CLUSTER_REDIS2 = BroadcastMetrics.of("cluster.redis2", "two nodes, RedisBroker");

    /** Echo through Jetty's WebSocket client (issue 14, RFC 8441): HTTP/1.1 upgrade and HTTP/2 extended CONNECT. */
    public static final Metric H1_RATE = new Metric("h2echo.h1.rate", "Echo via Jetty's client, HTTP/1.1", "msg/s", true);
    public static final Metric H1_CPU = new Metric("h2echo.h1.cpu", "Echo via Jetty's client, HTTP/1.1: server CPU per message", "us", false);
    public static final Metric H2_RATE = new Metric("h2echo.h2.rate", "Echo via Jetty's client, HTTP/2 (RFC 8441)", "msg/s", true);
    public static final Metric H2_CPU = new Metric("h2echo.h2.cpu", "Echo via Jetty's client, HTTP/2 (RFC 8441): server CPU per message", "us", false);
    /** Noise indicator: CPU used by other processes during a measured window. */
    public static final Metric FOREIGN = new Metric("noise.foreignCores", "CPU used by other processes during echo windows", "cores", false);
    public static final Metric CLIENT_CORES = new Metric("client.cores", "Load client CPU during echo windows", "cores", false);

    /** The metrics shown in the main table, in order. */
    public static final List<Metric> TABLE = List.of(SMALL, SMALL_CPU, SMALL_SYSCALLS, SMALL_SYSTEM, DEFLATE, DEFLATE_CPU, LARGE64K, LARGE64K_CPU,
            LARGE1M, LARGE1M_CPU, IDLE_COUNT, IDLE_HEAP, IDLE_RSS, IDLE_THREADS, IDLE_THREADS_TOTAL, CONNECT_RATE,
            BCAST_P50, BCAST_P99, BCAST_RATE, BCAST_CPU, BCAST_EACH_P50, BCAST_EACH_P99, BCAST_EACH_RATE, BCAST_EACH_CPU);

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> errors = new LinkedHashMap<>();

    public synchronized void add(int round, Metric metric, ServerKind server, double value) {
        samples.add(new Sample(round, metric, server, value));
    }

    public synchronized void error(int round, String scenario, ServerKind server, String message) {
        errors.put("round " + round + ", " + scenario + ", " + server.id, message);
    }

    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    public synchronized Map<String, String> errors() {
        return new LinkedHashMap<>(errors);
    }

    public synchronized boolean has(Metric metric, ServerKind server) {
        return samples.stream().anyMatch(s -> s.metric.equals(metric) && s.server == server);
    }

    /** Median over the rounds. */
    public synchronized OptionalDouble median(Metric metric, ServerKind server) {
        return median(samples.stream().filter(s -> s.metric.equals(metric) && s.server == server)
                .mapToDouble(Sample::value).toArray());
    }

    /** Median of per-round values of the metric over all servers (noise indicators). */
    public synchronized OptionalDouble medianAll(Metric metric) {
        return median(samples.stream().filter(s -> s.metric.equals(metric)).mapToDouble(Sample::value).toArray());
    }

    public synchronized OptionalDouble max(Metric metric) {
        return samples.stream().filter(s -> s.metric.equals(metric)).mapToDouble(Sample::value).max();
    }

    /**
     * Median over the rounds of {@code value(server) / value(base)}, each ratio taken within one
     * round (the two were measured minutes apart at most), so slow drifts of the machine cancel.
     */
    public synchronized OptionalDouble ratio(Metric metric, ServerKind server, ServerKind base) {
        return ratio(metric, server, metric, base);
    }

    /**
     * Median over the rounds of {@code value(metric, server) / value(baseMetric, baseServer)},
     * each ratio within one round: for figures of different configurations of one scenario.
     */
    public synchronized OptionalDouble ratio(Metric metric, ServerKind server, Metric baseMetric, ServerKind baseServer) {
        List<Double> ratios = new ArrayList<>();
        for (Sample s : samples) {
            if (!s.metric.equals(metric) || s.server != server) {
                continue;
            }
            for (Sample b : samples) {
                if (b.metric.equals(baseMetric) && b.server == baseServer && b.round == s.round && b.value != 0) {
                    ratios.add(s.value / b.value);
                }
            }
        }
        return median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static OptionalDouble median(double[] values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return OptionalDouble.empty();
        }
        int m = v.length / 2;
        return OptionalDouble.of(v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2);
    }

    /** All samples as CSV: round,metric,server,value. */
    public synchronized String csv() {
        StringBuilder sb = new StringBuilder("round,metric,server,value\n");
        for (Sample s : samples) {
            sb.append(s.round).append(',').append(s.metric.id()).append(',').append(s.server.id).append(',')
                    .append(s.value).append('\n');
        }
        return sb.toString();
    }
}
