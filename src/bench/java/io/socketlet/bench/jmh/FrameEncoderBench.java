package io.socketlet.bench.jmh;

import io.socketlet.internal.protocol.FrameEncoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** {@link FrameEncoder}: a 32-character text message and a 64 KiB binary message into server frames. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameEncoderBench {

    @State(Scope.Thread)
    public static class SmallText {
        @Param({"32"})
        public int size;
        String text;
        final FrameEncoder encoder = new FrameEncoder();

        @Setup
        public void setup() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < size; i++) {
                sb.append((char) ('a' + i % 26));
            }
            text = sb.toString();
        }
    }

    @State(Scope.Thread)
    public static class LargeBinary {
        @Param({"65536"})
        public int size;
        ByteBuffer data;
        final FrameEncoder encoder = new FrameEncoder();

        @Setup
        public void setup() {
            byte[] bytes = new byte[size];
            new java.util.Random(1).nextBytes(bytes);
            data = ByteBuffer.wrap(bytes);
        }
    }

    @Benchmark
    public ByteBuffer[] smallText(SmallText s) {
        return s.encoder.text(s.text);
    }

    @Benchmark
    public ByteBuffer[] largeBinary(LargeBinary s) {
        return s.encoder.binary(s.data);
    }
}
