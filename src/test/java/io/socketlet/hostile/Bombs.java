package io.socketlet.hostile;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Decompression bombs for permessage-deflate, built cheaply. */
final class Bombs {

    private static final int MIB = 1 << 20;

    private Bombs() {
    }

    /**
     * A raw deflate stream (RFC 7692 message payload: sync-flushed, without the 00 00 FF FF tail)
     * that inflates to {@code mebibytes} MiB of zeros. Deflating 1 GiB would take seconds, so one
     * MiB of zeros is deflated and sync-flushed, and the block a further MiB gives (the same
     * bytes each time, since the window holds only zeros) is repeated. About 1 KiB per MiB.
     */
    static byte[] zeros(int mebibytes) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            byte[] zeros = new byte[MIB];
            byte[] first = flushChunk(d, zeros);
            byte[] second = flushChunk(d, zeros);
            byte[] third = flushChunk(d, zeros);
            if (!Arrays.equals(second, third)) {
                throw new AssertionError("deflate blocks of zeros differ; cannot repeat them");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + second.length * mebibytes);
            out.writeBytes(first);
            for (int i = 1; i < mebibytes; i++) {
                out.writeBytes(second);
            }
            byte[] all = out.toByteArray();
            return Arrays.copyOf(all, all.length - 4); // every chunk ends 00 00 FF FF: drop the last tail
        } finally {
            d.end();
        }
    }

    private static byte[] flushChunk(Deflater d, byte[] data) {
        d.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        while (true) {
            int n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
            if (n < buf.length && d.needsInput()) {
                break;
            }
        }
        return out.toByteArray();
    }

    /** How many bytes the payload inflates to (with the RFC 7692 tail appended), counted in a small buffer. */
    static long inflatedSize(byte[] payload) throws DataFormatException {
        Inflater inf = new Inflater(true);
        try {
            byte[] input = Arrays.copyOf(payload, payload.length + 4);
            input[input.length - 2] = (byte) 0xff;
            input[input.length - 1] = (byte) 0xff;
            inf.setInput(input);
            byte[] buf = new byte[1 << 16];
            long total = 0;
            while (true) {
                int n = inf.inflate(buf);
                total += n;
                if (n == 0 && (inf.needsInput() || inf.finished())) {
                    return total;
                }
            }
        } finally {
            inf.end();
        }
    }
}
