package io.socketlet.bench.client;

import io.socketlet.bench.ProcStats;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Broadcast delivery: N connections on a broadcast endpoint, spread evenly over one or more
 * nodes (connection i on node i mod nodes); connection 0 (on the first node) sends a 32-byte text
 * message, the servers send it to every connection (the sender too), and for each connection the
 * time from the send to the moment the client has read and checked its copy is recorded. One
 * broadcast at a time, the next after all N copies arrived and a short pause. The client reads all
 * N sockets on one thread, so its own reading is part of every figure, alike for every server.
 *
 * <p>Modes: the first character of each broadcast message is its mode's tag, so one endpoint can
 * offer two ways of sending (socketlet's {@code /broadcast}: {@code b} encodes once with
 * {@code PreparedMessage}, {@code e} calls {@code sendText} per connection); with several modes
 * the broadcasts take turns, so the ways are measured interleaved on the same connections.
 *
 * <p>Besides the delivery times: the fan-out rate (N divided by the time until the last copy
 * arrived, median over the measured broadcasts) and the servers' CPU time per delivery (the
 * listed processes' user + system time over the measured broadcasts, pauses included, divided by
 * the deliveries; summed over each broadcast's own span, from the threads' nanosecond counters).
 */
public final class BroadcastLoad {

    private static final int SIZE = 32;

    /**
     * @param deliveriesPerSecond median over the broadcasts of N / (time until the last of the N copies arrived)
     * @param cpuMicrosPerDelivery CPU of the server processes (all nodes, and the broker if listed) per delivered copy
     */
    public record Result(int connections, int broadcasts, long deliveries, double p50Millis, double p99Millis, double maxMillis,
                        double deliveriesPerSecond, double cpuMicrosPerDelivery) {
    }

    private final byte[] current = new byte[SIZE];
    private byte[][] pieces;
    private long sentAt;
    private int got;
    private long lastAt;
    private long[] latencies;
    private int recorded;
    private boolean recording;

    /**
     * N connections spread over one or more nodes.
     *
     * @param modes one tag character per way of sending (see above), e.g. {@code "b"} or {@code "be"}
     * @param warmups, measured broadcasts per mode
     * @param cpuPids the processes whose CPU counts as the servers' (nodes, broker)
     * @param settleMillis how long the connections sit before the first broadcast (joins reaching every node)
     * @return one result per mode, in the order of {@code modes}
     */
    public static List<Result> run(List<InetSocketAddress> nodes, String path, int count, String modes, int warmups, int measured,
                                   long deadlineNanos, List<Long> cpuPids, long settleMillis) {
        return run(nodes, path, false, count, modes, warmups, measured, deadlineNanos, cpuPids, settleMillis);
    }

    /** The same, the connections offering permessage-deflate when {@code deflate} (the client inflates and checks every copy). */
    public static List<Result> run(List<InetSocketAddress> nodes, String path, boolean deflate, int count, String modes, int warmups,
                                   int measured, long deadlineNanos, List<Long> cpuPids, long settleMillis) {
        return new BroadcastLoad().go(nodes, path, deflate, count, modes, warmups, measured, deadlineNanos, cpuPids, settleMillis);
    }

    private List<Result> go(List<InetSocketAddress> nodes, String path, boolean deflate, int count, String modes, int warmups,
                            int measured, long deadlineNanos, List<Long> cpuPids, long settleMillis) {
        int kinds = modes.length();
        List<ClientConn> conns = new ArrayList<>();
        try {
            ClientConn[] byId = new ClientConn[count];
            for (int n = 0; n < nodes.size(); n++) {
                int here = count / nodes.size() + (n < count % nodes.size() ? 1 : 0);
                Connector.Opened opened = Connector.open(nodes.get(n), path, false, deflate, here, Connector.THREADS, deadlineNanos);
                for (ClientConn c : opened.connections()) {
                    byId[c.id * nodes.size() + n] = c.renumbered(c.id * nodes.size() + n);
                    conns.add(c);
                }
                if (opened.error() != null) {
                    throw new ClientConn.VerifyException("node " + (n + 1) + ": " + opened.error());
                }
            }
            pieces = new byte[count][SIZE];
            long[][] byMode = new long[kinds][count * measured];
            int[] recordedByMode = new int[kinds];
            long[][] completion = new long[kinds][measured];
            long[] cpuUsed = new long[kinds];
            ClientConn.Receiver receiver = (c, text, piece, offset, last) -> {
                int n = piece.remaining();
                if (!text || offset + n > SIZE) {
                    throw new ClientConn.VerifyException("broadcast conn " + c.id + ": wrong message");
                }
                piece.get(pieces[c.id], (int) offset, n);
                if (last) {
                    if (offset + n != SIZE || !Arrays.equals(pieces[c.id], current)) {
                        throw new ClientConn.VerifyException("broadcast conn " + c.id + ": got a message that was not the one broadcast");
                    }
                    long now = System.nanoTime();
                    if (recording) {
                        latencies[recorded++] = now - sentAt;
                    }
                    lastAt = now;
                    got++;
                }
            };
            try (ClientLoop loop = new ClientLoop(256 * 1024)) {
                for (ClientConn c : byId) {
                    c.receiver(receiver);
                    loop.register(c);
                }
                // The last handshakes' sessions may still be joining the server's set (or the room, on every node).
                loop.runFor(settleMillis * 1_000_000L);
                ClientConn sender = byId[0];
                for (int b = 0; b < (warmups + measured) * kinds; b++) {
                    int mode = b % kinds;
                    recording = b >= warmups * kinds;
                    latencies = byMode[mode];
                    recorded = recordedByMode[mode];
                    got = 0;
                    Payloads.text(current, modes.charAt(mode), 0, b);
                    long cpuBefore = recording ? cpuNanos(cpuPids) : 0;
                    sentAt = System.nanoTime();
                    sender.sendText(current, SIZE);
                    sender.flush();
                    if (!loop.runUntil(() -> got == count, Math.min(deadlineNanos, System.nanoTime() + 20_000_000_000L))) {
                        throw new ClientConn.VerifyException("broadcast " + b + " reached " + got + " of " + count + " connections");
                    }
                    if (recording) {
                        // Servers may still be finishing their loop's writes: a little later, the same for all.
                        loop.runFor(20_000_000L);
                        cpuUsed[mode] += cpuNanos(cpuPids) - cpuBefore;
                        completion[mode][b / kinds - warmups] = lastAt - sentAt;
                        recordedByMode[mode] = recorded;
                    }
                    loop.runFor(50_000_000L);
                }
            }
            List<Result> results = new ArrayList<>();
            for (int m = 0; m < kinds; m++) {
                long[] sorted = Arrays.copyOf(byMode[m], recordedByMode[m]);
                Arrays.sort(sorted);
                Arrays.sort(completion[m]);
                double rate = count / (percentile(completion[m], 0.50) / 1e9);
                double cpuSeconds = cpuUsed[m] / 1e9;
                results.add(new Result(count, measured, sorted.length, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                        sorted[sorted.length - 1] / 1e6, rate, cpuSeconds / sorted.length * 1e6));
            }
            return results;
        } finally {
            Connector.abortAll(conns);
        }
    }

    /** CPU nanoseconds of the processes' threads (exact, where /proc's 10 ms ticks would blur a 20 ms broadcast). */
    private static long cpuNanos(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            sum += Math.max(0, ProcStats.processCpuNanos(pid));
        }
        return sum;
    }

    static double percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
