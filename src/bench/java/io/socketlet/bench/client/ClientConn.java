package io.socketlet.bench.client;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One client connection of the load generator: raw RFC 6455 framing over a non-blocking
 * {@link SocketChannel}, driven by a {@link ClientLoop}. Frames are masked with a fresh key each;
 * input is parsed incrementally and payload handed to the {@link Receiver} piece by piece, so a
 * 1 MiB echo is verified as it streams in without being buffered. permessage-deflate messages
 * (RSV1) are gathered, inflated, then handed over whole.
 *
 * <p>In raw mode (the plain TCP echo server) nothing is parsed: the bytes that come back must be
 * exactly the bytes that were sent, and are compared with them in order.
 *
 * <p>Not thread-safe: one loop thread owns it after the handshake.
 */
public final class ClientConn {

    /** What a scenario does with what arrives. */
    public interface Receiver {
        /**
         * A piece of a data message (already inflated if it was compressed). {@code offset} is the
         * piece's place in the message; {@code last} marks the message's final piece (which may
         * be empty). The buffer is valid only during the call.
         */
        void onData(ClientConn conn, boolean text, ByteBuffer piece, long offset, boolean last);

        /** Raw mode: {@code count} whole sent messages came back byte for byte. */
        default void onRawEchoed(ClientConn conn, int count) {
            throw new IllegalStateException("raw echo not expected");
        }
    }

