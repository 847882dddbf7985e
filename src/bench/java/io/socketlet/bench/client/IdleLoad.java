package io.socketlet.bench.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Many connections that do nothing: opened (handshake done), held while the server's memory and
 * threads are measured, then proved alive with one verified echo each, then dropped.
 */
public final class IdleLoad implements AutoCloseable {

    private static final int SIZE = 32;

    private final List<ClientConn> conns = new java.util.ArrayList<>();
    private final InetSocketAddress address;
    private final String path;
    private final boolean raw;
    private String error;

    private IdleLoad(InetSocketAddress address, String path, boolean raw) {
        this.address = address;
        this.path = path;
        this.raw = raw;
    }

    public static IdleLoad open(InetSocketAddress address, boolean raw, String path, int count, long deadlineNanos) {
        IdleLoad load = new IdleLoad(address, path, raw);
        load.add(count, deadlineNanos);
        return load;
    }

    /** Opens {@code count} more connections (unless an earlier step failed); returns whether all opened. */
    public boolean add(int count, long deadlineNanos) {
        if (error != null) {
            return false;
        }
        Connector.Opened opened = Connector.open(address, path, raw, false, count, Connector.THREADS, deadlineNanos);
        int base = conns.size();
        for (ClientConn c : opened.connections()) {
            conns.add(c.renumbered(base + c.id));
        }
        error = opened.error();
        return error == null;
    }

    /** How many connections are open. */
    public int count() {
        return conns.size();
    }

    /** Why fewer than asked were opened, or null. */
    public String error() {
        return error;
    }

    /** Sends one 32-byte text message on every connection and checks every echo. */
    public void verifyAll(long deadlineNanos) {
        int[] done = {0};
        byte[] out = new byte[SIZE];
        byte[][] expected = new byte[1][SIZE];
        ClientConn.Receiver receiver = new ClientConn.Receiver() {
            @Override
            public void onData(ClientConn c, boolean text, ByteBuffer piece, long offset, boolean last) {
                Payloads.text(expected[0], 'i', c.id, 7);
                int n = piece.remaining();
                if (!text || offset + n > SIZE || piece.mismatch(ByteBuffer.wrap(expected[0], (int) offset, n)) >= 0) {
                    throw new ClientConn.VerifyException("idle conn " + c.id + ": wrong echo");
                }
                if (last) {
                    done[0]++;
                }
            }

            @Override
            public void onRawEchoed(ClientConn c, int count) {
                done[0] += count;
            }
        };
        try (ClientLoop loop = new ClientLoop(64 * 1024)) {
            for (ClientConn c : conns) {
                c.receiver(receiver);
                loop.register(c);
                Payloads.text(out, 'i', c.id, 7);
                c.sendText(out, SIZE);
                c.flush();
            }
            if (!loop.runUntil(() -> done[0] == conns.size(), deadlineNanos)) {
                throw new ClientConn.VerifyException("only " + done[0] + " of " + conns.size() + " idle connections echoed");
            }
        }
    }

    public boolean isRaw() {
        return raw;
    }

    @Override
    public void close() {
        Connector.abortAll(conns);
    }
}
