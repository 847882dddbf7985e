package io.socketlet.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.BothContainers;
import io.socketlet.it.ContainerKind;
import io.socketlet.it.ContainerPool;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import io.socketlet.internal.server.EndpointMetricsMXBean;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connect/close churn with every way a client can leave: a clean close handshake, FIN without a
 * close frame, FIN or RST in the middle of a frame, RST, a half-open socket (output shut down,
 * input still open), and FIN or RST right after sending the upgrade request. Afterwards the
 * endpoint MBean's open connections, the non-pool threads and the timer threads must be back to
 * their starting values within a few seconds, every accepted handshake must have been counted as
 * closed exactly once, and a client that stayed open all along must still be served.
 *
 * <p>{@link #CYCLES} is the 10,000 per container (about 1,100 per way of leaving), four
 * clients at a time: a few seconds per container on loopback.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChurnIT {

    static final int CYCLES = 10_000;
    private static final int PARALLEL = 4;

    @RegisterExtension
    static final ContainerPool SERVERS = ContainerPool.perKind("churn", d -> d
            .servlet("churn", Probe.class, "/churn", Map.of("pingInterval", "0", "closeTimeout", "1s")));

    /** Ways a client leaves. */
    enum Exit {
        CLEAN, FIN, FIN_MID_FRAME, RST, RST_MID_FRAME, HALF_OPEN, ECHO_THEN_FIN, FIN_IN_HANDSHAKE, RST_IN_HANDSHAKE
    }

    /** The first 7 bytes of a 20-byte masked text frame: header, mask, a little payload. */
    private static final byte[] HALF_FRAME = Arrays.copyOf(Frame.text("twenty bytes of text").bytes(), 9);

    @BothContainers
    void churnLeavesNothingBehind(ContainerKind kind) throws Exception {
        var server = SERVERS.get(kind);
        URI uri = server.ws("/churn"); // no id: the Probe keeps no record per churned connection
        EndpointMetricsMXBean m = HostileSupport.metrics(SERVERS.contextPath(kind), "churn");
        try (RawWebSocketClient sentinel = RawWebSocketClient.connect(URI.create(server.ws("/churn") + "?id=sentinel-" + kind))) {
            // Warm up, one way of leaving at a time (so the pools grow to their working size, and a
            // way of leaving that upsets the counters shows by name).
            Map<Exit, String> warmUp = new EnumMap<>(Exit.class);
            for (Exit exit : Exit.values()) {
                long a = m.getHandshakesAccepted();
                long c = HostileSupport.totalCloses(m);
                for (int i = 0; i < 10; i++) {
                    cycle(exit, server.port(), uri);
                }
                settle(m);
                warmUp.put(exit, "accepted +" + (m.getHandshakesAccepted() - a) + " closed +" + (HostileSupport.totalCloses(m) - c)
                        + " open " + m.getOpenConnections());
            }
            HostileSupport.awaitOrFail(Duration.ofSeconds(5), () -> m.getOpenConnections() == 1,
                    () -> "after warm-up: " + HostileSupport.describe(m) + "; per way of leaving: " + warmUp);

            settle(m);
            long accepted0 = m.getHandshakesAccepted();
            Map<String, Long> closes0 = m.getCloses();
            List<String> threads0 = HostileSupport.nonPoolThreads();
            List<String> timers0 = HostileSupport.threadsNamed("socketlet-timer");
            int allThreads0 = Thread.activeCount();

            long start = System.nanoTime();
            Map<Exit, Integer> upgraded = runCycles(server.port(), uri, CYCLES);
            long churnMs = HostileSupport.elapsedMs(start);

            HostileSupport.awaitOrFail(Duration.ofSeconds(5), () -> m.getOpenConnections() == 1,
                    () -> "open connections did not return to 1 (the sentinel) after churn: " + HostileSupport.describe(m));
            HostileSupport.awaitOrFail(Duration.ofSeconds(5),
                    () -> HostileSupport.nonPoolThreads().size() <= threads0.size(),
                    () -> "threads left after churn: before " + threads0 + "\nafter " + HostileSupport.nonPoolThreads());
            assertEquals(timers0, HostileSupport.threadsNamed("socketlet-timer"), "timer threads");
            sentinel.send(Frame.text("still served"));
            Frame.Received echo = sentinel.readOrEnd(Duration.ofSeconds(5));
            assertNotNull(echo, sentinel.transcript());
            assertEquals("still served", echo.text());

            // Counters: every accepted handshake ends in exactly one close, counted by its code.
            settle(m);
            long acceptedDelta = m.getHandshakesAccepted() - accepted0;
            long closedDelta = HostileSupport.totalCloses(m) - sum(closes0);
            Map<String, Long> closes = HostileSupport.delta(closes0, m.getCloses());
            int sawUpgrade = upgraded.values().stream().mapToInt(Integer::intValue).sum();
            System.out.println("[hostile] " + kind + " churn: " + CYCLES + " cycles in " + churnMs + " ms; upgrades seen "
                    + upgraded + "; accepted +" + acceptedDelta + "; closes " + closes + "; threads " + allThreads0 + " -> "
                    + Thread.activeCount() + " (non-pool " + threads0.size() + " -> " + HostileSupport.nonPoolThreads().size()
                    + "); warm-up per way of leaving: " + warmUp);
            assertTrue(acceptedDelta >= sawUpgrade && acceptedDelta <= CYCLES, "accepted +" + acceptedDelta + ", clients saw "
                    + sawUpgrade + " upgrades of " + CYCLES + " cycles");
            assertEquals((long) upgraded.get(Exit.CLEAN), closes.getOrDefault("1000", 0L),
                    "clean closes are 1000, the rest 1006: " + closes);
            assertTrue(closes.keySet().stream().allMatch(k -> k.equals("1000") || k.equals("1006")),
                    "only 1000 and 1006 expected: " + closes);
            assertEquals(acceptedDelta, closedDelta, "handshakes accepted vs connections closed over " + CYCLES
                    + " cycles (closes " + closes + "); per way of leaving, 10 cycles each: " + warmUp);
        }
    }

    /**
     * Waits until the counters stop moving for 300 ms (at most 3 s): a request whose client left
     * right after sending it may still be in the container's hands for a moment.
     */
    private static void settle(EndpointMetricsMXBean m) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        String last = "";
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            String now = m.getHandshakesAccepted() + " " + m.getCloses() + " " + m.getOpenConnections();
            if (!now.equals(last)) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(300)) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static long sum(Map<String, Long> counters) {
        return counters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Runs the cycles, the exits in turn, PARALLEL at a time; returns how many clients saw their 101, per exit. */
    private static Map<Exit, Integer> runCycles(int port, URI uri, int cycles) throws Exception {
        Exit[] exits = Exit.values();
        Map<Exit, AtomicInteger> upgraded = new EnumMap<>(Exit.class);
        for (Exit e : exits) {
            upgraded.put(e, new AtomicInteger());
        }
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
            Thread t = new Thread(r, "hostile-churn");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < PARALLEL; w++) {
                workers.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < cycles && problems.size() < 5) {
                        Exit exit = exits[i % exits.length];
                        try {
                            if (cycle(exit, port, uri)) {
                                upgraded.get(exit).incrementAndGet();
                            }
                        } catch (Exception | AssertionError e) {
                            problems.add(exit + " (cycle " + i + "): " + e);
                        }
                    }
                }));
            }
            for (Future<?> f : workers) {
                f.get(80, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(problems.isEmpty(), "churn cycles failed: " + problems);
        Map<Exit, Integer> out = new EnumMap<>(Exit.class);
        upgraded.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** One connection that leaves the given way; true if the client saw the 101. */
    private static boolean cycle(Exit exit, int port, URI uri) throws IOException {
        switch (exit) {
            case FIN_IN_HANDSHAKE, RST_IN_HANDSHAKE -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 3000);
                String request = RawWebSocketClient.upgradeRequest(uri, RawWebSocketClient.newKey(), List.of());
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                if (exit == Exit.RST_IN_HANDSHAKE) {
                    s.setSoLinger(true, 0);
                }
                s.close();
                return false;
            }
            default -> {
            }
        }
        RawWebSocketClient c = RawWebSocketClient.connect(uri);
        try {
            switch (exit) {
                case CLEAN -> {
                    c.send(Frame.close(1000, "bye"));
                    Frame.Received close = c.readUntilClose(Duration.ofSeconds(5));
                    if (close == null || close.closeCode() != 1000) {
                        throw new AssertionError("clean close answered with " + close + "\n" + c.transcript());
                    }
                    if (!c.tcpClosedWithin(Duration.ofSeconds(5))) {
                        throw new AssertionError("server kept TCP open after the close handshake\n" + c.transcript());
                    }
                }
                case FIN -> c.close();
                case FIN_MID_FRAME -> {
                    c.sendRaw(HALF_FRAME, 0);
                    c.close();
                }
                case RST -> {
                    c.resetConnection();
                }
                case RST_MID_FRAME -> {
                    c.sendRaw(HALF_FRAME, 0);
                    c.resetConnection();
                }
                case HALF_OPEN -> {
                    c.halfClose();
                    if (!c.tcpClosedWithin(Duration.ofSeconds(5))) {
                        throw new AssertionError("server kept a half-closed connection open for 5 s\n" + c.transcript());
                    }
                }
                case ECHO_THEN_FIN -> {
                    c.send(Frame.text("echo"));
                    Frame.Received echo = c.readOrEnd(Duration.ofSeconds(5));
                    if (echo == null || !"echo".equals(echo.text())) {
                        throw new AssertionError("no echo: " + echo + "\n" + c.transcript());
                    }
                    c.close();
                }
                default -> throw new IllegalStateException(exit.name());
            }
            return true;
        } finally {
            c.close();
        }
    }
}
