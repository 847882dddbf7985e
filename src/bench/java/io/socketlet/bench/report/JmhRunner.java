package io.socketlet.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JMH micro-benchmarks of {@code io.socketlet.bench.jmh} in a forked JVM and reads their
 * JSON results. Every benchmark has a {@code size} parameter: the payload bytes one operation
 * handles, from which bytes per second follow.
 */
public final class JmhRunner {

    /** One benchmark's score. */
    public record Result(String name, int size, double opsPerSecond, double error) {
        public double gigabytesPerSecond() {
            return opsPerSecond * size / 1e9;
        }
    }

    private JmhRunner() {
    }

    public static List<Result> run(String classPath, boolean quick, Path json, Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseG1GC", "-cp", classPath, "org.openjdk.jmh.Main", "io\\.socketlet\\.bench\\.jmh\\..*",
                "-f", "1", "-jvmArgs", "-Xmx1g -XX:+UseG1GC", "-rf", "json", "-rff", json.toAbsolutePath().toString()));
        if (quick) {
            cmd.addAll(List.of("-wi", "1", "-w", "500ms", "-i", "2", "-r", "500ms"));
        } else {
            cmd.addAll(List.of("-wi", "3", "-w", "1s", "-i", "5", "-r", "1s"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(quick ? 3 : 6, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("JMH did not finish in time");
        }
        if (p.exitValue() != 0) {
            throw new IOException("JMH exited with " + p.exitValue());
        }
        return read(json);
    }

    public static List<Result> read(Path json) throws IOException {
        List<Result> results = new ArrayList<>();
        for (JsonNode b : new ObjectMapper().readTree(json.toFile())) {
            String full = b.get("benchmark").asText();
            String[] parts = full.split("\\.");
            String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
            int size = b.path("params").path("size").asInt(0);
            JsonNode metric = b.get("primaryMetric");
            double score = metric.get("score").asDouble();
            double error = metric.path("scoreError").asDouble(Double.NaN);
            String unit = metric.get("scoreUnit").asText();
            if (!unit.equals("ops/s")) {
                throw new IOException("unexpected JMH unit " + unit + " for " + full);
            }
            results.add(new Result(name, size, score, error));
        }
        return results;
    }
}
