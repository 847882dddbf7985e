package io.socketlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node's {@code ws} package (src/test/node, installed by {@code npm ci} in the
 * pre-integration-test phase) against the demo echo endpoint: a real third-party client that,
 * like browsers, sends no Content-Length on the upgrade request.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeWsIT {

    @RegisterExtension
    static final ContainerPool SERVERS = new ContainerPool(Containers.deployment("/socketlet")
            .servlet("echo", TestEndpoints.DEMO_ECHO, "/echo", Map.of())
            .servlet("command", TestEndpoints.CloseOnCommand.class, "/command", Map.of("pingInterval", "0")));

    /** src/test/node: from the failsafe property, or relative to the project folder. */
    static Path nodeDir() {
        Path dir = Path.of(System.getProperty("socketlet.node.dir", "src/test/node"));
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("ws"))) {
            throw new IllegalStateException("Node's ws is not installed in " + dir.toAbsolutePath()
                    + ": run `npm ci` there (mvn verify does it in pre-integration-test)");
        }
        return dir;
    }

    /** Runs {@code node ws-client.js args...}; returns its exit code and output. */
    static Result runNode(String... args) throws Exception {
        Path dir = nodeDir();
        List<String> command = new ArrayList<>(List.of("node", dir.resolve("ws-client.js").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(output);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "node-output");
        pump.start();
        if (!process.waitFor(75, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            pump.join(2000);
            throw new AssertionError("node did not finish in 75 s: " + command + "\n" + output.toString(StandardCharsets.UTF_8));
        }
        pump.join(5000);
        System.out.println("[node " + String.join(" ", args) + "] exit " + process.exitValue() + "\n"
                + output.toString(StandardCharsets.UTF_8).strip());
        return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8), command);
    }

    record Result(int exit, String output, List<String> command) {
        void assertPassed(String... expectedLines) {
            String context = "\ncommand: " + String.join(" ", command) + "\noutput:\n" + output;
            assertEquals(0, exit, "node exit code" + context);
            for (String line : expectedLines) {
                assertTrue(output.lines().anyMatch(l -> l.equals(line) || l.startsWith(line + " ")), "missing line '" + line + "'" + context);
            }
            assertTrue(output.lines().anyMatch("PASS"::equals), "no PASS" + context);
        }
    }

    private static String[] echoLines() {
        List<String> lines = new ArrayList<>();
        for (int size : new int[] {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20}) {
            lines.add("ok text " + size);
            lines.add("ok binary " + size);
        }
        lines.add("ok unicode");
        lines.add("ok close 1000");
        return lines.toArray(String[]::new);
    }

    @BothContainers
    void echoesEverySizeUpTo16MiB(ContainerKind kind) throws Exception {
        runNode("echo", SERVERS.get(kind).ws("/echo").toString()).assertPassed(echoLines());
    }

    @BothContainers
    void echoesEverySizeWithoutOfferingCompression(ContainerKind kind) throws Exception {
        runNode("echo", SERVERS.get(kind).ws("/echo").toString(), "--no-deflate").assertPassed(echoLines());
    }

    @BothContainers
    void reassemblesFragmentedSends(ContainerKind kind) throws Exception {
        runNode("fragments", SERVERS.get(kind).ws("/echo").toString())
                .assertPassed("ok fragmented text", "ok fragmented binary", "ok fragmented 16MiB");
    }

    @BothContainers
    void roundTripsTheClientsCloseCode(ContainerKind kind) throws Exception {
        runNode("close", SERVERS.get(kind).ws("/echo").toString(), "4321", "client done")
                .assertPassed("ok close 4321");
    }

    @BothContainers
    void deliversTheServersCloseCodeAndReason(ContainerKind kind) throws Exception {
        runNode("server-close", SERVERS.get(kind).ws("/command").toString(), "4444", "server done")
                .assertPassed("ok server-close 4444 \"server done\"");
    }
}
