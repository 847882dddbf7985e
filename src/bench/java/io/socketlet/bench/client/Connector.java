package io.socketlet.bench.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Opens many connections with a few threads doing blocking handshakes, within a deadline. */
public final class Connector {

    /** What was opened, in id order, and why it stopped early if it did. */
    public record Opened(List<ClientConn> connections, String error) {
    }

    /** Threads doing handshakes at once when many connections are opened. */
    public static final int THREADS = 16;

    private Connector() {
    }

    public static Opened open(InetSocketAddress address, String path, boolean raw, boolean deflate, int count, int threads,
                              long deadlineNanos) {
        ClientConn[] conns = new ClientConn[count];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> error = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "connector");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int i;
                while (error.get() == null && (i = next.getAndIncrement()) < count) {
                    if (System.nanoTime() > deadlineNanos) {
                        error.compareAndSet(null, "connecting took too long: deadline passed");
                        return;
                    }
                    try {
                        conns[i] = raw ? Handshake.openRaw(i, address) : Handshake.open(i, address, path, deflate);
                    } catch (IOException | RuntimeException e) {
                        error.compareAndSet(null, "connection " + i + ": " + e);
                    }
                }
            }));
        }
        pool.shutdown();
        try {
            pool.awaitTermination(Math.max(1, deadlineNanos - System.nanoTime()) + 5_000_000_000L, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
        List<ClientConn> list = new ArrayList<>();
        for (ClientConn c : conns) {
            if (c != null) {
                list.add(c);
            }
        }
        if (error.get() == null && list.size() < count) {
            error.set("only " + list.size() + " of " + count + " connections opened");
        }
        return new Opened(list, error.get());
    }

    /** Closes every connection at once (RST). */
    public static void abortAll(List<ClientConn> conns) {
        for (ClientConn c : conns) {
            c.abort();
        }
    }
}
