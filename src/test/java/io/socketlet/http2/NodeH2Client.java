package io.socketlet.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/node/h2-websocket-client.js}, a raw RFC 8441 client on Node's built-in
 * {@code http2} module, with a plan (see the script) and returns what it reported.
 */
final class NodeH2Client {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeH2Client() {
    }

    /** What the client saw. */
    record Result(JsonNode json) {
        int status() {
            return json.path("status").asInt(-1);
        }

        String header(String name) {
            JsonNode v = json.path("headers").get(name);
            return v == null || v.isNull() ? null : v.asText();
        }

        List<JsonNode> frames() {
            List<JsonNode> frames = new ArrayList<>();
            json.path("frames").forEach(frames::add);
            return frames;
        }

        JsonNode frame(int i) {
            List<JsonNode> frames = frames();
            if (i >= frames.size()) {
                throw new AssertionError("frame " + i + " never came: " + json);
            }
            return frames.get(i);
        }

        /** {@code end}, {@code reset <code>} or {@code open}. */
        String end() {
            return json.path("end").asText();
        }

        String error() {
            JsonNode e = json.get("error");
            return e == null || e.isNull() ? null : e.asText();
        }

        String body() {
            return json.path("body").asText("");
        }

        @Override
        public String toString() {
            return json.toString();
        }
    }

    /** Runs the plan and asserts the client finished without an error of its own. */
    static Result run(Map<String, Object> plan) throws IOException, InterruptedException {
        Result result = runAllowingErrors(plan);
        assertEquals(null, result.error(), () -> "client error: " + result);
        return result;
    }

    static Result runAllowingErrors(Map<String, Object> plan) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("socketlet.node.dir", "src/test/node")).toAbsolutePath();
        String planJson = JSON.writeValueAsString(plan);
        Process process = new ProcessBuilder("node", dir.resolve("h2-websocket-client.js").toString())
                .directory(dir.toFile())
                .redirectErrorStream(false)
                .start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(planJson.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                process.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the exit code and stdout tell the story
            }
        }, "node-stderr");
        drain.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("node did not finish: " + abbreviated(planJson));
        }
        drain.join(2000);
        String text = new String(out, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            throw new AssertionError("node printed nothing for " + abbreviated(planJson) + "\n"
                    + err.toString(StandardCharsets.UTF_8));
        }
        return new Result(JSON.readTree(text.substring(text.lastIndexOf('\n') + 1)));
    }

    private static String abbreviated(String text) {
        return text.length() <= 2000 ? text : text.substring(0, 2000) + "... (" + text.length() + " characters)";
    }
}
