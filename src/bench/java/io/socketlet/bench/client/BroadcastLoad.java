package io.socketlet.bench.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Broadcast delivery time: N connections on the server's broadcast endpoint; connection 0 sends a
 * 32-byte text message, the server sends it to every connection (the sender too), and for each
 * connection the time from the send to the moment the client has read and checked its copy is
 * recorded. One broadcast at a time, the next after all N copies arrived and a short pause.
 * The client reads all N sockets on one thread, so its own reading is part of every figure,
 * alike for every server.
 */
public final class BroadcastLoad {

    private static final int SIZE = 32;

    public record Result(int connections, int broadcasts, long deliveries, double p50Millis, double p99Millis, double maxMillis) {
    }

    private final byte[] current = new byte[SIZE];
    private byte[][] pieces;
    private long sentAt;
    private int got;
    private long[] latencies;
    private int recorded;
    private boolean recording;

    public static Result run(InetSocketAddress address, String path, int count, int warmups, int measured, long deadlineNanos) {
        return new BroadcastLoad().go(address, path, count, warmups, measured, deadlineNanos);
    }

    private Result go(InetSocketAddress address, String path, int count, int warmups, int measured, long deadlineNanos) {
        Connector.Opened opened = Connector.open(address, path, false, false, count, Connector.THREADS, deadlineNanos);
        List<ClientConn> conns = opened.connections();
        try {
            if (opened.error() != null) {
                throw new ClientConn.VerifyException(opened.error());
            }
            pieces = new byte[count][SIZE];
            latencies = new long[count * measured];
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
                    if (recording) {
                        latencies[recorded++] = System.nanoTime() - sentAt;
                    }
                    got++;
                }
            };
            try (ClientLoop loop = new ClientLoop(256 * 1024)) {
                for (ClientConn c : conns) {
                    c.receiver(receiver);
                    loop.register(c);
                }
                // The last handshakes' sessions may still be joining the server's set.
                loop.runFor(500_000_000L);
                ClientConn sender = conns.get(0);
                for (int b = 0; b < warmups + measured; b++) {
                    recording = b >= warmups;
                    got = 0;
                    Payloads.text(current, 'b', 0, b);
                    sentAt = System.nanoTime();
                    sender.sendText(current, SIZE);
                    sender.flush();
                    if (!loop.runUntil(() -> got == count, Math.min(deadlineNanos, System.nanoTime() + 20_000_000_000L))) {
                        throw new ClientConn.VerifyException("broadcast " + b + " reached " + got + " of " + count + " connections");
                    }
                    loop.runFor(50_000_000L);
                }
            }
            long[] sorted = Arrays.copyOf(latencies, recorded);
            Arrays.sort(sorted);
            return new Result(count, measured, recorded, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                    sorted[sorted.length - 1] / 1e6);
        } finally {
            Connector.abortAll(conns);
        }
    }

    static double percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
