package io.socketlet.bench.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.function.BooleanSupplier;

/**
 * The client's event loop: one thread, one selector, every connection of a scenario. A
 * connection is read until the socket is empty, what the receivers queued is then written in one
 * go (small echoes batch naturally), and a connection whose socket is full waits for OP_WRITE.
 */
public final class ClientLoop implements AutoCloseable {

    private final Selector selector;
    private final ByteBuffer readBuffer;

    public ClientLoop(int readBufferBytes) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        readBuffer = ByteBuffer.allocateDirect(readBufferBytes);
    }

    /** Adds a connection (its receiver set) and handles bytes that came with its handshake response. */
    public void register(ClientConn conn) {
        try {
            conn.key = conn.channel.register(selector, SelectionKey.OP_READ, conn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        conn.consumeLeftover();
        conn.flush();
    }

    /**
     * Runs until {@code done} answers true (checked after every round of events) or the deadline
     * passes. Returns whether {@code done} was reached.
     *
     * @throws ClientConn.VerifyException on any wrong byte, unexpected close or I/O error
     */
    public boolean runUntil(BooleanSupplier done, long deadlineNanos) {
        while (!done.getAsBoolean()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                selector.select(Math.max(1, Math.min(10, left / 1_000_000)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                ClientConn conn = (ClientConn) key.attachment();
                if (!key.isValid()) {
                    continue;
                }
                try {
                    if (key.isReadable()) {
                        if (!conn.read(readBuffer)) {
                            key.cancel();
                            if (!conn.closeReceived()) {
                                throw new ClientConn.VerifyException("conn " + conn.id + ": server closed the socket unexpectedly");
                            }
                            continue;
                        }
                    }
                    conn.flush();
                } catch (IOException e) {
                    key.cancel();
                    if (!conn.closeReceived()) {
                        throw new ClientConn.VerifyException("conn " + conn.id + ": " + e);
                    }
                }
            }
        }
        return true;
    }

    /** Runs for a while, handling whatever comes. */
    public void runFor(long nanos) {
        runUntil(() -> false, System.nanoTime() + nanos);
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
