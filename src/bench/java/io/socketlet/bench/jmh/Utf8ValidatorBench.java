package io.socketlet.bench.jmh;

import io.socketlet.internal.protocol.Utf8Validator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@link Utf8Validator} over 64 KiB: all ASCII (the target: at least 4 GB/s on one core), and
 * mixed text with 1- to 4-byte characters (about a third of the bytes outside ASCII).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class Utf8ValidatorBench {

    private static final String MIXED = "Grüße aus Köln — 日本語のテキスト, émoji 😀 and plain ASCII words. ";

    @Param({"65536"})
    public int size;
    byte[] ascii;
    byte[] mixed;

    @Setup
    public void setup() {
        ascii = new byte[size];
        for (int i = 0; i < size; i++) {
            ascii[i] = (byte) (' ' + i % 95);
        }
        byte[] unit = MIXED.getBytes(StandardCharsets.UTF_8);
        mixed = new byte[size];
        int n = 0;
        while (n + unit.length <= size) {
            System.arraycopy(unit, 0, mixed, n, unit.length);
            n += unit.length;
        }
        while (n < size) {
            mixed[n++] = 'x';
        }
        if (!Utf8Validator.isValid(ascii, 0, size) || !Utf8Validator.isValid(mixed, 0, size)) {
            throw new IllegalStateException("benchmark input is not valid UTF-8");
        }
    }

    @Benchmark
    public boolean ascii() {
        return Utf8Validator.isValid(ascii, 0, size);
    }

    @Benchmark
    public boolean mixed() {
        return Utf8Validator.isValid(mixed, 0, size);
    }
}
