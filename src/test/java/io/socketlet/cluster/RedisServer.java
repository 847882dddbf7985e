package io.socketlet.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code redis-server} (installed by {@code .ci/run}), started by a test on a free port
 * of 127.0.0.1, stopped (killed) and started again on the same port to play a Redis restart:
 * without persistence (a restart loses everything, the harder case for the nodes), or with an
 * append-only file synced on every write (a restart loses nothing Redis answered).
 */
public final class RedisServer implements AutoCloseable {

    private static final Path BINARY = Paths.get("/usr/bin/redis-server");

    private final int port;
    private final Path dir;
    private final boolean persistent;
    private Process process;

    private RedisServer(int port, Path dir, boolean persistent) {
        this.port = port;
        this.dir = dir;
        this.persistent = persistent;
    }

    /** Skips the test where redis-server is missing, unless CI is set: there it fails. */
    public static void assumeInstalled() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0")) {
            fail("CI=" + ci + " and " + BINARY + " is missing (.ci/run installs redis-server)");
        }
        Assumptions.assumeTrue(false, BINARY + " is missing; the Redis tests are skipped");
    }

    /** Without persistence. */
    public static RedisServer start() throws Exception {
        return start(false);
    }

    /** @param persistent keep an append-only file, fsynced on every write, across restarts */
    public static RedisServer start(boolean persistent) throws Exception {
        assumeInstalled();
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        RedisServer server = new RedisServer(port, Files.createTempDirectory("socketlet-redis"), persistent);
        server.startAgain();
        return server;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts on the same port (after {@link #stop}), empty unless persistent, and waits until it answers PING. */
    public void startAgain() throws Exception {
        process = new ProcessBuilder(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always",
                "--dir", dir.toString(), "--protected-mode", "yes")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server did not start on port " + port + ": "
                        + Files.readString(dir.resolve("redis.log")));
            }
            Thread.sleep(20);
        }
    }

    /** Kills the server (no shutdown save: it has no persistence anyway). */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** One command in RESP inline form, its first reply line. */
    public String command(String line) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    reply.append((char) c);
                }
            }
            return reply.toString();
        }
    }

    /** {@code CLIENT LIST}: one line per connection ({@code id=… name=… cmd=…}). */
    public java.util.List<String> clients() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write("CLIENT LIST\r\n".getBytes(StandardCharsets.UTF_8));
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            StringBuilder header = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    header.append((char) c);
                }
            }
            if (header.length() == 0 || header.charAt(0) != '$') {
                throw new IOException("CLIENT LIST answered " + header);
            }
            byte[] body = new byte[Integer.parseInt(header.substring(1))];
            in.readFully(body);
            return java.util.Arrays.asList(new String(body, StandardCharsets.UTF_8).split("\n"));
        }
    }

    /**
     * Watches the server ({@code MONITOR}) for a while and returns every call of that command
     * (any client's), each as its arguments after the command's name.
     */
    public java.util.List<java.util.List<String>> callsOf(String command, java.time.Duration during) throws IOException {
        java.util.List<java.util.List<String>> calls = new java.util.ArrayList<>();
        java.util.regex.Pattern quoted = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
        long end = System.nanoTime() + during.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            while (true) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return calls;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                String line;
                try {
                    line = in.readLine();
                } catch (java.net.SocketTimeoutException timeUp) {
                    return calls;
                }
                if (line == null) {
                    return calls;
                }
                java.util.List<String> args = new java.util.ArrayList<>();
                java.util.regex.Matcher m = quoted.matcher(line);
                while (m.find()) {
                    args.add(m.group(1));
                }
                if (!args.isEmpty() && args.get(0).equalsIgnoreCase(command)) {
                    calls.add(args.subList(1, args.size()));
                }
            }
        }
    }

    /** Closes the connection whose {@code CLIENT SETNAME} is this name, as a network failure would. */
    public void killClientNamed(String name) throws IOException {
        for (String line : clients()) {
            if ((" " + line + " ").contains(" name=" + name + " ")) {
                String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
                String reply = command("CLIENT KILL ID " + id);
                if (!reply.equals(":1")) {
                    throw new IOException("CLIENT KILL ID " + id + " answered " + reply);
                }
                return;
            }
        }
        throw new IOException("no connection named " + name + " in " + clients());
    }

    private boolean answersPing() {
        try {
            return command("PING").equals("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