    /** A failed check: the run stops and reports it. */
    public static final class VerifyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public VerifyException(String message) {
            super(message);
        }
    }

    private static final int STAGING = 64 * 1024;
    private static final byte[] DEFLATE_TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

    public int id;
    final SocketChannel channel;
    SelectionKey key;
    private final boolean raw;
    private Receiver receiver;

    // ---- output ----
    private ByteBuffer staging;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[16];
    private int maskState;

    // ---- input (WebSocket mode) ----
    private ByteBuffer leftover;
    private final byte[] header = new byte[14];
    private int headerHave;
    private long payloadLeft = -1;
    private int opcode;
    private boolean fin;
    private boolean inMessage;
    private boolean messageText;
    private boolean messageCompressed;
    private long messageOffset;
    private final byte[] control = new byte[125];
    private int controlLength;
    private boolean closeReceived;
    private boolean closeSent;

    // ---- permessage-deflate ----
    private final Deflater deflater;
    private final Inflater inflater;
    private final boolean resetDeflater;
    private final boolean resetInflater;
    private byte[] compressed = new byte[256];
    private int compressedLength;
    private byte[] inflated = new byte[256];
    private byte[] deflateOut = new byte[256];

    // ---- input (raw mode): what was sent and must come back ----
    private final ArrayDeque<ByteBuffer> expected;
    private final ArrayDeque<Boolean> endsMessage;

    ClientConn(int id, SocketChannel channel, ByteBuffer leftover, boolean raw, Handshake.Deflate deflate) throws IOException {
        this.id = id;
        this.channel = channel;
        this.raw = raw;
        this.leftover = leftover != null && leftover.hasRemaining() ? leftover : null;
        this.maskState = 0x9E3779B9 * (id + 1);
        if (deflate != null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            inflater = new Inflater(true);
            resetDeflater = deflate.clientNoContextTakeover();
            resetInflater = deflate.serverNoContextTakeover();
        } else {
            deflater = null;
            inflater = null;
            resetDeflater = false;
            resetInflater = false;
        }
        expected = raw ? new ArrayDeque<>() : null;
        endsMessage = raw ? new ArrayDeque<>() : null;
        channel.configureBlocking(false);
    }

    /** Gives the connection a new id (its place among several batches of connections). */
    ClientConn renumbered(int newId) {
        this.id = newId;
        return this;
    }

    public void receiver(Receiver receiver) {
        this.receiver = receiver;
    }

    public boolean isRaw() {
        return raw;
    }

    public boolean closeReceived() {
        return closeReceived;
    }

    /** Bytes waiting to be written (not counting the staging buffer). */
    public boolean hasPendingOutput() {
        return !pending.isEmpty() || (staging != null && staging.position() > 0);
    }

    // ================= output =================

    private int nextMask() {
        // xorshift32: cheap, and a different key for every frame as RFC 6455 asks
        int x = maskState;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        maskState = x;
        return x;
    }

    private ByteBuffer staging(int need) {
        if (staging == null) {
            staging = ByteBuffer.allocateDirect(STAGING);
        }
        if (staging.remaining() < need) {
            stageOut();
            if (staging.remaining() < need) {
                throw new IllegalArgumentException("frame of " + need + " bytes does not fit the staging buffer");
            }
        }
        return staging;
    }

    /** Queues a masked frame with this payload (copied). The frame leaves on the next {@link #flush}. */
    public void sendFrame(int opcode, byte[] payload, int off, int len) {
        sendFrame(opcode, false, payload, off, len);
    }

    private void sendFrame(int opcode, boolean rsv1, byte[] payload, int off, int len) {
        int headerLength = len < 126 ? 6 : len <= 0xffff ? 8 : 14;
        ByteBuffer out = staging(headerLength + len);
        int start = out.position();
        out.put((byte) (0x80 | (rsv1 ? 0x40 : 0) | opcode));
        if (len < 126) {
            out.put((byte) (0x80 | len));
        } else if (len <= 0xffff) {
            out.put((byte) (0x80 | 126)).putShort((short) len);
        } else {
            out.put((byte) (0x80 | 127)).putLong(len);
        }
        int mask = nextMask();
        out.putInt(mask);
        for (int i = 0; i < len; i++) {
            out.put((byte) (payload[off + i] ^ (mask >>> (24 - ((i & 3) << 3)))));
        }
        if (raw) {
            ByteBuffer copy = ByteBuffer.allocate(out.position() - start);
            copy.put(out.duplicate().flip().position(start)).flip();
            expect(copy, true);
        }
    }

    /** Queues a text message, compressed when permessage-deflate was agreed. */
    public void sendText(byte[] utf8, int len) {
        if (deflater != null) {
            int n = deflate(utf8, len);
            sendFrame(0x1, true, deflateOut, 0, n);
        } else {
            sendFrame(0x1, false, utf8, 0, len);
        }
    }

    private int deflate(byte[] data, int len) {
        if (resetDeflater) {
            deflater.reset();
        }
        deflater.setInput(data, 0, len);
        int n = 0;
        while (true) {
            if (n == deflateOut.length) {
                deflateOut = java.util.Arrays.copyOf(deflateOut, n * 2);
            }
            int got = deflater.deflate(deflateOut, n, deflateOut.length - n, Deflater.SYNC_FLUSH);
            n += got;
            if (n < deflateOut.length && deflater.needsInput()) {
                break;
            }
        }
        // RFC 7692 7.2.1: drop the 4-byte 00 00 ff ff tail of the sync flush
        if (n < 4 || deflateOut[n - 4] != 0 || deflateOut[n - 3] != 0 || deflateOut[n - 2] != (byte) 0xff || deflateOut[n - 1] != (byte) 0xff) {
            throw new IllegalStateException("deflate output does not end with a sync flush");
        }
        return n - 4;
    }

    /**
     * Queues a large binary message whose payload is {@code prefix} (8 bytes, masked here)
     * followed by the template's bytes from 8 on, already masked with the template's key.
     */
    public void sendPremasked(MaskedTemplate template, int keyIndex, byte[] prefix) {
        int len = template.length();
        int mask = template.key(keyIndex);
        ByteBuffer head = ByteBuffer.allocate(14 + 8);
        head.put((byte) 0x82);
        if (len < 126) {
            head.put((byte) (0x80 | len));
        } else if (len <= 0xffff) {
            head.put((byte) (0x80 | 126)).putShort((short) len);
        } else {
            head.put((byte) (0x80 | 127)).putLong(len);
        }
        head.putInt(mask);
        for (int i = 0; i < 8; i++) {
            head.put((byte) (prefix[i] ^ (mask >>> (24 - ((i & 3) << 3)))));
        }
        head.flip();
        stageOut();
        ByteBuffer body = template.masked(keyIndex);
        pending.add(head);
        pending.add(body);
        if (raw) {
            expect(head.duplicate(), false);
            expect(body.duplicate(), true);
        }
    }

    /** Queues raw bytes (raw mode: the TCP echo), which must come back unchanged. */
    public void sendRaw(ByteBuffer bytes) {
        stageOut();
        pending.add(bytes.duplicate());
        if (raw) {
            expect(bytes.duplicate(), true);
        }
    }

    /** Queues a close frame with status 1000. */
    public void sendClose() {
        if (!closeSent && !raw) {
            closeSent = true;
            sendFrame(0x8, new byte[] {0x03, (byte) 0xe8}, 0, 2);
        }
    }

    private void expect(ByteBuffer bytes, boolean messageEnd) {
        expected.add(bytes);
        endsMessage.add(messageEnd);
    }

    /** Moves what is staged behind the pending buffers. */
    private void stageOut() {
        if (staging == null || staging.position() == 0) {
            return;
        }
        staging.flip();
        if (pending.isEmpty()) {
            // Usual case: nothing waits, so the staged frames are written now and the buffer reused.
            try {
                channel.write(staging);
            } catch (IOException e) {
                throw new VerifyException("conn " + id + ": write failed: " + e);
            }
        }
        if (staging.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocateDirect(staging.remaining());
            copy.put(staging).flip();
            pending.add(copy);
        }
        staging.clear();
    }

    /** Writes what it can; asks the loop for OP_WRITE if something is left. */
    public void flush() {
        stageOut();
        try {
            while (!pending.isEmpty()) {
                int n = 0;
                for (ByteBuffer b : pending) {
                    gather[n++] = b;
                    if (n == gather.length) {
                        break;
                    }
                }
                long wrote = channel.write(gather, 0, n);
                while (!pending.isEmpty() && !pending.peek().hasRemaining()) {
                    pending.poll();
                }
                java.util.Arrays.fill(gather, null);
                if (wrote == 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new VerifyException("conn " + id + ": write failed: " + e);
        }
        if (key != null && key.isValid()) {
            int ops = pending.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE;
            if (key.interestOps() != ops) {
                key.interestOps(ops);
            }
        }
    }

    // ================= input =================

    /** Reads and handles whatever is available; returns false at end of stream. */
    boolean read(ByteBuffer buffer) throws IOException {
        if (leftover != null) {
            ByteBuffer l = leftover;
            leftover = null;
            consume(l);
        }
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                return false;
            }
            if (n == 0) {
                return true;
            }
            buffer.flip();
            consume(buffer);
            if (n < buffer.capacity()) {
                return true;
            }
        }
    }

    /** Handles bytes that came with the handshake response, if any. */
    void consumeLeftover() {
        if (leftover != null) {
            ByteBuffer l = leftover;
            leftover = null;
            consume(l);
        }
    }

    private void consume(ByteBuffer in) {
        if (raw) {
            consumeRaw(in);
            return;
        }
        while (in.hasRemaining()) {
            if (payloadLeft < 0) {
                if (!readHeader(in)) {
                    return;
                }
                continue;
            }
            int n = (int) Math.min(payloadLeft, in.remaining());
            ByteBuffer piece = in.slice(in.position(), n);
            in.position(in.position() + n);
            payloadLeft -= n;
            payload(piece, payloadLeft == 0);
            if (payloadLeft == 0) {
                payloadLeft = -1;
            }
        }
    }

    /** Collects header bytes; returns false when the buffer ran out first. */
    private boolean readHeader(ByteBuffer in) {
        while (headerHave < 2) {
            if (!in.hasRemaining()) {
                return false;
            }
            header[headerHave++] = in.get();
        }
        int b0 = header[0] & 0xff;
        int b1 = header[1] & 0xff;
        if ((b1 & 0x80) != 0) {
            throw new VerifyException("conn " + id + ": server frame is masked");
        }
        int len7 = b1 & 0x7f;
        int need = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        while (headerHave < need) {
            if (!in.hasRemaining()) {
                return false;
            }
            header[headerHave++] = in.get();
        }
        long length = len7 == 126 ? ((header[2] & 0xff) << 8) | (header[3] & 0xff)
                : len7 == 127 ? ByteBuffer.wrap(header, 2, 8).getLong() : len7;
        headerHave = 0;
        fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        opcode = b0 & 0x0f;
        if ((b0 & 0x30) != 0) {
            throw new VerifyException("conn " + id + ": RSV2/RSV3 set by the server");
        }
        if (opcode >= 0x8) {
            if (!fin || length > 125 || rsv1) {
                throw new VerifyException("conn " + id + ": bad control frame");
            }
            controlLength = 0;
        } else if (opcode == 0) {
            if (!inMessage || rsv1) {
                throw new VerifyException("conn " + id + ": unexpected continuation frame");
            }
        } else if (opcode == 0x1 || opcode == 0x2) {
            if (inMessage) {
                throw new VerifyException("conn " + id + ": new message inside a fragmented one");
            }
            if (rsv1 && inflater == null) {
                throw new VerifyException("conn " + id + ": RSV1 without permessage-deflate");
            }
            inMessage = true;
            messageText = opcode == 0x1;
            messageCompressed = rsv1;
            messageOffset = 0;
            compressedLength = 0;
        } else {
            throw new VerifyException("conn " + id + ": reserved opcode " + opcode);
        }
        payloadLeft = length;
        if (length == 0) {
            payloadLeft = -1;
            payload(ByteBuffer.allocate(0), true);
        }
        return true;
    }

    private void payload(ByteBuffer piece, boolean frameEnd) {
        if (opcode >= 0x8) {
            int n = piece.remaining();
            piece.get(control, controlLength, n);
            controlLength += n;
            if (frameEnd) {
                controlFrame();
            }
            return;
        }
        boolean messageEnd = frameEnd && fin;
        if (messageCompressed) {
            int n = piece.remaining();
            if (compressedLength + n + 4 > compressed.length) {
                compressed = java.util.Arrays.copyOf(compressed, Math.max(compressed.length * 2, compressedLength + n + 4));
            }
            piece.get(compressed, compressedLength, n);
            compressedLength += n;
            if (messageEnd) {
                inMessage = false;
                int len = inflate();
                receiver.onData(this, messageText, ByteBuffer.wrap(inflated, 0, len), 0, true);
            }
            return;
        }
        long offset = messageOffset;
        messageOffset += piece.remaining();
        if (messageEnd) {
            inMessage = false;
        }
        receiver.onData(this, messageText, piece, offset, messageEnd);
    }

    private int inflate() {
        System.arraycopy(DEFLATE_TAIL, 0, compressed, compressedLength, 4);
        inflater.setInput(compressed, 0, compressedLength + 4);
        int n = 0;
        try {
            while (true) {
                if (n == inflated.length) {
                    inflated = java.util.Arrays.copyOf(inflated, n * 2);
                }
                int got = inflater.inflate(inflated, n, inflated.length - n);
                n += got;
                if (got == 0 && (inflater.needsInput() || inflater.finished())) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new VerifyException("conn " + id + ": bad deflate data: " + e.getMessage());
        }
        if (resetInflater) {
            inflater.reset();
        }
        return n;
    }

    private void controlFrame() {
        switch (opcode) {
            case 0x9 -> sendFrame(0xA, control, 0, controlLength); // ping: answer with the same payload
            case 0xA -> { } // unsolicited pong: ignored
            case 0x8 -> {
                if (!closeSent) {
                    int code = controlLength >= 2 ? ((control[0] & 0xff) << 8) | (control[1] & 0xff) : 1005;
                    throw new VerifyException("conn " + id + ": server closed the connection with " + code
                            + (controlLength > 2 ? " " + new String(control, 2, controlLength - 2, java.nio.charset.StandardCharsets.UTF_8) : ""));
                }
                closeReceived = true;
            }
            default -> throw new VerifyException("conn " + id + ": reserved control opcode " + opcode);
        }
    }

    private void consumeRaw(ByteBuffer in) {
        int messages = 0;
        while (in.hasRemaining()) {
            ByteBuffer want = expected.peek();
            if (want == null) {
                throw new VerifyException("conn " + id + ": " + in.remaining() + " bytes echoed that were never sent");
            }
            int n = Math.min(want.remaining(), in.remaining());
            if (in.slice(in.position(), n).mismatch(want.slice(want.position(), n)) >= 0) {
                throw new VerifyException("conn " + id + ": echoed bytes differ from the bytes sent");
            }
            in.position(in.position() + n);
            want.position(want.position() + n);
            if (!want.hasRemaining()) {
                expected.poll();
                if (endsMessage.poll()) {
                    messages++;
                }
            }
        }
        if (messages > 0) {
            receiver.onRawEchoed(this, messages);
        }
    }

    /** Closes the socket at once (RST: no TIME_WAIT left behind on this side). */
    public void abort() {
        try {
            if (channel.isOpen()) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                channel.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        if (deflater != null) {
            deflater.end();
            inflater.end();
        }
    }
}
