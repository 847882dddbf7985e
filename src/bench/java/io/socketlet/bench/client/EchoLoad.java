package io.socketlet.bench.client;

import io.socketlet.bench.ProcStats;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Echo throughput: {@code connections} connections each keep {@code inFlight} messages on the
 * way; each verified echo sends the next message on that connection. Every echoed byte is
 * compared with what was sent. Counts the messages echoed during the measured window, after a
 * warm-up, then lets every message in flight come back and closes each connection with a close
 * handshake.
 */
public final class EchoLoad {

    /** One echo scenario. Text messages are made whole per message; binary ones come from a masked template. */
    public record Spec(String name, String path, boolean text, int size, int connections, int inFlight, boolean deflate) {
    }

    public record Result(long messages, double seconds, ProcStats.CpuUse cpu) {
        public double messagesPerSecond() {
            return messages / seconds;
        }
    }

    private final Spec spec;
    private final boolean raw;
    private final long[] sent;
    private final long[] received;
    private final byte[][] expectedText;
    private final byte[][] expectedPrefix;
    private final byte[] outText;
    private final byte[] outPrefix = new byte[MaskedTemplate.PREFIX];
    private final MaskedTemplate template;
    private boolean sending = true;
    private long completed;

    private EchoLoad(Spec spec, boolean raw, MaskedTemplate template) {
        this.spec = spec;
        this.raw = raw;
        this.template = template;
        sent = new long[spec.connections()];
        received = new long[spec.connections()];
        expectedText = spec.text() ? new byte[spec.connections()][spec.size()] : null;
        expectedPrefix = spec.text() ? null : new byte[spec.connections()][MaskedTemplate.PREFIX];
        outText = spec.text() ? new byte[spec.size()] : null;
    }

    /**
     * Runs one scenario against a server.
     *
     * @param raw the server is the plain TCP echo: frames come back exactly as sent
     * @param templates a cache of large payloads, so they are made once per run
     */
    public static Result run(InetSocketAddress address, boolean raw, Spec spec, long serverPid, double warmupSeconds,
                             double measureSeconds, java.util.Map<Integer, MaskedTemplate> templates) {
        MaskedTemplate template = spec.text() ? null
                : templates.computeIfAbsent(spec.size(), size -> new MaskedTemplate(size, 42L + size));
        EchoLoad load = new EchoLoad(spec, raw, template);
        return load.run(address, serverPid, warmupSeconds, measureSeconds);
    }

    private Result run(InetSocketAddress address, long serverPid, double warmupSeconds, double measureSeconds) {
        Connector.Opened opened = Connector.open(address, spec.path(), raw, spec.deflate() && !raw, spec.connections(),
                Math.min(4, spec.connections()), System.nanoTime() + 30_000_000_000L);
        List<ClientConn> conns = opened.connections();
        if (opened.error() != null) {
            Connector.abortAll(conns);
            throw new ClientConn.VerifyException(opened.error());
        }
        ClientConn.Receiver receiver = new Receiver();
        try (ClientLoop loop = new ClientLoop(spec.size() > 4096 ? 1 << 20 : 256 * 1024)) {
            for (ClientConn c : conns) {
                c.receiver(receiver);
                loop.register(c);
            }
            for (ClientConn c : conns) {
                for (int k = 0; k < spec.inFlight(); k++) {
                    sendNext(c);
                }
                c.flush();
            }
            loop.runFor((long) (warmupSeconds * 1e9));
            ProcStats.CpuSnapshot before = ProcStats.CpuSnapshot.take(serverPid);
            long startCount = completed;
            loop.runFor((long) (measureSeconds * 1e9));
            long endCount = completed;
            ProcStats.CpuSnapshot after = ProcStats.CpuSnapshot.take(serverPid);
            sending = false;
            if (!loop.runUntil(this::allEchoed, System.nanoTime() + 20_000_000_000L)) {
                throw new ClientConn.VerifyException(spec.name() + ": echoes still missing 20 s after the last send");
            }
            if (!raw) {
                for (ClientConn c : conns) {
                    c.sendClose();
                    c.flush();
                }
                if (!loop.runUntil(() -> conns.stream().allMatch(ClientConn::closeReceived), System.nanoTime() + 5_000_000_000L)) {
                    throw new ClientConn.VerifyException(spec.name() + ": close handshake not answered within 5 s");
                }
            }
            ProcStats.CpuUse cpu = before.until(after);
            return new Result(endCount - startCount, cpu.seconds(), cpu);
        } finally {
            Connector.abortAll(conns);
        }
    }

    private boolean allEchoed() {
        for (int i = 0; i < sent.length; i++) {
            if (received[i] != sent[i]) {
                return false;
            }
        }
        return true;
    }

    private void sendNext(ClientConn c) {
        long seq = sent[c.id]++;
        if (spec.text()) {
            Payloads.text(outText, 'c', c.id, seq);
            c.sendText(outText, outText.length);
        } else {
            Payloads.prefix(outPrefix, c.id, seq);
            c.sendPremasked(template, (int) seq, outPrefix);
        }
    }

    private void messageDone(ClientConn c) {
        received[c.id]++;
        completed++;
        if (sending) {
            sendNext(c);
        }
    }

    private final class Receiver implements ClientConn.Receiver {
        @Override
        public void onData(ClientConn c, boolean text, ByteBuffer piece, long offset, boolean last) {
            int id = c.id;
            if (text != spec.text()) {
                throw new ClientConn.VerifyException("conn " + id + ": " + (text ? "text" : "binary") + " message echoed as the other kind");
            }
            int n = piece.remaining();
            if (offset + n > spec.size()) {
                throw new ClientConn.VerifyException("conn " + id + ": echo longer than the " + spec.size() + " bytes sent");
            }
            if (spec.text()) {
                byte[] exp = expectedText[id];
                if (offset == 0) {
                    Payloads.text(exp, 'c', id, received[id]);
                }
                if (piece.mismatch(ByteBuffer.wrap(exp, (int) offset, n)) >= 0) {
                    throw new ClientConn.VerifyException("conn " + id + ": echo of message " + received[id] + " differs from what was sent");
                }
            } else {
                checkBinary(id, piece, offset, n);
            }
            if (last) {
                if (offset + n != spec.size()) {
                    throw new ClientConn.VerifyException("conn " + id + ": echo of " + (offset + n) + " bytes, " + spec.size() + " sent");
                }
                messageDone(c);
            }
        }

        private void checkBinary(int id, ByteBuffer piece, long offset, int n) {
            byte[] prefix = expectedPrefix[id];
            if (offset == 0) {
                Payloads.prefix(prefix, id, received[id]);
            }
            int pos = piece.position();
            long off = offset;
            if (off < MaskedTemplate.PREFIX) {
                int k = (int) Math.min(MaskedTemplate.PREFIX - off, n);
                for (int i = 0; i < k; i++) {
                    if (piece.get(pos + i) != prefix[(int) off + i]) {
                        throw new ClientConn.VerifyException("conn " + id + ": echo of message " + received[id] + " has the wrong sequence number");
                    }
                }
                pos += k;
                off += k;
                n -= k;
            }
            if (n > 0 && piece.slice(pos, n).mismatch(template.plain(off, n)) >= 0) {
                throw new ClientConn.VerifyException("conn " + id + ": echoed bytes differ from the bytes sent");
            }
        }

        @Override
        public void onRawEchoed(ClientConn c, int count) {
            for (int i = 0; i < count; i++) {
                messageDone(c);
            }
        }
    }
}
