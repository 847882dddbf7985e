package io.socketlet.bench.client;

/** Message contents that can be made again from (connection, sequence) to check an echo. */
final class Payloads {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] FILLER = "socketlet-benchmark:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Payloads() {
    }

    /** ASCII text of {@code dst.length} bytes (at least 25): "c00042 s000000000000002a " then filler. */
    static void text(byte[] dst, char tag, int conn, long seq) {
        dst[0] = (byte) tag;
        for (int i = 5; i >= 1; i--) {
            dst[i] = (byte) ('0' + conn % 10);
            conn /= 10;
        }
        dst[6] = ' ';
        dst[7] = 's';
        for (int i = 0; i < 16; i++) {
            dst[8 + i] = HEX[(int) (seq >>> (60 - 4 * i)) & 0xf];
        }
        dst[24] = ' ';
        for (int i = 25; i < dst.length; i++) {
            dst[i] = FILLER[(i - 25) % FILLER.length];
        }
    }

    /** The 8-byte prefix of a large binary message: connection and sequence. */
    static void prefix(byte[] dst, int conn, long seq) {
        long v = ((long) conn << 40) ^ seq;
        for (int i = 0; i < 8; i++) {
            dst[i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
