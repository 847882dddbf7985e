package io.socketlet.bench.jmh;

import io.socketlet.internal.protocol.CloseStatus;
import io.socketlet.internal.protocol.FrameDecoder;
import io.socketlet.internal.protocol.MessageListener;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * {@link FrameDecoder} on a whole masked client frame per operation, through to the message
 * delivered to the listener (unmask, UTF-8 check, String or ByteBuffer made): a 32-byte text
 * frame and a 64 KiB binary frame. The decoder unmasks in place, so the same bytes are decoded
 * again masked and unmasked in turn; the mask's bytes are all below 0x80, so ASCII text stays
 * ASCII both ways.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameDecoderBench {

    static final int MASK = 0x11223344;

    /** A masked client frame of this payload. */
    static byte[] frame(int opcode, byte[] payload) {
        int len = payload.length;
        int header = len < 126 ? 2 : len <= 0xffff ? 4 : 10;
        ByteBuffer b = ByteBuffer.allocate(header + 4 + len);
        b.put((byte) (0x80 | opcode));
        if (len < 126) {
            b.put((byte) (0x80 | len));
        } else if (len <= 0xffff) {
            b.put((byte) (0x80 | 126)).putShort((short) len);
        } else {
            b.put((byte) (0x80 | 127)).putLong(len);
        }
        b.putInt(MASK);
        for (int i = 0; i < len; i++) {
            b.put((byte) (payload[i] ^ (MASK >>> (24 - ((i & 3) << 3)))));
        }
        return b.array();
    }

    static MessageListener sink(Blackhole bh) {
        return new MessageListener() {
            @Override
            public void onText(String text) {
                bh.consume(text);
            }

            @Override
            public void onBinary(ByteBuffer data) {
                bh.consume(data);
            }

            @Override
            public void onPing(byte[] payload) {
                bh.consume(payload);
            }

            @Override
            public void onPong(byte[] payload) {
                bh.consume(payload);
            }

            @Override
            public void onClose(CloseStatus status) {
                throw new IllegalStateException("close");
            }
        };
    }

    @State(Scope.Thread)
    public static class SmallText {
        @Param({"32"})
        public int size;
        ByteBuffer input;
        FrameDecoder decoder;

        @Setup
        public void setup(Blackhole bh) {
            byte[] payload = new byte[size];
            for (int i = 0; i < size; i++) {
                payload[i] = (byte) ('a' + i % 26);
            }
            input = ByteBuffer.wrap(frame(0x1, payload));
            decoder = new FrameDecoder(1 << 20, 1 << 20, 100_000, sink(bh), null);
        }
    }

    @State(Scope.Thread)
    public static class LargeBinary {
        @Param({"65536"})
        public int size;
        ByteBuffer input;
        FrameDecoder decoder;

        @Setup
        public void setup(Blackhole bh) {
            byte[] payload = new byte[size];
            new java.util.Random(1).nextBytes(payload);
            input = ByteBuffer.wrap(frame(0x2, payload));
            decoder = new FrameDecoder(1 << 20, 1 << 20, 100_000, sink(bh), null);
        }
    }

    @Benchmark
    public void smallText(SmallText s) {
        s.input.clear();
        s.decoder.decode(s.input);
    }

    @Benchmark
    public void largeBinary(LargeBinary s) {
        s.input.clear();
        s.decoder.decode(s.input);
    }
}
