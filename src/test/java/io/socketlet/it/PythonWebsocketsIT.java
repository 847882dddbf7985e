package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Python's {@code websockets} package (Debian's python3-websockets, which .ci/run installs)
 * against the demo echo endpoint: a third-party client written independently of ours, with and
 * without permessage-deflate. Skipped when the package is missing locally; under CI it must be there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PythonWebsocketsIT {

    private static final String PYTHON = "/usr/bin/python3";

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("echo", TestEndpoints.DEMO_ECHO, "/echo", Map.of()));

    @BothContainers
    void echoesEverySizeUpTo16MiBWithCompression(ContainerKind kind) throws Exception {
        Result result = run("echo", SERVERS.get(kind).ws("/echo").toString());
        result.assertPassed("extensions permessage-deflate", "ok text 16777216", "ok binary 16777216", "ok fragmented", "close 1000");
    }

    @BothContainers
    void echoesEverySizeUpTo16MiBWithoutCompression(ContainerKind kind) throws Exception {
        Result result = run("echo", SERVERS.get(kind).ws("/echo").toString(), "--no-deflate");
        result.assertPassed("ok text 16777216", "ok binary 16777216", "ok fragmented", "close 1000");
    }

    @BothContainers
    void serverEchoesTheClientsCloseCode(ContainerKind kind) throws Exception {
        // "typically echoing the status code it received": the code, with no reason of its own
        run("close", SERVERS.get(kind).ws("/echo").toString(), "4123", "python done").assertPassed("close 4123 ''");
    }

    private static Result run(String... args) throws Exception {
        boolean present = new ProcessBuilder(PYTHON, "-c", "import websockets").start().waitFor() == 0;
        if (!present) {
            assertTrue(System.getenv("CI") == null, "python3-websockets is missing under CI (.ci/run installs it)");
            assumeTrue(false, "python3-websockets not installed: apt-get install python3-websockets");
        }
        Path script = Path.of(System.getProperty("socketlet.python.dir", "src/test/python"), "websockets_client.py");
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "python-output");
        pump.start();
        if (!process.waitFor(100, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            pump.join(2000);
            throw new AssertionError("python did not finish in 100 s: " + command + "\n" + output.toString(StandardCharsets.UTF_8));
        }
        pump.join(5000);
        return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8), command);
    }

    private record Result(int exit, String output, List<String> command) {
        void assertPassed(String... expectedLines) {
            String context = "\ncommand: " + String.join(" ", command) + "\noutput:\n" + output;
            assertEquals(0, exit, "python exit code" + context);
            for (String line : expectedLines) {
                assertTrue(output.lines().anyMatch(l -> l.equals(line) || l.startsWith(line + ";")), "missing line '" + line + "'" + context);
            }
            assertTrue(output.lines().anyMatch("PASS"::equals), "no PASS" + context);
        }
    }
}
